import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { outbox, users } from '../../db/schema';
import { buildMobile } from '../../core/testing/factories';
import { latestCode } from '../../core/testing/test-platform';
import { SMS_ONLY } from '../../core/accounts/accounts.service';
import { createApiHarness, type ApiHarness } from './test-helpers';

// 短信登录 through the API: POST /auth/login-code, then POST /auth/login-sms.
let h: ApiHarness;
beforeAll(async () => {
  h = await createApiHarness();
});
afterAll(() => h?.close());

const outboxFor = (recipient: string) => h.platform.db.select().from(outbox).where(eq(outbox.recipient, recipient));
const requestCode = (mobile: unknown) => h.json('POST', '/api/v1/auth/login-code', { mobile });
const smsLogin = (mobile: unknown, code: unknown) => h.json('POST', '/api/v1/auth/login-sms', { mobile, code });
const otherThan = (code: string) => (code === '123456' ? '654321' : '123456');
const mask = (m: string) => `${m.slice(0, 3)}****${m.slice(7)}`;

describe('POST /auth/login-code', () => {
  it('happy: a known mobile gets an SMS code in the sandbox outbox; the answer masks the number', async () => {
    const { input } = await h.user();
    const before = (await outboxFor(input.mobile)).length;
    const res = await requestCode(input.mobile);
    expect(res.status).toBe(200);
    expect(res.json.message).toContain(mask(input.mobile));
    const sent = await outboxFor(input.mobile);
    expect(sent).toHaveLength(before + 1);
    expect(sent.some((s) => /登录验证码为 \d{6}/.test(s.body))).toBe(true);
  });

  it('security: an unknown mobile gets the same answer and no SMS', async () => {
    const { input } = await h.user();
    const unknown = buildMobile();
    const [known, other] = [await requestCode(input.mobile), await requestCode(unknown)];
    expect(other.status).toBe(known.status);
    expect(other.json.message.replace(mask(unknown), 'M')).toBe(known.json.message.replace(mask(input.mobile), 'M'));
    expect(await outboxFor(unknown)).toHaveLength(0);
  });

  it('errors: an invalid mobile gets a Chinese field message; a second request within 60 s → 429', async () => {
    const bad = await requestCode('1234');
    expect(bad.status).toBe(400);
    expect(bad.json.error).toMatchObject({ code: 'VALIDATION', fields: { mobile: '请填写正确的 11 位大陆手机号' } });
    expect((await requestCode(undefined)).json.error.fields).toEqual({ mobile: '请填写手机号' });
    const mobile = buildMobile();
    expect((await requestCode(mobile)).status).toBe(200);
    const again = await requestCode(mobile);
    expect(again.status).toBe(429);
    expect(again.json.error.code).toBe('RATE_LIMITED');
    expect(Number(again.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});

describe('POST /auth/login-sms', () => {
  it('happy: the code signs in: an httpOnly session cookie and a bearer token, as POST /auth/login gives', async () => {
    const { input } = await h.user();
    await requestCode(input.mobile);
    const res = await smsLogin(`+86 ${input.mobile}`, await latestCode(h.platform, input.mobile));
    expect(res.status, res.text).toBe(200);
    expect(res.json.user.username).toBe(input.username);
    expect(res.headers.get('set-cookie')).toMatch(/bangfu_session=.+HttpOnly/i);
    const me = await h.json('GET', '/api/v1/auth/me', undefined, { token: res.json.token });
    expect(me.status).toBe(200);
    expect(me.json.user.mobile).toBe(input.mobile);
  });

  it('happy: an SMS-only account (no password) signs in with a code', async () => {
    const { input } = await h.user();
    await h.platform.db.update(users).set({ passwordHash: SMS_ONLY }).where(eq(users.mobile, input.mobile));
    expect((await h.json('POST', '/api/v1/auth/login', { identifier: input.mobile, password: SMS_ONLY })).status).toBe(401);
    await requestCode(input.mobile);
    expect((await smsLogin(input.mobile, await latestCode(h.platform, input.mobile))).status).toBe(200);
  });

  it('errors: a wrong, reused or unknown-mobile code → 400 CODE_INVALID on the code field, no cookie', async () => {
    const { input } = await h.user();
    await requestCode(input.mobile);
    const code = await latestCode(h.platform, input.mobile);
    const wrong = await smsLogin(input.mobile, otherThan(code));
    expect(wrong.status).toBe(400);
    expect(wrong.json.error).toMatchObject({ code: 'CODE_INVALID', fields: { code: '验证码错误或已失效，请重新获取' } });
    expect(wrong.headers.get('set-cookie')).toBeNull();
    expect((await smsLogin(input.mobile, code)).status).toBe(200);
    const reused = await smsLogin(input.mobile, code);
    expect(reused.json.error).toEqual(wrong.json.error);
    const unknown = await smsLogin(buildMobile(), code);
    expect(unknown.status).toBe(400);
    expect(unknown.json.error).toEqual(wrong.json.error);
  });

  it('errors: malformed input gets Chinese field messages, never a 5xx', async () => {
    const res = await smsLogin('abc', '12');
    expect(res.status).toBe(400);
    expect(res.json.error.fields).toEqual({ mobile: '请填写正确的 11 位大陆手机号', code: '验证码为 6 位数字' });
    for (const body of [{}, { mobile: 13800000000, code: 123456 }, { mobile: ['1'], code: null }]) {
      const r = await h.json('POST', '/api/v1/auth/login-sms', body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.json.error.code).toBe('VALIDATION');
    }
  });

  it('errors: a disabled account → 403 ACCOUNT_DISABLED, as the password login answers', async () => {
    const { input } = await h.user();
    await requestCode(input.mobile);
    await h.platform.db.update(users).set({ status: 'disabled' }).where(eq(users.mobile, input.mobile));
    const res = await smsLogin(input.mobile, await latestCode(h.platform, input.mobile));
    expect(res.status).toBe(403);
    expect(res.json.error.code).toBe('ACCOUNT_DISABLED');
  });
});
