import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiHarness, type ApiHarness } from './test-helpers';

let h: ApiHarness;
let op: Awaited<ReturnType<ApiHarness['operator']>>;
beforeAll(async () => {
  h = await createApiHarness();
  op = await h.operator();
});
afterAll(() => h?.close());

describe('operator console API', () => {
  it('lists users with search and pagination over more than one page', async () => {
    const marker = `zz${Date.now().toString(36)}`;
    for (let i = 0; i < 5; i++) await h.user({ username: `${marker}${i}` });
    const p1 = await h.call('GET', `/api/v1/admin/users?q=${marker}&pageSize=2&page=1`, { token: op.token });
    expect(p1.status).toBe(200);
    expect(p1.json).toMatchObject({ total: 5, page: 1, pageSize: 2 });
    expect(p1.json.items).toHaveLength(2);
    const p3 = await h.call('GET', `/api/v1/admin/users?q=${marker}&pageSize=2&page=3`, { token: op.token });
    expect(p3.json.items).toHaveLength(1);
    const names = [...p1.json.items, ...(await h.call('GET', `/api/v1/admin/users?q=${marker}&pageSize=2&page=2`, { token: op.token })).json.items, ...p3.json.items].map((u: { username: string }) => u.username);
    expect(new Set(names).size).toBe(5);
    expect(p1.json.items[0].organisations.length).toBe(1);
  });

  it('lists organisations with search by name or USCC and a kind filter; "%" matches literally', async () => {
    const u = await h.user({ accountType: 'provider' });
    const byName = await h.call('GET', `/api/v1/admin/organisations?q=${encodeURIComponent(u.input.organisationName)}`, { token: op.token });
    expect(byName.json.items.map((o: { fullName: string }) => o.fullName)).toContain(u.input.organisationName);
    const byCode = await h.call('GET', `/api/v1/admin/organisations?q=${u.input.uscc}`, { token: op.token });
    expect(byCode.json.total).toBe(1);
    const providers = await h.call('GET', '/api/v1/admin/organisations?kind=provider&pageSize=100', { token: op.token });
    expect(providers.json.items.every((o: { kind: string }) => o.kind === 'provider')).toBe(true);
    const percent = await h.call('GET', '/api/v1/admin/organisations?q=%25', { token: op.token });
    expect(percent.json.total).toBe(0);
  });

  it('disabling a user ends their sessions and refuses login; enabling lets them back; an operator cannot disable themself', async () => {
    const u = await h.user();
    const disable = await h.call('POST', `/api/v1/admin/users/${u.actor.userId}/status`, { token: op.token, body: { status: 'disabled', reason: '测试' } });
    expect(disable.status).toBe(200);
    expect((await h.call('GET', '/api/v1/auth/me', { token: u.token })).status).toBe(401);
    const login = await h.call('POST', '/api/v1/auth/login', { body: { identifier: u.input.username, password: u.input.password }, headers: { 'x-forwarded-for': '192.0.2.9' } });
    expect(login.json.error.code).toBe('ACCOUNT_DISABLED');
    await h.call('POST', `/api/v1/admin/users/${u.actor.userId}/status`, { token: op.token, body: { status: 'active' } });
    const again = await h.call('POST', '/api/v1/auth/login', { body: { identifier: u.input.username, password: u.input.password }, headers: { 'x-forwarded-for': '192.0.2.9' } });
    expect(again.status).toBe(200);
    const self = await h.call('POST', `/api/v1/admin/users/${op.actor.userId}/status`, { token: op.token, body: { status: 'disabled' } });
    expect(self.status).toBe(403);
  });

  it('bad input: unknown status → 400 with fields.status; unknown user → 404', async () => {
    const bad = await h.call('POST', `/api/v1/admin/users/${op.actor.userId}/status`, { token: op.token, body: { status: 'banned' } });
    expect(bad.status).toBe(400);
    expect(bad.json.error.fields.status).toBeTruthy();
    const missing = await h.call('POST', '/api/v1/admin/users/00000000-0000-4000-8000-000000000000/status', { token: op.token, body: { status: 'disabled' } });
    expect(missing.status).toBe(404);
  });

  it.each([
    ['GET', '/api/v1/admin/users'],
    ['GET', '/api/v1/admin/organisations'],
    ['POST', '/api/v1/admin/users/00000000-0000-4000-8000-000000000000/status', { status: 'disabled' }],
    ['POST', '/api/v1/admin/organisations/00000000-0000-4000-8000-000000000000/status', { status: 'disabled' }],
    ['GET', '/api/v1/admin/recharges/offline'],
    ['GET', '/api/v1/admin/withdrawals'],
    ['GET', '/api/v1/admin/ledger/check'],
  ] as const)('auth: %s %s refuses anonymous callers and non-operators', async (method, path, body?: unknown) => {
    await h.expectRefusals(method, path, { body, operatorOnly: true });
  });
});
