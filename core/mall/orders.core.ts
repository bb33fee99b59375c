import type { Db, DbOrTx } from '../../db/client';
import { type mallOrders, type MallOrderLineRow, type MallOrderRow, type MallPaymentRow } from '../../db/schema';
import type { AccountService } from '../accounts/accounts.service';
import type { FileService } from '../files/files.service';
import type { OrganisationService } from '../organisations/organisations.service';
import type { MessageService } from '../notifications/messages.service';
import { recordAudit } from '../audit/audit';
import { can } from '../shared/access';
import { type Actor } from '../shared/actor';
import { AppError } from '../shared/app-error';
import type { Clock } from '../shared/clock';
import type { JobQueue } from '../jobs/jobs.service';
import { formatFen } from '../shared/money';
import { regionName } from '../shared/regions';
import type { Ledger } from '../wallet/ledger.service';
import { type PaymentGateway } from '../wallet/payment-gateway';
import {
  AUTO_RECEIVE_MS,
  COMPLETE_AFTER_MS,
  ORDER_STATUS_LABELS,
  orderTransition,
  PAY_METHOD_LABELS,
  remittanceNote,
  type OrderStatus,
} from './orders.machine';
import { ordersRepo } from './orders.repo';

/** Where large offline transfers go (the manual's 银联商务备付金账户). */
export const MALL_RECEIVING_ACCOUNT = {
  bank: '银联商务-备付金账户',
  accountName: '银联商务股份有限公司',
  accountNo: '215500709',
  bankNo: '991290000023',
} as const;

export interface OrderDeps {
  db: Db;
  clock: Clock;
  ledger: Ledger;
  messages: MessageService;
  gateway: PaymentGateway;
  files: FileService;
  jobs: JobQueue;
  /** Merchants' and units' names, and whether a merchant is active. */
  organisations: Pick<OrganisationService, 'namesOf' | 'summariesOf'>;
  /** Buyers' usernames. */
  accounts: Pick<AccountService, 'usernamesOf'>;
  /** See RechargeDeps.publicOrigin. */
  publicOrigin: (requestOrigin?: string) => string;
}

export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];

/** A government voucher (消费券) a buyer could apply to a mall order, as the checkout page shows it. */
export interface MallCoupon {
  id: string;
  campaignName: string;
  categoryName: string;
  thresholdFen: number;
  discountFen: number;
  validUntil: Date;
}

/**
 * The port through which the mall applies government vouchers: the mall declares it, the vouchers
 * context (listed after the mall) registers it with `orders.useCoupons(…)` in its own create. Every
 * call runs in the mall's transaction; without a registration the mall applies no coupons.
 */
export interface MallCouponPort {
  /** The buyer's best applicable coupon for a bill at this merchant organisation (null: none, or not enrolled). */
  best(q: DbOrTx, userId: string, merchantOrgId: string, billFen: number): Promise<MallCoupon | null>;
  /** Holds the best coupon for a new order; null when none applies or another order took it meanwhile. */
  reserve(tx: Tx, o: Pick<MallOrderRow, 'id' | 'orderNo' | 'buyerUserId' | 'merchantId' | 'totalFen'>): Promise<MallCoupon | null>;
  /**
   * The order's payment arrived: the coupon is used (conditional) and its value becomes owed to the
   * merchant; returns what to push after commit (the bureau's live figures). null: the coupon can no
   * longer be used (expired, its campaign ended): the order must not be paid at its discounted price.
   */
  paid(tx: Tx, orderId: string): Promise<Push | null>;
  /** The orders (of those given) whose coupon can no longer be used: expired, its campaign ended or settled. */
  unusable(q: DbOrTx, orderIds: string[]): Promise<Set<string>>;
  /** The unpaid order closed: its coupon is free again. */
  release(tx: Tx, orderId: string): Promise<void>;
  /** The paid order was refunded: the coupon stays used, its value goes back to the campaign's pool; returns what to push after commit. */
  refunded(tx: Tx, orderId: string): Promise<Push | null>;
  /** The coupon applied to each order (for views). */
  ofOrders(q: DbOrTx, orderIds: string[]): Promise<Map<string, MallCoupon>>;
}

/** What the buyer pays for an order: its total less a government voucher applied at checkout. */
export const payableOf = (o: Pick<MallOrderRow, 'totalFen' | 'couponDiscountFen'>) => o.totalFen - o.couponDiscountFen;
export type Push = () => Promise<void>;
export const PAYMENT_PREFIX = 'MP';
/** An order's deadlines are jobs (key: the order id), written with the state that sets them. */
export const EXPIRE_JOB = 'mall.order-expire';
export const RECEIVE_JOB = 'mall.order-receive';
export const COMPLETE_JOB = 'mall.order-complete';

