import { randomUUID } from 'node:crypto';
import { and, asc, count, desc, eq, gte, ilike, inArray, isNotNull, isNull, lt, lte, or, sql, type SQL } from 'drizzle-orm';
import type { Db, DbOrTx } from '../../db/client';
import {
  addresses,
  cartItems,
  individualProfiles,
  mallOrderEvents,
  mallOrderLines,
  mallOrders,
  mallPayments,
  organisations,
  products,
  users,
  type MallOrderLineRow,
  type MallOrderRow,
  type MallPaymentRow,
} from '../../db/schema';
import type { FileService } from '../files/files.service';
import type { MessageService } from '../notifications/messages.service';
import { recordAudit } from '../audit/audit';
import { authorize, can } from '../shared/access';
import { requireActor, requireOperator, type Actor } from '../shared/actor';
import { AppError } from '../shared/app-error';
import type { Clock } from '../shared/clock';
import type { DeadlineTimer } from '../shared/deadline-timer';
import { formatFen } from '../shared/money';
import { regionName } from '../shared/regions';
import { parseInput } from '../shared/validate';
import type { Ledger } from '../wallet/ledger.service';
import { CORPORATE_BANKS, PERSONAL_PAY, type PaymentGateway } from '../wallet/payment-gateway';
import type { GatewayNotice } from '../wallet/recharge.machine';
import { makeOrderNo } from '../wallet/recharge.machine';
import {
  AUTO_RECEIVE_MS,
  checkPayMethod,
  checkReimbursable,
  checkReprice,
  COMPLETE_AFTER_MS,
  ORDER_STATUS_LABELS,
  orderTotal,
  orderTransition,
  PAY_METHOD_LABELS,
  PAYMENT_WINDOW_MS,
  remittanceNote,
  type OrderStatus,
} from './orders.machine';
import {
  AddToCartInput,
  CheckoutInput,
  OrderListQuery,
  PayInput,
  ReasonInput,
  RefundDecisionInput,
  RepriceInput,
  ReviewTransferInput,
  ShipInput,
  TransferReceiptInput,
  UpdateCartInput,
} from './orders.schema';

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
  timer: DeadlineTimer;
  /** See RechargeDeps.publicOrigin. */
  publicOrigin: (requestOrigin?: string) => string;
}

type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];
type Push = () => Promise<void>;
const PAYMENT_PREFIX = 'MP';
const EXPIRE_TIMER = 'order-expire';
const RECEIVE_TIMER = 'order-receive';
const COMPLETE_TIMER = 'order-complete';

const isUuid = (s: string) => /^[0-9a-f-]{36}$/i.test(s);

/**
 * Cart, checkout and orders of the mall. Stock is reserved by a conditional update when an order is
 * created (never below zero, however many buyers race) and returned when an unpaid order is
 * cancelled or expires. Money: the gateway's payment lands in the mall's own clearing account
 * (mall_payment; tender escrow stays apart, so the escrow check sees only milestones); the merchant is
 * paid when the order completes (mall_settlement); refunds go back out (mall_refund). Every state
 * change is a conditional update checked by the order machine inside its transaction.
 */
