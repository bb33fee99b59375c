import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { cartItems, organisations, products, visitorCartItems, visitorCarts } from '../../db/schema';
import { individual, merchant, product, unitBuyer } from '../testing/mall-factories';
import { createTestPlatform, ManualClock } from '../testing/test-platform';
import type { Platform } from '../platform/platform';
import { DAY } from '../shared/clock';
import { VISITOR_CART_LIMITS } from './visitor-cart.rules';

let p: Platform;
const clock = new ManualClock(new Date('2026-11-02T02:00:00Z'));
beforeAll(async () => {
  p = await createTestPlatform({ clock });
});
afterAll(() => p?.close());

const carts = () => p.services.visitorCarts;
const qtyOf = (cart: { groups: { items: { productId: string; quantity: number }[] }[] }, productId: string) =>
  cart.groups.flatMap((g) => g.items).find((i) => i.productId === productId)?.quantity;
let ip = 0;
const nextIp = () => `10.9.${Math.floor(++ip / 250)}.${ip % 250}`;

async function shop() {
  const m = await merchant(p);
  const rice = await product(p, m.org.id, { name: '酉阳富硒大米', stock: 100 });
  const oil = await product(p, m.org.id, { name: '酉阳山茶油', stock: 5 });
  return { m, rice, oil };
}

