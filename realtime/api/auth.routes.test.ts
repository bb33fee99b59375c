import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { captureLogs } from '../../core/shared/logger';
import { eq } from 'drizzle-orm';
import { memberships, organisations, outbox } from '../../db/schema';
import { buildMobile, buildRegistration, buildUscc } from '../../core/testing/factories';
import { latestCode } from '../../core/testing/test-platform';
import { createApiHarness, read, type ApiHarness } from './test-helpers';

let h: ApiHarness;
beforeAll(async () => {
  h = await createApiHarness();
});
afterAll(() => h?.close());

/** A typed client's answer in the shape these tests read: status, headers and the parsed body. */
const answer = (r: { data?: unknown; error?: unknown; response: Response }) => ({
  status: r.response.status,
  headers: r.response.headers,
  json: (r.data ?? r.error) as any,
  text: JSON.stringify(r.data ?? r.error ?? null),
});

/** Registers through the API like the sign-up page: code to the phone, then the form (typed by the document). */
async function registerViaApi(over: Record<string, unknown> = {}) {
  const input = buildRegistration(over);
  const sent = await h.api().POST('/api/v1/auth/register-code', { body: { mobile: input.mobile } });
  expect(sent.response.status, JSON.stringify(sent.error)).toBe(200);
  const code = await latestCode(h.platform, input.mobile);
  const res = answer(await h.api().POST('/api/v1/auth/register', { body: { ...input, code } }));
  return { input, res, token: res.json?.token as string };
}

const otherThan = (code: string) => (code === '123456' ? '654321' : '123456');
const outboxFor = (recipient: string) => h.platform.db.select().from(outbox).where(eq(outbox.recipient, recipient));
const login = async (identifier: string, password: string) => answer(await h.api().POST('/api/v1/auth/login', { body: { identifier, password } }));
const me = async (token: string) => answer(await h.api(token).GET('/api/v1/auth/me'));

describe('POST /auth/register-code', () => {
  it('happy: an SMS with a 6-digit code lands in the sandbox outbox; the answer masks the number', async () => {
    const mobile = buildMobile();
    const res = await h.json('POST', '/api/v1/auth/register-code', { mobile });
    expect(res.status).toBe(200);
    expect(res.json.message).toContain(`${mobile.slice(0, 3)}****${mobile.slice(-4)}`);
    const sent = await outboxFor(mobile);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ channel: 'sms', recipient: mobile });
    expect(sent[0]!.body).toMatch(/\b\d{6}\b/);
  });

  it('errors: an invalid mobile gets a Chinese field message and no SMS', async () => {
    const res = await h.json('POST', '/api/v1/auth/register-code', { mobile: '1234' });
    expect(res.status).toBe(400);
    expect(res.json.error).toMatchObject({ code: 'VALIDATION', fields: { mobile: '请填写正确的 11 位大陆手机号' } });
    expect(await outboxFor('1234')).toHaveLength(0);
  });

  it('errors: a mobile that already has an account → 409 MOBILE_TAKEN', async () => {
    const { input } = await registerViaApi();
    const res = await h.json('POST', '/api/v1/auth/register-code', { mobile: input.mobile });
    expect(res.status).toBe(409);
    expect(res.json.error.code).toBe('MOBILE_TAKEN');
  });

  it('errors: a second request within 60 s → 429 with retry-after, and no second SMS', async () => {
    const mobile = buildMobile();
    expect((await h.json('POST', '/api/v1/auth/register-code', { mobile })).status).toBe(200);
    const again = await h.json('POST', '/api/v1/auth/register-code', { mobile });
    expect(again.status).toBe(429);
    expect(again.json.error.code).toBe('RATE_LIMITED');
    const wait = Number(again.headers.get('retry-after'));
    expect(wait).toBeGreaterThan(0);
    expect(wait).toBeLessThanOrEqual(60);
    expect(await outboxFor(mobile)).toHaveLength(1);
  });
});

