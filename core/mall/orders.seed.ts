import { randomUUID } from 'node:crypto';
import { and, asc, eq, inArray } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { mallOrders, memberships, products, users } from '../../db/schema';
import { recordAudit } from '../audit/audit';
import { prng } from '../shared/prng';
import { regionName } from '../shared/regions';
import type { Ledger } from '../wallet/ledger.service';
import { PAYMENT_PREFIX, payableOf } from './orders.core';
import { COMPLETE_AFTER_MS, orderTransition, type OrderStatus, type PayMethod } from './orders.machine';
import { ordersRepo } from './orders.repo';

/** What seeding a completed order uses of the platform. */
export interface MallOrderSeedHost {
  db: Db;
  services: { ledger: Pick<Ledger, 'platformAccount' | 'ensureWallet' | 'transfer'> };
}

/** A demo order that has been through the whole mall flow (seed only: other contexts' demo data). */
export interface SeedCompletedOrderInput {
  /** Also what makes the seed idempotent: an order with this number is returned as it is. */
  orderNo: string;
  buyerUserId: string;
  /** The unit the purchase counts for (a unit's order), null for an individual without a unit. */
  unitId: string | null;
  /** A listed product of the mall's demo, by name; nothing is seeded when it is not there. */
  productName: string;
  quantity: number;
  address: { recipient: string; mobile: string; regionCode: string; detail: string };
  payMethod?: PayMethod;
  /** An employee's own purchase counted for their unit (unitId set): 'individual'; by default 'unit' with a unit. */
  buyerKind?: 'unit' | 'individual';
  carrier?: string;
  trackingNo?: string;
  /** Placed (checkout) and completed (the merchant paid): the steps between are spread over them. */
  placedAt: Date;
  completedAt: Date;
}

/**
 * One completed mall order, written as checkout, payment, shipping, receipt and completion leave it: the
 * order with every timestamp of its path (paid, shipped, received, completes/completed), its line at the
 * product's price, stock reserved and the sale counted, the paid payment, the order's events (created,
 * paid, shipped, received, completed), the money (paid into the mall's clearing account, settled to the
 * merchant's wallet, with the same idempotency keys as the real flow) and the audit entries. Buyers' and
 * merchants' messages are not sent. Returns undefined without the product (no mall demo); an order with
 * the number already there is returned unchanged. The path's states are checked by the order machine.
 */
