import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import { eq } from 'drizzle-orm';
import { auditLog, monitoringMembers, monitoringPeriods, monitoringRecordEvents, monitoringRecords } from '../../db/schema';
import { createTestPlatform } from '../testing/test-platform';
import type { Platform } from '../platform/platform';
import type { Actor } from '../shared/actor';
import { addPerson, addWorld, refs } from './records.fixtures';
import { matchName, RECORD_IMPORT_KIND, RECORD_SHEET } from './records.import';

let p: Platform;
let world: Awaited<ReturnType<typeof addWorld>>;
let regularName: string;
let backfillName: string;

beforeAll(async () => {
  p = await createTestPlatform();
  world = await addWorld(p.db);
  const ids = await refs(p.db);
  const name = async (id: string) => (await p.db.select().from(monitoringPeriods).where(eq(monitoringPeriods.id, id)))[0]!.name;
  regularName = await name(ids.regular);
  backfillName = await name(ids.backfill);
});
afterAll(() => p?.close());

/** A real .xlsx as people fill the template: the headers with their `*`, then the rows as text. */
async function sheet(rows: string[][]) {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet(RECORD_SHEET.name);
  ws.addRow(RECORD_SHEET.columns.map((c) => `${c.header}${c.required ? '*' : ''}`));
  for (const r of rows) ws.addRow(r);
  return new Uint8Array(await wb.xlsx.writeBuffer());
}

async function upload(actor: Actor, bytes: Uint8Array, organisationId = actor.organisation!.organisationId) {
  const batch = await p.services.imports.upload(actor, { kind: RECORD_IMPORT_KIND, organisationId, filename: 'records.xlsx', bytes });
  await p.jobs.runDue();
  return p.services.imports.get(actor, batch.id);
}

const errorsOf = async (actor: Actor, batchId: string) =>
  Object.fromEntries(
    (await p.services.imports.rows(actor, batchId, { status: 'error', pageSize: 100 })).items.map((r) => [
      r.row,
      Object.fromEntries((r.errors ?? []).map((e) => [e.column, e.message])),
    ]),
  );