describe('POST /auth/register', () => {
  it('happy: 201, an httpOnly SameSite=Lax session cookie, and a token that works as Bearer and as the cookie', async () => {
    const { input, res, token } = await registerViaApi({ accountType: 'provider' });
    expect(res.status).toBe(201);
    const cookie = res.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(new RegExp(`^bangfu_session=${token};`));
    expect(cookie).toMatch(/;\s*HttpOnly/i);
    expect(cookie).toMatch(/;\s*SameSite=Lax/i);
    const viaBearer = await me(token);
    expect(viaBearer.status).toBe(200);
    expect(viaBearer.json.user.username).toBe(input.username);
    expect(viaBearer.json.activeOrganisation).toMatchObject({ kind: 'provider', fullName: input.organisationName, role: 'owner' });
    const viaCookie = await h.json('GET', '/api/v1/auth/me', undefined, { cookie: cookie.split(';')[0] });
    expect(viaCookie.status).toBe(200);
    expect(viaCookie.json.user.username).toBe(input.username);
  });

  it('errors: a USCC with a wrong check character → 400 with fields.uscc, nothing created', async () => {
    const good = buildUscc();
    const bad = good.slice(0, 17) + (good[17] === '0' ? '1' : '0');
    const input = buildRegistration({ uscc: bad });
    await h.json('POST', '/api/v1/auth/register-code', { mobile: input.mobile });
    const res = await h.json('POST', '/api/v1/auth/register', { ...input, code: await latestCode(h.platform, input.mobile) });
    expect(res.status).toBe(400);
    expect(res.json.error.fields.uscc).toBe('统一社会信用代码校验位不正确，请核对');
    expect((await login(input.username, input.password)).status).toBe(401);
  });

  it('errors: a taken username → 409 naming the field; the second account does not exist', async () => {
    const first = await registerViaApi();
    const dup = await registerViaApi({ username: first.input.username });
    expect(dup.res.status).toBe(409);
    expect(dup.res.json.error.fields.username).toBe('该用户名已被注册');
    expect((await login(dup.input.mobile, dup.input.password)).status).toBe(401);
    expect((await login(first.input.username, first.input.password)).status).toBe(200);
  });

  it('errors: a wrong SMS code → 400 CODE_INVALID', async () => {
    const input = buildRegistration();
    await h.json('POST', '/api/v1/auth/register-code', { mobile: input.mobile });
    const res = await h.json('POST', '/api/v1/auth/register', { ...input, code: otherThan(await latestCode(h.platform, input.mobile)) });
    expect(res.status).toBe(400);
    expect(res.json.error.code).toBe('CODE_INVALID');
  });
});

