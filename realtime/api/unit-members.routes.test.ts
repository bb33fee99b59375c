import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { and, desc, eq } from 'drizzle-orm';
import { auditLog, bankCards, memberships } from '../../db/schema';
import { latestCode } from '../../core/testing/test-platform';
import { buildMobile, buildUscc, nextIp } from '../../core/testing/factories';
import { createApiHarness, type ApiHarness } from './test-helpers';

/**
 * Issue 13 §1: a stranger who registers as an individual under a unit found by the public search
 * used to become a member of it at once and read its wallet, add a card and withdraw its money.
 * Now "works at" (statistics) is not "may act for": only the unit's approval makes a member, and
 * only owner, admin and finance may see or move money.
 */
let h: ApiHarness;
beforeAll(async () => {
  h = await createApiHarness();
});
afterAll(() => h?.close());

const LUHN_CARD = '6222021234567890128';
let seq = 0;
const name = (prefix: string) => `${prefix}${++seq}${Date.now().toString(36).slice(-4)}`;

async function code(mobile: string, ip: string) {
  const r = await h.json('POST', '/api/v1/auth/register-code', { mobile }, { ip });
  expect(r.status, r.text).toBe(200);
  return latestCode(h.platform, mobile);
}

/** A unit registered through the API, with ¥1,000.00 in its wallet and a verified corporate card. */
async function fundedUnit(fullName = `重庆测试单位${name('')}`) {
  const ip = nextIp();
  const mobile = buildMobile();
  const password = 'Bangfu2026';
  const body = {
    username: name('unit'),
    password,
    confirmPassword: password,
    agreeTerms: true,
    attributeKind: 'other',
    unitName: fullName,
    uscc: buildUscc(),
    regionCode: '500118',
    mobile,
    code: await code(mobile, ip),
  };
  const r = await h.json('POST', '/api/v1/mall/units/register', body, { ip });
  expect(r.status, r.text).toBe(201);
  const token = r.json.token as string;
  const unitId = r.json.unitId as string;
  const s = h.platform.services;
  const w = await s.ledger.ensureWallet(h.platform.db, unitId);
  await s.ledger.transfer(h.platform.db, {
    debitAccountId: await s.ledger.platformAccount('gateway_clearing'),
    creditAccountId: w.availableId,
    amountFen: 100_000,
    kind: 'recharge_online',
    reference: 'test',
    idempotencyKey: randomUUID(),
  });
  const card = await h.json(
    'POST',
    '/api/v1/wallet/cards',
    { accountType: 'corporate', holderName: fullName, bankCode: 'ICBC', branch: '永川支行', accountNo: '1234567890123' },
    { token },
  );
  expect(card.status, card.text).toBe(201);
  const [row] = await h.platform.db.select().from(bankCards).where(eq(bankCards.id, card.json.id));
  expect((await h.json('POST', `/api/v1/wallet/cards/${card.json.id}/verify`, { amountFen: row!.microDepositFen }, { token })).status).toBe(200);
  return { token, unitId, fullName, cardId: card.json.id as string };
}

/** Someone who finds the unit by the public search and registers as an individual under it, with a security password. */
async function stranger(unit: { fullName: string }) {
  const found = await h.json('GET', `/api/v1/mall/units/search?q=${encodeURIComponent(unit.fullName)}`);
  expect(found.status).toBe(200);
  const unitId = found.json[0].id as string;
  const ip = nextIp();
  const mobile = buildMobile();
  const password = 'Passw0rd1';
  const body = {
    username: name('emp'),
    mobile,
    password,
    confirmPassword: password,
    agreeTerms: true,
    realName: '陌生人',
    regionCode: '500118',
    unitId,
    code: await code(mobile, ip),
  };
  const r = await h.json('POST', '/api/v1/mall/individuals/register', body, { ip });
  expect(r.status, r.text).toBe(201);
  const token = r.json.token as string;
  const pw = await h.json(
    'PUT',
    '/api/v1/wallet/security-password',
    { loginPassword: password, securityPassword: '135790', confirmSecurityPassword: '135790' },
    { token },
  );
  expect([200, 403]).toContain(pw.status);
  return { token, userId: r.json.user.id as string, password };
}