describe('visitor cart', () => {
  it('keeps a visitor cart under a new token, adds up within the per-line limit, and answers bad input in Chinese', async () => {
    const { rice, oil } = await shop();
    const first = await carts().addToVisitorCart(null, { productId: rice.id, quantity: 2 }, { ip: nextIp() });
    expect(first.token).toMatch(/^[a-z2-7]{32}$/);
    const again = await carts().addToVisitorCart(first.token, { productId: rice.id, quantity: 3 });
    expect(again.token).toBe(first.token);
    expect(qtyOf(again.cart, rice.id)).toBe(5);
    await carts().addToVisitorCart(first.token, { productId: oil.id, quantity: 1 });
    expect((await carts().visitorCart(first.token)).count).toBe(2);
    // Capped at the visitor's per-line limit.
    await carts().addToVisitorCart(first.token, { productId: rice.id, quantity: 99 });
    expect(qtyOf(await carts().visitorCart(first.token), rice.id)).toBe(VISITOR_CART_LIMITS.maxQuantity);
    // Only the hash of the token is stored.
    const stored = await p.db.select().from(visitorCarts);
    expect(stored.some((c) => c.id === first.token)).toBe(false);

    const tooMany = await carts()
      .addToVisitorCart(first.token, { productId: rice.id, quantity: 100 })
      .catch((e) => e);
    expect(tooMany).toMatchObject({ code: 'VALIDATION', fields: { quantity: expect.stringContaining('最多 99 件') } });
    const badProduct = await carts()
      .addToVisitorCart(first.token, { productId: 'x', quantity: 1 })
      .catch((e) => e);
    expect(badProduct).toMatchObject({ code: 'VALIDATION', fields: { productId: '商品编号无效' } });
    // Another visitor's token (or a made-up one) sees nothing of this cart.
    expect((await carts().visitorCart('a'.repeat(32))).count).toBe(0);
    expect((await carts().visitorCart('not a token')).count).toBe(0);
  });

  it('refuses an unlisted product and a line past the most products a visitor may keep', async () => {
    const { m } = await shop();
    const draft = await product(p, m.org.id, { status: 'draft' });
    expect(
      await carts()
        .addToVisitorCart(null, { productId: draft.id, quantity: 1 }, { ip: nextIp() })
        .catch((e) => e.code),
    ).toBe('NOT_FOUND');
    const many = await Promise.all(Array.from({ length: VISITOR_CART_LIMITS.maxLines + 1 }, (_, i) => product(p, m.org.id, { name: `商品${i}` })));
    const { token } = await carts().addToVisitorCart(null, { productId: many[0]!.id }, { ip: nextIp() });
    for (const x of many.slice(1, VISITOR_CART_LIMITS.maxLines)) await carts().addToVisitorCart(token, { productId: x.id });
    const full = await carts()
      .addToVisitorCart(token, { productId: many.at(-1)!.id })
      .catch((e) => e);
    expect(full).toMatchObject({ code: 'VISITOR_CART_FULL', message: expect.stringContaining('最多放 30 种') });
    expect((await carts().visitorCart(token)).count).toBe(VISITOR_CART_LIMITS.maxLines);
  });

  it('holds the line limit when two tabs add at once', async () => {
    const { m } = await shop();
    const items = await Promise.all(Array.from({ length: VISITOR_CART_LIMITS.maxLines + 4 }, (_, i) => product(p, m.org.id, { name: `并发${i}` })));
    const { token } = await carts().addToVisitorCart(null, { productId: items[0]!.id }, { ip: nextIp() });
    const results = await Promise.allSettled(items.slice(1).map((x) => carts().addToVisitorCart(token, { productId: x.id })));
    expect(results.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason.code)).toEqual(Array(4).fill('VISITOR_CART_FULL'));
    expect((await carts().visitorCart(token)).count).toBe(VISITOR_CART_LIMITS.maxLines);
  });

  it('changes and removes lines; an expired cart is empty, refuses changes and is swept', async () => {
    const { rice, oil } = await shop();
    const { token } = await carts().addToVisitorCart(null, { productId: rice.id, quantity: 2 }, { ip: nextIp() });
    await carts().addToVisitorCart(token, { productId: oil.id });
    const changed = await carts().updateVisitorCart(token, rice.id, { quantity: 7, selected: false });
    expect(changed.groups[0]!.items.find((i) => i.productId === rice.id)).toMatchObject({ quantity: 7, selected: false });
    expect(
      await carts()
        .updateVisitorCart(token, rice.id, { quantity: 0 })
        .catch((e) => e.fields),
    ).toEqual({ quantity: '数量至少为 1' });
    expect((await carts().removeFromVisitorCart(token, oil.id)).count).toBe(1);

    clock.advance(VISITOR_CART_LIMITS.ttlMs + DAY);
    expect((await carts().visitorCart(token)).count).toBe(0);
    expect(
      await carts()
        .updateVisitorCart(token, rice.id, { quantity: 1 })
        .catch((e) => e.code),
    ).toBe('NOT_FOUND');
    expect(await carts().sweepVisitorCarts()).toBeGreaterThan(0);
    expect(await p.db.select().from(visitorCartItems).where(eq(visitorCartItems.productId, rice.id))).toEqual([]);
    // The stale cookie starts a fresh cart.
    const fresh = await carts().addToVisitorCart(token, { productId: rice.id }, { ip: nextIp() });
    expect(fresh.token).not.toBe(token);
    expect(qtyOf(fresh.cart, rice.id)).toBe(1);
  });
});