export async function seedCompletedOrder(p: MallOrderSeedHost, input: SeedCompletedOrderInput): Promise<{ id: string; orderNo: string } | undefined> {
  const { ledger } = p.services;
  return p.db.transaction(async (tx) => {
    const [existing] = await tx.select({ id: mallOrders.id, orderNo: mallOrders.orderNo }).from(mallOrders).where(eq(mallOrders.orderNo, input.orderNo));
    if (existing) return existing;
    const [product] = await tx
      .select({ id: products.id })
      .from(products)
      .where(and(eq(products.name, input.productName), eq(products.status, 'listed')))
      .limit(1);
    if (!product) return undefined;
    const reserved = await ordersRepo.reserveStock(tx, product.id, input.quantity);
    if (!reserved) return undefined;
    const [merchantUser] = await tx
      .select({ userId: memberships.userId })
      .from(memberships)
      .where(and(eq(memberships.organisationId, reserved.merchantId), eq(memberships.role, 'owner')))
      .orderBy(asc(memberships.createdAt))
      .limit(1);

    // The path through the machine, each step's time between placing and completing.
    let status: OrderStatus = 'pending_payment';
    for (const e of ['pay', 'ship', 'receive', 'complete'] as const) status = orderTransition(status, e);
    const placedAt = input.placedAt;
    const completedAt = input.completedAt;
    const receivedAt = new Date(completedAt.getTime() - COMPLETE_AFTER_MS);
    const paidAt = new Date(placedAt.getTime() + 15 * 60_000);
    const shippedAt = new Date(paidAt.getTime() + Math.max(0, receivedAt.getTime() - paidAt.getTime()) / 2);
    if (!(paidAt < shippedAt && shippedAt < receivedAt)) throw new Error(`seedCompletedOrder: ${input.orderNo} completes too soon after it is placed`);

    const method = input.payMethod ?? 'corporate_online';
    const carrier = input.carrier ?? '顺丰速运';
    const trackingNo = input.trackingNo ?? `SF${input.orderNo.slice(-12)}`;
    const totalFen = reserved.priceFen * input.quantity;
    const order = await ordersRepo.insertOrder(tx, {
      orderNo: input.orderNo,
      checkoutId: randomUUID(),
      buyerUserId: input.buyerUserId,
      buyerKind: input.buyerKind ?? (input.unitId ? 'unit' : 'individual'),
      unitId: input.unitId,
      merchantId: reserved.merchantId,
      status,
      totalFen,
      payMethod: method,
      address: { ...input.address, regionName: regionName(input.address.regionCode) },
      expiresAt: null,
      paidAt,
      carrier,
      trackingNo,
      shippedAt,
      receivedAt,
      completesAt: completedAt,
      completedAt,
      createdAt: placedAt,
      updatedAt: completedAt,
    });
    await ordersRepo.insertLines(tx, [
      {
        orderId: order.id,
        productId: reserved.id,
        name: reserved.name,
        unit: reserved.unit,
        categoryCode: reserved.categoryCode,
        originCode: reserved.originCode,
        quantity: input.quantity,
        listPriceFen: reserved.priceFen,
        priceFen: reserved.priceFen,
      },
    ]);
    await ordersRepo.addSold(tx, reserved.id, input.quantity);

    const amountFen = payableOf(order);
    const payment = await ordersRepo.insertPayment(tx, {
      paymentNo: `${PAYMENT_PREFIX}${input.orderNo.replace(/^\D+/, '')}`,
      orderIds: [order.id],
      payerUserId: input.buyerUserId,
      method,
      amountFen,
      status: 'paid',
      tradeNo: `DEMO${input.orderNo.replace(/^\D+/, '')}`,
      paidAt,
      createdAt: paidAt,
    });
    const event = (type: string, createdAt: Date, actorUserId: string | null, detail: Record<string, unknown> = {}) =>
      ordersRepo.insertEvent(tx, { orderId: order.id, type, actorUserId, detail, createdAt });
    await event('created', placedAt, input.buyerUserId, { bulk: false, reimbursable: false });
    await event('paid', paidAt, null, { paymentNo: payment.paymentNo, method, amountFen });
    await event('shipped', shippedAt, merchantUser?.userId ?? null, { carrier, trackingNo });
    await event('received', receivedAt, input.buyerUserId);
    await event('completed', completedAt, null, { settledFen: amountFen });

    await ledger.transfer(tx, {
      debitAccountId: await ledger.platformAccount('gateway_clearing'),
      creditAccountId: await ledger.platformAccount('mall_clearing'),
      amountFen,
      kind: 'mall_payment',
      reference: `订单 ${order.orderNo}`,
      idempotencyKey: `mall:pay:${order.id}`,
      metadata: { orderId: order.id, paymentNo: payment.paymentNo },
    });
    const wallet = await ledger.ensureWallet(tx, order.merchantId);
    await ledger.transfer(tx, {
      debitAccountId: await ledger.platformAccount('mall_clearing'),
      creditAccountId: wallet.availableId,
      amountFen,
      kind: 'mall_settlement',
      reference: `订单 ${order.orderNo}`,
      idempotencyKey: `mall:settle:${order.id}`,
      metadata: { orderId: order.id },
    });
    await recordAudit(tx, {
      actorUserId: null,
      action: 'mall.payment_received',
      targetType: 'mall_payment',
      targetId: payment.paymentNo,
      organisationId: order.unitId,
      before: { status: 'pending' },
      after: { status: 'paid', amountFen, method, tradeNo: payment.tradeNo, orderNos: [order.orderNo] },
    });
    await recordAudit(tx, {
      actorUserId: null,
      action: 'mall.settlement_paid',
      targetType: 'mall_order',
      targetId: order.orderNo,
      organisationId: order.merchantId,
      after: { status: 'completed', settledFen: amountFen },
    });
    return { id: order.id, orderNo: order.orderNo };
  });
}

/** The buyers of the demo's order history: mall units (their owner buys for the unit) and two employees of 重庆财经职业学院. */
const HISTORY_BUYERS: { username: string; kind: 'unit' | 'individual'; unitOf: string; weight: number }[] = [
  { username: 'shuilibu', kind: 'unit', unitOf: 'shuilibu', weight: 5 },
  { username: 'dezhou', kind: 'unit', unitOf: 'dezhou', weight: 3 },
  { username: 'cqcfzy', kind: 'unit', unitOf: 'cqcfzy', weight: 4 },
  { username: 'youyangfgw', kind: 'unit', unitOf: 'youyangfgw', weight: 2 },
  { username: 'taipingcun', kind: 'unit', unitOf: 'taipingcun', weight: 1 },
  { username: 'cuntou', kind: 'unit', unitOf: 'cuntou', weight: 2 },
  { username: 'liuyang', kind: 'individual', unitOf: 'cqcfzy', weight: 3 },
  { username: 'chenjing', kind: 'individual', unitOf: 'cqcfzy', weight: 2 },
];
/** Orders per month, oldest first (ten months up to the current one): a slow start, the 中秋 and 春节 peaks. */
const ORDERS_PER_MONTH = [8, 10, 12, 16, 22, 30, 20, 18, 26, 14];

