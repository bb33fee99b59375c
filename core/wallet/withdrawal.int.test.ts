import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { desc, eq } from 'drizzle-orm';
import { memberships, organisations, outbox } from '../../db/schema';
import { createTestPlatform, ManualClock } from '../testing/test-platform';
import { registerUser } from '../testing/factories';
import type { Platform } from '../platform/platform';
import type { Actor } from '../shared/actor';
import { MINUTE } from '../shared/clock';

let p: Platform;
const clock = new ManualClock(new Date());
beforeAll(async () => {
  p = await createTestPlatform({ clock });
});
afterAll(() => p?.close());

const LUHN_CARD = '6222021234567890128'; // 19 digits, valid Luhn

async function lastSms(mobile: string) {
  const [row] = await p.db.select().from(outbox).where(eq(outbox.recipient, mobile)).orderBy(desc(outbox.createdAt)).limit(1);
  return row?.body ?? '';
}
const microFrom = (sms: string) => {
  const m = sms.match(/¥0\.(\d\d)/);
  return Number(m![1]);
};

async function funded(amountFen: number) {
  const u = await registerUser(p);
  const w = await p.services.ledger.ensureWallet(p.db, u.actor.organisation!.organisationId);
  if (amountFen) {
    await p.services.ledger.transfer(p.db, {
      debitAccountId: await p.services.ledger.platformAccount('gateway_clearing'),
      creditAccountId: w.availableId,
      amountFen,
      kind: 'recharge_online',
      reference: 'test',
      idempotencyKey: randomUUID(),
    });
  }
  return u;
}

async function verifiedCard(u: Awaited<ReturnType<typeof registerUser>>) {
  const card = await p.services.withdrawals.addCard(u.actor, {
    accountType: 'personal',
    holderName: '张三',
    bankCode: 'ICBC',
    branch: '赣州章贡支行',
    accountNo: LUHN_CARD,
  });
  const micro = microFrom(await lastSms(u.input.mobile));
  return p.services.withdrawals.verifyCard(u.actor, card.id, { amountFen: micro });
}

async function withPassword(u: Awaited<ReturnType<typeof registerUser>>) {
  await p.services.withdrawals.setSecurityPassword(u.actor, { loginPassword: u.input.password, securityPassword: '246810', confirmSecurityPassword: '246810' });
}

async function operator(): Promise<Actor> {
  const u = await registerUser(p);
  const [org] = await p.db
    .insert(organisations)
    .values({ kind: 'platform', fullName: `运营${randomUUID().slice(0, 4)}` })
    .returning();
  await p.db.insert(memberships).values({ userId: u.actor.userId, organisationId: org!.id, role: 'admin' });
  return (await p.services.accounts.validateSessionToken(u.token))!.actor;
}

