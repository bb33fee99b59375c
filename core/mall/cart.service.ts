import type { ProductRow } from '../../db/schema';
import { requireActor, type Actor } from '../shared/actor';
import { AppError } from '../shared/app-error';
import { parseInput } from '../shared/validate';
import { canSeeProduct } from './catalog.machine';
import { orderTotal } from './orders.machine';
import { ordersRepo } from './orders.repo';
import { AddToCartInput, UpdateCartInput, type CartItemView } from './orders.schema';

import { isUuid, type OrderDeps } from './orders.core';

/** One line of a checkout preview. */
export interface CheckoutLine {
  productId: string;
  name: string;
  unit: string;
  priceFen: number;
  quantity: number;
  imageId: string | null;
  problem: string | null;
  amountFen: number;
}

/** What a checkout would place: one group per merchant (one order each) with its total, and the sums. */
export interface CheckoutPreview {
  groups: { merchantId: string; merchantName: string; items: CheckoutLine[]; totalFen: number }[];
  totalFen: number;
  quantity: number;
}

/** A cart line as read with its product (a buyer's or a visitor's). */
interface CartLineRow {
  item: { quantity: number; selected: boolean };
  p: Pick<ProductRow, 'id' | 'merchantId' | 'name' | 'unit' | 'priceFen' | 'stock' | 'status' | 'imageIds'>;
}

/**
 * A cart's lines grouped by merchant (a checkout makes one order per merchant), with what blocks each
 * line (unlisted, short of stock) and the ticked total. The same view for a buyer's and a visitor's cart.
 */
export function groupCartLines(lines: readonly CartLineRow[], names: Map<string, string>) {
  // By merchant name (code point order), newest first within a merchant.
  const rows = lines
    .map((l) => ({ ...l, merchant: names.get(l.p.merchantId) ?? '' }))
    .sort((x, y) => (x.merchant < y.merchant ? -1 : x.merchant > y.merchant ? 1 : 0));
  const groups = new Map<string, { merchantId: string; merchantName: string; items: CartItemView[]; selectedTotalFen: number }>();
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
}

/** The buyer's cart, grouped by merchant (a checkout makes one order per merchant). */
export function createCartService(deps: OrderDeps) {
  const { db, organisations } = deps;

  const service = {
    async cart(actor: Actor | null) {
      const a = requireActor(actor);
      const lines = await ordersRepo.cartLines(db, a.userId);
      const names = await organisations.namesOf(
        lines.map((l) => l.p.merchantId),
        db,
      );
      return groupCartLines(lines, names);
    },

    /**
     * What a checkout would place, with its totals, for the checkout page: the ticked cart lines (or
     * one product bought at once), grouped per merchant as the orders will be, each group's total by
     * the order machine's rule. A product the caller may not see is NOT_FOUND.
     */
    async checkoutPreview(actor: Actor | null, buyNow?: { productId: string; quantity: number }): Promise<CheckoutPreview> {
      const a = requireActor(actor);
      let groups: CheckoutPreview['groups'];
      if (buyNow) {
        const p = isUuid(buyNow.productId) ? await ordersRepo.findProduct(db, buyNow.productId) : undefined;
        const merchant = p && (await organisations.summariesOf([p.merchantId], db)).get(p.merchantId);
        const viewer = { organisationId: a.organisation?.organisationId, isOperator: a.isOperator };
        if (!p || !merchant || !canSeeProduct({ status: p.status, merchantId: p.merchantId, merchantActive: merchant.status === 'active' }, viewer)) {
          throw new AppError('NOT_FOUND', '商品不存在或已下架');
        }
        const problem = p.status !== 'listed' ? '商品已下架' : p.stock < buyNow.quantity ? `库存仅剩 ${p.stock}` : null;
        const items = [
          {
            productId: p.id,
            name: p.name,
            unit: p.unit,
            priceFen: p.priceFen,
            quantity: buyNow.quantity,
            imageId: p.imageIds[0] ?? null,
            problem,
            amountFen: p.priceFen * buyNow.quantity,
          },
        ];
        groups = [{ merchantId: p.merchantId, merchantName: merchant.fullName, items, totalFen: orderTotal(items) }];
      } else {
        const cart = await service.cart(a);
        groups = cart.groups
          .map((g) => {
            const items = g.items.filter((i) => i.selected);
            return { merchantId: g.merchantId, merchantName: g.merchantName, items, totalFen: orderTotal(items) };
          })
          .filter((g) => g.items.length);
      }
      return {
        groups,
        totalFen: groups.reduce((s, g) => s + g.totalFen, 0),
        quantity: groups.reduce((s, g) => s + g.items.reduce((n, i) => n + i.quantity, 0), 0),
      };
    },

    async addToCart(actor: Actor | null, raw: unknown) {
      const a = requireActor(actor);
      const input = parseInput(AddToCartInput, raw);
      const p = await ordersRepo.findProduct(db, input.productId);
      if (!p || p.status !== 'listed') throw new AppError('NOT_FOUND', '商品不存在或已下架');
      await ordersRepo.addToCart(db, a.userId, p.id, input.quantity);
      return service.cart(a);
    },

    async updateCart(actor: Actor | null, productId: string, raw: unknown) {
      const a = requireActor(actor);
      const input = parseInput(UpdateCartInput, raw);
      if (!isUuid(productId)) throw new AppError('NOT_FOUND', '购物车中没有该商品');
      const changes = {
        ...(input.quantity !== undefined ? { quantity: input.quantity } : {}),
        ...(input.selected !== undefined ? { selected: input.selected } : {}),
      };
      if (Object.keys(changes).length === 0) throw new AppError('VALIDATION', '没有要修改的内容');
      const row = await ordersRepo.updateCartLine(db, a.userId, productId, changes);
      if (!row) throw new AppError('NOT_FOUND', '购物车中没有该商品');
      return service.cart(a);
    },

    async removeFromCart(actor: Actor | null, productId: string) {
      const a = requireActor(actor);
      if (isUuid(productId)) await ordersRepo.removeCartLine(db, a.userId, productId);
      return service.cart(a);
    },
  };

  return service;
}
