import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, count, eq } from 'drizzle-orm';
import { outbox, users, verificationCodes } from '../../db/schema';
import { MINUTE } from '../shared/clock';
import { RATE_RULES } from '../shared/rate-limit';
import { buildMobile, nextIp, registerUser } from '../testing/factories';
import { createTestPlatform, latestCode, ManualClock } from '../testing/test-platform';
import type { Platform } from '../platform/platform';
import { NOT_ACTIVATED, SMS_ONLY } from './accounts.service';

// 短信登录: runs on PGlite with in-process limits by default, and on PostgreSQL + Redis when
// DATABASE_URL and REDIS_URL are set.
const clock = new ManualClock(new Date());
let p: Platform;

beforeAll(async () => {
  p = await createTestPlatform({ clock });
});
afterAll(() => p?.close());

const accounts = () => p.services.accounts;
const outcome = (run: Promise<unknown>) =>
  run.then(
    () => 'signed_in',
    (e: { code?: string }) => e.code ?? String(e),
  );
const smsLogin = (mobile: string, code: string, ip = nextIp()) => outcome(accounts().loginWithCode({ mobile, code }, { ip }));
const smsTo = async (mobile: string) => (await p.db.select({ n: count() }).from(outbox).where(eq(outbox.recipient, mobile)))[0]!.n;
const loginCodesOf = async (mobile: string) =>
  (
    await p.db
      .select({ n: count() })
      .from(verificationCodes)
      .where(and(eq(verificationCodes.purpose, 'login'), eq(verificationCodes.target, mobile)))
  )[0]!.n;
/** A code that is not the one sent (the sent one plus one, on six digits). */
const otherThan = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, '0');

describe('requestLoginCode', () => {
  it('sends a login code by SMS to a mobile that has an account, and the code signs in', async () => {
    const { input } = await registerUser(p);
    const before = await smsTo(input.mobile);
    const answer = await accounts().requestLoginCode({ mobile: input.mobile }, { ip: nextIp() });
    expect(answer.message).toContain(`${input.mobile.slice(0, 3)}****${input.mobile.slice(7)}`);
    expect(await smsTo(input.mobile)).toBe(before + 1);
    const code = await latestCode(p, input.mobile);
    const session = await accounts().loginWithCode({ mobile: input.mobile, code }, { ip: nextIp() });
    expect(session.user.username).toBe(input.username);
    expect((await accounts().validateSessionToken(session.token))?.user.id).toBe(session.user.id);
  });

  it('answers an unknown mobile the same way and sends nothing', async () => {
    const { input } = await registerUser(p);
    const known = await accounts().requestLoginCode({ mobile: input.mobile }, { ip: nextIp() });
    const unknown = buildMobile();
    const answer = await accounts().requestLoginCode({ mobile: unknown }, { ip: nextIp() });
    expect(answer.message.replace(/\d{3}\*{4}\d{4}/, 'M')).toBe(known.message.replace(/\d{3}\*{4}\d{4}/, 'M'));
    expect(await smsTo(unknown)).toBe(0);
    expect(await loginCodesOf(unknown)).toBe(0);
    // Any code for it is refused like a wrong one.
    expect(await smsLogin(unknown, '123456')).toBe('CODE_INVALID');
  });

  it('accepts the spellings registration accepts and refuses a malformed mobile by field', async () => {
    const { input } = await registerUser(p);
    await accounts().requestLoginCode({ mobile: `+86 ${input.mobile}` }, { ip: nextIp() });
    expect(await loginCodesOf(input.mobile)).toBe(1);
    await expect(accounts().requestLoginCode({ mobile: '12345' }, { ip: nextIp() })).rejects.toMatchObject({
      code: 'VALIDATION',
      fields: { mobile: '请填写正确的 11 位大陆手机号' },
    });
    await expect(accounts().loginWithCode({ mobile: input.mobile, code: '12' }, { ip: nextIp() })).rejects.toMatchObject({
      code: 'VALIDATION',
      fields: { code: '验证码为 6 位数字' },
    });
  });

  it('one code a minute per mobile, known or not; then RATE_LIMITED', async () => {
    const { input } = await registerUser(p);
    const unknown = buildMobile();
    for (const mobile of [input.mobile, unknown]) {
      await accounts().requestLoginCode({ mobile }, { ip: nextIp() });
      await expect(accounts().requestLoginCode({ mobile }, { ip: nextIp() })).rejects.toMatchObject({ code: 'RATE_LIMITED' });
    }
    expect(await loginCodesOf(input.mobile)).toBe(1);
  });

  it('20 codes per address an hour, across mobiles', async () => {
    const ip = nextIp();
    for (let i = 0; i < 20; i++) await accounts().requestLoginCode({ mobile: buildMobile() }, { ip });
    await expect(accounts().requestLoginCode({ mobile: buildMobile() }, { ip })).rejects.toMatchObject({ code: 'RATE_LIMITED' });
  });

  it('a disabled account gets no code, and the same answer', async () => {
    const { input } = await registerUser(p);
    await p.db.update(users).set({ status: 'disabled' }).where(eq(users.mobile, input.mobile));
    const answer = await accounts().requestLoginCode({ mobile: input.mobile }, { ip: nextIp() });
    expect(answer.message).toMatch(/验证码已发送/);
    expect(await loginCodesOf(input.mobile)).toBe(0);
  });
});