describe('POST /auth/login, /auth/logout', () => {
  it('happy: signs in by username, mobile or e-mail, written the ways registration accepts them', async () => {
    const email = `Api${Date.now()}@example.com`;
    const { input } = await registerViaApi({ email });
    const m = input.mobile;
    const spacedMobile = `+86 ${m.slice(0, 3)} ${m.slice(3, 7)} ${m.slice(7)}`;
    for (const identifier of [
      input.username,
      input.username.toUpperCase(),
      m,
      spacedMobile,
      `${m.slice(0, 3)}-${m.slice(3, 7)}-${m.slice(7)}`,
      email,
      email.toUpperCase(),
    ]) {
      const res = await login(identifier, input.password);
      expect(res.status, identifier).toBe(200);
      expect((await me(res.json.token)).json.user.username).toBe(input.username);
    }
  });

  it('errors: wrong password and unknown user get the same 401 INVALID_CREDENTIALS message', async () => {
    const { input } = await registerViaApi();
    const wrong = await login(input.username, 'Nope12345');
    const unknown = await login(`nobody${Date.now()}`, 'Nope12345');
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.json.error.code).toBe('INVALID_CREDENTIALS');
    expect(unknown.json.error).toEqual(wrong.json.error);
    expect(wrong.headers.get('set-cookie')).toBeNull();
  });

  it('errors: a disabled account → 403 ACCOUNT_DISABLED (only with the right password)', async () => {
    const { input, token } = await registerViaApi();
    const operator = await h.operatorToken();
    const id = (await me(token)).json.user.id;
    expect((await h.json('POST', `/api/v1/admin/users/${id}/status`, { status: 'disabled' }, { token: operator })).status).toBe(200);
    const res = await login(input.username, input.password);
    expect(res.status).toBe(403);
    expect(res.json.error.code).toBe('ACCOUNT_DISABLED');
    expect((await login(input.username, 'Nope12345')).json.error.code).toBe('INVALID_CREDENTIALS');
  });

  it('logout ends the token and clears the cookie; other sessions of the user stay', async () => {
    const { input, token } = await registerViaApi();
    const other = await h.loginAs(input);
    const out = await h.json('POST', '/api/v1/auth/logout', undefined, { token });
    expect(out.status).toBe(204);
    expect(out.headers.get('set-cookie')).toMatch(/bangfu_session=;.*Max-Age=0/i);
    expect((await me(token)).status).toBe(401);
    expect((await me(other)).status).toBe(200);
  });

  it('logout without a session is harmless: 204 and the cookie is cleared (a stale cookie cannot trap anyone)', async () => {
    const res = await h.json('POST', '/api/v1/auth/logout', undefined, { token: 'expired-or-made-up' });
    expect(res.status).toBe(204);
    expect(res.headers.get('set-cookie')).toMatch(/bangfu_session=;.*Max-Age=0/i);
  });
});

describe('GET /auth/me', () => {
  it('happy: the user (no password hash), every membership and the active organisation', async () => {
    const { input, token } = await registerViaApi();
    const res = await me(token);
    expect(res.status).toBe(200);
    expect(res.json.user).toMatchObject({ username: input.username, mobile: input.mobile });
    expect(res.text).not.toMatch(/passwordHash|argon2/i);
    expect(res.json.memberships).toEqual([expect.objectContaining({ fullName: input.organisationName, role: 'owner', kind: 'enterprise' })]);
    expect(res.json.activeOrganisation.organisationId).toBe(res.json.memberships[0].organisationId);
    expect(res.json.isOperator).toBe(false);
  });

  it('auth: 401 without credentials or with a made-up token', async () => {
    await h.expectRefusals('signed-in', { method: 'GET', path: '/api/v1/auth/me' });
  });
});

describe('password reset', () => {
  it('request: 202 with the same body for a known and an unknown mobile; only the known one gets an SMS', async () => {
    const { input } = await registerViaApi();
    const stranger = buildMobile();
    const known = await h.json('POST', '/api/v1/auth/password-reset/request', { channel: 'sms', target: input.mobile });
    const unknown = await h.json('POST', '/api/v1/auth/password-reset/request', { channel: 'sms', target: stranger });
    expect(known.status).toBe(202);
    expect(unknown.status).toBe(202);
    expect(unknown.json).toEqual(known.json);
    expect(await outboxFor(input.mobile)).toHaveLength(2); // registration code and reset code
    expect(await outboxFor(stranger)).toHaveLength(0);
  });

  it('confirm: a wrong code → 400 CODE_INVALID with fields.code and the password unchanged', async () => {
    const { input } = await registerViaApi();
    await h.json('POST', '/api/v1/auth/password-reset/request', { channel: 'sms', target: input.mobile });
    const code = await latestCode(h.platform, input.mobile);
    const res = await h.json('POST', '/api/v1/auth/password-reset/confirm', {
      channel: 'sms',
      target: input.mobile,
      code: otherThan(code),
      newPassword: 'Reset2026x',
      confirmPassword: 'Reset2026x',
    });
    expect(res.status).toBe(400);
    expect(res.json.error.code).toBe('CODE_INVALID');
    expect(res.json.error.fields.code).toEqual(expect.any(String));
    expect((await login(input.username, 'Reset2026x')).status).toBe(401);
    expect((await login(input.username, input.password)).status).toBe(200);
  });

  it('confirm: the right code sets the new password and ends every old session', async () => {
    const { input, token } = await registerViaApi();
    const second = await h.loginAs(input);
    await h.json('POST', '/api/v1/auth/password-reset/request', { channel: 'sms', target: input.mobile });
    const code = await latestCode(h.platform, input.mobile);
    const ok = await h.json('POST', '/api/v1/auth/password-reset/confirm', {
      channel: 'sms',
      target: input.mobile,
      code,
      newPassword: 'Reset2026x',
      confirmPassword: 'Reset2026x',
    });
    expect(ok.status).toBe(200);
    expect((await me(token)).status).toBe(401);
    expect((await me(second)).status).toBe(401);
    expect((await login(input.username, input.password)).status).toBe(401);
    expect((await login(input.username, 'Reset2026x')).status).toBe(200);
  });
});

