import { and, asc, count, desc, eq, gte, ilike, inArray, isNotNull, isNull, lt, lte, or, sql, type SQL } from 'drizzle-orm';
import type { DbOrTx, Tx } from '../../db/client';
import {
  cartItems,
  individualProfiles,
  mallOrderEvents,
  mallOrderLines,
  mallOrders,
  mallPayments,
  products,
  type MallOrderLineRow,
  type MallOrderRow,
  type MallPaymentRow,
} from '../../db/schema';
import { containsPattern } from '../shared/like';
import { endOfShanghaiDay, startOfShanghaiDay } from '../shared/time';

type OrderPatch = Partial<typeof mallOrders.$inferInsert>;
type PaymentPatch = Partial<typeof mallPayments.$inferInsert>;
type OrderStatus = MallOrderRow['status'];

/** Which orders a list shows: the buyer's, the merchant's, or a unit's reimbursable paid ones. */
export type OrderScope = { buyerUserId: string } | { merchantId: string } | { reimbursableOfUnit: string };

export interface OrderListFilter {
  status?: OrderStatus;
  refund?: 'requested';
  q?: string;
  from?: string;
  to?: string;
  page: number;
  pageSize: number;
}

function scopeWhere(scope: OrderScope): SQL {
  if ('buyerUserId' in scope) return eq(mallOrders.buyerUserId, scope.buyerUserId);
  if ('merchantId' in scope) return eq(mallOrders.merchantId, scope.merchantId);
  return and(
    eq(mallOrders.unitId, scope.reimbursableOfUnit),
    eq(mallOrders.reimbursable, true),
    inArray(mallOrders.status, ['paid', 'shipped', 'received', 'completed']),
  )!;
}

/** A pending payment covering the order (payments hold their orders' ids in an array). */
const coversOrder = (orderId: string) => sql`${orderId} = any(${mallPayments.orderIds})`;

/**
 * SQL of the order aggregate: carts, orders, their lines, events and payments (transfers, reimbursement
 * lists). Row locks and conditional updates stay here exactly as the services rely on them: stock is
 * reserved by a conditional update, state changes are conditional on the status read under lock.
 *
 * Only the mall's own tables: products (cart lines, stock reservation and return, sold counts) and
 * individual profiles (the buyer's unit, real names). Merchants' and units' names come from the
 * organisations service, usernames from the accounts service.
 */