export function createOrderService(deps: OrderDeps) {
  const { db, clock, ledger, messages, gateway, files, timer, publicOrigin } = deps;

  /**
   * Who is buying: acting for a unit in a role that may buy for it (owner, admin, finance) buys for
   * the unit; anyone else (a plain member too) as an individual, counted for the unit of their profile.
   */
  async function buyerOf(q: DbOrTx, a: Actor) {
    const org = a.organisation;
    if (org?.kind === 'unit' && can(a, 'mall.buy_for_unit', { organisationId: org.organisationId })) return { kind: 'unit' as const, unitId: org.organisationId };
    const [p] = await q.select({ unitId: individualProfiles.unitId }).from(individualProfiles).where(eq(individualProfiles.userId, a.userId));
    return { kind: 'individual' as const, unitId: p?.unitId ?? null };
  }

  async function event(tx: DbOrTx, orderId: string, type: string, actorUserId: string | null, detail: Record<string, unknown> = {}) {
    await tx.insert(mallOrderEvents).values({ orderId, type, actorUserId, detail, createdAt: clock.now() });
  }

  async function setStatus(tx: Tx, o: MallOrderRow, to: OrderStatus, patch: Partial<typeof mallOrders.$inferInsert> = {}) {
    const [row] = await tx
      .update(mallOrders)
      .set({ ...patch, status: to, updatedAt: clock.now() })
      .where(and(eq(mallOrders.id, o.id), eq(mallOrders.status, o.status)))
      .returning();
    if (!row) throw new AppError('CONFLICT', '订单状态已变化，请刷新后重试');
    return row;
  }

  async function lockOrder(tx: Tx, id: string) {
    if (!isUuid(id)) throw new AppError('NOT_FOUND', '订单不存在');
    const [o] = await tx.select().from(mallOrders).where(eq(mallOrders.id, id)).for('update');
    if (!o) throw new AppError('NOT_FOUND', '订单不存在');
    return o;
  }

  const isBuyer = (a: Actor, o: MallOrderRow) => o.buyerUserId === a.userId;
  const isMerchant = (a: Actor, o: MallOrderRow) => a.organisation?.organisationId === o.merchantId;

  async function returnStock(tx: Tx, orderId: string) {
    const lines = await tx.select().from(mallOrderLines).where(eq(mallOrderLines.orderId, orderId));
    for (const l of lines) await tx.update(products).set({ stock: sql`${products.stock} + ${l.quantity}` }).where(eq(products.id, l.productId));
  }

  /**
   * Where an order's payment is held: the mall's own clearing account, or escrow for orders paid
   * before mall payments had their own account (their money is still there).
   */
  async function heldIn(tx: Tx, orderId: string) {
    return (await ledger.creditAccountOf(tx, `mall:pay:${orderId}`)) ?? (await ledger.platformAccount('mall_clearing'));
  }

  /** Money back to the payer (mall clearing → the gateway's clearing account, which pays the card or account back). */
  async function refundMoney(tx: Tx, o: MallOrderRow, why: string, actorUserId: string | null) {
    await recordAudit(tx, {
      actorUserId,
      action: 'mall.refund_paid',
      targetType: 'mall_order',
      targetId: o.orderNo,
      organisationId: o.merchantId,
      before: { status: o.status, refundStatus: o.refundStatus },
      after: { refundedFen: o.totalFen },
      reason: why,
    });
    await ledger.transfer(tx, {
      debitAccountId: await heldIn(tx, o.id),
      creditAccountId: await ledger.platformAccount('gateway_clearing'),
      amountFen: o.totalFen,
      kind: 'mall_refund',
      reference: `订单 ${o.orderNo} ${why}`,
      idempotencyKey: `mall:refund:${o.id}`,
      metadata: { orderId: o.id },
    });
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

  /** Marks orders paid inside `tx`: money into the mall's clearing account, sold counts, deadlines; returns pushes. */
  async function markPaid(tx: Tx, payment: MallPaymentRow, actorUserId: string | null) {
    const pushes: Push[] = [];
    const orders = await tx.select().from(mallOrders).where(inArray(mallOrders.id, payment.orderIds)).for('update');
    for (const o of orders) {
      if (o.status !== 'pending_payment') continue; // paid by another payment, or expired: handled below
      await ledger.transfer(tx, {
        debitAccountId: await ledger.platformAccount('gateway_clearing'),
        creditAccountId: await ledger.platformAccount('mall_clearing'),
        amountFen: o.totalFen,
        kind: 'mall_payment',
        reference: `订单 ${o.orderNo}`,
        idempotencyKey: `mall:pay:${o.id}`,
        metadata: { orderId: o.id, paymentNo: payment.paymentNo },
      });
      await setStatus(tx, o, orderTransition(o.status, 'pay'), { paidAt: clock.now(), payMethod: payment.method, expiresAt: null });
      const lines = await tx.select().from(mallOrderLines).where(eq(mallOrderLines.orderId, o.id));
      for (const l of lines) await tx.update(products).set({ sold: sql`${products.sold} + ${l.quantity}` }).where(eq(products.id, l.productId));
      await event(tx, o.id, 'paid', actorUserId, { paymentNo: payment.paymentNo, method: payment.method, amountFen: o.totalFen });
      pushes.push(await notifyMerchant(tx, o, '新订单待发货', `订单 ${o.orderNo} 已付款 ${formatFen(o.totalFen)}，请尽快发货。`));
    }
    return pushes;
  }

  async function lineView(q: DbOrTx, orderIds: string[]) {
    return orderIds.length ? q.select().from(mallOrderLines).where(inArray(mallOrderLines.orderId, orderIds)).orderBy(asc(mallOrderLines.name)) : [];
  }

  async function orgNames(q: DbOrTx, ids: string[]) {
    const rows = ids.length ? await q.select({ id: organisations.id, n: organisations.fullName }).from(organisations).where(inArray(organisations.id, ids)) : [];
    return new Map(rows.map((r) => [r.id, r.n]));
  }

  function toView(o: MallOrderRow, lines: MallOrderLineRow[], names: Map<string, string>) {
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
        .map((l) => ({ id: l.id, productId: l.productId, name: l.name, unit: l.unit, quantity: l.quantity, listPriceFen: l.listPriceFen, priceFen: l.priceFen, amountFen: l.priceFen * l.quantity, originCode: l.originCode, originName: regionName(l.originCode) })),
      remittance: o.status === 'pending_payment' && o.totalFen >= 1_000_000 && o.buyerKind === 'unit' ? { ...MALL_RECEIVING_ACCOUNT, note: remittanceNote(o.orderNo) } : null,
    };
  }

  async function views(q: DbOrTx, rows: MallOrderRow[]) {
    const lines = await lineView(q, rows.map((r) => r.id));
    const names = await orgNames(q, [...new Set(rows.flatMap((r) => [r.merchantId, ...(r.unitId ? [r.unitId] : [])]))]);
    return rows.map((o) => toView(o, lines, names));
  }

  async function scheduleOrder(o: Pick<MallOrderRow, 'id' | 'status' | 'expiresAt' | 'shippedAt' | 'completesAt'>) {
    if (o.status === 'pending_payment' && o.expiresAt) await timer.schedule(`${EXPIRE_TIMER}:${o.id}`, o.expiresAt);
    if (o.status === 'shipped' && o.shippedAt) await timer.schedule(`${RECEIVE_TIMER}:${o.id}`, new Date(o.shippedAt.getTime() + AUTO_RECEIVE_MS));
    if (o.status === 'received' && o.completesAt) await timer.schedule(`${COMPLETE_TIMER}:${o.id}`, o.completesAt);
  }

  const service = {
    corporateBanks: () => CORPORATE_BANKS.map((b) => ({ ...b })),
    receivingAccount: () => ({ ...MALL_RECEIVING_ACCOUNT }),

    // ── cart ─────────────────────────────────────────────────────────────────────────────────
    async cart(actor: Actor | null) {
      const a = requireActor(actor);
      const rows = await db
        .select({ item: cartItems, p: products, merchant: organisations.fullName })
        .from(cartItems)
        .innerJoin(products, eq(products.id, cartItems.productId))
        .innerJoin(organisations, eq(organisations.id, products.merchantId))
        .where(eq(cartItems.userId, a.userId))
        .orderBy(asc(organisations.fullName), desc(cartItems.addedAt));
      const groups = new Map<string, { merchantId: string; merchantName: string; items: unknown[]; selectedTotalFen: number }>();
      for (const { item, p, merchant } of rows) {
        const g = groups.get(p.merchantId) ?? { merchantId: p.merchantId, merchantName: merchant, items: [], selectedTotalFen: 0 };
        const available = p.status === 'listed';
        g.items.push({
          productId: p.id,
          name: p.name,
          unit: p.unit,
          priceFen: p.priceFen,
          quantity: item.quantity,
          selected: item.selected,
          stock: p.stock,
          available,
          problem: !available ? '商品已下架' : p.stock < item.quantity ? `库存仅剩 ${p.stock}` : null,
          imageId: p.imageIds[0] ?? null,
          amountFen: p.priceFen * item.quantity,
        });
        if (item.selected && available) g.selectedTotalFen += p.priceFen * item.quantity;
        groups.set(p.merchantId, g);
      }
      const list = [...groups.values()];
      return { groups: list, selectedTotalFen: list.reduce((s, g) => s + g.selectedTotalFen, 0), count: rows.length };
    },

    async addToCart(actor: Actor | null, raw: unknown) {
      const a = requireActor(actor);
      const input = parseInput(AddToCartInput, raw);
      const [p] = await db.select().from(products).where(eq(products.id, input.productId));
      if (!p || p.status !== 'listed') throw new AppError('NOT_FOUND', '商品不存在或已下架');
      await db
        .insert(cartItems)
        .values({ userId: a.userId, productId: p.id, quantity: Math.min(input.quantity, 9999) })
        .onConflictDoUpdate({ target: [cartItems.userId, cartItems.productId], set: { quantity: sql`least(${cartItems.quantity} + ${input.quantity}, 9999)`, selected: true } });
      return service.cart(a);
    },

    async updateCart(actor: Actor | null, productId: string, raw: unknown) {
      const a = requireActor(actor);
      const input = parseInput(UpdateCartInput, raw);
      if (!isUuid(productId)) throw new AppError('NOT_FOUND', '购物车中没有该商品');
      const changes = { ...(input.quantity !== undefined ? { quantity: input.quantity } : {}), ...(input.selected !== undefined ? { selected: input.selected } : {}) };
      if (Object.keys(changes).length === 0) throw new AppError('VALIDATION', '没有要修改的内容');
      const [row] = await db
        .update(cartItems)
        .set(changes)
        .where(and(eq(cartItems.userId, a.userId), eq(cartItems.productId, productId)))
        .returning();
      if (!row) throw new AppError('NOT_FOUND', '购物车中没有该商品');
      return service.cart(a);
    },

    async removeFromCart(actor: Actor | null, productId: string) {
      const a = requireActor(actor);
      if (isUuid(productId)) await db.delete(cartItems).where(and(eq(cartItems.userId, a.userId), eq(cartItems.productId, productId)));
      return service.cart(a);
    },

    // ── checkout ─────────────────────────────────────────────────────────────────────────────
    /**
     * Places one order per merchant from the selected cart lines (or the given items), reserving
     * stock with conditional updates: all lines or none. Errors: OUT_OF_STOCK (naming the product;
     * nothing is reserved), NOT_FOUND (an address or product that is not there), VALIDATION
     * (reimbursement rules).
     */
    async checkout(actor: Actor | null, raw: unknown) {
      const a = requireActor(actor);
      const input = parseInput(CheckoutInput, raw);
      const buyer = await buyerOf(db, a);
      if (input.bulk && buyer.kind !== 'unit') throw new AppError('VALIDATION', '议价采购须由单位账号下单', { bulk: '议价采购须由单位账号下单' });
      const [addr] = await db.select().from(addresses).where(and(eq(addresses.id, input.addressId), eq(addresses.userId, a.userId)));
      if (!addr) throw new AppError('VALIDATION', '请选择收货地址', { addressId: '请选择收货地址' });
      if (input.items && !input.items.length) throw new AppError('VALIDATION', '请选择要购买的商品', { items: '请选择要购买的商品' });
      const now = clock.now();
      const checkoutId = randomUUID();
      const created = await db.transaction(async (tx) => {
        // The cart is read and cleared inside this transaction under a per-buyer lock: a second
        // checkout of the same cart waits here, then finds the lines gone and places nothing.
        await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`cart:${a.userId}`}, 0))`);
        const items =
          input.items ??
          (await tx
            .select({ productId: cartItems.productId, quantity: cartItems.quantity })
            .from(cartItems)
            .where(and(eq(cartItems.userId, a.userId), eq(cartItems.selected, true)))
            .for('update'));
        if (!items.length) throw new AppError('VALIDATION', '请选择要购买的商品', { items: '请选择要购买的商品' });
        const byMerchant = new Map<string, { p: typeof products.$inferSelect; quantity: number }[]>();
        // Lock in a fixed order so two checkouts of the same products cannot deadlock.
        for (const it of [...items].sort((x, y) => x.productId.localeCompare(y.productId))) {
          const [p] = await tx
            .update(products)
            .set({ stock: sql`${products.stock} - ${it.quantity}` })
            .where(and(eq(products.id, it.productId), eq(products.status, 'listed'), gte(products.stock, it.quantity)))
            .returning();
          if (!p) {
            const [has] = await tx.select({ name: products.name, stock: products.stock, status: products.status }).from(products).where(eq(products.id, it.productId));
            if (!has || has.status !== 'listed') throw new AppError('NOT_FOUND', '商品不存在或已下架');
            throw new AppError('OUT_OF_STOCK', `「${has.name}」库存不足（仅剩 ${has.stock}）`, { items: `「${has.name}」库存不足（仅剩 ${has.stock}）` });
          }
          byMerchant.set(p.merchantId, [...(byMerchant.get(p.merchantId) ?? []), { p, quantity: it.quantity }]);
        }
        const totals = [...byMerchant.values()].map((ls) => orderTotal(ls.map((l) => ({ priceFen: l.p.priceFen, quantity: l.quantity }))));
        if (input.reimbursable) checkReimbursable({ unitId: buyer.unitId, orderTotalsFen: totals });
        const window = buyer.kind === 'individual' ? PAYMENT_WINDOW_MS.individual : input.bulk ? PAYMENT_WINDOW_MS.bulk : PAYMENT_WINDOW_MS.unit;
        const orders: MallOrderRow[] = [];
        for (const [merchantId, ls] of byMerchant) {
          const [o] = await tx
            .insert(mallOrders)
            .values({
              orderNo: makeOrderNo('MO', now),
              checkoutId,
              buyerUserId: a.userId,
              buyerKind: buyer.kind,
              unitId: buyer.unitId,
              merchantId,
              totalFen: orderTotal(ls.map((l) => ({ priceFen: l.p.priceFen, quantity: l.quantity }))),
              bulk: input.bulk,
              reimbursable: input.reimbursable,
              address: { recipient: addr.recipient, mobile: addr.mobile, regionCode: addr.regionCode, regionName: regionName(addr.regionCode), detail: addr.detail },
              note: input.note,
              expiresAt: new Date(now.getTime() + window),
              createdAt: now,
              updatedAt: now,
            })
            .returning();
          await tx.insert(mallOrderLines).values(
            ls.map((l) => ({ orderId: o!.id, productId: l.p.id, name: l.p.name, unit: l.p.unit, categoryCode: l.p.categoryCode, originCode: l.p.originCode, quantity: l.quantity, listPriceFen: l.p.priceFen, priceFen: l.p.priceFen })),
          );
          await event(tx, o!.id, 'created', a.userId, { bulk: input.bulk, reimbursable: input.reimbursable });
          orders.push(o!);
        }
        if (!input.items) {
          await tx.delete(cartItems).where(and(eq(cartItems.userId, a.userId), inArray(cartItems.productId, items.map((i) => i.productId))));
        }
        return orders;
      });
      for (const o of created) await scheduleOrder(o);
      if (input.bulk) {
        for (const o of created) {
          await messages.sendToOrganisation(o.merchantId, { title: '单位申请议价', body: `订单 ${o.orderNo}（${formatFen(o.totalFen)}）的单位买家申请议价，请在订单中修改价格。`, link: `/mall/merchant/orders/${o.id}`, category: 'mall' });
        }
      }
      return { checkoutId, orders: await views(db, created) };
    },

    // ── payment ──────────────────────────────────────────────────────────────────────────────
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
      const orders = await db.select().from(mallOrders).where(and(inArray(mallOrders.id, input.orderIds), eq(mallOrders.buyerUserId, a.userId)));
      if (orders.length !== new Set(input.orderIds).size) throw new AppError('NOT_FOUND', '订单不存在');
      for (const o of orders) if (o.status !== 'pending_payment') throw new AppError('INVALID_TRANSITION', `订单 ${o.orderNo} ${ORDER_STATUS_LABELS[o.status]}，不能支付`);
      // A unit's order is paid by someone who may pay for the unit now (a role taken away since checkout ends it).
      for (const o of orders) if (o.buyerKind === 'unit' && o.unitId) authorize(a, 'payments.make', { organisationId: o.unitId });
      checkPayMethod({ buyerKind: buyer.kind, method: input.method, orderTotalsFen: orders.map((o) => o.totalFen) });
      const bankCode = input.method === 'personal_online' ? PERSONAL_PAY.code : input.method === 'corporate_online' ? input.bankCode : undefined;
      if (input.method === 'corporate_online' && !CORPORATE_BANKS.some((b) => b.code === bankCode)) {
        throw new AppError('VALIDATION', '请选择开户银行', { bankCode: '请选择开户银行（支持 17 家银行的对公网银）' });
      }
      const amountFen = orders.reduce((s, o) => s + o.totalFen, 0);
      const [payment] = await db
        .insert(mallPayments)
        .values({ paymentNo: makeOrderNo(PAYMENT_PREFIX, clock.now()), orderIds: orders.map((o) => o.id), payerUserId: a.userId, method: input.method, amountFen, bankCode, createdAt: clock.now() })
        .returning();
      if (input.method === 'offline_transfer') {
        return { payment: paymentView(payment!), redirectUrl: null, transfer: { ...MALL_RECEIVING_ACCOUNT, amountFen, note: remittanceNote(orders[0]!.orderNo) } };
      }
      const { redirectUrl } = await gateway.createPayment({
        orderNo: payment!.paymentNo,
        amountFen,
        bankCode: bankCode!,
        // The payer comes back to the origin they paid from (`ctx.origin`, when ORIGIN is unset).
        returnUrl: `${publicOrigin(ctx.origin)}/mall/pay/result?payment=${payment!.paymentNo}`,
        notifyUrl: `${publicOrigin()}/api/v1/payments/notify`,
      });
      return { payment: paymentView(payment!), redirectUrl, transfer: null };
    },

    /** The gateway's verified notice for a mall payment (called by the recharge service's notice endpoint). */
    async handleNotice(tx: Tx, notice: GatewayNotice): Promise<{ outcome: string; push?: Push }> {
      const [payment] = await tx.select().from(mallPayments).where(eq(mallPayments.paymentNo, notice.orderNo)).for('update');
      if (!payment) return { outcome: 'unknown_order' };
      if (payment.amountFen !== notice.amountFen) return { outcome: 'amount_mismatch' };
      if (payment.status === 'paid') return { outcome: 'duplicate' };
      if (notice.result === 'FAILED') {
        if (payment.status === 'pending') await tx.update(mallPayments).set({ status: 'failed', tradeNo: notice.tradeNo }).where(eq(mallPayments.id, payment.id));
        return { outcome: 'failed' };
      }
      if (payment.status !== 'pending') {
        // Voided meanwhile (the order expired, was repriced or cancelled): nothing is credited; the
        // gateway returns the money to the payer.
        for (const id of payment.orderIds) await event(tx, id, 'late_payment_returned', null, { paymentNo: payment.paymentNo, amountFen: notice.amountFen });
        return { outcome: 'void_payment' };
      }
      const [paid] = await tx.update(mallPayments).set({ status: 'paid', paidAt: clock.now(), tradeNo: notice.tradeNo }).where(eq(mallPayments.id, payment.id)).returning();
      const pushes = await markPaid(tx, paid!, null);
      // An order that closed meanwhile (expired, cancelled, or paid by another payment) is not revived.
      const orders = await tx.select().from(mallOrders).where(inArray(mallOrders.id, payment.orderIds));
      for (const o of orders) {
        const [mine] = await tx.select({ id: mallOrderEvents.id }).from(mallOrderEvents).where(and(eq(mallOrderEvents.orderId, o.id), eq(mallOrderEvents.type, 'paid'), sql`${mallOrderEvents.detail}->>'paymentNo' = ${payment.paymentNo}`));
        if (!mine) {
          // Nothing was credited for it in the ledger: the gateway returns the money to the payer.
          await event(tx, o.id, 'late_payment_returned', null, { paymentNo: payment.paymentNo, amountFen: o.totalFen });
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

    async payment(actor: Actor | null, paymentNo: string) {
      const a = requireActor(actor);
      const [p] = await db.select().from(mallPayments).where(and(eq(mallPayments.paymentNo, paymentNo), eq(mallPayments.payerUserId, a.userId)));
      if (!p) throw new AppError('NOT_FOUND', '支付单不存在');
      const orders = await db.select().from(mallOrders).where(inArray(mallOrders.id, p.orderIds));
      return { ...paymentView(p), orders: await views(db, orders) };
    },

    /** 大额支付: the unit uploads its transfer receipt; the order stops expiring while an operator checks. */
    async submitTransferReceipt(actor: Actor | null, paymentNo: string, raw: unknown) {
      const a = requireActor(actor);
      const input = parseInput(TransferReceiptInput, raw);
      let pushes: Push[] = [];
      const p = await db.transaction(async (tx) => {
        const [p] = await tx.select().from(mallPayments).where(and(eq(mallPayments.paymentNo, paymentNo), eq(mallPayments.payerUserId, a.userId))).for('update');
        if (!p || p.method !== 'offline_transfer') throw new AppError('NOT_FOUND', '支付单不存在');
        if (p.status !== 'pending' || p.receiptFileId) throw new AppError('INVALID_TRANSITION', '该转账已提交凭证');
        const [o] = await tx.select().from(mallOrders).where(eq(mallOrders.id, p.orderIds[0]!)).for('update');
        if (!o || o.status !== 'pending_payment') throw new AppError('INVALID_TRANSITION', '订单已不是待付款状态');
        await files.attach(tx, { fileIds: [input.receiptFileId], organisationId: a.organisation?.organisationId ?? '', purpose: 'mall_receipt', subjectId: p.id, field: 'receiptFileId' });
        const [next] = await tx.update(mallPayments).set({ receiptFileId: input.receiptFileId, payerAccountName: input.payerAccountName }).where(eq(mallPayments.id, p.id)).returning();
        await tx.update(mallOrders).set({ expiresAt: null, updatedAt: clock.now() }).where(eq(mallOrders.id, o.id));
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
      const rows = await db
        .select({ p: mallPayments, orderNo: mallOrders.orderNo, buyer: users.username, unitId: mallOrders.unitId })
        .from(mallPayments)
        .innerJoin(mallOrders, sql`${mallOrders.id} = ${mallPayments.orderIds}[1]`)
        .innerJoin(users, eq(users.id, mallPayments.payerUserId))
        .where(and(eq(mallPayments.method, 'offline_transfer'), eq(mallPayments.status, 'pending'), isNotNull(mallPayments.receiptFileId)))
        .orderBy(asc(mallPayments.createdAt));
      const names = await orgNames(db, rows.map((r) => r.unitId).filter((x): x is string => Boolean(x)));
      // The receipt's name and type, so the console previews an image and links a PDF.
      const receipts = new Map((await files.listAttached(db, 'mall_receipt', rows.map((r) => r.p.id))).map((f) => [f.id, f]));
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
        const [p] = await tx.select().from(mallPayments).where(eq(mallPayments.paymentNo, paymentNo)).for('update');
        if (!p || p.method !== 'offline_transfer' || !p.receiptFileId) throw new AppError('NOT_FOUND', '转账记录不存在');
        if (p.status !== 'pending') throw new AppError('INVALID_TRANSITION', '该转账已处理');
        const [o] = await tx.select().from(mallOrders).where(eq(mallOrders.id, p.orderIds[0]!));
        if (input.decision === 'confirm') {
          const [next] = await tx.update(mallPayments).set({ status: 'paid', paidAt: clock.now(), reviewedBy: a.userId }).where(eq(mallPayments.id, p.id)).returning();
          pushes = await markPaid(tx, next!, a.userId);
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
        const [next] = await tx.update(mallPayments).set({ status: 'rejected', rejectReason: input.reason, reviewedBy: a.userId }).where(eq(mallPayments.id, p.id)).returning();
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
        await tx.update(mallOrders).set({ expiresAt, updatedAt: clock.now() }).where(and(eq(mallOrders.id, o!.id), eq(mallOrders.status, 'pending_payment')));
        await event(tx, o!.id, 'transfer_rejected', a.userId, { paymentNo, reason: input.reason });
        pushes = [await notifyBuyer(tx, o!, '大额支付未通过确认', `订单 ${o!.orderNo}：${input.reason}。请核对后重新提交，或改用对公支付。`)];
        return next!;
      });
      await runAll(pushes);
      const [o] = await db.select().from(mallOrders).where(eq(mallOrders.id, p.orderIds[0]!));
      if (o) await scheduleOrder(o);
      return paymentView(p);
    },

    // ── orders ───────────────────────────────────────────────────────────────────────────────
    async get(actor: Actor | null, id: string) {
      const a = requireActor(actor);
      if (!isUuid(id)) throw new AppError('NOT_FOUND', '订单不存在');
      const [o] = await db.select().from(mallOrders).where(eq(mallOrders.id, id));
      if (!o || (!isBuyer(a, o) && !isMerchant(a, o) && !a.isOperator)) throw new AppError('NOT_FOUND', '订单不存在');
      const [v] = await views(db, [o]);
      const history = await db.select().from(mallOrderEvents).where(eq(mallOrderEvents.orderId, o.id)).orderBy(asc(mallOrderEvents.createdAt));
      const pays = await db.select().from(mallPayments).where(sql`${o.id} = any(${mallPayments.orderIds})`).orderBy(desc(mallPayments.createdAt));
      return { ...v!, role: isMerchant(a, o) ? ('merchant' as const) : isBuyer(a, o) ? ('buyer' as const) : ('operator' as const), history, payments: pays.map(paymentView) };
    },

    /** The buyer's orders (my orders), newest first. */
    async listMine(actor: Actor | null, raw: unknown) {
      const a = requireActor(actor);
      return listWhere(eq(mallOrders.buyerUserId, a.userId), raw);
    },

    /** The merchant's order console: list, filter, search by order number or recipient. */
    async listForMerchant(actor: Actor | null, raw: unknown) {
      const a = requireActor(actor);
      const org = a.organisation;
      if (org?.kind !== 'merchant') throw new AppError('FORBIDDEN', '只有商家可以查看订单管理');
      return listWhere(eq(mallOrders.merchantId, org.organisationId), raw);
    },

    /** 自行采购报销: the unit's reimbursable orders (its admins only), each with the employee who paid (real name as registered). */
    async reimbursements(actor: Actor | null, raw: unknown) {
      const a = requireActor(actor);
      const org = a.organisation;
      if (org?.kind !== 'unit') throw new AppError('FORBIDDEN', '只有单位管理员可以查看报销清单');
      authorize(a, 'mall.reimbursements', { organisationId: org.organisationId });
      const list = await listWhere(and(eq(mallOrders.unitId, org.organisationId), eq(mallOrders.reimbursable, true), inArray(mallOrders.status, ['paid', 'shipped', 'received', 'completed']))!, raw, true);
      const ids = list.items.map((o) => o.id);
      const buyers = ids.length
        ? await db
            .select({ orderId: mallOrders.id, username: users.username, realName: individualProfiles.realName })
            .from(mallOrders)
            .innerJoin(users, eq(users.id, mallOrders.buyerUserId))
            .leftJoin(individualProfiles, eq(individualProfiles.userId, mallOrders.buyerUserId))
            .where(inArray(mallOrders.id, ids))
        : [];
      const byOrder = new Map(buyers.map((b) => [b.orderId, b]));
      return { ...list, items: list.items.map((o) => ({ ...o, buyerName: byOrder.get(o.id)?.realName ?? byOrder.get(o.id)?.username ?? '', buyerUsername: byOrder.get(o.id)?.username ?? '' })) };
    },

    /** The buyer cancels an unpaid order (stock returns) or a paid, unshipped one (refunded at once). */
    async cancel(actor: Actor | null, id: string, raw: unknown) {
      const { reason } = parseInput(ReasonInput, raw);
      return act(actor, id, 'buyer', async (tx, o, a) => {
        if (await awaitingTransfer(tx, o.id)) throw new AppError('INVALID_TRANSITION', '转账凭证正在确认中，暂不能取消');
        const to = orderTransition(o.status, 'cancel');
        if (o.status === 'paid') await refundMoney(tx, o, `买家取消：${reason}`, a.userId);
        await returnStock(tx, o.id);
        await setStatus(tx, o, to, { cancelledAt: clock.now(), cancelReason: reason, ...(to === 'refunded' ? { refundedAt: clock.now() } : {}) });
        await event(tx, o.id, to === 'refunded' ? 'cancelled_refunded' : 'cancelled', a.userId, { reason });
        return o.status === 'paid' ? [await notifyMerchant(tx, o, '订单已取消', `订单 ${o.orderNo} 已被买家取消并退款：${reason}`)] : [];
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
        const lines = await tx.select().from(mallOrderLines).where(eq(mallOrderLines.orderId, o.id));
        checkReprice({ status: o.status, bulk: o.bulk, awaitingTransfer: await awaitingTransfer(tx, o.id), lineIds: lines.map((l) => l.id), changes: input.changes, reason: input.reason });
        const before = o.totalFen;
        const changed = [];
        for (const c of input.changes) {
          const l = lines.find((x) => x.id === c.lineId)!;
          await tx.update(mallOrderLines).set({ priceFen: c.priceFen }).where(eq(mallOrderLines.id, l.id));
          changed.push({ lineId: l.id, name: l.name, fromFen: l.priceFen, toFen: c.priceFen });
          l.priceFen = c.priceFen;
        }
        const total = orderTotal(lines);
        await tx.update(mallOrders).set({ totalFen: total, updatedAt: clock.now() }).where(eq(mallOrders.id, o.id));
        await tx.update(mallPayments).set({ status: 'expired' }).where(and(sql`${o.id} = any(${mallPayments.orderIds})`, eq(mallPayments.status, 'pending')));
        await event(tx, o.id, 'repriced', a.userId, { reason: input.reason, fromFen: before, toFen: total, changes: changed });
        return [await notifyBuyer(tx, o, '商家已修改订单价格', `订单 ${o.orderNo} 的价格已由 ${formatFen(before)} 改为 ${formatFen(total)}：${input.reason}。确认后即可付款。`)];
      });
    },

    /** The merchant ships a paid order with carrier and tracking number. */
    async ship(actor: Actor | null, id: string, raw: unknown) {
      const input = parseInput(ShipInput, raw);
      return act(actor, id, 'merchant', async (tx, o, a) => {
        if (o.refundStatus === 'requested') throw new AppError('INVALID_TRANSITION', '买家申请了退款，请先处理退款');
        await setStatus(tx, o, orderTransition(o.status, 'ship'), { carrier: input.carrier, trackingNo: input.trackingNo, shippedAt: clock.now() });
        await event(tx, o.id, 'shipped', a.userId, input);
        return [await notifyBuyer(tx, o, '订单已发货', `订单 ${o.orderNo} 已由 ${input.carrier} 发出，运单号 ${input.trackingNo}。`)];
      });
    },

    /** The buyer confirms receipt; the merchant is paid 7 days later unless a refund is asked for. */
    async receive(actor: Actor | null, id: string) {
      return act(actor, id, 'buyer', async (tx, o, a) => void (await receiveIn(tx, o, a.userId)));
    },

    /** After payment and before completion the buyer asks for a refund with a reason; the merchant decides. */
    async requestRefund(actor: Actor | null, id: string, raw: unknown) {
      const { reason } = parseInput(ReasonInput, raw);
      return act(actor, id, 'buyer', async (tx, o, a) => {
        orderTransition(o.status, 'refund');
        if (o.refundStatus === 'requested') throw new AppError('CONFLICT', '已申请退款，请等待商家处理');
        await tx.update(mallOrders).set({ refundStatus: 'requested', refundReason: reason, statusBeforeRefund: o.status, updatedAt: clock.now() }).where(eq(mallOrders.id, o.id));
        await event(tx, o.id, 'refund_requested', a.userId, { reason });
        return [await notifyMerchant(tx, o, '买家申请退款', `订单 ${o.orderNo}：${reason}`)];
      });
    },

    /** The merchant approves (money back to the payer through the ledger) or declines with a reason. */
    async decideRefund(actor: Actor | null, id: string, raw: unknown) {
      const input = parseInput(RefundDecisionInput, raw);
      return act(actor, id, 'merchant', async (tx, o, a) => {
        if (o.refundStatus !== 'requested') throw new AppError('INVALID_TRANSITION', '该订单没有待处理的退款申请');
        if (input.decision === 'approve') {
          await refundMoney(tx, o, '退款', a.userId);
          if (o.status === 'paid') await returnStock(tx, o.id);
          await setStatus(tx, o, orderTransition(o.status, 'refund'), { refundStatus: 'approved', refundedAt: clock.now() });
          await event(tx, o.id, 'refunded', a.userId, { amountFen: o.totalFen });
          return [await notifyBuyer(tx, o, '退款已同意', `订单 ${o.orderNo} 的 ${formatFen(o.totalFen)} 已原路退回。`)];
        }
        await tx.update(mallOrders).set({ refundStatus: 'declined', updatedAt: clock.now() }).where(eq(mallOrders.id, o.id));
        await event(tx, o.id, 'refund_declined', a.userId, { reason: input.reason });
        return [await notifyBuyer(tx, o, '退款申请未通过', `订单 ${o.orderNo}：${input.reason}`)];
      });
    },

    // ── deadlines ────────────────────────────────────────────────────────────────────────────
    /** Closes an unpaid order past its payment window (stock returns). Conditional: once, on any node. */
    async expire(id: string) {
      return db.transaction(async (tx) => {
        const [o] = await tx
          .update(mallOrders)
          .set({ status: 'cancelled', cancelledAt: clock.now(), cancelReason: '超时未付款，订单已关闭', updatedAt: clock.now() })
          .where(and(eq(mallOrders.id, id), eq(mallOrders.status, 'pending_payment'), isNotNull(mallOrders.expiresAt), lte(mallOrders.expiresAt, clock.now())))
          .returning();
        if (!o) return false;
        await returnStock(tx, o.id);
        await tx.update(mallPayments).set({ status: 'expired' }).where(and(sql`${o.id} = any(${mallPayments.orderIds})`, eq(mallPayments.status, 'pending')));
        await event(tx, o.id, 'expired', null);
        return true;
      });
    },

    /** A shipped order is deemed received 15 days after shipping. */
    async autoReceive(id: string) {
      const next = await db.transaction(async (tx) => {
        const [o] = await tx.select().from(mallOrders).where(eq(mallOrders.id, id)).for('update');
        if (!o || o.status !== 'shipped' || !o.shippedAt || o.shippedAt.getTime() + AUTO_RECEIVE_MS > clock.now().getTime() || o.refundStatus === 'requested') return undefined;
        return receiveIn(tx, o, null);
      });
      if (next) await scheduleOrder(next);
      return Boolean(next);
    },

    /** A received order completes 7 days later: the merchant's wallet is paid from the mall's clearing account (once). */
    async complete(id: string) {
      return db.transaction(async (tx) => {
        const [o] = await tx
          .update(mallOrders)
          .set({ status: 'completed', completedAt: clock.now(), updatedAt: clock.now() })
          .where(and(eq(mallOrders.id, id), eq(mallOrders.status, 'received'), lte(mallOrders.completesAt, clock.now()), or(isNull(mallOrders.refundStatus), sql`${mallOrders.refundStatus} <> 'requested'`)))
          .returning();
        if (!o) return false;
        const wallet = await ledger.ensureWallet(tx, o.merchantId);
        await ledger.transfer(tx, {
          debitAccountId: await heldIn(tx, o.id),
          creditAccountId: wallet.availableId,
          amountFen: o.totalFen,
          kind: 'mall_settlement',
          reference: `订单 ${o.orderNo}`,
          idempotencyKey: `mall:settle:${o.id}`,
          metadata: { orderId: o.id },
        });
        await event(tx, o.id, 'completed', null, { settledFen: o.totalFen });
        await recordAudit(tx, { actorUserId: null, action: 'mall.settlement_paid', targetType: 'mall_order', targetId: o.orderNo, organisationId: o.merchantId, after: { status: 'completed', settledFen: o.totalFen } });
        return true;
      });
    },

    /** The sweep and the catch-up: every order past a deadline. */
    async runDueJobs() {
      const now = clock.now();
      const due = await db
        .select({ id: mallOrders.id, status: mallOrders.status })
        .from(mallOrders)
        .where(
          or(
            and(eq(mallOrders.status, 'pending_payment'), lte(mallOrders.expiresAt, now)),
            and(eq(mallOrders.status, 'shipped'), lte(mallOrders.shippedAt, new Date(now.getTime() - AUTO_RECEIVE_MS))),
            and(eq(mallOrders.status, 'received'), lte(mallOrders.completesAt, now)),
          ),
        );
      let n = 0;
      for (const d of due) {
        const ok = d.status === 'pending_payment' ? await service.expire(d.id) : d.status === 'shipped' ? await service.autoReceive(d.id) : await service.complete(d.id);
        if (ok) n++;
      }
      return n;
    },

    async resumeTimers() {
      await service.runDueJobs();
      const open = await db.select().from(mallOrders).where(inArray(mallOrders.status, ['pending_payment', 'shipped', 'received']));
      for (const o of open) await scheduleOrder(o);
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
      const o = await lockOrder(tx, id);
      if (side === 'buyer' ? !isBuyer(a, o) : !isMerchant(a, o)) throw new AppError('NOT_FOUND', '订单不存在');
      pushes = (await work(tx, o, a)) ?? [];
    });
    const [o] = await db.select().from(mallOrders).where(eq(mallOrders.id, id));
    if (o) await scheduleOrder(o);
    await runAll(pushes);
    return service.get(a, id);
  }

  /** A large transfer's receipt is with an operator: the order may be neither cancelled nor repriced. */
  async function awaitingTransfer(q: DbOrTx, orderId: string) {
    const [row] = await q
      .select({ id: mallPayments.id })
      .from(mallPayments)
      .where(and(sql`${orderId} = any(${mallPayments.orderIds})`, eq(mallPayments.status, 'pending'), isNotNull(mallPayments.receiptFileId)));
    return Boolean(row);
  }

  async function receiveIn(tx: Tx, o: MallOrderRow, actorUserId: string | null) {
    const now = clock.now();
    const next = await setStatus(tx, o, orderTransition(o.status, 'receive'), { receivedAt: now, completesAt: new Date(now.getTime() + COMPLETE_AFTER_MS) });
    await event(tx, o.id, actorUserId ? 'received' : 'auto_received', actorUserId);
    return next;
  }

  async function listWhere(where: SQL, raw: unknown, oldestFirst = false) {
    const q = parseInput(OrderListQuery, raw);
    const conds = and(
      where,
      q.status ? eq(mallOrders.status, q.status) : undefined,
      q.refund ? eq(mallOrders.refundStatus, q.refund) : undefined,
      q.q ? or(ilike(mallOrders.orderNo, `%${q.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`), sql`${mallOrders.address}->>'recipient' ilike ${`%${q.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`}`) : undefined,
      q.from ? gte(mallOrders.createdAt, new Date(`${q.from}T00:00:00+08:00`)) : undefined,
      q.to ? lt(mallOrders.createdAt, new Date(new Date(`${q.to}T00:00:00+08:00`).getTime() + 86_400_000)) : undefined,
    );
    const [rows, [total]] = await Promise.all([
      db
        .select()
        .from(mallOrders)
        .where(conds)
        .orderBy(...(oldestFirst ? [asc(mallOrders.paidAt), asc(mallOrders.id)] : [desc(mallOrders.createdAt), desc(mallOrders.id)]))
        .limit(q.pageSize)
        .offset((q.page - 1) * q.pageSize),
      db.select({ n: count() }).from(mallOrders).where(conds),
    ]);
    return { items: await views(db, rows), total: Number(total?.n ?? 0), page: q.page, pageSize: q.pageSize };
  }

  timer.on(EXPIRE_TIMER, async (id) => void (await service.expire(id)));
  timer.on(RECEIVE_TIMER, async (id) => void (await service.autoReceive(id)));
  timer.on(COMPLETE_TIMER, async (id) => void (await service.complete(id)));
  return service;
}

function paymentView(p: MallPaymentRow) {
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

export type OrderService = ReturnType<typeof createOrderService>;
export type OrderView = Awaited<ReturnType<OrderService['get']>>;
