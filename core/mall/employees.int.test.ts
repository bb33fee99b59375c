import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { bankCards, memberships, rechargeOrders } from '../../db/schema';
import { createTestPlatform, latestCode } from '../testing/test-platform';
import { buildMobile, buildUscc, nextIp } from '../testing/factories';
import type { Platform } from '../platform/platform';
import type { Actor } from '../shared/actor';

/**
 * Issue 13 §1 through the services: "works at" a unit is not "may act for" it. The wallet services
 * refuse a stranger registered under the unit, and a member approved with the plain member role;
 * finance may. Mall buying for the unit follows the same rule.
 */
let p: Platform;
beforeAll(async () => {
  p = await createTestPlatform();
});
afterAll(() => p?.close());

let seq = 0;
const name = (prefix: string) => `${prefix}${++seq}${Date.now().toString(36).slice(-4)}`;

async function codeFor(mobile: string, ip: string) {
  await p.services.accounts.sendRegisterCode({ mobile }, { ip });
  return latestCode(p, mobile);
}
const actorOf = async (token: string) => (await p.services.accounts.validateSessionToken(token))!.actor;

async function unitWithMoney() {
  const ip = nextIp();
  const mobile = buildMobile();
  const fullName = `重庆服务测试单位${name('')}`;
  const s = await p.services.units.registerUnit(
    {
      username: name('unit'),
      password: 'Bangfu2026',
      confirmPassword: 'Bangfu2026',
      agreeTerms: true,
      attributeKind: 'other',
      unitName: fullName,
      uscc: buildUscc(),
      regionCode: '500118',
      mobile,
      code: await codeFor(mobile, ip),
    },
    { ip },
  );
  const owner = await actorOf(s.token);
  const w = await p.services.ledger.ensureWallet(p.db, s.unitId);
  await p.services.ledger.transfer(p.db, {
    debitAccountId: await p.services.ledger.platformAccount('gateway_clearing'),
    creditAccountId: w.availableId,
    amountFen: 200_000,
    kind: 'recharge_online',
    reference: 'test',
    idempotencyKey: randomUUID(),
  });
  const card = await p.services.withdrawals.addCard(owner, {
    accountType: 'corporate',
    holderName: fullName,
    bankCode: 'ICBC',
    branch: '永川支行',
    accountNo: '1234567890123',
  });
  const [row] = await p.db.select().from(bankCards).where(eq(bankCards.id, card.id));
  await p.services.withdrawals.verifyCard(owner, card.id, { amountFen: row!.microDepositFen });
  const recharge = await p.services.recharges.createOnline(owner, { amountFen: 10_000, bankCode: 'ICBC' });
  return { unitId: s.unitId, owner, cardId: card.id, rechargeNo: recharge.order.orderNo };
}

async function employee(unitId: string) {
  const ip = nextIp();
  const mobile = buildMobile();
  const s = await p.services.units.registerIndividual(
    {
      username: name('emp'),
      mobile,
      password: 'Passw0rd1',
      confirmPassword: 'Passw0rd1',
      agreeTerms: true,
      realName: '王职工',
      regionCode: '500118',
      unitId,
      code: await codeFor(mobile, ip),
    },
    { ip },
  );
  const actor = await actorOf(s.token);
  await p.services.withdrawals.setSecurityPassword(actor, { loginPassword: 'Passw0rd1', securityPassword: '135790', confirmSecurityPassword: '135790' });
  return { token: s.token, actor };
}

/** Every wallet call the issue names, as this actor; each result is 'ok' or the error code. */
async function attempts(a: Actor, unit: { cardId: string; rechargeNo: string }) {
  const calls: Record<string, () => Promise<unknown>> = {
    balances: () => p.services.statements.balances(a),
    statement: () => p.services.statements.list(a, {}),
    statementCsv: () => p.services.statements.exportCsv(a, {}),
    recharges: () => p.services.recharges.list(a, {}),
    recharge: () => p.services.recharges.get(a, unit.rechargeNo),
    rechargeOnline: () => p.services.recharges.createOnline(a, { amountFen: 10_000, bankCode: 'ICBC' }),
    rechargeOffline: () =>
      p.services.recharges.submitOffline(a, {
        amountFen: 10_000,
        transferredAt: new Date().toISOString(),
        payerName: '王职工',
        payerAccount: '62220212345678',
      }),
    cards: () => p.services.withdrawals.listCards(a),
    addCard: () =>
      p.services.withdrawals.addCard(a, {
        accountType: 'personal',
        holderName: '王职工',
        bankCode: 'ICBC',
        branch: '永川支行',
        accountNo: '6222021234567890128',
      }),
    withdraw: () =>
      p.services.withdrawals.requestWithdrawal(a, { amountFen: 50_000, cardId: unit.cardId, securityPassword: '135790', requestId: randomUUID() }),
    withdrawals: () => p.services.withdrawals.listWithdrawals(a),
  };
  const out: Record<string, string> = {};
  for (const [k, run] of Object.entries(calls)) {
    out[k] = await run().then(
      () => 'ok',
      (e: { code?: string }) => e.code ?? 'ERROR',
    );
  }
  return out;
}