describe('POST /auth/password', () => {
  it('happy: needs the current password; ends the other sessions, keeps this one', async () => {
    const { input, token } = await registerViaApi();
    const other = await h.loginAs(input);
    const ok = await h.json(
      'POST',
      '/api/v1/auth/password',
      { currentPassword: input.password, newPassword: 'Fresh2026x', confirmPassword: 'Fresh2026x' },
      { token },
    );
    expect(ok.status).toBe(200);
    expect((await me(token)).status).toBe(200);
    expect((await me(other)).status).toBe(401);
    expect((await login(input.username, 'Fresh2026x')).status).toBe(200);
    expect((await login(input.username, input.password)).status).toBe(401);
  });

  it('errors: a wrong current password → 401 with fields.currentPassword; nothing changes', async () => {
    const { input, token } = await registerViaApi();
    const other = await h.loginAs(input);
    const res = await h.json(
      'POST',
      '/api/v1/auth/password',
      { currentPassword: 'Wrong1234', newPassword: 'Fresh2026x', confirmPassword: 'Fresh2026x' },
      { token },
    );
    expect(res.status).toBe(401);
    expect(res.json.error.fields.currentPassword).toBe('当前密码不正确');
    expect((await me(other)).status).toBe(200);
    expect((await login(input.username, input.password)).status).toBe(200);
  });

  it('auth: refused without a session', async () => {
    await h.expectRefusals('signed-in', {
      method: 'POST',
      path: '/api/v1/auth/password',
      body: { currentPassword: 'Abcd12345', newPassword: 'Abcd12346', confirmPassword: 'Abcd12346' },
    });
  });
});

describe('POST /auth/active-organisation', () => {
  it('happy: switches to another organisation the user belongs to; /me follows', async () => {
    const { token, res } = await registerViaApi();
    const userId = res.json.user?.id ?? (await me(token)).json.user.id;
    const [second] = await h.platform.db.insert(organisations).values({ kind: 'provider', fullName: '第二家服务机构有限公司', uscc: buildUscc() }).returning();
    await h.platform.db.insert(memberships).values({ userId, organisationId: second!.id, role: 'member' });
    const switched = await h.json('POST', '/api/v1/auth/active-organisation', { organisationId: second!.id }, { token });
    expect(switched.status).toBe(200);
    const after = await me(token);
    expect(after.json.activeOrganisation).toMatchObject({ organisationId: second!.id, role: 'member' });
    expect(after.json.memberships).toHaveLength(2);
  });

  it("errors: 403 for an organisation the user doesn't belong to; the active one is unchanged", async () => {
    const a = await registerViaApi();
    const b = await registerViaApi();
    const before = (await me(a.token)).json.activeOrganisation.organisationId;
    const theirs = (await me(b.token)).json.activeOrganisation.organisationId;
    const refused = await h.json('POST', '/api/v1/auth/active-organisation', { organisationId: theirs }, { token: a.token });
    expect(refused.status).toBe(403);
    expect(refused.json.error.code).toBe('FORBIDDEN');
    expect((await me(a.token)).json.activeOrganisation.organisationId).toBe(before);
  });

  it('auth: refused without a session', async () => {
    await h.expectRefusals('signed-in', {
      method: 'POST',
      path: '/api/v1/auth/active-organisation',
      body: { organisationId: '00000000-0000-4000-8000-000000000000' },
    });
  });
});

