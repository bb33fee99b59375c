import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq, inArray } from 'drizzle-orm';
import { createTestPlatform, ManualClock } from '../testing/test-platform';
import { buildMobile, nextIp, registerUser } from '../testing/factories';
import { accountActivations, organisations, outbox, users } from '../../db/schema';
import type { Platform } from '../platform/platform';
import { DAY } from '../shared/clock';

let p: Platform;
const clock = new ManualClock(new Date());
let orgId: string;

beforeAll(async () => {
  p = await createTestPlatform({ clock });
  const [org] = await p.db
    .insert(organisations)
    .values({ kind: 'budget_unit', fullName: `激活测试单位${Date.now()}` })
    .returning();
  orgId = org!.id;
});
afterAll(() => p?.close());

const sms = ({ login, code }: { login: string; code: string | null }) => (code ? `账号：${login}，激活码：${code}` : `已加入：${login}`);
const codeIn = (text: string) => /激活码：([0-9A-Z-]+)/.exec(text)?.[1] ?? '';
const lastSms = async (mobile: string) => (await p.db.select().from(outbox).where(eq(outbox.recipient, mobile))).at(-1)!.body;

describe('generated accounts', () => {
  it('opens an account without a password, refuses its sign-in until the SMS code activates it', async () => {
    const mobile = buildMobile();
    const username = `T${Date.now().toString().slice(-12)}`;
    const [answer] = await p.db.transaction((tx) =>
      p.services.accounts.generateAccounts(tx, [{ organisationId: orgId, role: 'owner', mobile, displayName: '张三', username, sms }]),
    );
    expect(answer).toMatchObject({ created: true, code: expect.stringMatching(/^\w{4}-\w{4}-\w{4}$/) });
    const text = await lastSms(mobile);
    expect(text).toContain(`账号：${username}`);
    expect(codeIn(text)).toBe(answer!.code);
    const [row] = await p.db.select().from(accountActivations).where(eq(accountActivations.userId, answer!.userId));
    expect(row!.codeHash).not.toContain(answer!.code!.replace(/-/g, ''));

    await expect(p.services.accounts.login({ identifier: username, password: 'anything1' }, { ip: nextIp() })).rejects.toMatchObject({
      code: 'INVALID_CREDENTIALS',
    });
    expect((await p.services.accounts.activationStates([answer!.userId])).get(answer!.userId)).toBe('pending');

    const wrong = { identifier: username, code: 'AAAA-AAAA-AAAA', newPassword: 'Passw0rdx', confirmPassword: 'Passw0rdx' };
    await expect(p.services.accounts.activate(wrong, { ip: nextIp() })).rejects.toMatchObject({
      code: 'ACTIVATION_INVALID',
      fields: { code: expect.any(String) },
    });

    // Typed leniently: lower case, no dashes, O for 0.
    const typed = answer!.code!.toLowerCase().replace(/-/g, ' ').replace(/0/g, 'o');
    const session = await p.services.accounts.activate({ ...wrong, code: typed }, { ip: nextIp() });
    expect(session).toMatchObject({ token: expect.any(String), organisationId: orgId });
    const actor = (await p.services.accounts.validateSessionToken(session.token))!.actor;
    expect(actor.memberships).toEqual([expect.objectContaining({ organisationId: orgId, role: 'owner' })]);
    await expect(p.services.accounts.login({ identifier: mobile, password: 'Passw0rdx' }, { ip: nextIp() })).resolves.toMatchObject({
      token: expect.any(String),
    });
    // Once only.
    await expect(p.services.accounts.activate({ ...wrong, code: answer!.code! }, { ip: nextIp() })).rejects.toMatchObject({
      message: expect.stringContaining('已使用'),
    });
    expect((await p.services.accounts.activationStates([answer!.userId])).get(answer!.userId)).toBe('active');
  });

  it('adds an existing account to the organisation with an SMS and no code', async () => {
    const { input, actor } = await registerUser(p);
    const [answer] = await p.db.transaction((tx) =>
      p.services.accounts.generateAccounts(tx, [{ organisationId: orgId, role: 'buyer', mobile: input.mobile, displayName: '李四', sms }]),
    );
    expect(answer).toEqual({ userId: actor.userId, created: false, code: null });
    expect(await lastSms(input.mobile)).toBe(`已加入：${input.mobile}`);
    expect(await p.services.accounts.existingMobiles(p.db, [input.mobile, buildMobile()])).toEqual(new Set([input.mobile]));
  });

  it('expires after 7 days; a reissue with reset replaces the code, ends the password and the sessions', async () => {
    const mobile = buildMobile();
    const [answer] = await p.db.transaction((tx) =>
      p.services.accounts.generateAccounts(tx, [{ organisationId: orgId, role: 'owner', mobile, displayName: '王五', sms }]),
    );
    clock.advance(7 * DAY + 1000);
    const input = { identifier: mobile, code: answer!.code!, newPassword: 'Passw0rdy', confirmPassword: 'Passw0rdy' };
    await expect(p.services.accounts.activate(input, { ip: nextIp() })).rejects.toMatchObject({ message: expect.stringContaining('已过期') });
    expect((await p.services.accounts.activationStates([answer!.userId])).get(answer!.userId)).toBe('expired');

    await p.db.transaction((tx) =>
      p.services.accounts.reissueActivation(tx, answer!.userId, orgId, ({ login, code }) => `账号：${login}，激活码：${code}`, { resetPassword: false }),
    );
    const fresh = codeIn(await lastSms(mobile));
    // Pressed again at once: refused, no second SMS, the code just sent still works.
    await expect(
      p.db.transaction((tx) =>
        p.services.accounts.reissueActivation(tx, answer!.userId, orgId, ({ login, code }) => `账号：${login}，激活码：${code}`, { resetPassword: false }),
      ),
    ).rejects.toMatchObject({ code: 'RATE_LIMITED', message: expect.stringContaining('60 秒') });
    expect(codeIn(await lastSms(mobile))).toBe(fresh);
    const s = await p.services.accounts.activate({ ...input, code: fresh }, { ip: nextIp() });
    expect(await p.services.accounts.validateSessionToken(s.token)).not.toBeNull();

    await p.db.transaction((tx) =>
      p.services.accounts.reissueActivation(tx, answer!.userId, orgId, ({ login, code }) => `账号：${login}，激活码：${code}`, { resetPassword: true }),
    );
    expect(await p.services.accounts.validateSessionToken(s.token)).toBeNull();
    await expect(p.services.accounts.login({ identifier: mobile, password: 'Passw0rdy' }, { ip: nextIp() })).rejects.toMatchObject({
      code: 'INVALID_CREDENTIALS',
    });
    await expect(p.services.accounts.activate({ ...input, code: codeIn(await lastSms(mobile)) }, { ip: nextIp() })).resolves.toMatchObject({
      token: expect.any(String),
    });
  });

  it('ends a code at the fifth wrong try', async () => {
    const mobile = buildMobile();
    const [answer] = await p.db.transaction((tx) =>
      p.services.accounts.generateAccounts(tx, [{ organisationId: orgId, role: 'owner', mobile, displayName: '赵六', sms }]),
    );
    const input = { identifier: mobile, code: 'ZZZZ-ZZZZ-ZZZZ', newPassword: 'Passw0rdz', confirmPassword: 'Passw0rdz' };
    for (let i = 0; i < 5; i++)
      await expect(p.services.accounts.activate(input, { ip: nextIp() })).rejects.toMatchObject({
        code: expect.stringMatching(/ACTIVATION_INVALID|RATE_LIMITED/),
      });
    await expect(p.services.accounts.activate({ ...input, code: answer!.code! }, { ip: nextIp() })).rejects.toMatchObject({
      code: expect.stringMatching(/ACTIVATION_INVALID|RATE_LIMITED/),
    });
  });

  it('tells no account apart without its code: an activated, a registered and an unknown login hear the same', async () => {
    const mobile = buildMobile();
    const [answer] = await p.db.transaction((tx) =>
      p.services.accounts.generateAccounts(tx, [{ organisationId: orgId, role: 'owner', mobile, displayName: '孙七', sms }]),
    );
    const input = { identifier: mobile, code: answer!.code!, newPassword: 'Passw0rdw', confirmPassword: 'Passw0rdw' };
    await p.services.accounts.activate(input, { ip: nextIp() });
    const { input: registered } = await registerUser(p);
    const guess = { code: 'AAAA-AAAA-AAAA', newPassword: 'Passw0rdw', confirmPassword: 'Passw0rdw' };
    const answers = [];
    for (const identifier of [mobile, registered.mobile, buildMobile()]) {
      const err = await p.services.accounts.activate({ ...guess, identifier }, { ip: nextIp() }).catch((e: unknown) => e);
      answers.push(JSON.stringify({ code: (err as { code: string }).code, message: (err as Error).message, fields: (err as { fields?: unknown }).fields }));
    }
    expect(new Set(answers).size, answers.join('\n')).toBe(1);
    // Whoever holds the used code hears why.
    await expect(p.services.accounts.activate(input, { ip: nextIp() })).rejects.toMatchObject({ message: expect.stringContaining('已使用') });
  });

  it('one of two activations with the same code wins', async () => {
    const mobile = buildMobile();
    const [answer] = await p.db.transaction((tx) =>
      p.services.accounts.generateAccounts(tx, [{ organisationId: orgId, role: 'owner', mobile, displayName: '周八', sms }]),
    );
    const input = { identifier: mobile, code: answer!.code!, newPassword: 'Passw0rdv', confirmPassword: 'Passw0rdv' };
    const results = await Promise.allSettled([
      p.services.accounts.activate(input, { ip: nextIp() }),
      p.services.accounts.activate({ ...input, newPassword: 'Passw0rdu', confirmPassword: 'Passw0rdu' }, { ip: nextIp() }),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(results.find((r) => r.status === 'rejected')).toMatchObject({ reason: { code: 'ACTIVATION_INVALID' } });
  });

  it('opens 2,000 accounts in one transaction without hashing a password', async () => {
    const people = Array.from({ length: 2000 }, (_, i) => ({
      organisationId: orgId,
      role: 'owner' as const,
      mobile: `19${String(Date.now() % 100_000).padStart(5, '0')}${String(i).padStart(4, '0')}`,
      displayName: `联系人${i}`,
      username: `B${Date.now().toString(36)}${i}`,
      sms,
    }));
    const started = Date.now();
    const answers = await p.db.transaction((tx) => p.services.accounts.generateAccounts(tx, people));
    const ms = Date.now() - started;
    expect(new Set(answers.map((a) => a.userId)).size).toBe(2000);
    expect(answers.every((a) => a.created && a.code)).toBe(true);
    const made = await p.db
      .select({ id: users.id, hash: users.passwordHash })
      .from(users)
      .where(
        inArray(
          users.id,
          answers.map((a) => a.userId),
        ),
      );
    expect(made.every((u) => !u.hash.startsWith('$argon2'))).toBe(true);
    expect(ms).toBeLessThan(30_000);
  });
});
