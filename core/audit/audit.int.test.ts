import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { and, desc, eq } from 'drizzle-orm';
import ExcelJS from 'exceljs';
import { auditLog, memberships, outbox } from '../../db/schema';
import { createTestPlatform, ManualClock } from '../testing/test-platform';
import { registerUser } from '../testing/factories';
import { GATEWAY_SECRET, signedNotice } from '../testing/mall-factories';
import { fund, operator } from '../testing/tenders-factories';
import type { Platform } from '../platform/platform';
import type { Actor } from '../shared/actor';
import { recordAudit } from './audit';
import { guardCell } from './audit.service';

let p: Platform;
let ops: Actor;
const clock = new ManualClock(new Date());
beforeAll(async () => {
  p = await createTestPlatform({ clock });
  ops = await operator(p);
});
afterAll(() => p?.close());

/** The audit rows of one target, oldest first. */
async function rowsOf(targetId: string, action?: string) {
  const rows = await p.db
    .select()
    .from(auditLog)
    .where(and(eq(auditLog.targetId, targetId), action ? eq(auditLog.action, action) : undefined))
    .orderBy(auditLog.createdAt);
  return rows;
}
async function theRow(targetId: string, action: string) {
  const rows = await rowsOf(targetId, action);
  expect(rows, `${action} on ${targetId}`).toHaveLength(1);
  return rows[0]!;
}

const LUHN_CARD = '6222021234567890128';
async function withdrawalReady(amountFen: number) {
  const u = await registerUser(p);
  await fund(p, u.actor, amountFen);
  const card = await p.services.withdrawals.addCard(u.actor, {
    accountType: 'personal',
    holderName: '张三',
    bankCode: 'ICBC',
    branch: '赣州章贡支行',
    accountNo: LUHN_CARD,
  });
  const [sms] = await p.db.select().from(outbox).where(eq(outbox.recipient, u.input.mobile)).orderBy(desc(outbox.createdAt)).limit(1);
  await p.services.withdrawals.verifyCard(u.actor, card.id, { amountFen: Number(sms!.body.match(/¥0\.(\d\d)/)![1]) });
  await p.services.withdrawals.setSecurityPassword(u.actor, { loginPassword: u.input.password, securityPassword: '246810', confirmSecurityPassword: '246810' });
  return { u, cardId: card.id };
}