/**
 * The one buyer rule of the mall, used by checkout, payment and the pages: acting for a unit (a mall
 * unit, or a budget unit of the quotas) in a role that may buy for it (owner, admin, finance, and a
 * budget unit's purchasers), one buys for the unit (its id is returned); anyone else (a plain member
 * too) buys as an individual (null).
 */
export function unitBoughtFor(a: Actor): string | null {
  const org = a.organisation;
  return (org?.kind === 'unit' || org?.kind === 'budget_unit') && can(a, 'mall.buy_for_unit', { organisationId: org.organisationId })
    ? org.organisationId
    : null;
}

export const isUuid = (s: string) => /^[0-9a-f-]{36}$/i.test(s);

/**
 * The pieces every part of the order lifecycle shares (cart, checkout, payments, fulfilment): the
 * buyer rule, conditional status changes, order events, stock return, refunds, notifications, views
 * and deadline scheduling.
 */
export function createOrderCore(deps: OrderDeps) {
  const { clock, ledger, messages, jobs, organisations } = deps;
  let couponPort: MallCouponPort | null = null;
  /** Registered by the vouchers context (see MallCouponPort). */
  const useCoupons = (p: MallCouponPort) => {
    couponPort = p;
  };
  const coupons = () => couponPort;

  /** Who is buying (see unitBoughtFor): the unit, or an individual counted for the unit of their profile. */
  async function buyerOf(q: DbOrTx, a: Actor) {
    const unitId = unitBoughtFor(a);
    if (unitId) return { kind: 'unit' as const, unitId, hasProfile: false };
    const p = await ordersRepo.profileOf(q, a.userId);
    return { kind: 'individual' as const, unitId: p?.unitId ?? null, hasProfile: Boolean(p) };
  }

  async function event(tx: DbOrTx, orderId: string, type: string, actorUserId: string | null, detail: Record<string, unknown> = {}) {
    await ordersRepo.insertEvent(tx, { orderId, type, actorUserId, detail, createdAt: clock.now() });
  }

  async function setStatus(tx: Tx, o: MallOrderRow, to: OrderStatus, patch: Partial<typeof mallOrders.$inferInsert> = {}) {
    const row = await ordersRepo.updateOrderIf(tx, o.id, o.status, { ...patch, status: to, updatedAt: clock.now() });
    if (!row) throw new AppError('ORDER_STATUS_CHANGED', '订单状态已变化，请刷新后重试');
    return row;
  }

  async function lockOrder(tx: Tx, id: string) {
    if (!isUuid(id)) throw new AppError('NOT_FOUND', '订单不存在');
    const o = await ordersRepo.lockOrder(tx, id);
    if (!o) throw new AppError('NOT_FOUND', '订单不存在');
    return o;
  }

  const isBuyer = (a: Actor, o: MallOrderRow) => o.buyerUserId === a.userId;
  const isMerchant = (a: Actor, o: MallOrderRow) => a.organisation?.organisationId === o.merchantId;

  async function returnStock(tx: Tx, orderId: string) {
    const lines = await ordersRepo.linesOf(tx, orderId);
    for (const l of lines) await ordersRepo.returnStock(tx, l.productId, l.quantity);
    // An unpaid order closing (cancelled, expired) frees its coupon; a paid one's stays used.
    await couponPort?.release(tx, orderId);
  }

  /**
   * Where an order's payment is held: the mall's own clearing account, or escrow for orders paid
   * before mall payments had their own account (their money is still there).
   */
  async function heldIn(tx: Tx, orderId: string) {
    return (await ledger.creditAccountOf(tx, `mall:pay:${orderId}`)) ?? (await ledger.platformAccount('mall_clearing'));
  }

  /**
   * Money back to the payer (mall clearing → the gateway's clearing account, which pays the card or
   * account back). Returns what to push after commit (the bureau's voucher figures when the order used a
   * coupon): the caller adds it to its pushes.
   */
  async function refundMoney(tx: Tx, o: MallOrderRow, why: string, actorUserId: string | null): Promise<Push[]> {
    await recordAudit(tx, {
      actorUserId,
      action: 'mall.refund_paid',
      targetType: 'mall_order',
      targetId: o.orderNo,
      organisationId: o.merchantId,
      before: { status: o.status, refundStatus: o.refundStatus },
      after: { refundedFen: payableOf(o) },
      reason: why,
    });
    await ledger.transfer(tx, {
      debitAccountId: await heldIn(tx, o.id),
      creditAccountId: await ledger.platformAccount('gateway_clearing'),
      amountFen: payableOf(o),
      kind: 'mall_refund',
      reference: `订单 ${o.orderNo} ${why}`,
      idempotencyKey: `mall:refund:${o.id}`,
      metadata: { orderId: o.id },
    });
    const figures = o.couponDiscountFen > 0 ? await couponPort?.refunded(tx, o.id) : null;
    return figures ? [figures] : [];
  }

  async function notifyBuyer(tx: Tx, o: MallOrderRow, title: string, body: string): Promise<Push> {
    return (await messages.send({ userId: o.buyerUserId, title, body, link: `/mall/orders/${o.id}`, category: 'mall' }, tx)).push;
  }
  async function notifyMerchant(tx: Tx, o: MallOrderRow, title: string, body: string): Promise<Push> {
    return (await messages.sendToOrganisation(o.merchantId, { title, body, link: `/mall/merchant/orders/${o.id}`, category: 'mall' }, tx)).push;
  }
  const runAll = async (pushes: Push[]) => {
    for (const p of pushes) await p().catch(() => undefined);
  };

  /**
   * Marks orders paid inside `tx`: money into the mall's clearing account, sold counts, deadlines;
   * returns pushes, and the orders left unpaid because their government voucher was no longer valid
   * when the payment arrived (the merchant is owed no discount for it: the payer gets that order's
   * share back, the order waits to be paid without the coupon or cancelled; see docs/decisions/009).
   */
  async function markPaid(tx: Tx, payment: MallPaymentRow, actorUserId: string | null) {
    const pushes: Push[] = [];
    const couponExpired: MallOrderRow[] = [];
    const orders = await ordersRepo.lockOrders(tx, payment.orderIds);
    for (const o of orders) {
      if (o.status !== 'pending_payment') continue; // paid by another payment, or expired: handled below
      // The coupon first: used under the same transaction, or the order is not paid by this payment.
      if (o.couponDiscountFen > 0 && couponPort) {
        const figures = await couponPort.paid(tx, o.id);
        if (!figures) {
          couponExpired.push(o);
          continue;
        }
        pushes.push(figures);
      }
      await ledger.transfer(tx, {
        debitAccountId: await ledger.platformAccount('gateway_clearing'),
        creditAccountId: await ledger.platformAccount('mall_clearing'),
        amountFen: payableOf(o),
        kind: 'mall_payment',
        reference: `订单 ${o.orderNo}`,
        idempotencyKey: `mall:pay:${o.id}`,
        metadata: { orderId: o.id, paymentNo: payment.paymentNo },
      });
      await setStatus(tx, o, orderTransition(o.status, 'pay'), { paidAt: clock.now(), payMethod: payment.method, expiresAt: null });
      const lines = await ordersRepo.linesOf(tx, o.id);
      for (const l of lines) await ordersRepo.addSold(tx, l.productId, l.quantity);
      await event(tx, o.id, 'paid', actorUserId, { paymentNo: payment.paymentNo, method: payment.method, amountFen: payableOf(o) });
      pushes.push(await notifyMerchant(tx, o, '新订单待发货', `订单 ${o.orderNo} 已付款 ${formatFen(payableOf(o))}，请尽快发货。`));
    }
    return { pushes, couponExpired };
  }

  async function lineView(q: DbOrTx, orderIds: string[]) {
    return orderIds.length ? ordersRepo.linesOfOrders(q, orderIds) : [];
  }

  const orgNames = (q: DbOrTx, ids: string[]) => organisations.namesOf(ids, q);

  function toView(o: MallOrderRow, lines: MallOrderLineRow[], names: Map<string, string>, coupon: MallCoupon | null = null) {
    return {
      id: o.id,
      orderNo: o.orderNo,
      checkoutId: o.checkoutId,
      status: o.status,
      statusLabel: o.refundStatus === 'requested' ? '退款申请中' : ORDER_STATUS_LABELS[o.status],
      buyerKind: o.buyerKind,
      unitId: o.unitId,
      unitName: o.unitId ? (names.get(o.unitId) ?? '') : null,
      merchantId: o.merchantId,
      merchantName: names.get(o.merchantId) ?? '',
      totalFen: o.totalFen,
      couponDiscountFen: o.couponDiscountFen,
      payableFen: payableOf(o),
      coupon: coupon && {
        campaignName: coupon.campaignName,
        categoryName: coupon.categoryName,
        thresholdFen: coupon.thresholdFen,
        discountFen: coupon.discountFen,
      },
      bulk: o.bulk,
      reimbursable: o.reimbursable,
      payMethod: o.payMethod,
      payMethodLabel: o.payMethod ? PAY_METHOD_LABELS[o.payMethod] : null,
      address: o.address,
      note: o.note,
      expiresAt: o.expiresAt,
      paidAt: o.paidAt,
      carrier: o.carrier,
      trackingNo: o.trackingNo,
      shippedAt: o.shippedAt,
      receivedAt: o.receivedAt,
      completesAt: o.completesAt,
      completedAt: o.completedAt,
      cancelledAt: o.cancelledAt,
      cancelReason: o.cancelReason,
      refundStatus: o.refundStatus,
      refundReason: o.refundReason,
      refundedAt: o.refundedAt,
      createdAt: o.createdAt,
      lines: lines
        .filter((l) => l.orderId === o.id)
        .map((l) => ({
          id: l.id,
          productId: l.productId,
          name: l.name,
          unit: l.unit,
          quantity: l.quantity,
          listPriceFen: l.listPriceFen,
          priceFen: l.priceFen,
          amountFen: l.priceFen * l.quantity,
          originCode: l.originCode,
          originName: regionName(l.originCode),
        })),
      remittance:
        o.status === 'pending_payment' && o.totalFen >= 1_000_000 && o.buyerKind === 'unit'
          ? { ...MALL_RECEIVING_ACCOUNT, note: remittanceNote(o.orderNo) }
          : null,
    };
  }

  async function views(q: DbOrTx, rows: MallOrderRow[]) {
    const lines = await lineView(
      q,
      rows.map((r) => r.id),
    );
    const names = await orgNames(q, [...new Set(rows.flatMap((r) => [r.merchantId, ...(r.unitId ? [r.unitId] : [])]))]);
    const applied =
      couponPort && rows.some((r) => r.couponDiscountFen > 0)
        ? await couponPort.ofOrders(
            q,
            rows.map((r) => r.id),
          )
        : new Map<string, MallCoupon>();
    return rows.map((o) => toView(o, lines, names, applied.get(o.id) ?? null));
  }

  /**
   * The job of the order's next deadline, in `q` (the transaction that changed the order, where the
   * caller has one). `onlyMissing`: leave an existing job alone (the catch-up at start).
   */
  async function scheduleOrder(o: Pick<MallOrderRow, 'id' | 'status' | 'expiresAt' | 'shippedAt' | 'completesAt'>, q: DbOrTx = deps.db, onlyMissing = false) {
    const next =
      o.status === 'pending_payment' && o.expiresAt
        ? { kind: EXPIRE_JOB, runAt: o.expiresAt }
        : o.status === 'shipped' && o.shippedAt
          ? { kind: RECEIVE_JOB, runAt: new Date(o.shippedAt.getTime() + AUTO_RECEIVE_MS) }
          : o.status === 'received' && o.completesAt
            ? { kind: COMPLETE_JOB, runAt: o.completesAt }
            : undefined;
    if (!next || (onlyMissing && (await jobs.find(next.kind, o.id)))) return;
    await jobs.schedule(q, { ...next, key: o.id });
  }
  /** A large transfer's receipt is with an operator: the order may be neither cancelled nor repriced. */
  async function awaitingTransfer(q: DbOrTx, orderId: string) {
    return ordersRepo.transferUnderReview(q, orderId);
  }

  async function receiveIn(tx: Tx, o: MallOrderRow, actorUserId: string | null) {
    const now = clock.now();
    const next = await setStatus(tx, o, orderTransition(o.status, 'receive'), { receivedAt: now, completesAt: new Date(now.getTime() + COMPLETE_AFTER_MS) });
    await event(tx, o.id, actorUserId ? 'received' : 'auto_received', actorUserId);
    return next;
  }

  return {
    useCoupons,
    coupons,
    buyerOf,
    event,
    setStatus,
    lockOrder,
    isBuyer,
    isMerchant,
    returnStock,
    heldIn,
    refundMoney,
    notifyBuyer,
    notifyMerchant,
    runAll,
    markPaid,
    orgNames,
    views,
    scheduleOrder,
    awaitingTransfer,
    receiveIn,
  };
}

export type OrderCore = ReturnType<typeof createOrderCore>;

export function paymentView(p: MallPaymentRow) {
  return {
    paymentNo: p.paymentNo,
    orderIds: p.orderIds,
    method: p.method,
    methodLabel: PAY_METHOD_LABELS[p.method],
    amountFen: p.amountFen,
    bankCode: p.bankCode,
    status: p.status,
    receiptFileId: p.receiptFileId,
    payerAccountName: p.payerAccountName,
    rejectReason: p.rejectReason,
    paidAt: p.paidAt,
    createdAt: p.createdAt,
  };
}
