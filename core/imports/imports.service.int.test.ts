import { deflateRawSync } from 'node:zlib';
import { and, count, eq, inArray } from 'drizzle-orm';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog, importBatches, importRows, organisations } from '../../db/schema';
import { unitBuyer } from '../testing/mall-factories';
import { buildUscc } from '../testing/factories';
import { createTestPlatform, ManualClock } from '../testing/test-platform';
import type { Platform } from '../platform/platform';
import { importsRepo } from './imports.repo';
import { IMPORT_PROGRESS_EVENT, importRoom } from './imports.service';
import { sheetBytes, testUnitsKind } from './imports.test-kind';
import { checkRow } from './sheet';
import { AppError } from '../shared/app-error';

let p: Platform & { clock: ManualClock };
let owner: Awaited<ReturnType<typeof unitBuyer>>;
let other: Awaited<ReturnType<typeof unitBuyer>>;
const { kind, state } = testUnitsKind();
const clock = new ManualClock(new Date('2026-12-01T02:00:00Z'));

beforeAll(async () => {
  p = (await createTestPlatform({ clock })) as typeof p;
  p.services.imports.register(kind);
  owner = await unitBuyer(p);
  other = await unitBuyer(p);
});
afterAll(() => p?.close());

const svc = () => p.services.imports;
const err = async (f: Promise<unknown>) => {
  try {
    await f;
  } catch (e) {
    return e as { code: string; message: string; fields?: Record<string, string> };
  }
  throw new Error('expected a refusal');
};
const upload = (bytes: Uint8Array, actor = owner.actor, organisationId = owner.org.id) =>
  svc().upload(actor, { kind: kind.key, organisationId, filename: '单位.xlsx', bytes });
const run = () => p.jobs.runDue();

/** 4 good rows, a bad code, a missing name, a duplicate code. */
const codes = [buildUscc(), buildUscc(), buildUscc(), buildUscc()];
const ROWS = [
  ['綦江区测试一中', codes[0]!],
  ['綦江区测试二中', codes[1]!],
  ['綦江区测试三中', '91500110MA5U7XXXX1'],
  ['', codes[2]!],
  ['綦江区测试四中', codes[3]!],
  ['綦江区测试五中', codes[0]!],
  ['綦江区测试六中', codes[2]!],
];