/** Every way into the unit's money, as the given session. */
const money = (token: string, cardId: string) => ({
  balances: () => h.json('GET', '/api/v1/wallet', undefined, { token }),
  statement: () => h.json('GET', '/api/v1/wallet/statement', undefined, { token }),
  statementCsv: () => h.call('GET', '/api/v1/wallet/statement.csv', { token }),
  recharges: () => h.json('GET', '/api/v1/wallet/recharges', undefined, { token }),
  recharge: () => h.json('POST', '/api/v1/wallet/recharges/online', { amountFen: 10_000, bankCode: 'ICBC' }, { token }),
  cards: () => h.json('GET', '/api/v1/wallet/cards', undefined, { token }),
  addCard: () =>
    h.json(
      'POST',
      '/api/v1/wallet/cards',
      { accountType: 'personal', holderName: '陌生人', bankCode: 'ICBC', branch: '永川支行', accountNo: LUHN_CARD },
      { token },
    ),
  withdraw: () => h.json('POST', '/api/v1/wallet/withdrawals', { amountFen: 50_000, cardId, securityPassword: '135790', requestId: randomUUID() }, { token }),
  withdrawals: () => h.json('GET', '/api/v1/wallet/withdrawals', undefined, { token }),
});

async function expectNoMoney(token: string, cardId: string) {
  const m = money(token, cardId);
  for (const [what, call] of Object.entries(m)) {
    const r = await call();
    expect(r.status, `${what}: ${r.text}`).toBeGreaterThanOrEqual(401);
    expect(r.status, `${what}: ${r.text}`).toBeLessThan(500);
  }
}

const frozenFen = async (token: string) => (await h.json('GET', '/api/v1/wallet', undefined, { token })).json.frozenFen as number;