describe('merging at sign-in', () => {
  it('adds quantities within stock and the line limit, skips what cannot be bought, and clears the visitor cart', async () => {
    const { m, rice, oil } = await shop();
    const gone = await product(p, m.org.id, { name: '已下架', stock: 10 });
    const empty = await product(p, m.org.id, { name: '无货', stock: 0 });
    const unit = await unitBuyer(p);
    const buyer = await individual(p, unit.org.id);
    await p.services.orders.addToCart(buyer.actor, { productId: rice.id, quantity: 4 });
    await p.services.orders.updateCart(buyer.actor, rice.id, { selected: false });
    const { token } = await carts().addToVisitorCart(null, { productId: rice.id, quantity: 6 }, { ip: nextIp() });
    await carts().addToVisitorCart(token, { productId: oil.id, quantity: 9 }); // stock 5
    await carts().addToVisitorCart(token, { productId: gone.id, quantity: 1 });
    await carts().addToVisitorCart(token, { productId: empty.id, quantity: 1 });
    await p.db.update(products).set({ status: 'unlisted' }).where(eq(products.id, gone.id));

    expect(await carts().mergeVisitorCart(buyer.actor, token)).toEqual({ added: 1, capped: 1, skipped: 2 });
    const cart = await p.services.orders.cart(buyer.actor);
    const items = cart.groups.flatMap((g) => g.items);
    expect(items.map((i) => [i.name, i.quantity, i.selected]).sort()).toEqual(
      [
        ['酉阳富硒大米', 10, true],
        ['酉阳山茶油', 5, true],
      ].sort(),
    );
    expect((await carts().visitorCart(token)).count).toBe(0);
    expect(await p.db.select().from(visitorCartItems).where(eq(visitorCartItems.productId, oil.id))).toEqual([]);
  });

  it('is idempotent: a replayed merge, another tab or another account merges nothing', async () => {
    const { rice } = await shop();
    const buyer = await individual(p, null);
    const other = await individual(p, null, '李四');
    const { token } = await carts().addToVisitorCart(null, { productId: rice.id, quantity: 3 }, { ip: nextIp() });
    expect(await carts().mergeVisitorCart(buyer.actor, token)).toEqual({ added: 1, capped: 0, skipped: 0 });
    expect(await carts().mergeVisitorCart(buyer.actor, token)).toBeNull();
    expect(await carts().mergeVisitorCart(other.actor, token)).toBeNull();
    expect(qtyOf(await p.services.orders.cart(buyer.actor), rice.id)).toBe(3);
    expect((await p.services.orders.cart(other.actor)).count).toBe(0);
    // No token, a malformed one: nothing to merge; a visitor (no actor) is refused.
    expect(await carts().mergeVisitorCart(buyer.actor, null)).toBeNull();
    expect(await carts().mergeVisitorCart(buyer.actor, '../../etc')).toBeNull();
    expect(
      await carts()
        .mergeVisitorCart(null, token)
        .catch((e) => e.code),
    ).toBe('UNAUTHENTICATED');
  });

  it('merges once when merges race (two tabs signing in, a replayed request) and alongside the buyer adding', async () => {
    const { rice, oil } = await shop();
    const buyer = await individual(p, null);
    const { token } = await carts().addToVisitorCart(null, { productId: rice.id, quantity: 4 }, { ip: nextIp() });
    await carts().addToVisitorCart(token, { productId: oil.id, quantity: 2 });
    const results = await Promise.all([
      carts().mergeVisitorCart(buyer.actor, token),
      carts().mergeVisitorCart(buyer.actor, token),
      carts().mergeVisitorCart(buyer.actor, token),
      p.services.orders.addToCart(buyer.actor, { productId: rice.id, quantity: 1 }),
    ]);
    expect(results.slice(0, 3).filter((r) => r !== null)).toEqual([{ added: 2, capped: 0, skipped: 0 }]);
    const cart = await p.services.orders.cart(buyer.actor);
    expect(qtyOf(cart, rice.id)).toBe(5);
    expect(qtyOf(cart, oil.id)).toBe(2);
    const rows = await p.db.select().from(cartItems).where(eq(cartItems.userId, buyer.actor.userId));
    expect(rows).toHaveLength(2);
  });

  it('skips the products of a disabled merchant', async () => {
    const { m, rice } = await shop();
    const buyer = await individual(p, null);
    const { token } = await carts().addToVisitorCart(null, { productId: rice.id, quantity: 1 }, { ip: nextIp() });
    await p.db.update(organisations).set({ status: 'disabled' }).where(eq(organisations.id, m.org.id));
    expect(await carts().mergeVisitorCart(buyer.actor, token)).toEqual({ added: 0, capped: 0, skipped: 1 });
    expect((await p.services.orders.cart(buyer.actor)).count).toBe(0);
  });
});