describe('imports: upload → parse → preview → confirm', () => {
  let batchId = '';

  it('answers at once with a parsing batch; the job stages rows and checks them across rows', async () => {
    const pushes: unknown[] = [];
    const off = p.publisher.subscribe((room, event, payload) => {
      if (event === IMPORT_PROGRESS_EVENT) pushes.push({ room, payload });
    });
    const view = await upload(await sheetBytes(ROWS));
    batchId = view.id;
    expect(view).toMatchObject({ status: 'parsing', kind: 'test.units', kindLabel: '测试单位', progress: 0 });
    await run();
    off();
    const ready = await svc().get(owner.actor, batchId);
    expect(ready.status).toBe('ready');
    expect(ready.counts).toEqual({ total: 7, valid: 4, error: 3, new: 4, update: 0, written: 0 });
    expect(pushes.some((x) => (x as { room: string }).room === importRoom(batchId))).toBe(true);
    expect(pushes.at(-1)).toMatchObject({ payload: { status: 'ready' } });

    const errors = await svc().rows(owner.actor, batchId, { status: 'error' });
    expect(errors.items.map((r) => r.row)).toEqual([4, 5, 7]);
    expect(errors.items[0]!.errors[0]!.column).toBe('uscc');
    expect(errors.items[1]!.errors).toEqual([{ column: 'fullName', message: '请填写单位全称' }]);
    expect(errors.items[2]!.errors[0]!.message).toContain('第 2 行');
    expect(errors.columns).toEqual([
      { key: 'fullName', header: '单位全称' },
      { key: 'uscc', header: '统一社会信用代码' },
    ]);
    const valid = await svc().rows(owner.actor, batchId, { status: 'valid', pageSize: 2, page: 2 });
    expect(valid).toMatchObject({ total: 4, page: 2, pageSize: 2 });
    expect(valid.items.map((r) => r.row)).toEqual([6, 8]);
  });

  it('the error workbook holds every row with errors, as uploaded, with reasons', async () => {
    const file = await svc().errorWorkbook(owner.actor, batchId);
    expect(file.filename).toContain('错误行');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(Buffer.from(file.bytes) as never);
    const ws = wb.worksheets[0]!;
    expect(ws.rowCount).toBe(4);
    expect(ws.getRow(2).getCell(2).value).toBe('91500110MA5U7XXXX1');
    expect(String(ws.getRow(4).getCell(4).value)).toContain('重复');
  });

  it('two confirmations at once: one wins, the other is told; the job writes the valid rows', async () => {
    const [a, b] = await Promise.allSettled([svc().confirm(owner.actor, batchId), svc().confirm(owner.actor, batchId)]);
    const won = [a, b].filter((r) => r.status === 'fulfilled');
    const lost = [a, b].filter((r) => r.status === 'rejected') as PromiseRejectedResult[];
    expect(won).toHaveLength(1);
    expect(lost[0]!.reason.code).toBe('IMPORT_ALREADY_CONFIRMED');
    expect((won[0] as PromiseFulfilledResult<{ status: string }>).value.status).toBe('confirming');
    await run();
    const done = await svc().get(owner.actor, batchId);
    expect(done).toMatchObject({ status: 'done', progress: 4, counts: { valid: 4, written: 4, new: 4 } });
    const [file] = await p.db.select({ file: importBatches.file }).from(importBatches).where(eq(importBatches.id, batchId));
    expect(file!.file).toBeNull();
    const units = await p.db.select().from(organisations).where(inArray(organisations.uscc, codes));
    expect(units.map((u) => u.fullName).sort()).toEqual(['綦江区测试一中', '綦江区测试二中', '綦江区测试四中', '綦江区测试六中'].sort());
    const written = await svc().rows(owner.actor, batchId, { status: 'valid' });
    expect(written.items.every((r) => r.targetId)).toBe(true);
    const [audit] = await p.db
      .select({ n: count() })
      .from(auditLog)
      .where(and(eq(auditLog.action, 'imports.confirm'), eq(auditLog.targetId, batchId)));
    expect(audit!.n).toBe(1);
    // A second confirmation of a done batch changes nothing.
    expect((await err(svc().confirm(owner.actor, batchId))).code).toBe('IMPORT_ALREADY_CONFIRMED');
  });

  it('the same file again: the same codes update, never duplicate', async () => {
    clock.advance(1000);
    const again = await upload(await sheetBytes(ROWS));
    await run();
    expect((await svc().get(owner.actor, again.id)).counts).toMatchObject({ valid: 4, new: 0, update: 4, error: 3 });
    await svc().confirm(owner.actor, again.id);
    await run();
    expect((await svc().get(owner.actor, again.id)).status).toBe('done');
    const [n] = await p.db.select({ n: count() }).from(organisations).where(inArray(organisations.uscc, codes));
    expect(n!.n).toBe(4);
    const list = await svc().list(owner.actor, { kind: kind.key, organisationId: owner.org.id });
    expect(list.items[0]!.id).toBe(again.id);
    expect(list.total).toBeGreaterThanOrEqual(2);
  });
});

