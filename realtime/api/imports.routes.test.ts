import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memberships, organisations } from '../../db/schema';
import { sheetBytes, testUnitsKind } from '../../core/imports/imports.test-kind';
import { buildUscc } from '../../core/testing/factories';
import { ManualClock } from '../../core/testing/test-platform';
import { createApiHarness, read, type ApiHarness } from './test-helpers';

const clock = new ManualClock(new Date('2026-12-01T02:00:00Z'));
let h: ApiHarness;
const { kind } = testUnitsKind('test.route_units');
type Person = { token: string; orgId: string };
let owner: Person;
let stranger: Person;

/** A user who owns a unit, acting for it. */
async function unitOwner(): Promise<Person> {
  const u = await h.user();
  const [org] = await h.platform.db
    .insert(organisations)
    .values({ kind: 'unit', fullName: `綦江区测试单位${Math.random().toString(36).slice(2, 6)}` })
    .returning();
  await h.platform.db.insert(memberships).values({ userId: u.actor.userId, organisationId: org!.id, role: 'owner' });
  const token = await h.loginAs(u.input);
  const switched = await h.json('POST', '/api/v1/auth/active-organisation', { organisationId: org!.id }, { token });
  expect(switched.status, switched.text).toBe(200);
  return { token, orgId: org!.id };
}

beforeAll(async () => {
  h = await createApiHarness({ clock });
  h.platform.services.imports.register(kind);
  owner = await unitOwner();
  stranger = await unitOwner();
});
afterAll(() => h?.close());

const get = (who: Person | null, path: string) => h.call('GET', `/api/v1${path}`, who ? { token: who.token } : {});
const post = (who: Person | null, path: string) => h.call('POST', `/api/v1${path}`, who ? { token: who.token } : {});

/** A multipart upload as a browser sends it: the body with its type and length. */
async function upload(who: Person | null, bytes: Uint8Array, fields: Record<string, string> = {}) {
  const fd = new FormData();
  fd.append('file', new File([bytes as Uint8Array<ArrayBuffer>], '单位.xlsx', { type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' }));
  fd.append('kind', fields.kind ?? kind.key);
  fd.append('organisationId', fields.organisationId ?? who?.orgId ?? '');
  const multipart = new Request('http://x', { method: 'POST', body: fd });
  const payload = new Uint8Array(await multipart.arrayBuffer());
  return read(
    await h.app.request('/api/v1/imports', {
      method: 'POST',
      body: payload,
      headers: {
        ...(who ? { authorization: `Bearer ${who.token}` } : {}),
        'content-type': multipart.headers.get('content-type')!,
        'content-length': String(payload.byteLength),
      },
    }),
  );
}

describe('imports API', () => {
  it('template → upload → preview → error workbook → confirm → done', async () => {
    const tpl = await h.app.request(`/api/v1/imports/templates/${kind.key}`, { headers: { authorization: `Bearer ${owner.token}` } });
    expect(tpl.status).toBe(200);
    expect(tpl.headers.get('content-disposition')).toContain(encodeURIComponent('单位导入模板.xlsx'));
    const codes = [buildUscc(), buildUscc()];
    const up = await upload(
      owner,
      await sheetBytes([
        ['綦江区接口一中', codes[0]!],
        ['綦江区接口二中', 'BAD'],
        ['綦江区接口三中', codes[1]!],
      ]),
    );
    expect(up.status, up.text).toBe(202);
    expect(up.json).toMatchObject({ status: 'parsing', kind: kind.key });
    const id = up.json.id as string;
    await h.platform.jobs.runDue();

    const batch = await get(owner, `/imports/${id}`);
    expect(batch.json).toMatchObject({ status: 'ready', counts: { total: 3, valid: 2, error: 1, new: 2, update: 0 } });
    const rows = await get(owner, `/imports/${id}/rows?status=error`);
    expect(rows.status).toBe(200);
    expect(rows.json.items).toEqual([expect.objectContaining({ row: 3, status: 'error', cells: { fullName: '綦江区接口二中', uscc: 'BAD' } })]);
    expect((await get(owner, `/imports/${id}/rows?status=nope`)).status).toBe(400);

    const report = await h.app.request(`/api/v1/imports/${id}/error-workbook`, { headers: { authorization: `Bearer ${owner.token}` } });
    expect(report.status).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await report.arrayBuffer()) as never);
    expect(wb.worksheets[0]!.getRow(2).getCell(2).value).toBe('BAD');

    const list = await get(owner, `/imports?kind=${kind.key}&organisationId=${owner.orgId}`);
    expect(list.json.items[0].id).toBe(id);

    const confirmed = await post(owner, `/imports/${id}/confirm`);
    expect(confirmed.status, confirmed.text).toBe(202);
    expect(confirmed.json.status).toBe('confirming');
    expect((await post(owner, `/imports/${id}/confirm`)).json.error.code).toBe('IMPORT_ALREADY_CONFIRMED');
    await h.platform.jobs.runDue();
    expect((await get(owner, `/imports/${id}`)).json).toMatchObject({ status: 'done', counts: { written: 2 } });
    expect((await h.call('DELETE', `/api/v1/imports/${id}`, { token: owner.token })).json.error.code).toBe('IMPORT_BATCH_STATE');
  });

  it('refuses wrong files, other organisations and anonymous callers; nothing answers 5xx', async () => {
    const text = await upload(owner, new TextEncoder().encode('not a workbook'));
    expect(text.status).toBe(400);
    expect(text.json.error.fields.file).toContain('Excel');
    expect((await upload(owner, new Uint8Array(0))).status).toBe(400);
    expect((await upload(owner, await sheetBytes([['x', buildUscc()]]), { kind: 'nope' })).status).toBe(404);
    expect((await upload(owner, await sheetBytes([['x', buildUscc()]]), { organisationId: 'x' })).status).toBe(400);
    expect((await upload(null, await sheetBytes([['x', buildUscc()]]))).status).toBe(401);
    const notForm = await h.json('POST', '/api/v1/imports', { kind: kind.key }, { token: owner.token });
    expect(notForm.status).toBe(415);

    const up = await upload(owner, await sheetBytes([['綦江区接口四中', buildUscc()]]));
    const id = up.json.id as string;
    await h.platform.jobs.runDue();
    expect((await upload(stranger, await sheetBytes([['x', buildUscc()]]), { organisationId: owner.orgId })).status).toBe(403);
    for (const path of [`/imports/${id}`, `/imports/${id}/rows`, `/imports/${id}/error-workbook`, `/imports?kind=${kind.key}&organisationId=${owner.orgId}`]) {
      const res = await get(stranger, path);
      expect(res.status, path).toBe(403);
      expect(res.json.error.message).toMatch(/\p{Script=Han}/u);
    }
    expect((await post(stranger, `/imports/${id}/confirm`)).status).toBe(403);
    expect((await h.call('DELETE', `/api/v1/imports/${id}`, { token: stranger.token })).status).toBe(403);
    expect((await get(owner, `/imports/not-an-id`)).status).toBe(404);
    expect((await get(owner, `/imports/templates/nope`)).status).toBe(404);
    expect((await get(null, `/imports/${id}`)).status).toBe(401);
    // The owner may discard an unconfirmed batch.
    expect((await h.call('DELETE', `/api/v1/imports/${id}`, { token: owner.token })).status).toBe(200);
    expect((await get(owner, `/imports/${id}`)).status).toBe(404);
  });
});
