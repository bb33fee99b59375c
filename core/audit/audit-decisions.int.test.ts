import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { auditLog } from '../../db/schema';
import { createTestPlatform, ManualClock } from '../testing/test-platform';
import { address, GATEWAY_SECRET, individual, merchant, product, signedNotice, unitBuyer } from '../testing/mall-factories';
import { awardedRequirement, buildRequirement, enterprise, openRequirement, operator, proposalInput, provider } from '../testing/tenders-factories';
import type { Platform } from '../platform/platform';
import type { Actor } from '../shared/actor';
import { DAY } from '../shared/clock';

// Mall, escrow and requirement decisions: each writes its audit row (who, action, organisation,
// before/after, reason) in the transaction that makes it.
let p: Platform;
const clock = new ManualClock(new Date('2026-11-23T02:00:00Z'));
let ops: Actor;
beforeAll(async () => {
  p = await createTestPlatform({ clock, env: { SESSION_IDLE_MINUTES: String(30 * 24 * 60) } });
  ops = await operator(p);
});
afterAll(() => p?.close());

async function rows(targetId: string, action: string) {
  return p.db
    .select()
    .from(auditLog)
    .where(and(eq(auditLog.targetId, targetId), eq(auditLog.action, action)));
}
async function theRow(targetId: string, action: string) {
  const found = await rows(targetId, action);
  expect(found, `${action} on ${targetId}`).toHaveLength(1);
  return found[0]!;
}
const notify = (paymentNo: string, amountFen: number) => {
  const n = signedNotice(GATEWAY_SECRET, { orderNo: paymentNo, amountFen });
  return p.services.recharges.handleNotice(n.headers, n.raw);
};

describe('mall', () => {
  it('large transfer: the operator’s rejection (with reason) and confirmation, for the paying unit', async () => {
    const orders = p.services.orders;
    const m = await merchant(p);
    const item = await product(p, m.org.id, { priceFen: 600_000 });
    const unit = await unitBuyer(p);
    const addr = await address(p, unit.actor.userId);
    const {
      orders: [big],
    } = await orders.checkout(unit.actor, { addressId: addr.id, items: [{ productId: item.id, quantity: 2 }] });
    const receipt = () => p.services.files.upload(unit.actor, { filename: '回单.png', contentType: 'image/png', bytes: new Uint8Array([137, 80, 78, 71, 1]) });
    const first = await orders.pay(unit.actor, { orderIds: [big!.id], method: 'offline_transfer' });
    await orders.submitTransferReceipt(unit.actor, first.payment.paymentNo, { receiptFileId: (await receipt()).id, payerAccountName: unit.org.fullName });
    await orders.reviewTransfer(ops, first.payment.paymentNo, { decision: 'reject', reason: '回单金额与订单不符' });
    expect(await theRow(first.payment.paymentNo, 'mall.transfer_rejected')).toMatchObject({
      actorUserId: ops.userId,
      targetType: 'mall_payment',
      organisationId: unit.org.id,
      before: { status: 'pending' },
      after: { status: 'rejected', amountFen: 1_200_000, orderNo: big!.orderNo },
      reason: '回单金额与订单不符',
    });
    const again = await orders.pay(unit.actor, { orderIds: [big!.id], method: 'offline_transfer' });
    await orders.submitTransferReceipt(unit.actor, again.payment.paymentNo, { receiptFileId: (await receipt()).id, payerAccountName: unit.org.fullName });
    await orders.reviewTransfer(ops, again.payment.paymentNo, { decision: 'confirm' });
    await expect(orders.reviewTransfer(ops, again.payment.paymentNo, { decision: 'confirm' })).rejects.toMatchObject({ code: 'TRANSFER_ALREADY_REVIEWED' });
    expect(await theRow(again.payment.paymentNo, 'mall.transfer_confirmed')).toMatchObject({
      actorUserId: ops.userId,
      organisationId: unit.org.id,
      before: { status: 'pending' },
      after: { status: 'paid', amountFen: 1_200_000 },
    });
    // The unit's owner sees both decisions on its own trail.
    const own = await p.services.audit.searchOwn(unit.actor, { action: 'mall' });
    expect(own.items.map((r) => r.action).sort()).toEqual(['mall.transfer_confirmed', 'mall.transfer_rejected']);
  });

  it('online payment (the platform), refund by the merchant, settlement (the platform)', async () => {
    const orders = p.services.orders;
    const m = await merchant(p);
    const item = await product(p, m.org.id, { priceFen: 10_000 });
    const unit = await unitBuyer(p);
    const staff = await individual(p, unit.org.id, '王五');
    const addr = await address(p, staff.actor.userId);
    const place = async () => (await orders.checkout(staff.actor, { addressId: addr.id, items: [{ productId: item.id, quantity: 1 }] })).orders[0]!;
    const paid = async (id: string) => {
      const pay = await orders.pay(staff.actor, { orderIds: [id], method: 'personal_online' });
      await notify(pay.payment.paymentNo, 10_000);
      await notify(pay.payment.paymentNo, 10_000); // a repeated callback writes nothing more
      return pay.payment.paymentNo;
    };
    const o1 = await place();
    const paymentNo = await paid(o1.id);
    expect(await theRow(paymentNo, 'mall.payment_received')).toMatchObject({
      actorUserId: null,
      organisationId: unit.org.id,
      after: { status: 'paid', amountFen: 10_000, orderNos: [o1.orderNo] },
    });

    await orders.ship(m.actor, o1.id, { carrier: '邮政', trackingNo: 'EMS123456' });
    await orders.requestRefund(staff.actor, o1.id, { reason: '收到的米有霉变' });
    await orders.decideRefund(m.actor, o1.id, { decision: 'approve' });
    expect(await theRow(o1.orderNo, 'mall.refund_paid')).toMatchObject({
      actorUserId: m.actor.userId,
      targetType: 'mall_order',
      organisationId: m.org.id,
      after: { refundedFen: 10_000 },
      reason: '退款',
    });

    const o2 = await place();
    await paid(o2.id);
    await orders.cancel(staff.actor, o2.id, { reason: '地址填错了' });
    expect(await theRow(o2.orderNo, 'mall.refund_paid')).toMatchObject({
      actorUserId: staff.actor.userId,
      organisationId: m.org.id,
      reason: '买家取消：地址填错了',
    });

    const o3 = await place();
    await paid(o3.id);
    await orders.ship(m.actor, o3.id, { carrier: '邮政', trackingNo: 'EMS123458' });
    await orders.receive(staff.actor, o3.id);
    clock.advance(8 * DAY);
    await Promise.all([orders.complete(o3.id), orders.complete(o3.id)]);
    expect(await theRow(o3.orderNo, 'mall.settlement_paid')).toMatchObject({ actorUserId: null, organisationId: m.org.id, after: { settledFen: 10_000 } });
  });

  it('product takedown and restore by an operator, with the reason, for the merchant', async () => {
    const m = await merchant(p);
    const item = await product(p, m.org.id, { imageIds: [] });
    await p.services.catalog.takeDown(ops, item.id, { reason: '缺少食品生产许可证' });
    expect(await theRow(item.id, 'mall.product_taken_down')).toMatchObject({
      actorUserId: ops.userId,
      targetType: 'product',
      organisationId: m.org.id,
      before: { status: 'listed' },
      after: { status: 'taken_down' },
      reason: '缺少食品生产许可证',
    });
    await p.services.catalog.restore(ops, item.id);
    expect(await theRow(item.id, 'mall.product_restored')).toMatchObject({ actorUserId: ops.userId, before: { status: 'taken_down' } });
    // The merchant's own unpublishing is not an operator decision.
    expect(await rows(item.id, 'mall.product_unpublished')).toHaveLength(0);
  });
});

