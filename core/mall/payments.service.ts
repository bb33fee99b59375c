import type { DbOrTx } from '../../db/client';
import type { MallOrderRow } from '../../db/schema';
import { recordAudit } from '../audit/audit';
import { formatFen } from '../shared/money';
import { authorize } from '../shared/access';
import { requireActor, requireOperator, type Actor } from '../shared/actor';
import { AppError } from '../shared/app-error';
import { parseInput } from '../shared/validate';
import { CORPORATE_BANKS, PERSONAL_PAY } from '../wallet/payment-gateway';
import type { GatewayNotice } from '../wallet/recharge.machine';
import { makeOrderNo } from '../wallet/recharge.machine';
import { checkPayMethod, ORDER_STATUS_LABELS, PAYMENT_WINDOW_MS, remittanceNote } from './orders.machine';
import { ordersRepo } from './orders.repo';
import { PayInput, ReviewTransferInput, TransferReceiptInput } from './orders.schema';

import { isUuid, MALL_RECEIVING_ACCOUNT, PAYMENT_PREFIX, payableOf, paymentView, type OrderCore, type OrderDeps, type Push, type Tx } from './orders.core';

/** Paying orders: online through the gateway, or a large offline transfer confirmed by an operator. */
export function createPaymentService(deps: OrderDeps, core: OrderCore) {
  const { db, clock, gateway, files, accounts, publicOrigin } = deps;
  const { buyerOf, event, notifyBuyer, runAll, markPaid, orgNames, views, scheduleOrder } = core;

  /** The unpaid orders (of those given) whose government voucher can no longer be used. */
  async function unusableCoupons(orders: MallOrderRow[], q: DbOrTx = db) {
    const port = core.coupons();
    const withCoupon = orders.filter((o) => o.status === 'pending_payment' && o.couponDiscountFen > 0);
    if (!port || !withCoupon.length) return [];
    const bad = await port.unusable(
      q,
      withCoupon.map((o) => o.id),
    );
    return withCoupon.filter((o) => bad.has(o.id));
  }
  const couponExpiredError = (o: MallOrderRow) =>
    new AppError(
      'VOUCHER_EXPIRED',
      `订单 ${o.orderNo} 使用的消费券已过期（或活动已结束），不能再按优惠价付款。请不使用消费券、按原价 ${formatFen(o.totalFen)} 付款，或取消订单后重新下单。`,
    );

  const service = {
    /**
     * Pays unpaid orders of the caller. Online (corporate banking for units, the WeChat-like page for
     * individuals): returns the gateway's URL; the signed notice marks the orders paid. Large offline
     * transfer (units, one order ≥ ¥10,000): returns the receiving account and the exact remittance
     * note; the unit then uploads its receipt for an operator.
     */
    async pay(actor: Actor | null, raw: unknown, ctx: { origin?: string } = {}) {
      const a = requireActor(actor);
      const input = parseInput(PayInput, raw);
      const buyer = await buyerOf(db, a);
      const orders = await ordersRepo.ordersOfBuyer(db, input.orderIds, a.userId);
      if (orders.length !== new Set(input.orderIds).size) throw new AppError('NOT_FOUND', '订单不存在');
      for (const o of orders)
        if (o.status !== 'pending_payment') throw new AppError('ORDER_STATUS_FORBIDS', `订单 ${o.orderNo} ${ORDER_STATUS_LABELS[o.status]}，不能支付`);
      // A unit's order is paid by someone who may pay for the unit now (a role taken away since checkout ends it).
      for (const o of orders) if (o.buyerKind === 'unit' && o.unitId) authorize(a, 'payments.make', { organisationId: o.unitId });
      checkPayMethod({ buyerKind: buyer.kind, method: input.method, orderTotalsFen: orders.map((o) => o.totalFen) });
      // A government voucher must be valid when the order is paid (docs/decisions/009): refused before the gateway.
      const expired = await unusableCoupons(orders);
      if (expired.length) throw couponExpiredError(expired[0]!);
      const bankCode = input.method === 'personal_online' ? PERSONAL_PAY.code : input.method === 'corporate_online' ? input.bankCode : undefined;
      if (input.method === 'corporate_online' && !CORPORATE_BANKS.some((b) => b.code === bankCode)) {
        throw new AppError('VALIDATION', '请选择开户银行', { bankCode: '请选择开户银行（支持 17 家银行的对公网银）' });
      }
      const amountFen = orders.reduce((s, o) => s + payableOf(o), 0);
      const payment = await ordersRepo.insertPayment(db, {
        paymentNo: makeOrderNo(PAYMENT_PREFIX, clock.now()),
        orderIds: orders.map((o) => o.id),
        payerUserId: a.userId,
        method: input.method,
        amountFen,
        bankCode,
        createdAt: clock.now(),
      });
      if (input.method === 'offline_transfer') {
        return {
          payment: paymentView(payment),
          redirectUrl: null,
          transfer: { ...MALL_RECEIVING_ACCOUNT, amountFen, note: remittanceNote(orders[0]!.orderNo) },
        };
      }
      const { redirectUrl } = await gateway.createPayment({
        orderNo: payment.paymentNo,
        amountFen,
        bankCode: bankCode!,
        // The payer comes back to the origin they paid from (`ctx.origin`, when ORIGIN is unset).
        returnUrl: `${publicOrigin(ctx.origin)}/mall/pay/result?payment=${payment.paymentNo}`,
        notifyUrl: `${publicOrigin()}/api/v1/payments/notify`,
      });
      return { payment: paymentView(payment), redirectUrl, transfer: null };
    },

    /** The gateway's verified notice for a mall payment (called by the recharge service's notice endpoint). */
    async handleNotice(tx: Tx, notice: GatewayNotice): Promise<{ outcome: string; push?: Push }> {
      const payment = await ordersRepo.lockPayment(tx, notice.orderNo);
      if (!payment) return { outcome: 'unknown_order' };
      if (payment.amountFen !== notice.amountFen) return { outcome: 'amount_mismatch' };
      if (payment.status === 'paid') return { outcome: 'duplicate' };
      if (notice.result === 'FAILED') {
        if (payment.status === 'pending') await ordersRepo.updatePayment(tx, payment.id, { status: 'failed', tradeNo: notice.tradeNo });
        return { outcome: 'failed' };
      }
      if (payment.status !== 'pending') {
        // Voided meanwhile (the order expired, was repriced or cancelled): nothing is credited; the
        // gateway returns the money to the payer.
        for (const id of payment.orderIds) await event(tx, id, 'late_payment_returned', null, { paymentNo: payment.paymentNo, amountFen: notice.amountFen });
        return { outcome: 'void_payment' };
      }
      const paid = await ordersRepo.updatePayment(tx, payment.id, { status: 'paid', paidAt: clock.now(), tradeNo: notice.tradeNo });
      const { pushes, couponExpired } = await markPaid(tx, paid!, null);
      // The coupon expired between 去支付 and the payment: that order's share goes back to the payer (the
      // gateway returns it; nothing was credited), the order waits to be paid without it or cancelled.
      for (const o of couponExpired) {
        await event(tx, o.id, 'coupon_expired_payment_returned', null, { paymentNo: payment.paymentNo, amountFen: payableOf(o) });
        pushes.push(
          await notifyBuyer(
            tx,
            o,
            '消费券已过期，订单未支付',
            `订单 ${o.orderNo} 使用的消费券在付款完成前已过期，本次支付的 ${formatFen(payableOf(o))} 将由支付渠道原路退回。请不使用消费券、按原价 ${formatFen(o.totalFen)} 付款，或取消订单后重新下单。`,
          ),
        );
      }
      // An order that closed meanwhile (expired, cancelled, or paid by another payment) is not revived.
      const orders = await ordersRepo.ordersByIds(tx, payment.orderIds);
      for (const o of orders) {
        if (couponExpired.some((x) => x.id === o.id)) continue;
        if (!(await ordersRepo.paidBy(tx, o.id, payment.paymentNo))) {
          // Nothing was credited for it in the ledger: the gateway returns the money to the payer.
          await event(tx, o.id, 'late_payment_returned', null, { paymentNo: payment.paymentNo, amountFen: payableOf(o) });
        }
      }
      await recordAudit(tx, {
        actorUserId: null,
        action: 'mall.payment_received',
        targetType: 'mall_payment',
        targetId: payment.paymentNo,
        organisationId: orders[0]?.unitId ?? null,
        before: { status: payment.status },
        after: { status: 'paid', amountFen: payment.amountFen, method: payment.method, tradeNo: notice.tradeNo, orderNos: orders.map((o) => o.orderNo) },
      });
      return { outcome: 'credited', push: () => runAll(pushes) };
    },

    /**
     * For the pay page: the caller's unpaid orders (of those given) whose government voucher can no
     * longer be used, so it can offer paying without it before the buyer tries.
     */
    async expiredCoupons(actor: Actor | null, orderIds: string[]) {
      const a = requireActor(actor);
      const ids = orderIds.filter(isUuid);
      if (!ids.length) return [];
      return (await unusableCoupons(await ordersRepo.ordersOfBuyer(db, ids, a.userId))).map((o) => o.id);
    },

    /**
     * 不使用消费券: the buyer drops the government voucher of an unpaid order (after it expired, or by
     * choice) and pays the full price. The coupon is released; pending payments of the old amount are void.
     * Errors: NOT_FOUND, ORDER_STATUS_FORBIDS (not unpaid, or without a coupon), TRANSFER_UNDER_REVIEW.
     */
    async removeCoupon(actor: Actor | null, orderId: string) {
      const a = requireActor(actor);
      const o = await db.transaction(async (tx) => {
        const o = await core.lockOrder(tx, orderId);
        if (!core.isBuyer(a, o)) throw new AppError('NOT_FOUND', '订单不存在');
        if (o.status !== 'pending_payment') throw new AppError('ORDER_STATUS_FORBIDS', `订单${ORDER_STATUS_LABELS[o.status]}，不能修改`);
        if (o.couponDiscountFen <= 0) throw new AppError('ORDER_STATUS_FORBIDS', '该订单没有使用消费券');
        if (await core.awaitingTransfer(tx, o.id)) throw new AppError('TRANSFER_UNDER_REVIEW', '转账凭证正在确认中，暂不能修改订单');
        await core.coupons()?.release(tx, o.id);
        await ordersRepo.expirePendingPayments(tx, o.id);
        const next = await ordersRepo.updateOrderIf(tx, o.id, 'pending_payment', { couponDiscountFen: 0, updatedAt: clock.now() });
        if (!next) throw new AppError('ORDER_STATUS_CHANGED', '订单状态已变化，请刷新后重试');
        await event(tx, o.id, 'coupon_removed', a.userId, { discountFen: o.couponDiscountFen, totalFen: o.totalFen });
        return next;
      });
      return (await views(db, [o]))[0]!;
    },

    async payment(actor: Actor | null, paymentNo: string) {
      const a = requireActor(actor);
      const p = await ordersRepo.findPaymentOfPayer(db, paymentNo, a.userId);
      if (!p) throw new AppError('NOT_FOUND', '支付单不存在');
      const orders = await ordersRepo.ordersByIds(db, p.orderIds);
      return { ...paymentView(p), orders: await views(db, orders) };
    },

    /** 大额支付: the unit uploads its transfer receipt; the order stops expiring while an operator checks. */
    async submitTransferReceipt(actor: Actor | null, paymentNo: string, raw: unknown) {
      const a = requireActor(actor);
      const input = parseInput(TransferReceiptInput, raw);
      let pushes: Push[] = [];
      const p = await db.transaction(async (tx) => {
        const p = await ordersRepo.lockPaymentOfPayer(tx, paymentNo, a.userId);
        if (!p || p.method !== 'offline_transfer') throw new AppError('NOT_FOUND', '支付单不存在');
        if (p.status !== 'pending' || p.receiptFileId) throw new AppError('TRANSFER_RECEIPT_SUBMITTED', '该转账已提交凭证');
        const o = await ordersRepo.lockOrder(tx, p.orderIds[0]!);
        if (!o || o.status !== 'pending_payment') throw new AppError('ORDER_STATUS_FORBIDS', '订单已不是待付款状态');
        await files.attach(tx, {
          fileIds: [input.receiptFileId],
          organisationId: a.organisation?.organisationId ?? '',
          purpose: 'mall_receipt',
          subjectId: p.id,
          field: 'receiptFileId',
        });
        const next = await ordersRepo.updatePayment(tx, p.id, { receiptFileId: input.receiptFileId, payerAccountName: input.payerAccountName });
        await ordersRepo.updateOrder(tx, o.id, { expiresAt: null, updatedAt: clock.now() });
        await event(tx, o.id, 'transfer_submitted', a.userId, { paymentNo: p.paymentNo, payerAccountName: input.payerAccountName });
        return next!;
      });
      await runAll(pushes);
      pushes = [];
      return paymentView(p);
    },

    /** Operators: large transfers waiting for confirmation, oldest first. */
    async pendingTransfers(actor: Actor | null) {
      requireOperator(actor);
      // The payers' usernames from the accounts service; a transfer whose payer is unknown is left out, as the join did.
      const found = await ordersRepo.pendingTransfers(db);
      const usernames = await accounts.usernamesOf(
        found.map((r) => r.p.payerUserId),
        db,
      );
      const rows = found.filter((r) => usernames.has(r.p.payerUserId)).map((r) => ({ ...r, buyer: usernames.get(r.p.payerUserId)! }));
      const names = await orgNames(
        db,
        rows.map((r) => r.unitId).filter((x): x is string => Boolean(x)),
      );
      // The receipt's name and type, so the console previews an image and links a PDF.
      const receipts = new Map(
        (
          await files.listAttached(
            db,
            'mall_receipt',
            rows.map((r) => r.p.id),
          )
        ).map((f) => [f.id, f]),
      );
      return rows.map((r) => {
        const f = r.p.receiptFileId ? receipts.get(r.p.receiptFileId) : undefined;
        return {
          ...paymentView(r.p),
          orderNo: r.orderNo,
          buyer: r.buyer,
          unitName: r.unitId ? (names.get(r.unitId) ?? '') : null,
          note: remittanceNote(r.orderNo),
          receiptUrl: `/api/v1/files/${r.p.receiptFileId}`,
          receipt: f ? { filename: f.filename, contentType: f.contentType, isImage: f.contentType.startsWith('image/') } : null,
        };
      });
    },

    /** An operator confirms the money arrived (the order is paid) or rejects the receipt with a reason. */
    async reviewTransfer(actor: Actor | null, paymentNo: string, raw: unknown) {
      const a = requireOperator(actor);
      const input = parseInput(ReviewTransferInput, raw);
      let pushes: Push[] = [];
      const p = await db.transaction(async (tx) => {
        const p = await ordersRepo.lockPayment(tx, paymentNo);
        if (!p || p.method !== 'offline_transfer' || !p.receiptFileId) throw new AppError('NOT_FOUND', '转账记录不存在');
        if (p.status !== 'pending') throw new AppError('TRANSFER_ALREADY_REVIEWED', '该转账已处理');
        const o = await ordersRepo.findOrder(tx, p.orderIds[0]!);
        if (input.decision === 'confirm') {
          const next = await ordersRepo.updatePayment(tx, p.id, { status: 'paid', paidAt: clock.now(), reviewedBy: a.userId });
          const marked = await markPaid(tx, next!, a.userId);
          pushes = marked.pushes;
          // Units pay large transfers and hold no personal coupons; a coupon gone meanwhile leaves the order unpaid.
          if (marked.couponExpired.length) throw couponExpiredError(marked.couponExpired[0]!);
          await recordAudit(tx, {
            actorUserId: a.userId,
            action: 'mall.transfer_confirmed',
            targetType: 'mall_payment',
            targetId: p.paymentNo,
            organisationId: o!.unitId,
            before: { status: p.status },
            after: { status: 'paid', amountFen: p.amountFen, orderNo: o!.orderNo },
          });
          pushes.push(await notifyBuyer(tx, o!, '大额支付已确认', `订单 ${o!.orderNo} 的转账已到账确认，商家将尽快发货。`));
          return next!;
        }
        const next = await ordersRepo.updatePayment(tx, p.id, { status: 'rejected', rejectReason: input.reason, reviewedBy: a.userId });
        await recordAudit(tx, {
          actorUserId: a.userId,
          action: 'mall.transfer_rejected',
          targetType: 'mall_payment',
          targetId: p.paymentNo,
          organisationId: o!.unitId,
          before: { status: p.status },
          after: { status: 'rejected', amountFen: p.amountFen, orderNo: o!.orderNo },
          reason: input.reason,
        });
        const expiresAt = new Date(clock.now().getTime() + PAYMENT_WINDOW_MS.unit);
        await ordersRepo.updateOrderIf(tx, o!.id, 'pending_payment', { expiresAt, updatedAt: clock.now() });
        await event(tx, o!.id, 'transfer_rejected', a.userId, { paymentNo, reason: input.reason });
        pushes = [await notifyBuyer(tx, o!, '大额支付未通过确认', `订单 ${o!.orderNo}：${input.reason}。请核对后重新提交，或改用对公支付。`)];
        return next!;
      });
      await runAll(pushes);
      const o = await ordersRepo.findOrder(db, p.orderIds[0]!);
      if (o) await scheduleOrder(o);
      return paymentView(p);
    },
  };

  return service;
}
