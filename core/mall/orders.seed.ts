import { randomUUID } from 'node:crypto';
import { and, asc, eq } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { mallOrders, memberships, products } from '../../db/schema';
import { recordAudit } from '../audit/audit';
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
  payMethod?: Exclude<PayMethod, 'personal_online'>;
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
      buyerKind: input.unitId ? 'unit' : 'individual',
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
