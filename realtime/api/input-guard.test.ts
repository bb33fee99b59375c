import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { organisations } from '../../db/schema';
import { createApiHarness, read, type ApiHarness } from './test-helpers';

let h: ApiHarness;
let op: string;
let member: Awaited<ReturnType<ApiHarness['user']>>;
beforeAll(async () => {
  h = await createApiHarness();
  op = await h.operatorToken();
  member = await h.user();
}, 180_000);
afterAll(() => h?.close());

const raw = async (method: string, path: string, o: { token?: string; body?: BodyInit; type?: string; headers?: Record<string, string> } = {}) =>
  read(
    await h.app.request(`http://localhost/api/v1${path}`, {
      method,
      headers: { ...(o.token ? { authorization: `Bearer ${o.token}` } : {}), ...(o.type ? { 'content-type': o.type } : {}), ...o.headers },
      body: o.body,
    }),
  );

describe('input guard: text the database cannot or should not hold is refused at the boundary', () => {
  it('NUL, control characters or a broken UTF-8 sequence in a search or path value → 400 naming the field, in Chinese', async () => {
    for (const path of ['/providers?q=a%00b', '/storefronts?q=%07', '/admin/users?q=%ED%A0%80']) {
      const res = await raw('GET', path, { token: op });
      expect(res.status, path).toBe(400);
      expect(res.json.error.code).toBe('VALIDATION');
      expect(Object.values(res.json.error.fields ?? { _: res.json.error.message }).join('')).toMatch(/[\u4e00-\u9fff]/);
    }
    const q = await raw('GET', '/providers?q=a%00b');
    expect(q.json.error.fields).toEqual({ q: '不能包含控制字符或无法识别的字符' });
    for (const path of ['/requirements/%00', '/organisations/a%00b', '/mall/products/%ED%A0%80']) {
      const res = await raw('GET', path, { token: member.token });
      expect(res.status, path).toBe(400);
    }
  });

  it('a lone surrogate or NUL in a JSON string → 400 with the field named, nothing saved', async () => {
    const res = await raw('PATCH', '/auth/profile', {
      token: member.token,
      type: 'application/json',
      body: '{"displayName":"a\\u0000b","email":"x\\ud800@example.com"}',
    });
    expect(res.status).toBe(400);
    expect(res.json.error.fields).toEqual({ displayName: '不能包含控制字符或无法识别的字符', email: '不能包含控制字符或无法识别的字符' });
    const me = await raw('GET', '/auth/me', { token: member.token });
    expect(me.json.user.displayName ?? '').not.toContain('\u0000');
  });

  it('a lone surrogate in an e-mail no longer crashes the validator (service path, as pages call it)', async () => {
    await expect(h.platform.services.accounts.updateProfile(member.actor, { email: 'a\ud800@example.com' })).rejects.toMatchObject({
      code: 'VALIDATION',
      fields: { email: '邮箱格式不正确' },
    });
  });

  it('PATCH with {} or no body → 400 没有要修改的内容', async () => {
    for (const body of ['{}', undefined]) {
      const res = await raw('PATCH', '/auth/profile', { token: member.token, type: body ? 'application/json' : undefined, body });
      expect(res.status, String(body)).toBe(400);
      expect(res.json.error).toMatchObject({ code: 'VALIDATION', message: '没有要修改的内容' });
    }
    // Only unknown fields: nothing to change either (the service refuses, as the cart does).
    const unknown = await raw('PATCH', '/auth/profile', { token: member.token, type: 'application/json', body: '{"nickname":"x"}' });
    expect(unknown.status).toBe(400);
    expect(unknown.json.error.message).toBe('没有要修改的内容');
    await expect(h.platform.services.orders.updateCart(member.actor, crypto.randomUUID(), {})).rejects.toMatchObject({ message: '没有要修改的内容' });
  });

  it('an anonymous caller of a signed-in operation hears 401 before its body is judged (empty PATCH, wrong type, too large, bad text)', async () => {
    for (const path of ['/auth/profile', `/cart/items/${crypto.randomUUID()}`]) {
      for (const [body, type] of [
        ['{}', 'application/json'],
        [undefined, undefined],
        ['', 'application/json'],
        ['a=1', 'text/plain'],
        ['{"displayName":"a\\u0000b"}', 'application/json'],
      ] as const) {
        const res = await raw('PATCH', path, { body, type });
        expect(res.status, `${path} ${JSON.stringify(body)} ${type}`).toBe(401);
        expect(res.json.error.code).toBe('UNAUTHENTICATED');
      }
    }
    const huge = await raw('PATCH', '/auth/profile', {
      type: 'application/json',
      headers: { 'content-length': String(2 * 1024 * 1024) },
      body: 'x'.repeat(2 * 1024 * 1024),
    });
    expect(huge.status).toBe(401);
    expect((await raw('GET', '/auth/me?q=%00')).status).toBe(401);
    // Public and optionally signed-in operations still judge the body of an anonymous caller.
    expect((await raw('POST', '/auth/login', { type: 'application/json', body: '' })).status).toBe(400);
    expect((await raw('POST', '/auth/register-code', { type: 'text/plain', headers: { 'content-length': '3' }, body: 'a=1' })).status).toBe(415);
  });

  it('every signed-in operation in the document refuses an anonymous empty body with 401', async () => {
    const doc = (await raw('GET', '/openapi.json')).json;
    const wrong: string[] = [];
    let signedIn = 0;
    for (const [path, item] of Object.entries<Record<string, { security?: object[] }>>(doc.paths)) {
      for (const [method, op] of Object.entries(item)) {
        if (!['post', 'put', 'patch', 'delete'].includes(method)) continue;
        if (!op.security?.length || op.security.some((r) => Object.keys(r).length === 0)) continue;
        signedIn++;
        const concrete = path.replace(/^\/api\/v1/, '').replace(/\{[^}]+\}/g, '00000000-0000-4000-8000-000000000000');
        const res = await raw(method.toUpperCase(), concrete, { type: 'application/json', body: method === 'delete' ? undefined : '{}' });
        if (res.status !== 401) wrong.push(`${method.toUpperCase()} ${path} → ${res.status}`);
      }
    }
    expect(signedIn).toBeGreaterThan(50);
    expect(wrong).toEqual([]);
  }, 120_000);

  it('a required body that is missing → 400; the holiday calendar is not wiped by {} or no body', async () => {
    const before = (await raw('GET', '/admin/settings/calendar', { token: op })).json;
    expect(before.holidays.length).toBeGreaterThan(0);
    for (const [body, type] of [
      [undefined, undefined],
      ['', 'application/json'],
      ['{}', 'application/json'],
    ] as const) {
      const res = await raw('PUT', '/admin/settings/calendar', { token: op, body, type });
      expect(res.status, `body ${JSON.stringify(body)}`).toBe(400);
      expect(res.json.error.code).toBe('VALIDATION');
    }
    const braces = await raw('PUT', '/admin/settings/calendar', { token: op, body: '{}', type: 'application/json' });
    expect(braces.json.error.fields).toEqual({ holidays: '请填写节假日列表（没有时填 []）', workdays: '请填写调休工作日列表（没有时填 []）' });
    expect((await raw('GET', '/admin/settings/calendar', { token: op })).json).toEqual(before);
  });

  it('a JSON body over 1 MB → 413 from the declared length, and also when no length is declared', async () => {
    const big = JSON.stringify({ identifier: 'x'.repeat(1024 * 1024 + 10), password: 'a' });
    const declared = await raw('POST', '/auth/login', { body: big, type: 'application/json', headers: { 'content-length': String(big.length) } });
    expect(declared.status).toBe(413);
    expect(declared.json.error.code).toBe('PAYLOAD_TOO_LARGE');
    const streamed = await raw('POST', '/auth/login', { body: big, type: 'application/json' });
    expect(streamed.status).toBe(413);
  });

  it('bad page numbers → 400 with the paging messages; zod defaults come out in Chinese', async () => {
    const cases: [string, Record<string, string>][] = [
      ['/providers?pageSize=1.5', { pageSize: '每页条数无效' }],
      ['/providers?page=1e309', { page: '页码无效' }],
      ['/providers?page=10001', { page: '页码不超过 10000' }],
      ['/providers?pageSize=51', { pageSize: '每页最多 50 条' }],
      ['/wallet/withdrawals?page=0', { page: '页码无效' }],
    ];
    for (const [path, fields] of cases) {
      const res = await raw('GET', path, { token: member.token });
      expect(res.status, path).toBe(400);
      expect(res.json.error.fields, path).toEqual(fields);
    }
    // A schema with no message of its own: zod's English default is replaced.
    const res = await raw('POST', '/admin/users/00000000-0000-4000-8000-000000000000/status', {
      token: op,
      type: 'application/json',
      body: '{"status":"active","reason":5}',
    });
    expect(res.status).toBe(400);
    expect(res.text).not.toMatch(/Invalid input|expected/);
    expect(res.json.error.fields.reason).toBe('应填写文字');
  });
});

describe('paging by time: rows sharing a timestamp are neither skipped nor repeated', () => {
  it('providers created in the same instant page in a stable order (newest first, then by id)', async () => {
    const at = new Date('2020-01-01T00:00:00Z');
    const marker = `同刻机构${Date.now().toString(36)}`;
    const rows = await h.platform.db
      .insert(organisations)
      .values(Array.from({ length: 7 }, (_, i) => ({ kind: 'provider' as const, fullName: `${marker}${i}`, createdAt: at })))
      .returning({ id: organisations.id });
    const seen: string[] = [];
    for (let page = 1; page <= 4; page++) {
      const res = await raw('GET', `/providers?q=${encodeURIComponent(marker)}&pageSize=2&page=${page}`);
      expect(res.status).toBe(200);
      seen.push(...res.json.items.map((i: { id: string }) => i.id));
    }
    expect(seen).toHaveLength(7);
    expect(seen).toEqual(
      rows
        .map((r) => r.id)
        .sort()
        .reverse(),
    );
  });
});