describe('imports: resume after a stop', () => {
  const rows = () => [
    ['綦江区续传一中', buildUscc()],
    ['綦江区续传二中', buildUscc()],
    ['綦江区续传三中', 'BAD'],
    ['綦江区续传四中', buildUscc()],
  ];

  it('a parse stopped after staging some rows ends as a clean run does, without duplicates', async () => {
    const data = rows();
    const clean = await upload(await sheetBytes(data));
    const resumed = await upload(await sheetBytes(data));
    // The interrupted run staged rows 2–3 (as its first chunk would have) and then stopped.
    await importsRepo.stageRows(
      p.db,
      resumed.id,
      [2, 3].map((row) => {
        const values = { fullName: data[row - 2]![0]!, uscc: data[row - 2]![1]! };
        const r = checkRow(kind.spec, { row, values });
        return { row, cells: values, value: r.ok ? r.value : null, errors: r.ok ? [] : r.errors };
      }),
    );
    await run();
    const a = await svc().get(owner.actor, clean.id);
    const b = await svc().get(owner.actor, resumed.id);
    expect(b.status).toBe('ready');
    expect(b.counts).toEqual(a.counts);
    expect(b.counts).toMatchObject({ total: 4, valid: 3, error: 1 });
    const [n] = await p.db.select({ n: count() }).from(importRows).where(eq(importRows.batchId, resumed.id));
    expect(n!.n).toBe(4);
    const strip = (page: Awaited<ReturnType<ReturnType<typeof svc>['rows']>>) => page.items.map(({ row, status, errors }) => ({ row, status, errors }));
    expect(strip(await svc().rows(owner.actor, resumed.id))).toEqual(strip(await svc().rows(owner.actor, clean.id)));
  });

  it('a confirmation that crashes mid-write is retried and ends done, each unit once', async () => {
    const data = rows();
    const batch = await upload(await sheetBytes(data));
    await run();
    state.failNextWrite = true;
    await svc().confirm(owner.actor, batch.id);
    await run();
    expect((await svc().get(owner.actor, batch.id)).status).toBe('confirming');
    // After a restart the resume puts the job back (here it is still scheduled for its retry).
    await svc().resume();
    clock.advance(60_000);
    await run();
    const done = await svc().get(owner.actor, batch.id);
    expect(done).toMatchObject({ status: 'done', counts: { written: 3 } });
    const codesOf = data.map((r) => r[1]!).filter((c) => c !== 'BAD');
    const [n] = await p.db.select({ n: count() }).from(organisations).where(inArray(organisations.uscc, codesOf));
    expect(n!.n).toBe(3);
  });
});

