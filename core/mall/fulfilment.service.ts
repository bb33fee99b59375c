import { type MallOrderRow } from '../../db/schema';
import { recordAudit } from '../audit/audit';
import { authorize } from '../shared/access';
import { requireActor, type Actor } from '../shared/actor';
import { AppError } from '../shared/app-error';
import { formatFen } from '../shared/money';
import { parseInput } from '../shared/validate';
import { AUTO_RECEIVE_MS, checkReprice, orderTotal, orderTransition } from './orders.machine';
import { ordersRepo, type OrderScope } from './orders.repo';
import { OrderListQuery, ReasonInput, RefundDecisionInput, RepriceInput, ShipInput } from './orders.schema';

import { isUuid, EXPIRE_JOB, RECEIVE_JOB, COMPLETE_JOB, payableOf, paymentView, type OrderCore, type OrderDeps, type Push, type Tx } from './orders.core';

/** Orders after checkout: reading them, cancelling, repricing, shipping, receiving, refunds and deadlines. */
export function createFulfilmentService(deps: OrderDeps, core: OrderCore) {
  const { db, clock, ledger, jobs, accounts } = deps;

  const service = {
    async get(actor: Actor | null, id: string) {
      const a = requireActor(actor);
      if (!isUuid(id)) throw new AppError('NOT_FOUND', '订单不存在');
      const o = await ordersRepo.findOrder(db, id);
      if (!o || (!core.isBuyer(a, o) && !core.isMerchant(a, o) && !a.isOperator)) throw new AppError('NOT_FOUND', '订单不存在');
      const [v] = await core.views(db, [o]);
      const history = await ordersRepo.eventsOf(db, o.id);
      const pays = await ordersRepo.paymentsOf(db, o.id);
      return {
        ...v!,
        role: core.isMerchant(a, o) ? ('merchant' as const) : core.isBuyer(a, o) ? ('buyer' as const) : ('operator' as const),
        history,
        payments: pays.map(paymentView),
      };
    },

    /** The buyer's orders (my orders), newest first. */
    async listMine(actor: Actor | null, raw: unknown) {
      const a = requireActor(actor);
      return listWhere({ buyerUserId: a.userId }, raw);
    },

    /** The merchant's order console: list, filter, search by order number or recipient. */
    async listForMerchant(actor: Actor | null, raw: unknown) {
      const a = requireActor(actor);
      const org = a.organisation;
      if (org?.kind !== 'merchant') throw new AppError('FORBIDDEN', '只有商家可以查看订单管理');
      return listWhere({ merchantId: org.organisationId }, raw);
    },

    /** 自行采购报销: the unit's reimbursable orders (its admins only), each with the employee who paid (real name as registered). */
    async reimbursements(actor: Actor | null, raw: unknown) {
      const a = requireActor(actor);
      const org = a.organisation;
      if (org?.kind !== 'unit' && org?.kind !== 'budget_unit') throw new AppError('FORBIDDEN', '只有单位管理员可以查看报销清单');
      authorize(a, 'mall.reimbursements', { organisationId: org.organisationId });
      const list = await listWhere({ reimbursableOfUnit: org.organisationId }, raw, true);
      const ids = list.items.map((o) => o.id);
      const buyers = ids.length ? await ordersRepo.buyersOf(db, ids) : [];
      const usernames = await accounts.usernamesOf(
        buyers.map((b) => b.userId),
        db,
      );
      // Buyers whose user is gone are left out, as the join did.
      const byOrder = new Map(
        buyers.filter((b) => usernames.has(b.userId)).map((b) => [b.orderId, { realName: b.realName, username: usernames.get(b.userId)! }]),
      );
      return {
        ...list,
        items: list.items.map((o) => ({
          ...o,
          buyerName: byOrder.get(o.id)?.realName ?? byOrder.get(o.id)?.username ?? '',
          buyerUsername: byOrder.get(o.id)?.username ?? '',
        })),
      };
    },

    /** The buyer cancels an unpaid order (stock returns) or a paid, unshipped one (refunded at once). */
    async cancel(actor: Actor | null, id: string, raw: unknown) {
      const { reason } = parseInput(ReasonInput, raw);
      return act(actor, id, 'buyer', async (tx, o, a) => {
        if (await core.awaitingTransfer(tx, o.id)) throw new AppError('TRANSFER_UNDER_REVIEW', '转账凭证正在确认中，暂不能取消');
        const to = orderTransition(o.status, 'cancel');
        const figures = o.status === 'paid' ? await core.refundMoney(tx, o, `买家取消：${reason}`, a.userId) : [];
        await core.returnStock(tx, o.id);
        await core.setStatus(tx, o, to, { cancelledAt: clock.now(), cancelReason: reason, ...(to === 'refunded' ? { refundedAt: clock.now() } : {}) });
        await core.event(tx, o.id, to === 'refunded' ? 'cancelled_refunded' : 'cancelled', a.userId, { reason });
        return o.status === 'paid' ? [await core.notifyMerchant(tx, o, '订单已取消', `订单 ${o.orderNo} 已被买家取消并退款：${reason}`), ...figures] : [];
      });
    },

    /**
     * 议价: the merchant reprices an unpaid bulk order line by line, with a reason; every change is
     * kept in the order's history and the buyer is told the new total. Pending online payments of the
     * old amount are void.
     */
    async reprice(actor: Actor | null, id: string, raw: unknown) {
      const input = parseInput(RepriceInput, raw);
      return act(actor, id, 'merchant', async (tx, o, a) => {
        const lines = await ordersRepo.linesOf(tx, o.id);
        checkReprice({
          status: o.status,
          bulk: o.bulk,
          awaitingTransfer: await core.awaitingTransfer(tx, o.id),
          lineIds: lines.map((l) => l.id),
          changes: input.changes,
          reason: input.reason,
        });
        const before = o.totalFen;
        const changed = [];
        for (const c of input.changes) {
          const l = lines.find((x) => x.id === c.lineId)!;
          await ordersRepo.setLinePrice(tx, l.id, c.priceFen);
          changed.push({ lineId: l.id, name: l.name, fromFen: l.priceFen, toFen: c.priceFen });
          l.priceFen = c.priceFen;
        }
        const total = orderTotal(lines);
        await ordersRepo.updateOrder(tx, o.id, { totalFen: total, updatedAt: clock.now() });
        await ordersRepo.expirePendingPayments(tx, o.id);
        await core.event(tx, o.id, 'repriced', a.userId, { reason: input.reason, fromFen: before, toFen: total, changes: changed });
        return [
          await core.notifyBuyer(
            tx,
            o,
            '商家已修改订单价格',
            `订单 ${o.orderNo} 的价格已由 ${formatFen(before)} 改为 ${formatFen(total)}：${input.reason}。确认后即可付款。`,
          ),
        ];
      });
    },

    /** The merchant ships a paid order with carrier and tracking number. */
    async ship(actor: Actor | null, id: string, raw: unknown) {
      const input = parseInput(ShipInput, raw);
      return act(actor, id, 'merchant', async (tx, o, a) => {
        if (o.refundStatus === 'requested') throw new AppError('REFUND_REQUESTED', '买家申请了退款，请先处理退款');
        await core.setStatus(tx, o, orderTransition(o.status, 'ship'), { carrier: input.carrier, trackingNo: input.trackingNo, shippedAt: clock.now() });
        await core.event(tx, o.id, 'shipped', a.userId, input);
        return [await core.notifyBuyer(tx, o, '订单已发货', `订单 ${o.orderNo} 已由 ${input.carrier} 发出，运单号 ${input.trackingNo}。`)];
      });
    },

    /** The buyer confirms receipt; the merchant is paid 7 days later unless a refund is asked for. */
    async receive(actor: Actor | null, id: string) {
      return act(actor, id, 'buyer', async (tx, o, a) => void (await core.receiveIn(tx, o, a.userId)));
    },

    /** After payment and before completion the buyer asks for a refund with a reason; the merchant decides. */
    async requestRefund(actor: Actor | null, id: string, raw: unknown) {
      const { reason } = parseInput(ReasonInput, raw);
      return act(actor, id, 'buyer', async (tx, o, a) => {
        orderTransition(o.status, 'refund');
        if (o.refundStatus === 'requested') throw new AppError('REFUND_REQUESTED', '已申请退款，请等待商家处理');
        await ordersRepo.updateOrder(tx, o.id, { refundStatus: 'requested', refundReason: reason, statusBeforeRefund: o.status, updatedAt: clock.now() });
        await core.event(tx, o.id, 'refund_requested', a.userId, { reason });
        return [await core.notifyMerchant(tx, o, '买家申请退款', `订单 ${o.orderNo}：${reason}`)];
      });
    },

    /** The merchant approves (money back to the payer through the ledger) or declines with a reason. */
    async decideRefund(actor: Actor | null, id: string, raw: unknown) {
      const input = parseInput(RefundDecisionInput, raw);
      return act(actor, id, 'merchant', async (tx, o, a) => {
        if (o.refundStatus !== 'requested') throw new AppError('NO_REFUND_REQUEST', '该订单没有待处理的退款申请');
        if (input.decision === 'approve') {
          const figures = await core.refundMoney(tx, o, '退款', a.userId);
          if (o.status === 'paid') await core.returnStock(tx, o.id);
          await core.setStatus(tx, o, orderTransition(o.status, 'refund'), { refundStatus: 'approved', refundedAt: clock.now() });
          await core.event(tx, o.id, 'refunded', a.userId, { amountFen: payableOf(o) });
          return [await core.notifyBuyer(tx, o, '退款已同意', `订单 ${o.orderNo} 的 ${formatFen(payableOf(o))} 已原路退回。`), ...figures];
        }
        await ordersRepo.updateOrder(tx, o.id, { refundStatus: 'declined', updatedAt: clock.now() });
        await core.event(tx, o.id, 'refund_declined', a.userId, { reason: input.reason });
        return [await core.notifyBuyer(tx, o, '退款申请未通过', `订单 ${o.orderNo}：${input.reason}`)];
      });
    },

    // ── deadlines ────────────────────────────────────────────────────────────────────────────
    /** Closes an unpaid order past its payment window (stock returns). Conditional: once, on any node. */
    async expire(id: string) {
      return db.transaction(async (tx) => {
        const o = await ordersRepo.expireIfDue(tx, id, clock.now(), {
          status: 'cancelled',
          cancelledAt: clock.now(),
          cancelReason: '超时未付款，订单已关闭',
          updatedAt: clock.now(),
        });
        if (!o) return false;
        await core.returnStock(tx, o.id);
        await ordersRepo.expirePendingPayments(tx, o.id);
        await core.event(tx, o.id, 'expired', null);
        return true;
      });
    },

    /** A shipped order is deemed received 15 days after shipping. */
    async autoReceive(id: string) {
      const next = await db.transaction(async (tx) => {
        const o = await ordersRepo.lockOrder(tx, id);
        if (!o || o.status !== 'shipped' || !o.shippedAt || o.shippedAt.getTime() + AUTO_RECEIVE_MS > clock.now().getTime() || o.refundStatus === 'requested')
          return undefined;
        return core.receiveIn(tx, o, null);
      });
      if (next) await core.scheduleOrder(next);
      return Boolean(next);
    },

    /** A received order completes 7 days later: the merchant's wallet is paid from the mall's clearing account (once). */
    async complete(id: string) {
      return db.transaction(async (tx) => {
        const o = await ordersRepo.completeIfDue(tx, id, clock.now(), { status: 'completed', completedAt: clock.now(), updatedAt: clock.now() });
        if (!o) return false;
        const wallet = await ledger.ensureWallet(tx, o.merchantId);
        await ledger.transfer(tx, {
          debitAccountId: await core.heldIn(tx, o.id),
          creditAccountId: wallet.availableId,
          // A government voucher's part is paid by the campaign's settlement (voucher_redemptions).
          amountFen: payableOf(o),
          kind: 'mall_settlement',
          reference: `订单 ${o.orderNo}`,
          idempotencyKey: `mall:settle:${o.id}`,
          metadata: { orderId: o.id },
        });
        await core.event(tx, o.id, 'completed', null, { settledFen: payableOf(o) });
        await recordAudit(tx, {
          actorUserId: null,
          action: 'mall.settlement_paid',
          targetType: 'mall_order',
          targetId: o.orderNo,
          organisationId: o.merchantId,
          after: { status: 'completed', settledFen: payableOf(o) },
        });
        return true;
      });
    },

    /** The sweep and the catch-up: every order past a deadline. */
    async runDueJobs() {
      const now = clock.now();
      const due = await ordersRepo.dueOrders(db, now, AUTO_RECEIVE_MS);
      let n = 0;
      for (const d of due) {
        const ok =
          d.status === 'pending_payment' ? await service.expire(d.id) : d.status === 'shipped' ? await service.autoReceive(d.id) : await service.complete(d.id);
        if (ok) n++;
      }
      return n;
    },

    async resumeTimers() {
      await service.runDueJobs();
      const open = await ordersRepo.openOrders(db);
      // Orders whose deadlines predate the jobs table get their job; the rest already have one.
      for (const o of open) await core.scheduleOrder(o, db, true);
    },
  };

  /**
   * One action on one order by one side: lock it, check the caller is its buyer or its merchant (anyone
   * else: NOT_FOUND), run, then deliver the messages and re-arm the order's deadlines after commit.
   */
  async function act(actor: Actor | null, id: string, side: 'buyer' | 'merchant', work: (tx: Tx, o: MallOrderRow, a: Actor) => Promise<Push[] | void>) {
    const a = requireActor(actor);
    let pushes: Push[] = [];
    await db.transaction(async (tx) => {
      const o = await core.lockOrder(tx, id);
      if (side === 'buyer' ? !core.isBuyer(a, o) : !core.isMerchant(a, o)) throw new AppError('NOT_FOUND', '订单不存在');
      pushes = (await work(tx, o, a)) ?? [];
      // The next deadline commits with the change that set it.
      const after = await ordersRepo.findOrder(tx, id);
      if (after) await core.scheduleOrder(after, tx);
    });
    await core.runAll(pushes);
    return service.get(a, id);
  }

  async function listWhere(scope: OrderScope, raw: unknown, oldestFirst = false) {
    const q = parseInput(OrderListQuery, raw);
    const { rows, total } = await ordersRepo.listPage(db, scope, q, oldestFirst);
    return { items: await core.views(db, rows), total, page: q.page, pageSize: q.pageSize };
  }

  jobs.on(EXPIRE_JOB, async (job) => void (await service.expire(job.key)));
  jobs.on(RECEIVE_JOB, async (job) => void (await service.autoReceive(job.key)));
  jobs.on(COMPLETE_JOB, async (job) => void (await service.complete(job.key)));
  return service;
}