describe('requirements and deposits', () => {
  it('deposit paid on publishing; review approve and reject (deposit refunded in full, with the reason)', async () => {
    clock.set(new Date('2026-11-23T02:00:00Z'));
    const e = await enterprise(p, 40_000);
    const orgId = e.actor.organisation!.organisationId;
    const reqs = p.services.requirements;
    const a = await reqs.saveDraft(e.actor, buildRequirement(clock.now()));
    await reqs.submit(e.actor, a.id);
    expect(await theRow(a.requirementNo, 'tenders.deposit_paid')).toMatchObject({
      actorUserId: e.actor.userId,
      organisationId: orgId,
      after: { depositStatus: 'held', depositFen: 20_000 },
    });
    const approved = await reqs.review(ops, a.id, { decision: 'approve' });
    expect(await theRow(approved.requirementNo, 'tenders.requirement_approved')).toMatchObject({
      actorUserId: ops.userId,
      targetType: 'requirement',
      organisationId: orgId,
      before: { state: 'pending_review' },
      after: { state: 'open' },
    });

    const b = await reqs.saveDraft(e.actor, buildRequirement(clock.now()));
    await reqs.submit(e.actor, b.id);
    const rejected = await reqs.review(ops, b.id, { decision: 'reject', reason: '需求描述不完整，请补充服务范围' });
    expect(await theRow(rejected.requirementNo, 'tenders.requirement_rejected')).toMatchObject({
      actorUserId: ops.userId,
      organisationId: orgId,
      reason: '需求描述不完整，请补充服务范围',
    });
    expect(await theRow(rejected.requirementNo, 'tenders.deposit_refunded')).toMatchObject({
      actorUserId: ops.userId,
      organisationId: orgId,
      before: { depositStatus: 'held', depositFen: 20_000 },
      after: { depositStatus: 'refunded', refundFen: 20_000, forfeitFen: 0 },
    });
  });
});