describe('operator decisions write one audit row in their transaction', () => {
  it('settings change: before and after, no organisation (the platform)', async () => {
    const before = await p.services.settings.get('escrow.fee');
    await p.services.settings.update(ops, 'escrow.fee', { feeBp: 150 });
    const rows = await p.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, 'settings.update'), eq(auditLog.targetId, 'escrow.fee')))
      .orderBy(desc(auditLog.createdAt))
      .limit(1);
    expect(rows[0]).toMatchObject({ actorUserId: ops.userId, targetType: 'setting', organisationId: null, before, after: { feeBp: 150 } });
    // A refused value writes nothing.
    const count = (await rowsOf('escrow.fee')).length;
    await expect(p.services.settings.update(ops, 'escrow.fee', { feeBp: -1 })).rejects.toMatchObject({ code: 'VALIDATION' });
    expect(await rowsOf('escrow.fee')).toHaveLength(count);
  });

  it('calendar change is a settings change with before and after', async () => {
    const before = await p.services.settings.get('calendar');
    const next = { ...before, holidays: ['2027-01-01'], workdays: [] } as typeof before;
    await p.services.settings.update(ops, 'calendar', next);
    const [row] = await p.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, 'settings.update'), eq(auditLog.targetId, 'calendar')))
      .orderBy(desc(auditLog.createdAt))
      .limit(1);
    expect(row).toMatchObject({ actorUserId: ops.userId, before, after: expect.objectContaining({ holidays: ['2027-01-01'] }) });
  });

  it('account disable/enable: the user, their organisation, status before/after and the reason', async () => {
    const u = await registerUser(p);
    await p.services.organisations.adminSetUserStatus(ops, u.actor.userId, { status: 'disabled', reason: '冒用他人身份' });
    expect(await theRow(u.actor.userId, 'admin.user_disable')).toMatchObject({
      actorUserId: ops.userId,
      targetType: 'user',
      organisationId: u.actor.organisation!.organisationId,
      before: { status: 'active' },
      after: { status: 'disabled' },
      reason: '冒用他人身份',
    });
    await p.services.organisations.adminSetUserStatus(ops, u.actor.userId, { status: 'active' });
    expect(await theRow(u.actor.userId, 'admin.user_enable')).toMatchObject({ before: { status: 'disabled' }, after: { status: 'active' }, reason: null });
  });

  it('organisation disable: the organisation is the row’s organisation', async () => {
    const u = await registerUser(p);
    const orgId = u.actor.organisation!.organisationId;
    await p.services.organisations.adminSetOrganisationStatus(ops, orgId, { status: 'disabled', reason: '营业执照已吊销' });
    expect(await theRow(orgId, 'admin.organisation_disabled')).toMatchObject({
      actorUserId: ops.userId,
      organisationId: orgId,
      before: { status: 'active' },
      after: { status: 'disabled' },
      reason: '营业执照已吊销',
    });
  });

  it('online recharge credited: actor null (the platform), once however often the callback repeats', async () => {
    const u = await registerUser(p);
    const { order } = await p.services.recharges.createOnline(u.actor, { amountFen: 300_00, bankCode: 'ICBC' });
    const n = signedNotice(GATEWAY_SECRET, { orderNo: order.orderNo, amountFen: 300_00 });
    await p.services.recharges.handleNotice(n.headers, n.raw);
    await p.services.recharges.handleNotice(n.headers, n.raw);
    expect(await theRow(order.orderNo, 'wallet.recharge_credited')).toMatchObject({
      actorUserId: null,
      targetType: 'recharge_order',
      organisationId: u.actor.organisation!.organisationId,
      before: { status: 'pending' },
      after: { status: 'paid', amountFen: 300_00 },
    });
  });

  it('offline recharge confirmed and rejected by an operator', async () => {
    const u = await registerUser(p);
    const orgId = u.actor.organisation!.organisationId;
    const offline = { amountFen: 500_00, transferredAt: clock.now().toISOString(), payerName: '某公司', payerAccount: '62220212345678' };
    const a = await p.services.recharges.submitOffline(u.actor, offline);
    const b = await p.services.recharges.submitOffline(u.actor, offline);
    await p.services.recharges.reviewOffline(ops, a.orderNo, { decision: 'confirm' });
    await p.services.recharges.reviewOffline(ops, b.orderNo, { decision: 'reject', reason: '未查询到该笔来账' });
    expect(await theRow(a.orderNo, 'wallet.offline_recharge_confirmed')).toMatchObject({
      actorUserId: ops.userId,
      organisationId: orgId,
      before: { status: 'pending' },
      after: { status: 'paid', amountFen: 500_00 },
    });
    expect(await theRow(b.orderNo, 'wallet.offline_recharge_rejected')).toMatchObject({
      actorUserId: ops.userId,
      organisationId: orgId,
      after: { status: 'rejected' },
      reason: '未查询到该笔来账',
    });
    // A second decision is refused and writes nothing.
    await expect(p.services.recharges.reviewOffline(ops, a.orderNo, { decision: 'confirm' })).rejects.toMatchObject({ code: 'RECHARGE_NOT_PENDING' });
    expect(await rowsOf(a.orderNo)).toHaveLength(1);
  });

  it('withdrawal request, approval and rejection', async () => {
    const { u, cardId } = await withdrawalReady(1_000_00);
    const orgId = u.actor.organisation!.organisationId;
    const w1 = await p.services.withdrawals.requestWithdrawal(u.actor, { cardId, amountFen: 200_00, securityPassword: '246810', requestId: randomUUID() });
    const w2 = await p.services.withdrawals.requestWithdrawal(u.actor, { cardId, amountFen: 100_00, securityPassword: '246810', requestId: randomUUID() });
    expect(await theRow(w1.withdrawalNo, 'wallet.withdrawal_requested')).toMatchObject({
      actorUserId: u.actor.userId,
      organisationId: orgId,
      after: { status: 'pending', amountFen: 200_00, cardTail: '0128' },
    });
    await p.services.withdrawals.reviewWithdrawal(ops, w1.withdrawalNo, { decision: 'approve' });
    await p.services.withdrawals.reviewWithdrawal(ops, w2.withdrawalNo, { decision: 'reject', reason: '收款账户与单位名称不符' });
    expect(await theRow(w1.withdrawalNo, 'wallet.withdrawal_approved')).toMatchObject({
      actorUserId: ops.userId,
      organisationId: orgId,
      before: { status: 'pending' },
      after: { status: 'paid', amountFen: 200_00 },
    });
    expect(await theRow(w2.withdrawalNo, 'wallet.withdrawal_rejected')).toMatchObject({
      actorUserId: ops.userId,
      organisationId: orgId,
      before: { status: 'pending' },
      after: { status: 'rejected' },
      reason: '收款账户与单位名称不符',
    });
  });
});

