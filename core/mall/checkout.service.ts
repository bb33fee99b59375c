import { randomUUID } from 'node:crypto';
import { type MallOrderRow } from '../../db/schema';
import { requireActor, type Actor } from '../shared/actor';
import { AppError } from '../shared/app-error';
import { formatFen } from '../shared/money';
import { regionName } from '../shared/regions';
import { parseInput } from '../shared/validate';
import { makeOrderNo } from '../wallet/recharge.machine';
import { checkReimbursable, orderTotal, PAYMENT_WINDOW_MS } from './orders.machine';
import { addressesRepo } from './addresses.repo';
import { ordersRepo } from './orders.repo';
import { CheckoutInput } from './orders.schema';

import { type MallCoupon, type OrderCore, type OrderDeps } from './orders.core';

/** Checkout: one order per merchant from the cart, stock reserved in the same transaction. */
export function createCheckoutService(deps: OrderDeps, core: OrderCore) {
  const { db, clock, messages } = deps;
  const { buyerOf, event, orgNames, views, scheduleOrder } = core;

  const service = {
    /**
     * Who the caller buys as, for the pages (the same rule checkout applies): the unit acted for, or
     * an individual counted for the unit of their profile; `isIndividual` when they have a profile.
     */
    async buyer(actor: Actor | null) {
      const a = requireActor(actor);
      const b = await buyerOf(db, a);
      const names = b.unitId ? await orgNames(db, [b.unitId]) : new Map<string, string>();
      return { kind: b.kind, unitId: b.unitId, unitName: b.unitId ? (names.get(b.unitId) ?? null) : null, isIndividual: b.hasProfile };
    },

    /**
     * The checkout page's preview: per merchant group (its bill), the best government voucher the
     * signed-in individual holds for that merchant; coupons already previewed for an earlier group are
     * not offered again (one coupon per order). Units get none.
     */
    async couponsFor(actor: Actor | null, groups: { merchantId: string; totalFen: number }[]) {
      const a = requireActor(actor);
      const port = core.coupons();
      const out = new Map<string, MallCoupon>();
      if (!port || (await buyerOf(db, a)).kind !== 'individual') return out;
      for (const g of groups) {
        const c = await port.best(db, a.userId, g.merchantId, g.totalFen);
        if (c && ![...out.values()].some((x) => x.id === c.id)) out.set(g.merchantId, c);
      }
      return out;
    },

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
      const addr = await addressesRepo.findOwn(db, a.userId, input.addressId);
      if (!addr) throw new AppError('VALIDATION', '请选择收货地址', { addressId: '请选择收货地址' });
      if (input.items && !input.items.length) throw new AppError('VALIDATION', '请选择要购买的商品', { items: '请选择要购买的商品' });
      const now = clock.now();
      const checkoutId = randomUUID();
      const created = await db.transaction(async (tx) => {
        // The cart is read and cleared inside this transaction under a per-buyer lock: a second
        // checkout of the same cart waits here, then finds the lines gone and places nothing.
        await ordersRepo.lockCart(tx, a.userId);
        const items = input.items ?? (await ordersRepo.selectedCartLines(tx, a.userId));
        if (!items.length) throw new AppError('VALIDATION', '请选择要购买的商品', { items: '请选择要购买的商品' });
        const byMerchant = new Map<string, { p: NonNullable<Awaited<ReturnType<typeof ordersRepo.reserveStock>>>; quantity: number }[]>();
        // Lock in a fixed order so two checkouts of the same products cannot deadlock.
        for (const it of [...items].sort((x, y) => x.productId.localeCompare(y.productId))) {
          const p = await ordersRepo.reserveStock(tx, it.productId, it.quantity);
          if (!p) {
            const has = await ordersRepo.stockOf(tx, it.productId);
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
          const o = await ordersRepo.insertOrder(tx, {
            orderNo: makeOrderNo('MO', now),
            checkoutId,
            buyerUserId: a.userId,
            buyerKind: buyer.kind,
            unitId: buyer.unitId,
            merchantId,
            totalFen: orderTotal(ls.map((l) => ({ priceFen: l.p.priceFen, quantity: l.quantity }))),
            bulk: input.bulk,
            reimbursable: input.reimbursable,
            address: {
              recipient: addr.recipient,
              mobile: addr.mobile,
              regionCode: addr.regionCode,
              regionName: regionName(addr.regionCode),
              detail: addr.detail,
            },
            note: input.note,
            expiresAt: new Date(now.getTime() + window),
            createdAt: now,
            updatedAt: now,
          });
          await ordersRepo.insertLines(
            tx,
            ls.map((l) => ({
              orderId: o.id,
              productId: l.p.id,
              name: l.p.name,
              unit: l.p.unit,
              categoryCode: l.p.categoryCode,
              originCode: l.p.originCode,
              quantity: l.quantity,
              listPriceFen: l.p.priceFen,
              priceFen: l.p.priceFen,
            })),
          );
          await event(tx, o.id, 'created', a.userId, { bulk: input.bulk, reimbursable: input.reimbursable });
          orders.push(o);
        }
        if (!input.items) {
          await ordersRepo.clearCartLines(
            tx,
            a.userId,
            items.map((i) => i.productId),
          );
        }
        // Government vouchers: an individual buyer's best coupon per order (one per order), held until it is paid or closes.
        const port = core.coupons();
        if (port && input.useCoupon && buyer.kind === 'individual') {
          for (const [i, o] of orders.entries()) {
            const c = await port.reserve(tx, o);
            if (!c) continue;
            orders[i] = (await ordersRepo.updateOrderIf(tx, o.id, 'pending_payment', { couponDiscountFen: c.discountFen }))!;
            await event(tx, o.id, 'coupon_applied', a.userId, { campaignName: c.campaignName, thresholdFen: c.thresholdFen, discountFen: c.discountFen });
          }
        }
        for (const o of orders) await scheduleOrder(o, tx);
        return orders;
      });
      if (input.bulk) {
        for (const o of created) {
          await messages.sendToOrganisation(o.merchantId, {
            title: '单位申请议价',
            body: `订单 ${o.orderNo}（${formatFen(o.totalFen)}）的单位买家申请议价，请在订单中修改价格。`,
            link: `/mall/merchant/orders/${o.id}`,
            category: 'mall',
          });
        }
      }
      return { checkoutId, orders: await views(db, created) };
    },
  };

  return service;
}