describe('deposit forfeit', () => {
  it('withdrawing with a bidder forfeits part of the deposit: the row names the enterprise, the amounts and the actor', async () => {
    clock.set(new Date('2026-11-23T02:00:00Z'));
    const e = await enterprise(p, 20_000);
    const r = await openRequirement(p, e.actor, ops);
    await p.services.proposals.submit((await provider(p)).actor, r.id, proposalInput());
    const out = await p.services.requirements.withdraw(e.actor, r.id);
    expect(out.forfeitFen).toBeGreaterThan(0);
    expect(await theRow(r.requirementNo, 'tenders.deposit_forfeited')).toMatchObject({
      actorUserId: e.actor.userId,
      organisationId: e.actor.organisation!.organisationId,
      before: { depositStatus: 'held', depositFen: 20_000 },
      after: { depositStatus: 'partly_refunded', forfeitFen: out.forfeitFen, refundFen: 20_000 - out.forfeitFen },
      reason: '撤销项目（1 家已报名）',
    });
  });
});

describe('escrow', () => {
  it('funding, release on acceptance and the operator’s after-sales split', async () => {
    clock.set(new Date('2026-11-23T02:00:00Z'));
    const t = await awardedRequirement(p, ops, { priceFen: 3_000_000, paymentMode: 'full_escrow', enterpriseFundsFen: 3_000_000 });
    const esc = p.services.escrow;
    const draft = {
      scope: '全年代理记账、月度纳税申报与年度汇算清缴，按月提交报表。',
      totalFen: 3_000_000,
      startDate: '2026-12-01',
      endDate: '2027-03-31',
      releaseMode: 'per_milestone',
      milestones: [
        { title: '建账与首月申报', deliverables: '账套、首月申报表', amountFen: 1_000_000, dueDate: '2026-12-31' },
        { title: '汇算清缴', deliverables: '年度汇算清缴报告', amountFen: 2_000_000, dueDate: '2027-03-31' },
      ],
    };
    const ag = await esc.saveDraft(t.pr.actor, t.r.id, draft);
    await esc.send(t.pr.actor, ag.id);
    await esc.confirm(t.e.actor, ag.id);
    const enterpriseId = t.e.actor.organisation!.organisationId;
    const { agreement } = await esc.fund(t.e.actor, ag.id);
    expect(await theRow(agreement.agreementNo, 'escrow.funded')).toMatchObject({
      actorUserId: t.e.actor.userId,
      targetType: 'agreement',
      organisationId: enterpriseId,
      after: { fundedFen: 3_000_000 },
    });
    // The deposit went back when the project started.
    expect(await theRow(t.r.requirementNo, 'tenders.deposit_refunded')).toMatchObject({ organisationId: enterpriseId, after: { refundFen: 20_000 } });

    const [m1] = agreement.milestones;
    await esc.deliver(t.pr.actor, m1!.id, { note: '首月完成' });
    await esc.accept(t.e.actor, m1!.id);
    expect(await theRow(agreement.agreementNo, 'escrow.released')).toMatchObject({
      actorUserId: t.e.actor.userId,
      organisationId: enterpriseId,
      after: { paidFen: 1_000_000 },
    });

    const c = await esc.openCase(t.e.actor, ag.id, { reason: '第二阶段报表错误较多，要求整改' });
    await esc.caseMessage(t.e.actor, c.id, {}, 'escalate').catch(async () => {
      await esc.caseMessage(t.pr.actor, c.id, { body: '已整改' }, 'respond');
      await esc.caseMessage(t.e.actor, c.id, {}, 'escalate');
    });
    await esc.decideCase(ops, c.id, { refundFen: 1_000_000, payFen: 1_000_000, reason: '第二阶段部分完成，各半处理', outcome: 'terminate' });
    const row = await theRow(c.caseNo, 'escrow.after_sales_split');
    expect(row).toMatchObject({
      actorUserId: ops.userId,
      targetType: 'after_sales_case',
      organisationId: enterpriseId,
      before: { status: 'escalated' },
      after: { status: 'decided', refundFen: 1_000_000, payFen: 1_000_000, outcome: 'terminate', agreementNo: agreement.agreementNo },
      reason: '第二阶段部分完成，各半处理',
    });
    // Another enterprise's owner cannot see any of it.
    const stranger = await enterprise(p);
    const theirs = await p.services.audit.searchOwn(stranger.actor, { targetId: c.caseNo });
    expect(theirs.total).toBe(0);
    expect((await p.services.audit.searchOwn(t.e.actor, { targetId: c.caseNo })).total).toBe(1);
  });
});
