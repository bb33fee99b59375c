import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { createTestPlatform, latestCode, ManualClock } from '../testing/test-platform';
import { buildMobile, buildRegistration, registerUser } from '../testing/factories';
import { outbox, sessions, verificationCodes } from '../../db/schema';
import type { Platform } from '../platform/platform';
import { MINUTE } from '../shared/clock';

let p: Platform;
const clock = new ManualClock(new Date());
const ctx = { ip: '198.51.100.7' };

beforeAll(async () => {
  p = await createTestPlatform({ clock });
});
afterAll(() => p?.close());

describe('registration', () => {
  it('creates the user, the organisation with the user as owner, and a session', async () => {
    const { input, actor } = await registerUser(p, { accountType: 'provider' });
    expect(actor.username).toBe(input.username);
    expect(actor.organisation).toMatchObject({ kind: 'provider', fullName: input.organisationName, uscc: input.uscc, role: 'owner' });
    expect(actor.isOperator).toBe(false);
    const inbox = await p.services.messages.list(actor.userId, { page: 1, pageSize: 10 });
    expect(inbox.items[0]?.title).toContain('欢迎');
  });

  it('refuses a wrong SMS code and changes nothing', async () => {
    const input = buildRegistration();
    await p.services.accounts.sendRegisterCode({ mobile: input.mobile }, ctx);
    const code = await latestCode(p, input.mobile);
    const wrong = code === '123456' ? '654321' : '123456';
    await expect(p.services.accounts.register({ ...input, code: wrong }, ctx)).rejects.toMatchObject({
      code: 'CODE_INVALID',
      fields: { code: expect.any(String) },
    });
    await expect(p.services.accounts.login({ identifier: input.username, password: input.password }, ctx)).rejects.toMatchObject({
      code: 'INVALID_CREDENTIALS',
    });
  });

  it('refuses duplicates field by field: username (any case), mobile, e-mail, organisation', async () => {
    const first = await registerUser(p, { email: `dup${Date.now()}@example.com` });
    const again = buildRegistration({
      username: first.input.username.toUpperCase(),
      mobile: first.input.mobile,
      email: first.input.email,
      uscc: first.input.uscc,
      accountType: first.input.accountType,
    });
    const err = await p.services.accounts.register(again, ctx).catch((e) => e);
    expect(err.fields).toMatchObject({
      username: '该用户名已被注册',
      mobile: expect.stringContaining('已注册'),
      email: '该邮箱已被注册',
      uscc: expect.stringContaining('已注册'),
    });
    await expect(p.services.accounts.sendRegisterCode({ mobile: first.input.mobile }, ctx)).rejects.toMatchObject({ code: 'MOBILE_TAKEN' });
  });

  it('refuses a bad USCC check character with a field message', async () => {
    const input = buildRegistration({ uscc: '91110000802100433C' });
    await expect(p.services.accounts.register(input, ctx)).rejects.toMatchObject({
      code: 'VALIDATION',
      fields: { uscc: '统一社会信用代码校验位不正确，请核对' },
    });
  });

  it('two concurrent registrations with the same username: exactly one wins', async () => {
    const a = buildRegistration();
    const b = buildRegistration({ username: a.username });
    await p.services.accounts.sendRegisterCode({ mobile: a.mobile }, ctx);
    await p.services.accounts.sendRegisterCode({ mobile: b.mobile }, ctx);
    const [ca, cb] = [await latestCode(p, a.mobile), await latestCode(p, b.mobile)];
    const results = await Promise.allSettled([p.services.accounts.register({ ...a, code: ca }, ctx), p.services.accounts.register({ ...b, code: cb }, ctx)]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const rejected = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(rejected.reason.code).toBe('USERNAME_TAKEN');
  });

  it('a second code request within 60 s is refused; codes are never kept in clear', async () => {
    const mobile = buildMobile();
    await p.services.accounts.sendRegisterCode({ mobile }, ctx);
    await expect(p.services.accounts.sendRegisterCode({ mobile }, ctx)).rejects.toMatchObject({ code: 'RATE_LIMITED' });
    const code = await latestCode(p, mobile);
    const rows = await p.db.select().from(verificationCodes).where(eq(verificationCodes.target, mobile));
    expect(rows).toHaveLength(1);
    expect(rows[0]!.codeHash).not.toContain(code);
  });
});

describe('login and sessions', () => {
  it('signs in with username, mobile or e-mail; each login gets a new session', async () => {
    const email = `login${Date.now()}@example.com`;
    const { input } = await registerUser(p, { email });
    const tokens = new Set<string>();
    for (const identifier of [input.username, input.mobile, email.toUpperCase()]) {
      const s = await p.services.accounts.login({ identifier, password: input.password }, ctx);
      tokens.add(s.token);
    }
    expect(tokens.size).toBe(3);
  });

  it('passwords are case-sensitive and the answer never says which part was wrong', async () => {
    const { input } = await registerUser(p);
    const wrongPw = await p.services.accounts.login({ identifier: input.username, password: input.password.toUpperCase() }, ctx).catch((e) => e);
    const noUser = await p.services.accounts.login({ identifier: 'nosuchuser99', password: input.password }, ctx).catch((e) => e);
    expect(wrongPw.code).toBe('INVALID_CREDENTIALS');
    expect(noUser.code).toBe('INVALID_CREDENTIALS');
    expect(wrongPw.message).toBe(noUser.message);
  });

  it('5 wrong passwords lock the account for a while, even with the right one', async () => {
    const { input } = await registerUser(p);
    for (let i = 0; i < 5; i++) {
      await expect(p.services.accounts.login({ identifier: input.username, password: 'Wrong1234' }, { ip: `203.0.113.${i}` })).rejects.toMatchObject({
        code: 'INVALID_CREDENTIALS',
      });
    }
    await expect(p.services.accounts.login({ identifier: input.username, password: input.password }, ctx)).rejects.toMatchObject({ code: 'RATE_LIMITED' });
  });

  it('sessions expire when idle and at their absolute limit; logout ends them', async () => {
    const { token } = await registerUser(p);
    expect(await p.services.accounts.validateSessionToken(token)).not.toBeNull();
    clock.advance(23 * 60 * MINUTE);
    expect(await p.services.accounts.validateSessionToken(token)).not.toBeNull();
    clock.advance(24 * 60 * MINUTE + 1);
    expect(await p.services.accounts.validateSessionToken(token)).toBeNull();

    const other = await registerUser(p);
    await p.services.accounts.logout(other.token);
    expect(await p.services.accounts.validateSessionToken(other.token)).toBeNull();
  });

  it('hot routes read many sessions at once, each answered as its own user, with the same rules', async () => {
    const people = await Promise.all(Array.from({ length: 6 }, () => registerUser(p)));
    const gone = people[5]!;
    await p.services.accounts.logout(gone.token);
    const idle = await registerUser(p);
    clock.advance(2 * MINUTE); // due a touch
    const ask = (token: string) => p.services.accounts.validateSessionToken(token, { recentMs: 10_000 });
    const answers = await Promise.all([...people.map((u) => ask(u.token)), ask('not-a-token'), ask(people[0]!.token)]);
    expect(answers.slice(0, 5).map((a) => a?.user.id)).toEqual(people.slice(0, 5).map((u) => u.actor.userId));
    expect(answers.slice(0, 5).every((a) => a?.actor.memberships.length === 0)).toBe(true);
    expect(answers[5]).toBeNull();
    expect(answers[6]).toBeNull();
    expect(answers[7]?.user.id).toBe(people[0]!.actor.userId);
    const [row] = await p.db.select().from(sessions).where(eq(sessions.id, answers[1]!.session.id));
    expect(row!.lastSeenAt.getTime()).toBe(clock.now().getTime());
    // Idle past the limit: refused, like the full read.
    clock.advance(24 * 60 * MINUTE + 1);
    expect(await ask(idle.token)).toBeNull();
  });

  it('only the SHA-256 of a token is stored', async () => {
    const { token, actor } = await registerUser(p);
    const rows = await p.db.select().from(sessions).where(eq(sessions.userId, actor.userId));
    expect(rows.map((r) => r.id)).not.toContain(token);
    expect(rows[0]!.id).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('password reset and change', () => {
  it('by SMS: same answer for unknown accounts, code resets the password and ends every session', async () => {
    const { input, token } = await registerUser(p);
    const unknown = await p.services.accounts.requestPasswordReset({ channel: 'sms', target: buildMobile() }, ctx);
    const known = await p.services.accounts.requestPasswordReset({ channel: 'sms', target: input.mobile }, ctx);
    expect(unknown).toEqual(known);
    const code = await latestCode(p, input.mobile);
    await p.services.accounts.confirmPasswordReset(
      { channel: 'sms', target: input.mobile, code, newPassword: 'NewPass123', confirmPassword: 'NewPass123' },
      ctx,
    );
    expect(await p.services.accounts.validateSessionToken(token)).toBeNull();
    await expect(p.services.accounts.login({ identifier: input.username, password: input.password }, ctx)).rejects.toMatchObject({
      code: 'INVALID_CREDENTIALS',
    });
    await expect(p.services.accounts.login({ identifier: input.username, password: 'NewPass123' }, ctx)).resolves.toHaveProperty('token');
    // single use
    await expect(
      p.services.accounts.confirmPasswordReset({ channel: 'sms', target: input.mobile, code, newPassword: 'Again1234', confirmPassword: 'Again1234' }, ctx),
    ).rejects.toMatchObject({ code: 'CODE_INVALID' });
  });

  it('by e-mail: 5 wrong tries burn the code', async () => {
    const email = `reset${Date.now()}@example.com`;
    const { input } = await registerUser(p, { email });
    await p.services.accounts.requestPasswordReset({ channel: 'email', target: email }, ctx);
    const [mail] = await p.db.select().from(outbox).where(eq(outbox.recipient, email));
    expect(mail?.subject).toContain('找回密码');
    const code = await latestCode(p, email);
    const wrong = code === '111111' ? '222222' : '111111';
    for (let i = 0; i < 5; i++) {
      await expect(
        p.services.accounts.confirmPasswordReset(
          { channel: 'email', target: email, code: wrong, newPassword: 'NewPass123', confirmPassword: 'NewPass123' },
          ctx,
        ),
      ).rejects.toMatchObject({ code: 'CODE_INVALID' });
    }
    await expect(
      p.services.accounts.confirmPasswordReset({ channel: 'email', target: email, code, newPassword: 'NewPass123', confirmPassword: 'NewPass123' }, ctx),
    ).rejects.toMatchObject({ code: 'CODE_INVALID' });
    await expect(p.services.accounts.login({ identifier: input.username, password: input.password }, ctx)).resolves.toHaveProperty('token');
  });

  it('codes expire after 10 minutes', async () => {
    const { input } = await registerUser(p);
    await p.services.accounts.requestPasswordReset({ channel: 'sms', target: input.mobile }, ctx);
    const code = await latestCode(p, input.mobile);
    clock.advance(10 * MINUTE + 1);
    await expect(
      p.services.accounts.confirmPasswordReset({ channel: 'sms', target: input.mobile, code, newPassword: 'NewPass123', confirmPassword: 'NewPass123' }, ctx),
    ).rejects.toMatchObject({ code: 'CODE_INVALID' });
  });

  it('change password needs the current one and ends the other sessions only', async () => {
    const { input, actor, token } = await registerUser(p);
    const other = await p.services.accounts.login({ identifier: input.username, password: input.password }, ctx);
    await expect(
      p.services.accounts.changePassword(actor, { currentPassword: 'Wrong1234', newPassword: 'Fresh1234', confirmPassword: 'Fresh1234' }, ctx),
    ).rejects.toMatchObject({ fields: { currentPassword: '当前密码不正确' } });
    await p.services.accounts.changePassword(actor, { currentPassword: input.password, newPassword: 'Fresh1234', confirmPassword: 'Fresh1234' }, ctx);
    expect(await p.services.accounts.validateSessionToken(token)).not.toBeNull();
    expect(await p.services.accounts.validateSessionToken(other.token)).toBeNull();
  });
});

describe('organisations', () => {
  it('a user switches only to organisations they belong to', async () => {
    const a = await registerUser(p);
    const b = await registerUser(p);
    await expect(p.services.accounts.switchOrganisation(a.actor, { organisationId: b.actor.organisation!.organisationId })).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
    await expect(p.services.accounts.switchOrganisation(a.actor, { organisationId: a.actor.organisation!.organisationId })).resolves.toMatchObject({
      role: 'owner',
    });
  });
});