describe('the API boundary', () => {
  it('a JSON body sent as text/plain → 415 UNSUPPORTED_MEDIA_TYPE, and no SMS is sent', async () => {
    const mobile = buildMobile();
    const res = await read(
      await h.app.request('/api/v1/auth/register-code', {
        method: 'POST',
        headers: { 'content-type': 'text/plain', 'x-forwarded-for': '198.51.100.201' },
        body: JSON.stringify({ mobile }),
      }),
    );
    expect(res.status).toBe(415);
    expect(res.json.error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    expect(await outboxFor(mobile)).toHaveLength(0);
  });

  it('a cross-site form post riding on the session cookie → 403, and the password stays', async () => {
    const { input, token } = await registerViaApi();
    for (const type of ['application/x-www-form-urlencoded', 'text/plain']) {
      const res = await read(
        await h.app.request('/api/v1/auth/password', {
          method: 'POST',
          headers: { 'content-type': type, origin: 'https://evil.example', cookie: `bangfu_session=${token}` },
          body: `currentPassword=${input.password}&newPassword=Evil12345&confirmPassword=Evil12345`,
        }),
      );
      expect(res.status, type).toBe(403);
      expect(res.json.error.code).toBe('FORBIDDEN');
    }
    expect((await login(input.username, input.password)).status).toBe(200);
    expect((await login(input.username, 'Evil12345')).status).toBe(401);
  });

  it('malformed JSON → 400 in the error shape', async () => {
    const res = await read(
      await h.app.request('/api/v1/auth/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"identifier":' }),
    );
    expect(res.status).toBe(400);
    expect(res.json.error.code).toBe('VALIDATION');
  });

  it('an unknown route → 404 as JSON', async () => {
    const res = await h.json('GET', '/api/v1/nope');
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
    expect(res.json.error.code).toBe('NOT_FOUND');
  });

  it('an unexpected failure → 500 with a generic message: no stack trace, no internal detail', async () => {
    const boom = new Error('connection to 10.0.0.5:5432 refused; SELECT password_hash FROM users');
    const spy = vi.spyOn(h.platform.services.accounts, 'login').mockRejectedValueOnce(boom);
    // The request's log entry (written by a child logger bound to its request id) is read back.
    const captured = captureLogs();
    try {
      const res = await login('whoever', 'Whatever1');
      expect(res.status).toBe(500);
      expect(res.json).toEqual({ error: { code: 'INTERNAL', message: expect.any(String) } });
      expect(res.text).not.toContain('10.0.0.5');
      expect(res.text).not.toContain('password_hash');
      expect(res.text).not.toContain(boom.stack!.split('\n')[1]!.trim());
      // The detail goes to the server log instead, with the request id the client was given.
      const entry = JSON.parse(captured.lines.find((l) => l.includes('request failed'))!);
      expect(entry).toMatchObject({ level: 'error', requestId: res.headers.get('x-request-id'), err: { message: boom.message } });
    } finally {
      spy.mockRestore();
      captured.restore();
    }
  });

  it('publishes an OpenAPI 3.1 document and a docs page served without a CDN', async () => {
    const doc = await h.json('GET', '/api/v1/openapi.json');
    expect(doc.status).toBe(200);
    expect(doc.json.openapi).toBe('3.1.0');
    expect(Object.keys(doc.json.paths)).toEqual(expect.arrayContaining(['/api/v1/auth/register', '/api/v1/auth/login', '/api/v1/admin/users']));
    const page = await h.json('GET', '/api/v1/docs');
    expect(page.text).toContain('/api/v1/docs/assets/swagger-ui-bundle.js');
    expect(page.text).not.toMatch(/https?:\/\/(unpkg|cdn)/);
    expect((await h.json('GET', '/api/v1/docs/assets/swagger-ui.css')).status).toBe(200);
  });
});