/**
 * Ten months of completed mall orders (176, drawn by a seeded PRNG: the same history on every first start) of
 * the mall's demo units and employees over every listed product, so the statistics' charts have a shape. Each
 * order goes through seedCompletedOrder (the money through the ledger, the sale counted); one recorded step per
 * month. Dates are days before `now`; the newest completes at least two days before it.
 */
export async function seedDemoOrderHistory(
  p: MallOrderSeedHost,
  now: Date,
  log: (line: string) => void,
  step: <T>(name: string, run: () => Promise<T>) => Promise<T>,
) {
  const who = await p.db
    .select({ username: users.username, userId: users.id, organisationId: memberships.organisationId })
    .from(users)
    .leftJoin(memberships, eq(memberships.userId, users.id))
    .where(
      inArray(
        users.username,
        HISTORY_BUYERS.map((b) => b.username),
      ),
    );
  const userOf = new Map(who.map((w) => [w.username, w.userId]));
  const unitOf = new Map(who.filter((w) => w.organisationId).map((w) => [w.username, w.organisationId!]));
  const listed = await p.db
    .select({ name: products.name, priceFen: products.priceFen, originCode: products.originCode })
    .from(products)
    .where(eq(products.status, 'listed'))
    .orderBy(asc(products.name));
  if (!listed.length || HISTORY_BUYERS.some((b) => !userOf.has(b.username) || !unitOf.has(b.unitOf))) return;
  log(`  seeding ${ORDERS_PER_MONTH.reduce((a, b) => a + b, 0)} mall orders over ${ORDERS_PER_MONTH.length} months`);
  const random = prng(20_260_101);
  const weights = HISTORY_BUYERS.flatMap((b) => Array<typeof b>(b.weight).fill(b));
  let seq = 0;
  for (const [m, count] of ORDERS_PER_MONTH.entries()) {
    const monthsAgo = ORDERS_PER_MONTH.length - 1 - m;
    const orders = Array.from({ length: count }, () => {
      const buyer = weights[Math.floor(random() * weights.length)]!;
      const product = listed[Math.floor(random() * listed.length)]!;
      // Units buy in bulk for canteens and unions; employees a few at a time.
      const quantity = buyer.kind === 'unit' ? 5 + Math.floor(random() * 40) : 1 + Math.floor(random() * 3);
      const daysAgo = Math.max(14, monthsAgo * 30 + Math.floor(random() * 30));
      const hour = 1 + Math.floor(random() * 10);
      seq++;
      return { buyer, product, quantity, daysAgo, hour, seq };
    });
    // A month's orders in one transaction (each order's own nests in it): a commit per month, not per order.
    await step(`mall:orders:history:${m}`, () =>
      p.db.transaction(async (tx) => {
        for (const o of orders) {
          const placedAt = new Date(now.getTime() - o.daysAgo * 86_400_000);
          placedAt.setUTCHours(o.hour, (o.seq * 7) % 60, 0, 0);
          const completedAt = new Date(placedAt.getTime() + (9 + (o.seq % 4)) * 86_400_000);
          const day = new Date(placedAt.getTime() + 8 * 3_600_000).toISOString().slice(0, 10).replaceAll('-', '');
          await seedCompletedOrder(
            { db: tx as unknown as Db, services: p.services },
            {
              orderNo: `MO${day}8${String(o.seq).padStart(9, '0')}`,
              buyerUserId: userOf.get(o.buyer.username)!,
              unitId: unitOf.get(o.buyer.unitOf)!,
              buyerKind: o.buyer.kind,
              productName: o.product.name,
              quantity: o.quantity,
              address: {
                recipient: o.buyer.username === 'liuyang' ? '刘洋' : o.buyer.username === 'chenjing' ? '陈静' : '采购联络员',
                mobile: '13900000051',
                regionCode: '500118001',
                detail: '中山路 1 号',
              },
              payMethod: o.buyer.kind === 'unit' ? 'corporate_online' : 'personal_online',
              placedAt,
              completedAt,
            },
          );
        }
        return null;
      }),
    );
  }
}