describe('the purchase-record sheet (monitoring.records) through the import engine', () => {
  it('the template has every column, dropdowns of the vocabulary and the instructions', async () => {
    const t = await p.services.imports.template(world.wholesaler.actor, RECORD_IMPORT_KIND);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(t.bytes.buffer);
    const ws = wb.worksheets[0]!;
    expect(ws.getRow(1).values).toEqual([
      undefined,
      '填报类型*',
      '填报期间*',
      '是否直接向原产地采购*',
      '产地省*',
      '产地市*',
      '产地县*',
      '品类*',
      '产品名称*',
      '单位*',
      '采购数量*',
      '采购金额（元）*',
    ]);
    expect(ws.getCell('A2').dataValidation?.formulae?.[0]).toBe('"上半年购销信息补登,购销信息登记"');
    expect(ws.getCell('C2').dataValidation?.formulae?.[0]).toBe('"是,否"');
    expect(wb.worksheets[1]!.name).toBe('填写说明');
  });

  it('good rows become drafts of the reporter; bad rows are flagged on their columns', async () => {
    const w = world.wholesaler;
    const ready = await upload(
      w.actor,
      await sheet([
        ['购销信息登记', regularName, '是', '广西壮族自治区', '河池市', '罗城仫佬族自治县', '水果', '罗城毛葡萄', '公斤', '1200.5', '36015.00'],
        // Short names (suffixes left out), 否, an amount without decimals.
        ['上半年购销信息补登', backfillName, '否', '贵州', '贵阳', '开阳县', '茶叶', '开阳富硒茶', '盒', '30', '4500'],
        // Everything wrong that a column can say.
        ['年度登记', '2099年购销登记', '可能', '广东省', '广州市', '天河区', '电器', '', '台', '-1', '12.345'],
        // The names do not lead to a county; the period is of the other filing type.
        ['购销信息登记', backfillName, '是', '广西壮族自治区', '河池市', '不存在县', '蔬菜', '菜心', '公斤', '10', '100'],
        ['购销信息登记', regularName, '是', '广西壮族自治区', '南宁市', '罗城仫佬族自治县', '蔬菜', '菜心', '公斤', '10', '100'],
        ['购销信息登记', '不存在的期间', '是', '广西', '河池', '罗城', '粮食', '香米', '袋', '1', '10'],
      ]),
    );
    expect(ready).toMatchObject({ status: 'ready', counts: { total: 6, valid: 2, new: 2, error: 4 } });

    const errors = await errorsOf(w.actor, ready.id);
    expect(Object.keys(errors)).toEqual(['4', '5', '6', '7']);
    expect(errors[4]).toEqual({
      filingType: expect.stringContaining('填报类型只能是'),
      directFromOrigin: '是否直接向原产地采购只能填“是”或“否”',
      category: expect.stringContaining('品类只能是'),
      productName: '请填写产品名称',
      unit: expect.stringContaining('单位只能是'),
      quantity: '采购数量须大于 0，最多三位小数',
      amountYuan: '采购金额须大于 0，最多两位小数（元）',
    });
    expect(Object.keys(errors[5]!).sort()).toEqual(['countyName', 'periodName']);
    expect(errors[5]!.periodName).toBe('填报期与填报类型不符');
    expect(errors[5]!.countyName).toContain('河池市没有名为“不存在县”的帮扶县');
    expect(errors[6]).toEqual({ countyName: expect.stringContaining('南宁市没有名为“罗城仫佬族自治县”的帮扶县') });
    expect(errors[7]).toEqual({ periodName: expect.stringContaining('找不到填报期间“不存在的期间”') });
    expect(errors[7]!.periodName).toContain(regularName);

    // The error workbook carries the reasons for people to fix and upload again.
    const book = await p.services.imports.errorWorkbook(w.actor, ready.id);
    expect(book.bytes.byteLength).toBeGreaterThan(0);

    await p.services.imports.confirm(w.actor, ready.id);
    await p.jobs.runDue();
    expect(await p.services.imports.get(w.actor, ready.id)).toMatchObject({ status: 'done', counts: { written: 2 } });

    const drafts = await p.services.monitoringRecords.list(w.actor, { status: 'draft' });
    expect(
      drafts.items.map((r) => [r.productName, r.filingType, r.directFromOrigin, r.originCountyCode, r.quantity, r.amountFen, r.reporterId]).sort(),
    ).toEqual([
      ['开阳富硒茶', 'backfill', false, '520121', '30', 450_000, w.orgId],
      ['罗城毛葡萄', 'regular', true, '451225', '1200.5', 3_601_500, w.orgId],
    ]);
    // Each draft is the wholesaler's, under its market and department, with its create event at seq 1.
    const rows = await p.db.select().from(monitoringRecords).where(eq(monitoringRecords.reporterId, w.orgId));
    expect(rows.map((r) => [r.status, r.parentId, r.departmentId, r.createdBy, r.seq])).toEqual(
      rows.map(() => ['draft', world.market.orgId, world.gz.orgId, w.actor.userId, 1]),
    );
    const events = await p.db.select().from(monitoringRecordEvents).where(eq(monitoringRecordEvents.recordId, rows[0]!.id));
    expect(events.map((e) => [e.seq, e.action, e.toStatus])).toEqual([[1, 'create', 'draft']]);
    const audit = await p.db.select().from(auditLog).where(eq(auditLog.action, 'monitoring.record_import'));
    expect(audit).toHaveLength(1);
    // The market sees nothing of its wholesaler's drafts; the rows answer the drafts' ids.
    const written = await p.services.imports.rows(w.actor, ready.id, { status: 'valid' });
    expect(written.items.map((r) => r.targetId).sort()).toEqual(rows.map((r) => r.id).sort());
  });

  it('a row that became invalid after the preview (the period closed) is refused on its column at the write', async () => {
    const w = world.store;
    const [period] = await p.db
      .insert(monitoringPeriods)
      .values({ filingType: 'regular', name: '导入测试临时期间', startsOn: '2026-09-01', endsOn: '2026-09-30', open: true })
      .returning();
    const ready = await upload(
      w.actor,
      await sheet([
        ['购销信息登记', '导入测试临时期间', '是', '广西壮族自治区', '河池市', '罗城仫佬族自治县', '粮食', '香米', '袋', '100', '5000'],
        ['购销信息登记', regularName, '是', '广西壮族自治区', '河池市', '罗城仫佬族自治县', '粮食', '糯米', '袋', '50', '2500.5'],
      ]),
    );
    expect(ready).toMatchObject({ status: 'ready', counts: { valid: 2 } });
    await p.db.update(monitoringPeriods).set({ open: false }).where(eq(monitoringPeriods.id, period!.id));
    await p.services.imports.confirm(w.actor, ready.id);
    await p.jobs.runDue();
    expect(await p.services.imports.get(w.actor, ready.id)).toMatchObject({ status: 'done', counts: { written: 1, error: 1 } });
    expect(await errorsOf(w.actor, ready.id)).toEqual({ 2: { periodName: '填报期不存在或已关闭' } });
    const drafts = await p.services.monitoringRecords.list(w.actor, { status: 'draft' });
    expect(drafts.items.map((r) => [r.productName, r.amountFen])).toEqual([['糯米', 250_050]]);
  });

  it('origin names: the full name, a name without its suffix, or ambiguous', () => {
    const counties = ['罗城仫佬族自治县', '三江侗族自治县', '三都水族自治县', '城中区'];
    expect(matchName('罗城仫佬族自治县', counties)).toEqual(['罗城仫佬族自治县']);
    expect(matchName('罗城县', counties)).toEqual(['罗城仫佬族自治县']);
    expect(matchName('罗 城', counties)).toEqual(['罗城仫佬族自治县']);
    expect(matchName('三', counties)).toEqual(['三江侗族自治县', '三都水族自治县']);
    expect(matchName('城', ['罗城仫佬族自治县'])).toEqual([]);
    expect(matchName('广西', ['广西壮族自治区', '贵州省'])).toEqual(['广西壮族自治区']);
  });

  it('only a reporter account acting for its own unit may import', async () => {
    const bytes = await sheet([['购销信息登记', regularName, '是', '广西', '河池', '罗城', '粮食', '香米', '袋', '1', '1']]);
    const refused = (actor: Actor | null, org: string) =>
      p.services.imports.upload(actor as Actor, { kind: RECORD_IMPORT_KIND, organisationId: org, bytes }).then(
        () => 'accepted',
        (e: { code: string }) => e.code,
      );
    // The city department's administrator and auditor: they review, they do not file.
    expect(await refused(world.gz.actor, world.gz.orgId)).toBe('MONITORING_ROLE_REQUIRED');
    expect(await refused(world.gzAuditor, world.gz.orgId)).toBe('MONITORING_ROLE_REQUIRED');
    // A reporter for another unit than the one it acts for.
    expect(await refused(world.wholesaler.actor, world.market.orgId)).toBe('FORBIDDEN');
    // A person without a monitoring account; nobody signed in.
    const outsider = await addPerson(p.db, world.market.orgId, world.market.name, 'enterprise', 'reporter');
    await p.db.delete(monitoringMembers).where(eq(monitoringMembers.userId, outsider.userId));
    expect(await refused(outsider, world.market.orgId)).toBe('MONITORING_NOT_A_MEMBER');
    expect(await refused(null, world.market.orgId)).toBe('UNAUTHENTICATED');
    // And no one else reads a reporter's batch.
    const mine = await upload(world.ecommerce.actor, bytes);
    await expect(p.services.imports.get(world.market.actor, mine.id)).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });
});