const ALL = [
  'balances',
  'statement',
  'statementCsv',
  'recharges',
  'recharge',
  'rechargeOnline',
  'rechargeOffline',
  'cards',
  'addCard',
  'withdraw',
  'withdrawals',
];
const everyone = (v: string) => Object.fromEntries(ALL.map((k) => [k, v]));

describe('wallet services and who may act for a unit', () => {
  it('a stranger registered under the unit: nothing (the recharge order is not even found)', async () => {
    const unit = await unitWithMoney();
    const s = await employee(unit.unitId);
    expect(s.actor.organisation).toBeUndefined();
    const got = await attempts(s.actor, unit);
    // Acting for no organisation at all: FORBIDDEN ("请先选择要代表的组织"), the order by number NOT_FOUND.
    expect(got).toEqual({ ...everyone('FORBIDDEN'), recharge: 'NOT_FOUND' });
    expect(await p.services.statements.balances(unit.owner)).toMatchObject({ availableFen: 200_000, frozenFen: 0 });
  });

  it('approved as a plain member: still nothing; as finance: everything; back to member: nothing again', async () => {
    const unit = await unitWithMoney();
    const s = await employee(unit.unitId);
    await p.services.units.decideEmployee(unit.owner, s.actor.userId, { decision: 'approve' });
    const member = await actorOf(s.token);
    expect(member.organisation).toMatchObject({ organisationId: unit.unitId, role: 'member' });
    expect(await attempts(member, unit)).toEqual({ ...everyone('FORBIDDEN'), recharge: 'NOT_FOUND' });
    await expect(p.services.withdrawals.listCards(member)).rejects.toThrow('您在');

    await p.services.units.setMemberRole(unit.owner, s.actor.userId, { role: 'finance' });
    const finance = await actorOf(s.token);
    expect(await attempts(finance, unit)).toEqual(everyone('ok'));
    expect(await p.services.statements.balances(unit.owner)).toMatchObject({ frozenFen: 50_000 });

    await p.services.units.setMemberRole(unit.owner, s.actor.userId, { role: 'member' });
    expect(await attempts(await actorOf(s.token), unit)).toEqual({ ...everyone('FORBIDDEN'), recharge: 'NOT_FOUND' });
  });

  it('after approval and a role change: owner, finance and member; the plain member still buys as an individual counted for the unit', async () => {
    const unit = await unitWithMoney();
    const f = await employee(unit.unitId);
    const m = await employee(unit.unitId);
    for (const e of [f, m]) await p.services.units.decideEmployee(unit.owner, e.actor.userId, { decision: 'approve' });
    await p.services.units.setMemberRole(unit.owner, f.actor.userId, { role: 'finance' });
    expect(await p.services.units.buyerContext(m.actor.userId)).toMatchObject({ kind: 'individual', unitId: unit.unitId });
    const rows = await p.db
      .select()
      .from(memberships)
      .where(and(eq(memberships.organisationId, unit.unitId)));
    expect(rows.map((r) => r.role).sort()).toEqual(['finance', 'member', 'owner']);
  });

  it('a rejected employee sees neither the unit’s recharge orders nor its pending employees', async () => {
    const unit = await unitWithMoney();
    const s = await employee(unit.unitId);
    await p.services.units.decideEmployee(unit.owner, s.actor.userId, { decision: 'reject', reason: '非本单位员工' });
    const [order] = await p.db.select().from(rechargeOrders).where(eq(rechargeOrders.orderNo, unit.rechargeNo));
    expect(order?.organisationId).toBe(unit.unitId);
    await expect(p.services.recharges.get(await actorOf(s.token), unit.rechargeNo)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(p.services.units.listEmployees(await actorOf(s.token))).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });
});