describe('imports: refusals', () => {
  it('wrong type, old .xls, empty and oversized files are refused at upload with messages', async () => {
    const text = await err(upload(new TextEncoder().encode('单位全称,统一社会信用代码\n')));
    expect(text).toMatchObject({ code: 'VALIDATION', fields: { file: expect.stringContaining('不是有效的 Excel') } });
    const xls = await err(upload(Uint8Array.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0])));
    expect(xls.message).toContain('.xls');
    expect((await err(upload(new Uint8Array(0)))).message).toContain('空');
    const big = new Uint8Array(20 * 1024 * 1024 + 1);
    big.set([0x50, 0x4b, 0x03, 0x04]);
    expect(await err(upload(big))).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', message: expect.stringContaining('20 MB') });
  });

  it('a small file that declares a huge unzipped size (a zip bomb) or a damaged zip is refused at upload', async () => {
    /** A zip of one deflated entry whose directory declares `size` bytes unzipped. */
    const zipDeclaring = (size: number) => {
      const name = Buffer.from('xl/sharedStrings.xml');
      const data = deflateRawSync(Buffer.alloc(0));
      const local = Buffer.alloc(30);
      local.writeUInt32LE(0x04034b50, 0);
      local.writeUInt16LE(20, 4);
      local.writeUInt16LE(8, 8);
      local.writeUInt32LE(data.length, 18);
      local.writeUInt32LE(size, 22);
      local.writeUInt16LE(name.length, 26);
      const central = Buffer.alloc(46);
      central.writeUInt32LE(0x02014b50, 0);
      central.writeUInt16LE(20, 4);
      central.writeUInt16LE(20, 6);
      central.writeUInt16LE(8, 10);
      central.writeUInt32LE(data.length, 20);
      central.writeUInt32LE(size, 24);
      central.writeUInt16LE(name.length, 28);
      const dirAt = local.length + name.length + data.length;
      const end = Buffer.alloc(22);
      end.writeUInt32LE(0x06054b50, 0);
      end.writeUInt16LE(1, 8);
      end.writeUInt16LE(1, 10);
      end.writeUInt32LE(central.length + name.length, 12);
      end.writeUInt32LE(dirAt, 16);
      return new Uint8Array(Buffer.concat([local, name, data, central, name, end]));
    };
    expect(await err(upload(zipDeclaring(3_000_000_000)))).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', message: expect.stringContaining('解压后') });
    const damaged = await sheetBytes([['某单位', buildUscc()]]);
    expect(await err(upload(damaged.subarray(0, damaged.length - 30)))).toMatchObject({
      code: 'VALIDATION',
      fields: { file: expect.stringContaining('不是有效的 Excel') },
    });
  });

  it('missing or renamed headers and sheets without rows fail the batch with the reason', async () => {
    const renamed = await upload(await sheetBytes([['某单位', buildUscc()]], ['单位名称*', '统一社会信用代码*']));
    const empty = await upload(await sheetBytes([]));
    await run();
    const a = await svc().get(owner.actor, renamed.id);
    expect(a.status).toBe('failed');
    expect(a.failure).toContain('缺少列：单位全称');
    expect(a.failure).toContain('单位名称');
    const b = await svc().get(owner.actor, empty.id);
    expect(b).toMatchObject({ status: 'failed', failure: expect.stringContaining('没有数据行') });
    expect((await err(svc().confirm(owner.actor, renamed.id))).code).toBe('IMPORT_BATCH_STATE');
  });

  it('another organisation neither uploads for nor sees the batch; unknown kinds and ids are not found', async () => {
    const mine = await upload(await sheetBytes([['綦江区另一中学', buildUscc()]]));
    expect((await err(upload(await sheetBytes([['x', buildUscc()]]), other.actor))).code).toBe('FORBIDDEN');
    expect((await err(svc().get(other.actor, mine.id))).code).toBe('FORBIDDEN');
    expect((await err(svc().rows(other.actor, mine.id))).code).toBe('FORBIDDEN');
    expect((await err(svc().confirm(other.actor, mine.id))).code).toBe('FORBIDDEN');
    expect((await err(svc().get(owner.actor, 'not-a-uuid'))).code).toBe('NOT_FOUND');
    expect((await err(svc().template(owner.actor, 'nope'))).code).toBe('NOT_FOUND');
    expect((await err(svc().get(null, mine.id))).code).toBe('UNAUTHENTICATED');
    expect((await err(svc().rows(owner.actor, mine.id, { status: 'bogus' }))).code).toBe('VALIDATION');
    // A batch with nothing valid cannot be confirmed; one not yet confirmed may be discarded.
    const bad = await upload(await sheetBytes([['綦江区坏行', 'BAD']]));
    await run();
    expect((await err(svc().confirm(owner.actor, bad.id))).code).toBe('IMPORT_NOTHING_VALID');
    await svc().discard(owner.actor, bad.id);
    expect((await err(svc().get(owner.actor, bad.id))).code).toBe('NOT_FOUND');
    expect((await svc().template(owner.actor, kind.key)).bytes.byteLength).toBeGreaterThan(1000);
  });

  it("a refusal of the whole file by the kind's checks fails the batch with its reason (never 检查中 for ever)", async () => {
    const refusing = testUnitsKind('test.refusing').kind;
    refusing.check = async () => {
      throw new AppError('FORBIDDEN', '本单位已不是预算单位，无法导入');
    };
    svc().register(refusing);
    const b = await svc().upload(owner.actor, {
      kind: refusing.key,
      organisationId: owner.org.id,
      filename: '单位.xlsx',
      bytes: await sheetBytes([['某单位', buildUscc()]]),
    });
    await run();
    expect(await svc().get(owner.actor, b.id)).toMatchObject({ status: 'failed', failure: '本单位已不是预算单位，无法导入' });
  });

  it('a kind key is registered once', () => {
    expect(() => svc().register(kind)).toThrow(/already registered/);
  });
});