describe('a stranger registered under a unit (issue 13 §1)', () => {
  it('cannot read the wallet, statement, recharges or cards, add a card or withdraw; the unit’s money stays put', async () => {
    const unit = await fundedUnit();
    const s = await stranger(unit);
    await expectNoMoney(s.token, unit.cardId);
    // Refused with a Chinese message, not a silent empty list.
    const refused = await money(s.token, unit.cardId).withdraw();
    expect(refused.json.error.message).toMatch(/[\u4e00-\u9fa5]/);
    expect(await frozenFen(unit.token)).toBe(0);
    const cards = await h.platform.db.select().from(bankCards).where(eq(bankCards.organisationId, unit.unitId));
    expect(cards).toHaveLength(1);
    // The registration is still an employee for the statistics.
    expect(await h.platform.services.units.currentUnitOf(s.userId)).toBe(unit.unitId);
    const me = await h.json('GET', '/api/v1/auth/me', undefined, { token: s.token });
    expect(me.json.memberships).toEqual([]);
  });

  it('cannot see the unit’s information or its pending employees, nor approve itself', async () => {
    const unit = await fundedUnit();
    const s = await stranger(unit);
    expect((await h.json('GET', '/api/v1/mall/unit/employees', undefined, { token: s.token })).status).toBe(403);
    expect((await h.json('POST', `/api/v1/mall/unit/employees/${s.userId}/decision`, { decision: 'approve' }, { token: s.token })).status).toBe(403);
    expect((await h.json('GET', '/api/v1/mall/me/unit', undefined, { token: s.token })).status).toBe(403);
  });

  it('approved as a plain member: still no money; made finance by the owner: may see and move it', async () => {
    const unit = await fundedUnit();
    const s = await stranger(unit);
    const pending = await h.json('GET', '/api/v1/mall/unit/employees', undefined, { token: unit.token });
    expect(pending.status).toBe(200);
    expect(pending.json.map((e: { userId: string }) => e.userId)).toContain(s.userId);
    expect(pending.json.find((e: { userId: string }) => e.userId === s.userId)).toMatchObject({
      realName: '陌生人',
      status: 'pending',
      mobile: expect.stringMatching(/^\d{3}\*{4}\d{4}$/),
    });

    const approved = await h.json('POST', `/api/v1/mall/unit/employees/${s.userId}/decision`, { decision: 'approve' }, { token: unit.token });
    expect(approved.status, approved.text).toBe(200);
    expect(approved.json).toMatchObject({ userId: s.userId, status: 'approved' });
    // Told by site message; the decision is in the audit trail.
    const inbox = await h.json('GET', '/api/v1/messages', undefined, { token: s.token });
    expect(inbox.json.items[0]).toMatchObject({ title: '单位已确认您的员工身份' });
    const [audit] = await h.platform.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, 'organisation.member_approved'), eq(auditLog.targetId, s.userId)));
    expect(audit).toMatchObject({ organisationId: unit.unitId, targetType: 'user' });
    // A second decision is a conflict, not a second membership.
    expect(
      (await h.json('POST', `/api/v1/mall/unit/employees/${s.userId}/decision`, { decision: 'reject', reason: '重复审核' }, { token: unit.token })).status,
    ).toBe(409);

    const me = await h.json('GET', '/api/v1/auth/me', undefined, { token: s.token });
    expect(me.json.activeOrganisation).toMatchObject({ organisationId: unit.unitId, role: 'member' });
    await expectNoMoney(s.token, unit.cardId);
    // A plain member cannot make itself finance.
    expect((await h.json('PUT', `/api/v1/organisation/members/${s.userId}/role`, { role: 'finance' }, { token: s.token })).status).toBe(403);

    const promoted = await h.json('PUT', `/api/v1/organisation/members/${s.userId}/role`, { role: 'finance' }, { token: unit.token });
    expect(promoted.status, promoted.text).toBe(200);
    expect(promoted.json).toMatchObject({ role: 'finance', roleLabel: '财务人员' });
    const m = money(s.token, unit.cardId);
    expect((await m.balances()).json).toMatchObject({ availableFen: 100_000 });
    expect((await m.statement()).status).toBe(200);
    expect((await m.cards()).json).toHaveLength(1);
    const w = await m.withdraw();
    expect(w.status, w.text).toBe(201);
    expect(await frozenFen(unit.token)).toBe(50_000);
    const [roleAudit] = await h.platform.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, 'organisation.member_role_changed'), eq(auditLog.targetId, s.userId)));
    expect(roleAudit).toMatchObject({ before: { role: 'member' }, after: { role: 'finance' } });
  });

  it('rejected: told why, no membership; changing unit ends every power at the old one', async () => {
    const unit = await fundedUnit();
    const other = await fundedUnit();
    const s = await stranger(unit);
    const bad = await h.json('POST', `/api/v1/mall/unit/employees/${s.userId}/decision`, { decision: 'reject' }, { token: unit.token });
    expect(bad.status).toBe(400);
    expect(bad.json.error.fields.reason).toBe('请填写不通过的原因');
    const rejected = await h.json(
      'POST',
      `/api/v1/mall/unit/employees/${s.userId}/decision`,
      { decision: 'reject', reason: '查无此人' },
      { token: unit.token },
    );
    expect(rejected.status, rejected.text).toBe(200);
    expect(rejected.json).toMatchObject({ status: 'rejected', rejectReason: '查无此人' });
    const inbox = await h.json('GET', '/api/v1/messages', undefined, { token: s.token });
    expect(inbox.json.items[0].body).toContain('查无此人');
    expect(await h.platform.db.select().from(memberships).where(eq(memberships.userId, s.userId))).toEqual([]);

    // Another employee, approved and made finance, moves to another unit: powers at the first end at once.
    const t = await stranger(unit);
    await h.json('POST', `/api/v1/mall/unit/employees/${t.userId}/decision`, { decision: 'approve' }, { token: unit.token });
    await h.json('PUT', `/api/v1/organisation/members/${t.userId}/role`, { role: 'finance' }, { token: unit.token });
    expect((await money(t.token, unit.cardId).balances()).status).toBe(200);
    const moved = await h.json('PUT', '/api/v1/mall/me/profile', { unitId: other.unitId }, { token: t.token });
    expect(moved.status, moved.text).toBe(200);
    expect(moved.json.unit).toMatchObject({ id: other.unitId, status: 'pending' });
    await expectNoMoney(t.token, unit.cardId);
    await expectNoMoney(t.token, other.cardId);
    const pendingAtOther = await h.json('GET', '/api/v1/mall/unit/employees', undefined, { token: other.token });
    expect(pendingAtOther.json.map((e: { userId: string }) => e.userId)).toContain(t.userId);
    // The old unit no longer lists it, and cannot decide on it.
    expect((await h.json('POST', `/api/v1/mall/unit/employees/${t.userId}/decision`, { decision: 'approve' }, { token: unit.token })).status).toBe(404);
  });

  it('role changes: the owner’s role and one’s own stay; unknown roles and people are refused in Chinese', async () => {
    const unit = await fundedUnit();
    const s = await stranger(unit);
    await h.json('POST', `/api/v1/mall/unit/employees/${s.userId}/decision`, { decision: 'approve' }, { token: unit.token });
    const members = await h.json('GET', '/api/v1/organisation/members', undefined, { token: unit.token });
    expect(members.json.map((m: { role: string }) => m.role).sort()).toEqual(['member', 'owner']);
    const ownerId = members.json.find((m: { role: string }) => m.role === 'owner').userId as string;
    expect((await h.json('PUT', `/api/v1/organisation/members/${ownerId}/role`, { role: 'member' }, { token: unit.token })).status).toBe(403);
    const badRole = await h.json('PUT', `/api/v1/organisation/members/${s.userId}/role`, { role: 'owner' }, { token: unit.token });
    expect(badRole.status).toBe(400);
    expect(JSON.stringify(badRole.json.error)).toMatch(/角色只能是/);
    expect((await h.json('PUT', `/api/v1/organisation/members/${randomUUID()}/role`, { role: 'finance' }, { token: unit.token })).status).toBe(404);
    expect((await h.json('PUT', `/api/v1/organisation/members/not-a-uuid/role`, { role: 'finance' }, { token: unit.token })).status).toBe(404);
    expect((await h.json('POST', `/api/v1/mall/unit/employees/not-a-uuid/decision`, { decision: 'approve' }, { token: unit.token })).status).toBe(404);
    // Made admin, the employee may approve others (but not touch the owner).
    await h.json('PUT', `/api/v1/organisation/members/${s.userId}/role`, { role: 'admin' }, { token: unit.token });
    const next = await stranger(unit);
    expect((await h.json('POST', `/api/v1/mall/unit/employees/${next.userId}/decision`, { decision: 'approve' }, { token: s.token })).status).toBe(200);
    expect((await h.json('PUT', `/api/v1/organisation/members/${ownerId}/role`, { role: 'member' }, { token: s.token })).status).toBe(403);
  });

  it('auth: every route refuses without a session', async () => {
    await h.expectRefusals('signed-in', { method: 'GET', path: '/api/v1/mall/unit/employees' });
    await h.expectRefusals('signed-in', { method: 'POST', path: `/api/v1/mall/unit/employees/${randomUUID()}/decision`, body: { decision: 'approve' } });
    await h.expectRefusals('signed-in', { method: 'GET', path: '/api/v1/organisation/members' });
    await h.expectRefusals('signed-in', { method: 'PUT', path: `/api/v1/organisation/members/${randomUUID()}/role`, body: { role: 'finance' } });
  });

  it('two admins deciding the same employee at once: one decision, one membership', async () => {
    const unit = await fundedUnit();
    const s = await stranger(unit);
    const results = await Promise.all([
      h.json('POST', `/api/v1/mall/unit/employees/${s.userId}/decision`, { decision: 'approve' }, { token: unit.token }),
      h.json('POST', `/api/v1/mall/unit/employees/${s.userId}/decision`, { decision: 'reject', reason: '不是本单位员工' }, { token: unit.token }),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
    const audits = await h.platform.db.select().from(auditLog).where(eq(auditLog.targetId, s.userId)).orderBy(desc(auditLog.createdAt));
    expect(audits.filter((a) => a.action.startsWith('organisation.member_'))).toHaveLength(1);
  });
});