export const ordersRepo = {
  /**
   * Completed orders an organisation bought (its unit orders), newest first, with their lines (name, unit,
   * category, origin code, quantity, price); only `orderIds` when given. For purchase-record monitoring.
   */
  async completedOrdersOfOrganisation(q: DbOrTx, organisationId: string, orderIds?: readonly string[], limit = 1000) {
    const where = [eq(mallOrders.unitId, organisationId), eq(mallOrders.status, 'completed')];
    if (orderIds) where.push(inArray(mallOrders.id, orderIds.length ? [...orderIds] : ['00000000-0000-0000-0000-000000000000']));
    const orders = await q
      .select({
        id: mallOrders.id,
        orderNo: mallOrders.orderNo,
        merchantId: mallOrders.merchantId,
        totalFen: mallOrders.totalFen,
        completedAt: mallOrders.completedAt,
      })
      .from(mallOrders)
      .where(and(...where))
      .orderBy(desc(mallOrders.completedAt), desc(mallOrders.id))
      .limit(limit);
    const lines = orders.length
      ? await q
          .select({
            orderId: mallOrderLines.orderId,
            name: mallOrderLines.name,
            unit: mallOrderLines.unit,
            categoryCode: mallOrderLines.categoryCode,
            originCode: mallOrderLines.originCode,
            quantity: mallOrderLines.quantity,
            priceFen: mallOrderLines.priceFen,
          })
          .from(mallOrderLines)
          .where(
            inArray(
              mallOrderLines.orderId,
              orders.map((o) => o.id),
            ),
          )
          .orderBy(asc(mallOrderLines.orderId), asc(mallOrderLines.id))
      : [];
    return orders.map((o) => ({ ...o, lines: lines.filter((l) => l.orderId === o.id) }));
  },

  // ── cart ──────────────────────────────────────────────────────────────────────────────────
  /** The cart's lines with their products, newest first. */
  cartLines: (q: DbOrTx, userId: string) =>
    q
      .select({ item: cartItems, p: products })
      .from(cartItems)
      .innerJoin(products, eq(products.id, cartItems.productId))
      .where(eq(cartItems.userId, userId))
      .orderBy(desc(cartItems.addedAt)),

  async findProduct(q: DbOrTx, productId: string) {
    const [p] = await q.select().from(products).where(eq(products.id, productId));
    return p;
  },

  /** Adds to the cart line (created ticked; an existing one grows, capped at 9999, and is ticked again). */
  async addToCart(q: DbOrTx, userId: string, productId: string, quantity: number) {
    await q
      .insert(cartItems)
      .values({ userId, productId, quantity: Math.min(quantity, 9999) })
      .onConflictDoUpdate({
        target: [cartItems.userId, cartItems.productId],
        set: { quantity: sql`least(${cartItems.quantity} + ${quantity}, 9999)`, selected: true },
      });
  },

  async updateCartLine(q: DbOrTx, userId: string, productId: string, changes: { quantity?: number; selected?: boolean }) {
    const [row] = await q
      .update(cartItems)
      .set(changes)
      .where(and(eq(cartItems.userId, userId), eq(cartItems.productId, productId)))
      .returning();
    return row;
  },

  removeCartLine: (q: DbOrTx, userId: string, productId: string) =>
    q.delete(cartItems).where(and(eq(cartItems.userId, userId), eq(cartItems.productId, productId))),

  /** Per-buyer lock for the transaction: checkouts of one cart run one after the other. */
  lockCart: (tx: Tx, userId: string) => tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`cart:${userId}`}, 0))`),

  /** The ticked cart lines, locked. */
  selectedCartLines: (tx: Tx, userId: string) =>
    tx
      .select({ productId: cartItems.productId, quantity: cartItems.quantity })
      .from(cartItems)
      .where(and(eq(cartItems.userId, userId), eq(cartItems.selected, true)))
      .for('update'),

  clearCartLines: (tx: Tx, userId: string, productIds: string[]) =>
    tx.delete(cartItems).where(and(eq(cartItems.userId, userId), inArray(cartItems.productId, productIds))),

  // ── stock (conditional: never below zero) ────────────────────────────────────────────────
  /** Takes `quantity` from a listed product's stock if it has that much; undefined otherwise. */
  async reserveStock(tx: Tx, productId: string, quantity: number) {
    const [p] = await tx
      .update(products)
      .set({ stock: sql`${products.stock} - ${quantity}` })
      .where(and(eq(products.id, productId), eq(products.status, 'listed'), gte(products.stock, quantity)))
      .returning();
    return p;
  },

  async stockOf(tx: Tx, productId: string) {
    const [has] = await tx.select({ name: products.name, stock: products.stock, status: products.status }).from(products).where(eq(products.id, productId));
    return has;
  },

  returnStock: (tx: Tx, productId: string, quantity: number) =>
    tx
      .update(products)
      .set({ stock: sql`${products.stock} + ${quantity}` })
      .where(eq(products.id, productId)),

  addSold: (tx: Tx, productId: string, quantity: number) =>
    tx
      .update(products)
      .set({ sold: sql`${products.sold} + ${quantity}` })
      .where(eq(products.id, productId)),

  // ── orders ──────────────────────────────────────────────────────────────────────────────
  async insertOrder(tx: Tx, values: typeof mallOrders.$inferInsert): Promise<MallOrderRow> {
    const [o] = await tx.insert(mallOrders).values(values).returning();
    return o!;
  },

  insertLines: (tx: Tx, values: (typeof mallOrderLines.$inferInsert)[]) => tx.insert(mallOrderLines).values(values),

  async findOrder(q: DbOrTx, id: string): Promise<MallOrderRow | undefined> {
    const [o] = await q.select().from(mallOrders).where(eq(mallOrders.id, id));
    return o;
  },

  /** The order, row-locked for the transaction. */
  async lockOrder(tx: Tx, id: string): Promise<MallOrderRow | undefined> {
    const [o] = await tx.select().from(mallOrders).where(eq(mallOrders.id, id)).for('update');
    return o;
  },

  lockOrders: (tx: Tx, ids: string[]) => tx.select().from(mallOrders).where(inArray(mallOrders.id, ids)).for('update'),

  ordersByIds: (q: DbOrTx, ids: string[]) => q.select().from(mallOrders).where(inArray(mallOrders.id, ids)),

  ordersOfBuyer: (q: DbOrTx, ids: string[], buyerUserId: string) =>
    q
      .select()
      .from(mallOrders)
      .where(and(inArray(mallOrders.id, ids), eq(mallOrders.buyerUserId, buyerUserId))),

  /** Conditional update: only while the order still has status `from`; undefined when it changed. */
  async updateOrderIf(tx: Tx, id: string, from: OrderStatus, patch: OrderPatch): Promise<MallOrderRow | undefined> {
    const [row] = await tx
      .update(mallOrders)
      .set(patch)
      .where(and(eq(mallOrders.id, id), eq(mallOrders.status, from)))
      .returning();
    return row;
  },

  /** Unconditional update of an order the caller has locked. */
  updateOrder: (tx: Tx, id: string, patch: OrderPatch) => tx.update(mallOrders).set(patch).where(eq(mallOrders.id, id)),

  /** Closes the order if it is unpaid and past its payment window (once, on any node). */
  async expireIfDue(tx: Tx, id: string, now: Date, patch: OrderPatch): Promise<MallOrderRow | undefined> {
    const [o] = await tx
      .update(mallOrders)
      .set(patch)
      .where(and(eq(mallOrders.id, id), eq(mallOrders.status, 'pending_payment'), isNotNull(mallOrders.expiresAt), lte(mallOrders.expiresAt, now)))
      .returning();
    return o;
  },

  /** Completes the order if it is received, due, and no refund is asked for (once). */
  async completeIfDue(tx: Tx, id: string, now: Date, patch: OrderPatch): Promise<MallOrderRow | undefined> {
    const [o] = await tx
      .update(mallOrders)
      .set(patch)
      .where(
        and(
          eq(mallOrders.id, id),
          eq(mallOrders.status, 'received'),
          lte(mallOrders.completesAt, now),
          or(isNull(mallOrders.refundStatus), sql`${mallOrders.refundStatus} <> 'requested'`),
        ),
      )
      .returning();
    return o;
  },

  /** Every order past a deadline at `now`. */
  dueOrders: (q: DbOrTx, now: Date, autoReceiveMs: number) =>
    q
      .select({ id: mallOrders.id, status: mallOrders.status })
      .from(mallOrders)
      .where(
        or(
          and(eq(mallOrders.status, 'pending_payment'), lte(mallOrders.expiresAt, now)),
          and(eq(mallOrders.status, 'shipped'), lte(mallOrders.shippedAt, new Date(now.getTime() - autoReceiveMs))),
          and(eq(mallOrders.status, 'received'), lte(mallOrders.completesAt, now)),
        ),
      ),

  openOrders: (q: DbOrTx) =>
    q
      .select()
      .from(mallOrders)
      .where(inArray(mallOrders.status, ['pending_payment', 'shipped', 'received'])),

  /** One page of the scope's orders with the filters, and their count. */
  async listPage(q: DbOrTx, scope: OrderScope, f: OrderListFilter, oldestFirst: boolean) {
    const conds = and(
      scopeWhere(scope),
      f.status ? eq(mallOrders.status, f.status) : undefined,
      f.refund ? eq(mallOrders.refundStatus, f.refund) : undefined,
      f.q ? or(ilike(mallOrders.orderNo, containsPattern(f.q)), sql`${mallOrders.address}->>'recipient' ilike ${containsPattern(f.q)}`) : undefined,
      f.from ? gte(mallOrders.createdAt, startOfShanghaiDay(f.from)) : undefined,
      f.to ? lt(mallOrders.createdAt, endOfShanghaiDay(f.to)) : undefined,
    );
    const [rows, [total]] = await Promise.all([
      q
        .select()
        .from(mallOrders)
        .where(conds)
        .orderBy(...(oldestFirst ? [asc(mallOrders.paidAt), asc(mallOrders.id)] : [desc(mallOrders.createdAt), desc(mallOrders.id)]))
        .limit(f.pageSize)
        .offset((f.page - 1) * f.pageSize),
      q.select({ n: count() }).from(mallOrders).where(conds),
    ]);
    return { rows, total: Number(total?.n ?? 0) };
  },

  /** Who paid each order: the user and, for individuals, the registered real name. */
  buyersOf: (q: DbOrTx, orderIds: string[]) =>
    q
      .select({ orderId: mallOrders.id, userId: mallOrders.buyerUserId, realName: individualProfiles.realName })
      .from(mallOrders)
      .leftJoin(individualProfiles, eq(individualProfiles.userId, mallOrders.buyerUserId))
      .where(inArray(mallOrders.id, orderIds)),

  // ── lines ───────────────────────────────────────────────────────────────────────────────
  linesOf: (q: DbOrTx, orderId: string): Promise<MallOrderLineRow[]> => q.select().from(mallOrderLines).where(eq(mallOrderLines.orderId, orderId)),

  linesOfOrders: (q: DbOrTx, orderIds: string[]): Promise<MallOrderLineRow[]> =>
    q.select().from(mallOrderLines).where(inArray(mallOrderLines.orderId, orderIds)).orderBy(asc(mallOrderLines.name)),

  setLinePrice: (tx: Tx, lineId: string, priceFen: number) => tx.update(mallOrderLines).set({ priceFen }).where(eq(mallOrderLines.id, lineId)),

  // ── events ──────────────────────────────────────────────────────────────────────────────
  insertEvent: (q: DbOrTx, values: typeof mallOrderEvents.$inferInsert) => q.insert(mallOrderEvents).values(values),

  eventsOf: (q: DbOrTx, orderId: string) =>
    q.select().from(mallOrderEvents).where(eq(mallOrderEvents.orderId, orderId)).orderBy(asc(mallOrderEvents.createdAt)),

  /** Whether the order's 'paid' event names this payment (the payment is what paid it). */
  async paidBy(tx: Tx, orderId: string, paymentNo: string) {
    const [mine] = await tx
      .select({ id: mallOrderEvents.id })
      .from(mallOrderEvents)
      .where(and(eq(mallOrderEvents.orderId, orderId), eq(mallOrderEvents.type, 'paid'), sql`${mallOrderEvents.detail}->>'paymentNo' = ${paymentNo}`));
    return Boolean(mine);
  },

  // ── payments and transfers ──────────────────────────────────────────────────────────────
  async insertPayment(q: DbOrTx, values: typeof mallPayments.$inferInsert): Promise<MallPaymentRow> {
    const [p] = await q.insert(mallPayments).values(values).returning();
    return p!;
  },

  async lockPayment(tx: Tx, paymentNo: string): Promise<MallPaymentRow | undefined> {
    const [p] = await tx.select().from(mallPayments).where(eq(mallPayments.paymentNo, paymentNo)).for('update');
    return p;
  },

  async findPaymentOfPayer(q: DbOrTx, paymentNo: string, payerUserId: string): Promise<MallPaymentRow | undefined> {
    const [p] = await q
      .select()
      .from(mallPayments)
      .where(and(eq(mallPayments.paymentNo, paymentNo), eq(mallPayments.payerUserId, payerUserId)));
    return p;
  },

  async lockPaymentOfPayer(tx: Tx, paymentNo: string, payerUserId: string): Promise<MallPaymentRow | undefined> {
    const [p] = await tx
      .select()
      .from(mallPayments)
      .where(and(eq(mallPayments.paymentNo, paymentNo), eq(mallPayments.payerUserId, payerUserId)))
      .for('update');
    return p;
  },

  async updatePayment(tx: Tx, id: string, patch: PaymentPatch): Promise<MallPaymentRow | undefined> {
    const [p] = await tx.update(mallPayments).set(patch).where(eq(mallPayments.id, id)).returning();
    return p;
  },

  /** Voids the order's pending payments (their amount no longer stands). */
  expirePendingPayments: (tx: Tx, orderId: string) =>
    tx
      .update(mallPayments)
      .set({ status: 'expired' })
      .where(and(coversOrder(orderId), eq(mallPayments.status, 'pending'))),

  paymentsOf: (q: DbOrTx, orderId: string) => q.select().from(mallPayments).where(coversOrder(orderId)).orderBy(desc(mallPayments.createdAt)),

  /** A pending payment of the order has a transfer receipt with an operator. */
  async transferUnderReview(q: DbOrTx, orderId: string) {
    const [row] = await q
      .select({ id: mallPayments.id })
      .from(mallPayments)
      .where(and(coversOrder(orderId), eq(mallPayments.status, 'pending'), isNotNull(mallPayments.receiptFileId)));
    return Boolean(row);
  },

  /** Large transfers with a receipt waiting for an operator, oldest first, with the first order. */
  pendingTransfers: (q: DbOrTx) =>
    q
      .select({ p: mallPayments, orderNo: mallOrders.orderNo, unitId: mallOrders.unitId })
      .from(mallPayments)
      .innerJoin(mallOrders, sql`${mallOrders.id} = ${mallPayments.orderIds}[1]`)
      .where(and(eq(mallPayments.method, 'offline_transfer'), eq(mallPayments.status, 'pending'), isNotNull(mallPayments.receiptFileId)))
      .orderBy(asc(mallPayments.createdAt)),

  // ── individual profiles ─────────────────────────────────────────────────────────────────
  /** The individual profile's unit, if the person has a profile. */
  async profileOf(q: DbOrTx, userId: string) {
    const [p] = await q.select({ unitId: individualProfiles.unitId }).from(individualProfiles).where(eq(individualProfiles.userId, userId));
    return p;
  },
};
