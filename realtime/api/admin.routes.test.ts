import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiHarness, type ApiHarness } from './test-helpers';

let h: ApiHarness;
let op: Awaited<ReturnType<ApiHarness['operator']>>;
beforeAll(async () => {
  h = await createApiHarness();
  op = await h.operator();
});
afterAll(() => h?.close());

const get = (path: string) => h.json('GET', path, undefined, { token: op.token });
const setUserStatus = (userId: string, body: unknown) => h.json('POST', `/api/v1/admin/users/${userId}/status`, body, { token: op.token });
const login = (input: { username: string; password: string }) => h.json('POST', '/api/v1/auth/login', { identifier: input.username, password: input.password });

/** Walks every page of a list and returns the items in order, checking each page's bookkeeping. */
async function allPages(path: string, pageSize: number, expectedTotal: number) {
  const items: { id: string }[] = [];
  const pages = Math.ceil(expectedTotal / pageSize);
  for (let page = 1; page <= pages + 1; page++) {
    const res = await get(`${path}&pageSize=${pageSize}&page=${page}`);
    expect(res.status, res.text).toBe(200);
    expect(res.json).toMatchObject({ total: expectedTotal, page, pageSize });
    expect(res.json.items).toHaveLength(page <= pages ? Math.min(pageSize, expectedTotal - (page - 1) * pageSize) : 0);
    items.push(...res.json.items);
  }
  expect(new Set(items.map((i) => i.id)).size).toBe(expectedTotal);
  return items;
}

describe('GET /admin/users', () => {
  it('happy: search (q) with pagination over more than one page; each row names its organisations', async () => {
    const marker = `zz${Date.now().toString(36)}`;
    const made = [];
    for (let i = 0; i < 5; i++) made.push(await h.user({ username: `${marker}${i}` }));
    await h.user(); // someone the search must not find
    const items = (await allPages(`/api/v1/admin/users?q=${marker}`, 2, 5)) as unknown as { username: string; organisations: string[] }[];
    expect(items.map((u) => u.username).sort()).toEqual(made.map((u) => u.input.username).sort());
    expect(items.map((u) => u.username)).toEqual([...items.map((u) => u.username)].sort().reverse()); // newest first
    const first = made[4]!;
    expect(items[0]).toMatchObject({ username: first.input.username, organisations: [first.input.organisationName], status: 'active' });
    expect(JSON.stringify(items)).not.toMatch(/password/i);
  });

  it('happy: finds a user by mobile; "%" and "_" match literally', async () => {
    const u = await h.user();
    const byMobile = await get(`/api/v1/admin/users?q=${u.input.mobile}`);
    expect(byMobile.json.items.map((x: { id: string }) => x.id)).toEqual([u.actor.userId]);
    for (const q of ['%', '_']) expect((await get(`/api/v1/admin/users?q=${encodeURIComponent(q)}`)).json.total, q).toBe(0);
  });

  it('errors: a page size over 100 → 400 with fields.pageSize', async () => {
    const res = await get('/api/v1/admin/users?pageSize=1000');
    expect(res.status).toBe(400);
    expect(res.json.error.fields.pageSize).toEqual(expect.any(String));
  });
});

describe('GET /admin/organisations', () => {
  it('happy: search by name with a kind filter and pagination; by USCC finds exactly one', async () => {
    const marker = `测试${Date.now().toString(36)}`;
    const providers = [];
    for (let i = 0; i < 5; i++) providers.push(await h.user({ accountType: 'provider', organisationName: `${marker}服务机构${i}` }));
    const enterprise = await h.user({ accountType: 'enterprise', organisationName: `${marker}企业` });
    const items = (await allPages(`/api/v1/admin/organisations?q=${encodeURIComponent(marker)}&kind=provider`, 2, 5)) as unknown as {
      kind: string;
      fullName: string;
      memberCount: number;
    }[];
    expect(items.every((o) => o.kind === 'provider' && o.memberCount === 1)).toBe(true);
    expect(items.map((o) => o.fullName).sort()).toEqual(providers.map((p) => p.input.organisationName).sort());
    const everyKind = await get(`/api/v1/admin/organisations?q=${encodeURIComponent(marker)}`);
    expect(everyKind.json.total).toBe(6);
    const enterprises = await get(`/api/v1/admin/organisations?q=${encodeURIComponent(marker)}&kind=enterprise`);
    expect(enterprises.json.items.map((o: { fullName: string }) => o.fullName)).toEqual([enterprise.input.organisationName]);
    const byCode = await get(`/api/v1/admin/organisations?q=${providers[2]!.input.uscc}`);
    expect(byCode.json.items.map((o: { fullName: string }) => o.fullName)).toEqual([providers[2]!.input.organisationName]);
    expect((await get('/api/v1/admin/organisations?q=%25')).json.total).toBe(0);
  });

  it('errors: an unknown kind → 400 with fields.kind', async () => {
    const res = await get('/api/v1/admin/organisations?kind=bank');
    expect(res.status).toBe(400);
    expect(res.json.error.fields.kind).toEqual(expect.any(String));
  });
});

