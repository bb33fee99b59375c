import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildMobile, buildRegistration } from '../../core/testing/factories';
import { latestCode } from '../../core/testing/test-platform';
import { createApiHarness, type ApiHarness } from './test-helpers';

let h: ApiHarness;
beforeAll(async () => {
  h = await createApiHarness();
});
afterAll(() => h?.close());

const ipHeader = (() => {
  let n = 0;
  return () => ({ 'x-forwarded-for': `198.51.100.${++n % 250}` });
})();

async function registerViaApi(over: Record<string, unknown> = {}) {
  const input = buildRegistration(over);
  const headers = ipHeader();
  expect((await h.call('POST', '/api/v1/auth/register-code', { body: { mobile: input.mobile }, headers })).status).toBe(200);
  const code = await latestCode(h.platform, input.mobile);
  const res = await h.call('POST', '/api/v1/auth/register', { body: { ...input, code }, headers });
  return { input, res };
}

describe('POST /auth/register-code', () => {
  it('happy: an SMS with a 6-digit code lands in the sandbox outbox', async () => {
    const mobile = buildMobile();
    const res = await h.call('POST', '/api/v1/auth/register-code', { body: { mobile }, headers: ipHeader() });
    expect(res.status).toBe(200);
    expect(res.json.message).toContain(`${mobile.slice(0, 3)}****`);
    expect(await latestCode(h.platform, mobile)).toMatch(/^\d{6}$/);
  });

  it('errors: bad mobile (field message), taken mobile (409), too soon (429 with retry-after)', async () => {
    const bad = await h.call('POST', '/api/v1/auth/register-code', { body: { mobile: '1234' }, headers: ipHeader() });
    expect(bad.status).toBe(400);
    expect(bad.json.error.fields.mobile).toBe('请填写正确的 11 位大陆手机号');
    const { input } = await registerViaApi();
    const taken = await h.call('POST', '/api/v1/auth/register-code', { body: { mobile: input.mobile }, headers: ipHeader() });
    expect(taken.status).toBe(409);
    expect(taken.json.error.code).toBe('MOBILE_TAKEN');
    const mobile = buildMobile();
    await h.call('POST', '/api/v1/auth/register-code', { body: { mobile }, headers: ipHeader() });
    const again = await h.call('POST', '/api/v1/auth/register-code', { body: { mobile }, headers: ipHeader() });
    expect(again.status).toBe(429);
    expect(Number(again.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});

describe('POST /auth/register', () => {
  it('happy: 201, an httpOnly SameSite=Lax session cookie, and a bearer token that works', async () => {
    const { input, res } = await registerViaApi({ accountType: 'provider' });
    expect(res.status).toBe(201);
    const cookie = res.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/bangfu_session=/);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    const me = await h.call('GET', '/api/v1/auth/me', { token: res.json.token });
    expect(me.status).toBe(200);
    expect(me.json.user.username).toBe(input.username);
    expect(me.json.activeOrganisation).toMatchObject({ kind: 'provider', fullName: input.organisationName, role: 'owner' });
    const viaCookie = await h.call('GET', '/api/v1/auth/me', { cookie: cookie.split(';')[0] });
    expect(viaCookie.status).toBe(200);
  });

  it('errors: bad USCC → 400 with fields.uscc; duplicate username → 409; nothing is created', async () => {
    const bad = await h.call('POST', '/api/v1/auth/register', { body: buildRegistration({ uscc: '91110000802100433C' }), headers: ipHeader() });
    expect(bad.status).toBe(400);
    expect(bad.json.error.fields.uscc).toBe('统一社会信用代码校验位不正确，请核对');
    const first = await registerViaApi();
    const dup = await registerViaApi({ username: first.input.username });
    expect(dup.res.status).toBe(409);
    expect(dup.res.json.error.fields.username).toBe('该用户名已被注册');
    const login = await h.call('POST', '/api/v1/auth/login', { body: { identifier: dup.input.mobile, password: dup.input.password }, headers: ipHeader() });
    expect(login.status).toBe(401);
  });
});

describe('POST /auth/login, /auth/logout, GET /auth/me', () => {
  it('logs in by username, mobile or e-mail; logout ends the token', async () => {
    const email = `api${Date.now()}@example.com`;
    const { input } = await registerViaApi({ email });
    for (const identifier of [input.username, input.mobile, email]) {
      const res = await h.call('POST', '/api/v1/auth/login', { body: { identifier, password: input.password }, headers: ipHeader() });
      expect(res.status, identifier).toBe(200);
    }
    const { json } = await h.call('POST', '/api/v1/auth/login', { body: { identifier: input.username, password: input.password }, headers: ipHeader() });
    expect((await h.call('POST', '/api/v1/auth/logout', { token: json.token })).status).toBe(204);
    expect((await h.call('GET', '/api/v1/auth/me', { token: json.token })).status).toBe(401);
  });

  it('wrong password and unknown user get the same 401; a disabled account gets 403', async () => {
    const { input, res } = await registerViaApi();
    const wrong = await h.call('POST', '/api/v1/auth/login', { body: { identifier: input.username, password: 'Nope12345' }, headers: ipHeader() });
    const unknown = await h.call('POST', '/api/v1/auth/login', { body: { identifier: 'nobody2026', password: 'Nope12345' }, headers: ipHeader() });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.json.error.message).toBe(unknown.json.error.message);
    const op = await h.operator();
    const me = await h.call('GET', '/api/v1/auth/me', { token: res.json.token });
    await h.call('POST', `/api/v1/admin/users/${me.json.user.id}/status`, { token: op.token, body: { status: 'disabled' } });
    const disabled = await h.call('POST', '/api/v1/auth/login', { body: { identifier: input.username, password: input.password }, headers: ipHeader() });
    expect(disabled.status).toBe(403);
    expect(disabled.json.error.code).toBe('ACCOUNT_DISABLED');
  });

  it('auth: /auth/me and /auth/logout-protected routes refuse anonymous callers', async () => {
    await h.expectRefusals('GET', '/api/v1/auth/me');
    await h.expectRefusals('POST', '/api/v1/auth/password', { body: { currentPassword: 'x', newPassword: 'Abcd1234', confirmPassword: 'Abcd1234' } });
    await h.expectRefusals('PATCH', '/api/v1/auth/profile', { body: { displayName: 'x' } });
  });
});

describe('password reset and change', () => {
  it('request answers 202 the same for known and unknown; confirm sets the password and ends old sessions', async () => {
    const { input, res } = await registerViaApi();
    const known = await h.call('POST', '/api/v1/auth/password-reset/request', { body: { channel: 'sms', target: input.mobile }, headers: ipHeader() });
    const unknown = await h.call('POST', '/api/v1/auth/password-reset/request', { body: { channel: 'sms', target: buildMobile() }, headers: ipHeader() });
    expect(known.status).toBe(202);
    expect(unknown.status).toBe(202);
    expect(known.json).toEqual(unknown.json);
    const wrongCode = await h.call('POST', '/api/v1/auth/password-reset/confirm', {
      body: { channel: 'sms', target: input.mobile, code: '000000', newPassword: 'Reset2026', confirmPassword: 'Reset2026' },
    });
    const code = await latestCode(h.platform, input.mobile);
    if (code !== '000000') {
      expect(wrongCode.status).toBe(400);
      expect(wrongCode.json.error.fields.code).toBeTruthy();
    }
    const ok = await h.call('POST', '/api/v1/auth/password-reset/confirm', {
      body: { channel: 'sms', target: input.mobile, code, newPassword: 'Reset2026', confirmPassword: 'Reset2026' },
    });
    expect(ok.status).toBe(200);
    expect((await h.call('GET', '/api/v1/auth/me', { token: res.json.token })).status).toBe(401);
    expect((await h.call('POST', '/api/v1/auth/login', { body: { identifier: input.username, password: 'Reset2026' }, headers: ipHeader() })).status).toBe(200);
  });

  it('change needs the current password and keeps only the current session', async () => {
    const { input, res } = await registerViaApi();
    const other = await h.call('POST', '/api/v1/auth/login', { body: { identifier: input.username, password: input.password }, headers: ipHeader() });
    const wrong = await h.call('POST', '/api/v1/auth/password', { token: res.json.token, body: { currentPassword: 'Wrong1234', newPassword: 'Fresh2026', confirmPassword: 'Fresh2026' } });
    expect(wrong.status).toBe(401);
    expect(wrong.json.error.fields.currentPassword).toBe('当前密码不正确');
    const ok = await h.call('POST', '/api/v1/auth/password', { token: res.json.token, body: { currentPassword: input.password, newPassword: 'Fresh2026', confirmPassword: 'Fresh2026' } });
    expect(ok.status).toBe(200);
    expect((await h.call('GET', '/api/v1/auth/me', { token: res.json.token })).status).toBe(200);
    expect((await h.call('GET', '/api/v1/auth/me', { token: other.json.token })).status).toBe(401);
  });
});

describe('POST /auth/active-organisation', () => {
  it('switches only to an organisation the user belongs to', async () => {
    const a = await registerViaApi();
    const b = await registerViaApi();
    const bMe = await h.call('GET', '/api/v1/auth/me', { token: b.res.json.token });
    const refused = await h.call('POST', '/api/v1/auth/active-organisation', { token: a.res.json.token, body: { organisationId: bMe.json.activeOrganisation.organisationId } });
    expect(refused.status).toBe(403);
  });
});

describe('the API boundary', () => {
  it('415 for a non-JSON body, 403 for a cross-site form post, 400 for malformed JSON, 404 JSON for unknown routes — and nothing changes', async () => {
    const mobile = buildMobile();
    const text = await h.call('POST', '/api/v1/auth/register-code', { headers: { 'content-type': 'text/plain', origin: 'http://localhost', ...ipHeader() }, body: undefined });
    expect(text.status).toBe(415);
    const plain = await h.app.request('/api/v1/auth/register-code', { method: 'POST', headers: { 'content-type': 'text/plain', authorization: 'Bearer x' }, body: JSON.stringify({ mobile }) });
    expect(plain.status).toBe(415);
    // A cross-site form post riding on a victim's session cookie is refused before anything runs.
    const victim = await h.user();
    const form = await h.app.request('/api/v1/auth/password', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://evil.example', cookie: `bangfu_session=${victim.token}` },
      body: 'currentPassword=a&newPassword=Evil12345&confirmPassword=Evil12345',
    });
    expect(form.status).toBe(403);
    expect(((await form.json()) as { error: { code: string } }).error.code).toBe('FORBIDDEN');
    // Without a session, a form body is still refused: the API only takes JSON.
    const anonForm = await h.app.request('/api/v1/auth/login', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://evil.example' }, body: 'identifier=a&password=b' });
    expect(anonForm.status).toBe(415);
    const broken = await h.app.request('/api/v1/auth/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"identifier":' });
    expect(broken.status).toBe(400);
    const unknown = await h.call('GET', '/api/v1/nope');
    expect(unknown.status).toBe(404);
    expect(unknown.json.error.code).toBe('NOT_FOUND');
    await expect(latestCode(h.platform, mobile)).rejects.toThrow();
    for (const r of [broken]) expect(await r.clone().text()).not.toMatch(/at .*\.ts:\d+/);
  });

  it('publishes an OpenAPI 3.1 document and a docs page served without a CDN', async () => {
    const doc = await h.call('GET', '/api/v1/openapi.json');
    expect(doc.status).toBe(200);
    expect(doc.json.openapi).toBe('3.1.0');
    expect(Object.keys(doc.json.paths)).toEqual(expect.arrayContaining(['/api/v1/auth/register', '/api/v1/auth/login', '/api/v1/admin/users', '/api/v1/wallet/recharges/online']));
    const page = await h.call('GET', '/api/v1/docs');
    expect(page.text).toContain('/api/v1/docs/assets/swagger-ui-bundle.js');
    expect(page.text).not.toMatch(/https?:\/\/(unpkg|cdn)/);
    expect((await h.call('GET', '/api/v1/docs/assets/swagger-ui.css')).status).toBe(200);
  });
});
