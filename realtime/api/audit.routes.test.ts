import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import { createApiHarness, type ApiHarness } from './test-helpers';

let h: ApiHarness;
let op: Awaited<ReturnType<ApiHarness['operator']>>;
beforeAll(async () => {
  h = await createApiHarness();
  op = await h.operator();
});
afterAll(() => h?.close());

const get = (path: string, token: string) => h.call('GET', path, { token });

describe('GET /admin/audit', () => {
  it('happy: an operator decision is found by target, action and actor, with who, organisation, before/after and reason', async () => {
    const u = await h.user();
    const orgId = u.actor.organisation!.organisationId;
    expect((await h.json('POST', `/api/v1/admin/organisations/${orgId}/status`, { status: 'disabled', reason: '资质过期' }, { token: op.token })).status).toBe(
      200,
    );
    const res = await get(`/api/v1/admin/audit?targetId=${orgId}&action=admin&actor=${op.input.username}`, op.token);
    expect(res.status, res.text).toBe(200);
    expect(res.json).toMatchObject({ total: 1, page: 1, pageSize: 20 });
    expect(res.json.items[0]).toMatchObject({
      action: 'admin.organisation_disabled',
      actionLabel: '停用组织',
      actorUserId: op.actor.userId,
      actorUsername: op.input.username,
      organisationId: orgId,
      organisationName: u.input.organisationName,
      before: { status: 'active' },
      after: { status: 'disabled' },
      reason: '资质过期',
    });
    const actions = await get('/api/v1/admin/audit/actions', op.token);
    expect(actions.json.items).toContainEqual({ action: 'admin.organisation_disabled', label: '停用组织' });
  });

  it('happy: export is an XLSX file of the filtered rows', async () => {
    const u = await h.user();
    await h.json('POST', `/api/v1/admin/users/${u.actor.userId}/status`, { status: 'disabled', reason: '+冒用' }, { token: op.token });
    const res = await h.app.request(`/api/v1/admin/audit/export?targetId=${u.actor.userId}&action=admin`, { headers: { authorization: `Bearer ${op.token}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('spreadsheetml');
    expect(res.headers.get('content-disposition')).toContain('.xlsx');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await res.arrayBuffer()) as never);
    const ws = wb.getWorksheet('操作记录')!;
    expect(ws.rowCount).toBe(2);
    expect(ws.getRow(2).getCell(2).value).toBe('停用账号');
    expect(ws.getRow(2).getCell(8).value).toBe("'+冒用");
  });

  it('errors: bad filters → 400 with Chinese field messages', async () => {
    const res = await get('/api/v1/admin/audit?from=2026-02-30x&pageSize=500&organisationId=abc', op.token);
    expect(res.status).toBe(400);
    expect(res.json.error.fields).toMatchObject({ from: '开始日期格式为 YYYY-MM-DD', pageSize: '每页最多 100 条', organisationId: '组织编号格式不正确' });
    const backwards = await get('/api/v1/admin/audit?from=2026-02-01&to=2026-01-01', op.token);
    expect(backwards.json.error.fields.to).toBe('结束日期不能早于开始日期');
  });

  it('auth: anonymous → 401, a non-operator → 403, for the list, the actions and the export', async () => {
    for (const path of ['/api/v1/admin/audit', '/api/v1/admin/audit/actions', '/api/v1/admin/audit/export'])
      await h.expectRefusals('operator', { method: 'GET', path });
  });
});

describe('GET /organisations/current/audit', () => {
  it('happy: an owner sees its own organisation’s rows; another organisation’s owner sees none of them; a member is refused', async () => {
    const a = await h.user();
    const b = await h.user();
    const orgA = a.actor.organisation!.organisationId;
    await h.json('POST', `/api/v1/admin/organisations/${orgA}/status`, { status: 'disabled', reason: '核查中' }, { token: op.token });
    await h.json('POST', `/api/v1/admin/organisations/${orgA}/status`, { status: 'active' }, { token: op.token });
    const own = await get('/api/v1/organisations/current/audit?action=admin', a.token);
    expect(own.status, own.text).toBe(200);
    expect(own.json.items.map((r: { action: string }) => r.action)).toEqual(['admin.organisation_active', 'admin.organisation_disabled']);
    expect(own.json.items.every((r: { ip: unknown }) => r.ip === null)).toBe(true);
    const theirs = await get(`/api/v1/organisations/current/audit?organisationId=${orgA}`, b.token);
    expect(theirs.status).toBe(200);
    expect(theirs.json.items.some((r: { organisationId: string }) => r.organisationId === orgA)).toBe(false);
    const file = await h.app.request('/api/v1/organisations/current/audit/export?action=admin', { headers: { authorization: `Bearer ${a.token}` } });
    expect(file.status).toBe(200);
    await h.expectRefusals('signed-in', { method: 'GET', path: '/api/v1/organisations/current/audit' });
  });
});