describe('POST /admin/users/{id}/status', () => {
  it('happy: disabling ends their sessions and login says ACCOUNT_DISABLED; enabling lets them sign in again', async () => {
    const u = await h.user();
    const disabled = await setUserStatus(u.actor.userId, { status: 'disabled', reason: '测试停用' });
    expect(disabled.status).toBe(200);
    expect(disabled.json).toMatchObject({ id: u.actor.userId, status: 'disabled' });
    expect((await h.json('GET', '/api/v1/auth/me', undefined, { token: u.token })).status).toBe(401);
    expect((await login(u.input)).json.error.code).toBe('ACCOUNT_DISABLED');
    const listed = await get(`/api/v1/admin/users?q=${u.input.username}`);
    expect(listed.json.items[0].status).toBe('disabled');

    expect((await setUserStatus(u.actor.userId, { status: 'active' })).status).toBe(200);
    const again = await login(u.input);
    expect(again.status).toBe(200);
    expect((await h.json('GET', '/api/v1/auth/me', undefined, { token: again.json.token })).status).toBe(200);
    expect((await h.json('GET', '/api/v1/auth/me', undefined, { token: u.token })).status).toBe(401); // old sessions stay ended
  });

  it('errors: an operator cannot disable themself (403) and stays signed in', async () => {
    const self = await setUserStatus(op.actor.userId, { status: 'disabled' });
    expect(self.status).toBe(403);
    expect(self.json.error.code).toBe('FORBIDDEN');
    expect((await get('/api/v1/admin/users?pageSize=1')).status).toBe(200);
  });

  it('errors: a bad status value → 400 with fields.status; an unknown user → 404', async () => {
    const u = await h.user();
    const bad = await setUserStatus(u.actor.userId, { status: 'banned' });
    expect(bad.status).toBe(400);
    expect(bad.json.error.fields.status).toBe('状态只能是 active 或 disabled');
    expect((await h.json('GET', '/api/v1/auth/me', undefined, { token: u.token })).status).toBe(200);
    const missing = await setUserStatus('00000000-0000-4000-8000-000000000000', { status: 'disabled' });
    expect(missing.status).toBe(404);
    expect((await setUserStatus('not-a-uuid', { status: 'disabled' })).status).toBe(404);
  });
});

describe('auth: every admin route', () => {
  const zero = '00000000-0000-4000-8000-000000000000';

  it('every admin route the API documents answers 401 without credentials and 403 to a non-operator, before reading the body', async () => {
    const doc = await h.json('GET', '/api/v1/openapi.json');
    const routes = Object.entries(doc.json.paths as Record<string, Record<string, unknown>>)
      .filter(([path]) => path.startsWith('/api/v1/admin/'))
      .flatMap(([path, ops]) =>
        Object.keys(ops).map((m) => ({ method: m.toUpperCase(), path: path.replace(/\{[^}]+\}/g, zero), body: m === 'get' ? undefined : {} })),
      );
    expect(routes.length).toBeGreaterThan(10);
    for (const route of routes) await h.expectRefusals('operator', route);
  });

  it('a non-operator learns nothing and changes nothing: the target user stays active', async () => {
    const victim = await h.user();
    const nosy = await h.user();
    const res = await h.json('POST', `/api/v1/admin/users/${victim.actor.userId}/status`, { status: 'disabled' }, { token: nosy.token });
    expect(res.status).toBe(403);
    expect((await h.json('GET', '/api/v1/auth/me', undefined, { token: victim.token })).status).toBe(200);
  });
});