describe('loginWithCode', () => {
  async function withCode() {
    const r = await registerUser(p);
    await accounts().requestLoginCode({ mobile: r.input.mobile }, { ip: nextIp() });
    return { ...r, code: await latestCode(p, r.input.mobile) };
  }

  it('a wrong code counts on the code: the 5th ends it, the right one no longer works', async () => {
    const { input, code } = await withCode();
    for (let i = 0; i < 4; i++) expect(await smsLogin(input.mobile, otherThan(code))).toBe('CODE_INVALID');
    const [row] = await p.db
      .select()
      .from(verificationCodes)
      .where(and(eq(verificationCodes.purpose, 'login'), eq(verificationCodes.target, input.mobile)));
    expect(row!.failedAttempts).toBe(4);
    expect(await smsLogin(input.mobile, otherThan(code))).toBe('CODE_INVALID'); // the 5th: the code is burned
    // The account bucket (5 failures per 15 minutes, shared with the password form) is now empty too.
    expect(await smsLogin(input.mobile, code)).toBe('RATE_LIMITED');
    expect(await outcome(accounts().login({ identifier: input.username, password: input.password }, { ip: nextIp() }))).toBe('RATE_LIMITED');
  });

  it('a burned code is refused even once the account bucket refills', async () => {
    const { input, code } = await withCode();
    for (let i = 0; i < 5; i++) await smsLogin(input.mobile, otherThan(code));
    const [u] = await p.db.select().from(users).where(eq(users.mobile, input.mobile));
    await p.rateLimiter.reset(RATE_RULES.loginFailuresPerAccount, `user:${u!.id}`);
    expect(await smsLogin(input.mobile, code)).toBe('CODE_INVALID');
  });

  it('an expired code is refused', async () => {
    const { input, code } = await withCode();
    clock.advance(10 * MINUTE + 1);
    expect(await smsLogin(input.mobile, code)).toBe('CODE_INVALID');
  });

  it('a code signs in once: two concurrent sign-ins with it, one wins', async () => {
    const { input, code } = await withCode();
    const results = await Promise.all([smsLogin(input.mobile, code), smsLogin(input.mobile, code)]);
    expect(results.sort()).toEqual(['CODE_INVALID', 'signed_in']);
    expect(await smsLogin(input.mobile, code)).toBe('CODE_INVALID');
  });

  it('a code for registration or a password reset does not sign in', async () => {
    const { input } = await registerUser(p);
    await accounts().requestPasswordReset({ channel: 'sms', target: input.mobile }, { ip: nextIp() });
    expect(await smsLogin(input.mobile, await latestCode(p, input.mobile))).toBe('CODE_INVALID');
  });

  it.each([
    ['SMS_ONLY', SMS_ONLY],
    ['NOT_ACTIVATED', NOT_ACTIVATED],
  ])('an account with no usable password (%s) signs in with a code, and not with any password', async (_name, marker) => {
    const { input } = await registerUser(p);
    await p.db.update(users).set({ passwordHash: marker }).where(eq(users.mobile, input.mobile));
    expect(await outcome(accounts().login({ identifier: input.mobile, password: marker }, { ip: nextIp() }))).toBe('INVALID_CREDENTIALS');
    await accounts().requestLoginCode({ mobile: input.mobile }, { ip: nextIp() });
    const s = await accounts().loginWithCode({ mobile: input.mobile, code: await latestCode(p, input.mobile) }, { ip: nextIp() }, 'bearer');
    expect(s.user.mobile).toBe(input.mobile);
    const resolved = await accounts().validateSessionToken(s.token);
    expect(resolved?.session.kind).toBe('bearer');
    expect(resolved?.actor.organisation).toBeDefined();
  });

  it('an account disabled after its code was sent is refused as the password form refuses it', async () => {
    const { input, code } = await withCode();
    await p.db.update(users).set({ status: 'disabled' }).where(eq(users.mobile, input.mobile));
    await expect(accounts().loginWithCode({ mobile: input.mobile, code }, { ip: nextIp() })).rejects.toMatchObject({
      code: 'ACCOUNT_DISABLED',
      message: '该账号已被停用，请联系平台客服',
    });
  });

  it('a disabled account cannot get a code to sign in with', async () => {
    const { input } = await registerUser(p);
    await p.db.update(users).set({ status: 'disabled' }).where(eq(users.mobile, input.mobile));
    await accounts().requestLoginCode({ mobile: input.mobile }, { ip: nextIp() });
    expect(await smsLogin(input.mobile, '000000')).toBe('CODE_INVALID');
  });

  it('an account locked by wrong passwords is locked for SMS sign-in too', async () => {
    const { input, code } = await withCode();
    for (let i = 0; i < 5; i++) await outcome(accounts().login({ identifier: input.username, password: 'Wrong1234' }, { ip: nextIp() }));
    expect(await smsLogin(input.mobile, code)).toBe('RATE_LIMITED');
  });

  it('the per-address sign-in limit covers SMS sign-ins', async () => {
    const ip = nextIp();
    const outcomes: string[] = [];
    for (let i = 0; i < 31; i++) outcomes.push(await smsLogin(buildMobile(), '123456', ip));
    expect(outcomes.slice(0, 30).every((o) => o === 'CODE_INVALID')).toBe(true);
    expect(outcomes[30]).toBe('RATE_LIMITED');
  });
});