describe('searching the audit trail', () => {
  it('operators filter by action, actor, organisation, target and time, newest first, page by page', async () => {
    const u = await registerUser(p);
    const orgId = u.actor.organisation!.organisationId;
    const marker = `t-${randomUUID()}`;
    for (let i = 0; i < 5; i++)
      await recordAudit(p.db, { actorUserId: u.actor.userId, action: 'test.step', targetType: 'probe', targetId: marker, organisationId: orgId, after: { i } });
    const first = await p.services.audit.search(ops, { targetId: marker, pageSize: 2 });
    expect(first).toMatchObject({ total: 5, page: 1, pageSize: 2 });
    const all = [];
    for (let page = 1; page <= 3; page++) all.push(...(await p.services.audit.search(ops, { targetId: marker, pageSize: 2, page })).items);
    // Newest first; rows written within the same clock tick (the embedded database's clock is coarse)
    // keep one stable order, so the pages are exactly the one-page list cut in three.
    const whole = (await p.services.audit.search(ops, { targetId: marker, pageSize: 5 })).items;
    expect(all.map((r) => r.id)).toEqual(whole.map((r) => r.id));
    expect([...all.map((r) => (r.after as { i: number }).i)].sort()).toEqual([0, 1, 2, 3, 4]);
    const times = all.map((r) => new Date(r.createdAt).getTime());
    expect(times).toEqual([...times].sort((a, b) => b - a));
    expect(all[0]).toMatchObject({ actorUsername: u.input.username, organisationName: u.input.organisationName, action: 'test.step' });
    expect((await p.services.audit.search(ops, { actor: u.input.username.toUpperCase(), action: 'test' })).total).toBe(5);
    expect((await p.services.audit.search(ops, { organisationId: orgId, action: 'test.step' })).total).toBe(5);
    expect((await p.services.audit.search(ops, { organisation: u.input.organisationName.slice(2), action: 'test.step' })).total).toBe(5);
    expect((await p.services.audit.search(ops, { organisation: '%', targetId: marker })).total).toBe(0);
    expect((await p.services.audit.search(ops, { targetId: marker, action: 'test.other' })).total).toBe(0);
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date());
    expect((await p.services.audit.search(ops, { targetId: marker, from: today, to: today })).total).toBe(5);
    expect((await p.services.audit.search(ops, { targetId: marker, to: '2000-01-01' })).total).toBe(0);
  });

  it('bad filters are refused field by field in Chinese', async () => {
    await expect(p.services.audit.search(ops, { from: '2026-13-01' })).rejects.toMatchObject({
      code: 'VALIDATION',
      fields: { from: '开始日期格式为 YYYY-MM-DD' },
    });
    await expect(p.services.audit.search(ops, { from: '2026-02-01', to: '2026-01-01' })).rejects.toMatchObject({ fields: { to: '结束日期不能早于开始日期' } });
    await expect(p.services.audit.search(ops, { pageSize: 1000 })).rejects.toMatchObject({ fields: { pageSize: '每页最多 100 条' } });
    await expect(p.services.audit.search(ops, { from: '0000-01-01' })).rejects.toMatchObject({ fields: { from: '开始日期须在 2000 年至 2099 年之间' } });
    await expect(p.services.audit.search(ops, { organisationId: 'x' })).rejects.toMatchObject({ fields: { organisationId: '组织编号格式不正确' } });
    await expect(p.services.audit.search(ops, { action: "x'; drop" })).rejects.toMatchObject({ fields: { action: expect.any(String) } });
  });

  it('an organisation’s owner sees its own rows only; members, other organisations and anonymous callers see none', async () => {
    const owner = await registerUser(p);
    const other = await registerUser(p);
    const orgId = owner.actor.organisation!.organisationId;
    await p.services.organisations.adminSetOrganisationStatus(ops, other.actor.organisation!.organisationId, { status: 'disabled', reason: '另一家' });
    await p.services.organisations.adminSetOrganisationStatus(ops, other.actor.organisation!.organisationId, { status: 'active' });
    const own = await p.services.audit.searchOwn(owner.actor, { pageSize: 100 });
    expect(own.total).toBeGreaterThan(0);
    expect(own.items.every((r) => r.organisationId === orgId)).toBe(true);
    expect(own.items.every((r) => r.ip === null)).toBe(true);
    // Asking for another organisation's rows still gives one's own.
    const sneaky = await p.services.audit.searchOwn(owner.actor, { organisationId: other.actor.organisation!.organisationId });
    expect(sneaky.items.every((r) => r.organisationId === orgId)).toBe(true);
    const otherOwn = await p.services.audit.searchOwn(other.actor, { pageSize: 100 });
    expect(otherOwn.items.some((r) => r.action === 'admin.organisation_disabled')).toBe(true);
    expect(otherOwn.items.every((r) => r.organisationId === other.actor.organisation!.organisationId)).toBe(true);
    // A plain member is refused, as are non-operators on the platform search.
    const member = await registerUser(p);
    await p.db.insert(memberships).values({ userId: member.actor.userId, organisationId: orgId, role: 'member' });
    const asMember: Actor = { ...member.actor, organisation: { ...owner.actor.organisation!, role: 'member' } };
    await expect(p.services.audit.searchOwn(asMember, {})).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(p.services.audit.search(owner.actor, {})).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(p.services.audit.search(null, {})).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    await expect(p.services.audit.exportOwn(asMember, {})).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });

  it('exports XLSX with every filtered row; cells that would run as formulas are guarded', async () => {
    const marker = `x-${randomUUID()}`;
    await recordAudit(p.db, {
      actorUserId: ops.userId,
      action: 'test.export',
      targetType: 'probe',
      targetId: marker,
      reason: '=HYPERLINK("http://evil","点我")',
    });
    await recordAudit(p.db, { actorUserId: ops.userId, action: 'test.export', targetType: 'probe', targetId: marker, reason: '@SUM(1)' });
    const file = await p.services.audit.export(ops, { targetId: marker });
    expect(file.filename).toMatch(/\.xlsx$/);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(Buffer.from(file.bytes) as never);
    const ws = wb.getWorksheet('操作记录')!;
    expect(ws.rowCount).toBe(3);
    const reasons = [ws.getRow(2).getCell(8).value, ws.getRow(3).getCell(8).value];
    expect(reasons.sort()).toEqual([`'=HYPERLINK("http://evil","点我")`, `'@SUM(1)`].sort());
    expect(ws.getRow(2).getCell(4).value).toBe(ops.username);
    for (const v of ['=1', '+1', '-1', '@a', '\t=1']) expect(guardCell(v).startsWith("'")).toBe(true);
    expect(guardCell('正常原因')).toBe('正常原因');
  });
});