describe('bank card verification', () => {
  it('sends a micro-deposit of ¥0.01–¥0.99; the right amount verifies; the number is always masked', async () => {
    const u = await funded(0);
    const card = await p.services.withdrawals.addCard(u.actor, {
      accountType: 'personal',
      holderName: '张三',
      bankCode: 'CCB',
      branch: '赣州分行',
      accountNo: '6222 0212 3456 7890 128',
    });
    expect(card.status).toBe('pending');
    expect(card.accountNoMasked).toBe('6222 **** **** 0128');
    expect(JSON.stringify(card)).not.toContain(LUHN_CARD);
    const micro = microFrom(await lastSms(u.input.mobile));
    expect(micro).toBeGreaterThanOrEqual(1);
    expect(micro).toBeLessThanOrEqual(99);
    const v = await p.services.withdrawals.verifyCard(u.actor, card.id, { amountFen: micro });
    expect(v.status).toBe('verified');
    expect((await p.services.withdrawals.listCards(u.actor)).map((c) => c.status)).toEqual(['verified']);
    expect((await p.services.ledger.check()).ok).toBe(true);
  });

  it('3 wrong amounts fail the card', async () => {
    const u = await funded(0);
    const card = await p.services.withdrawals.addCard(u.actor, {
      accountType: 'personal',
      holderName: '张三',
      bankCode: 'CCB',
      branch: '赣州分行',
      accountNo: LUHN_CARD,
    });
    const micro = microFrom(await lastSms(u.input.mobile));
    const wrong = micro === 50 ? 51 : 50;
    await expect(p.services.withdrawals.verifyCard(u.actor, card.id, { amountFen: wrong })).rejects.toMatchObject({
      fields: { amountFen: expect.stringContaining('2 次') },
    });
    await expect(p.services.withdrawals.verifyCard(u.actor, card.id, { amountFen: wrong })).rejects.toMatchObject({
      fields: { amountFen: expect.stringContaining('1 次') },
    });
    await expect(p.services.withdrawals.verifyCard(u.actor, card.id, { amountFen: wrong })).rejects.toMatchObject({
      fields: { amountFen: expect.stringContaining('认证失败') },
    });
    await expect(p.services.withdrawals.verifyCard(u.actor, card.id, { amountFen: micro })).rejects.toBeTruthy();
    expect((await p.services.withdrawals.listCards(u.actor))[0]?.status).toBe('failed');
  });

  it("refuses a corporate account not in the organisation's full name, and a card number failing Luhn", async () => {
    const u = await funded(0);
    await expect(
      p.services.withdrawals.addCard(u.actor, {
        accountType: 'corporate',
        holderName: '别的公司',
        bankCode: 'BOC',
        branch: '营业部',
        accountNo: '36050181000900000123',
      }),
    ).rejects.toMatchObject({ fields: { holderName: expect.stringContaining(u.input.organisationName) } });
    await expect(
      p.services.withdrawals.addCard(u.actor, {
        accountType: 'personal',
        holderName: '张三',
        bankCode: 'BOC',
        branch: '营业部',
        accountNo: '6222021234567890129',
      }),
    ).rejects.toMatchObject({ fields: { accountNo: expect.stringContaining('校验位') } });
    await expect(
      p.services.withdrawals.addCard(u.actor, {
        accountType: 'corporate',
        holderName: u.input.organisationName,
        bankCode: 'BOC',
        branch: '营业部',
        accountNo: '36050181000900000123',
      }),
    ).resolves.toMatchObject({ accountType: 'corporate', status: 'pending' });
  });

  it('another organisation cannot verify or remove my card', async () => {
    const u = await funded(0);
    const other = await funded(0);
    const card = await p.services.withdrawals.addCard(u.actor, {
      accountType: 'personal',
      holderName: '张三',
      bankCode: 'CCB',
      branch: '赣州分行',
      accountNo: LUHN_CARD,
    });
    await expect(p.services.withdrawals.verifyCard(other.actor, card.id, { amountFen: 10 })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(p.services.withdrawals.removeCard(other.actor, card.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});

describe('security password and withdrawal', () => {
  it('needs a security password set with the login password', async () => {
    const u = await funded(10_000);
    const card = await verifiedCard(u);
    await expect(p.services.withdrawals.requestWithdrawal(u.actor, { amountFen: 1_000, cardId: card.id, securityPassword: '123456' })).rejects.toMatchObject({
      message: '请先设置安全密码',
    });
    await expect(
      p.services.withdrawals.setSecurityPassword(u.actor, { loginPassword: 'Wrong1234', securityPassword: '246810', confirmSecurityPassword: '246810' }),
    ).rejects.toMatchObject({ fields: { loginPassword: '登录密码不正确' } });
    await withPassword(u);
    expect(await p.services.withdrawals.hasSecurityPassword(u.actor)).toBe(true);
  });

  it('5 wrong security passwords lock withdrawals for 30 minutes', async () => {
    const u = await funded(10_000);
    const card = await verifiedCard(u);
    await withPassword(u);
    for (let i = 0; i < 4; i++) {
      await expect(p.services.withdrawals.requestWithdrawal(u.actor, { amountFen: 1_000, cardId: card.id, securityPassword: '000000' })).rejects.toMatchObject({
        code: 'SECURITY_PASSWORD_WRONG',
      });
    }
    await expect(p.services.withdrawals.requestWithdrawal(u.actor, { amountFen: 1_000, cardId: card.id, securityPassword: '000000' })).rejects.toMatchObject({
      code: 'SECURITY_PASSWORD_LOCKED',
    });
    await expect(p.services.withdrawals.requestWithdrawal(u.actor, { amountFen: 1_000, cardId: card.id, securityPassword: '246810' })).rejects.toMatchObject({
      code: 'SECURITY_PASSWORD_LOCKED',
    });
    clock.advance(31 * MINUTE);
    await expect(p.services.withdrawals.requestWithdrawal(u.actor, { amountFen: 1_000, cardId: card.id, securityPassword: '246810' })).resolves.toMatchObject({
      status: 'pending',
    });
  });

  it('freezes at once; approval pays out (SMS from the bank, site message); rejection returns the money', async () => {
    const u = await funded(10_000);
    const card = await verifiedCard(u);
    await withPassword(u);
    const orgId = u.actor.organisation!.organisationId;
    await expect(p.services.withdrawals.requestWithdrawal(u.actor, { amountFen: 10_001, cardId: card.id, securityPassword: '246810' })).rejects.toMatchObject({
      code: 'INSUFFICIENT_FUNDS',
    });
    const w1 = await p.services.withdrawals.requestWithdrawal(u.actor, { amountFen: 6_000, cardId: card.id, securityPassword: '246810' });
    const w2 = await p.services.withdrawals.requestWithdrawal(u.actor, { amountFen: 4_000, cardId: card.id, securityPassword: '246810' });
    expect(await p.services.ledger.walletBalances(p.db, orgId)).toMatchObject({ availableFen: 0, frozenFen: 10_000 });
    const op = await operator();
    await expect(p.services.withdrawals.reviewWithdrawal(u.actor, w1.withdrawalNo, { decision: 'approve' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await p.services.withdrawals.reviewWithdrawal(op, w1.withdrawalNo, { decision: 'approve' });
    expect(await lastSms(u.input.mobile)).toContain('¥60.00');
    await p.services.withdrawals.reviewWithdrawal(op, w2.withdrawalNo, { decision: 'reject', reason: '银行卡信息有误' });
    await expect(p.services.withdrawals.reviewWithdrawal(op, w2.withdrawalNo, { decision: 'approve' })).rejects.toMatchObject({
      code: 'WITHDRAWAL_NOT_PENDING',
    });
    expect(await p.services.ledger.walletBalances(p.db, orgId)).toMatchObject({ availableFen: 4_000, frozenFen: 0 });
    const inbox = await p.services.messages.list(u.actor.userId, { page: 1, pageSize: 5 });
    expect(inbox.items.map((m) => m.title)).toEqual(expect.arrayContaining(['提现已打款', '提现未通过']));
    expect((await p.services.ledger.check()).ok).toBe(true);
  });

  it('a resent request (same requestId) creates one withdrawal', async () => {
    const u = await funded(10_000);
    const card = await verifiedCard(u);
    await withPassword(u);
    const requestId = randomUUID();
    const a = await p.services.withdrawals.requestWithdrawal(u.actor, { amountFen: 3_000, cardId: card.id, securityPassword: '246810', requestId });
    const b = await p.services.withdrawals.requestWithdrawal(u.actor, { amountFen: 3_000, cardId: card.id, securityPassword: '246810', requestId });
    expect(b.id).toBe(a.id);
    expect((await p.services.ledger.walletBalances(p.db, u.actor.organisation!.organisationId)).frozenFen).toBe(3_000);
  });

  it('100 concurrent withdrawals against a balance covering exactly 10: 10 frozen, 90 refused clearly', async () => {
    const u = await funded(10 * 500);
    const card = await verifiedCard(u);
    await withPassword(u);
    const results = await Promise.allSettled(
      Array.from({ length: 100 }, () => p.services.withdrawals.requestWithdrawal(u.actor, { amountFen: 500, cardId: card.id, securityPassword: '246810' })),
    );
    const refused = results.filter((r) => r.status === 'rejected') as PromiseRejectedResult[];
    expect(results.length - refused.length).toBe(10);
    expect(refused.every((r) => r.reason.code === 'INSUFFICIENT_FUNDS' && r.reason.message === '余额不足')).toBe(true);
    expect(await p.services.ledger.walletBalances(p.db, u.actor.organisation!.organisationId)).toMatchObject({ availableFen: 0, frozenFen: 5_000 });
    expect((await p.services.withdrawals.listWithdrawals(u.actor)).total).toBe(10);
  }, 60_000);
});
