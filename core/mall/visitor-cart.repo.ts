import { and, desc, eq, gt, inArray, lte, sql } from 'drizzle-orm';
import type { DbOrTx, Tx } from '../../db/client';
import { cartItems, products, visitorCartItems, visitorCarts } from '../../db/schema';
import { CART_LINE_MAX, VISITOR_CART_LIMITS } from './visitor-cart.rules';

/** SQL of visitors' carts and of merging one into a buyer's cart (cart_items, the mall's own table). */
export const visitorCartRepo = {
  /** The live (unexpired) cart, locked for the transaction. */
  async lockLive(tx: Tx, id: string, now: Date) {
    const [row] = await tx
      .select()
      .from(visitorCarts)
      .where(and(eq(visitorCarts.id, id), gt(visitorCarts.expiresAt, now)))
      .for('update');
    return row;
  },

  async findLive(q: DbOrTx, id: string, now: Date) {
    const [row] = await q
      .select()
      .from(visitorCarts)
      .where(and(eq(visitorCarts.id, id), gt(visitorCarts.expiresAt, now)));
    return row;
  },

  /** A new cart; an expired one under the same id (a stale cookie) is dropped first. */
  async insertCart(tx: Tx, row: typeof visitorCarts.$inferInsert) {
    await tx.delete(visitorCarts).where(eq(visitorCarts.id, row.id));
    await tx.insert(visitorCarts).values(row);
  },

  touch: (tx: Tx, id: string, expiresAt: Date) => tx.update(visitorCarts).set({ expiresAt }).where(eq(visitorCarts.id, id)),

  /** The cart's lines with their products, newest first. */
  lines: (q: DbOrTx, id: string) =>
    q
      .select({ item: visitorCartItems, p: products })
      .from(visitorCartItems)
      .innerJoin(products, eq(products.id, visitorCartItems.productId))
      .where(eq(visitorCartItems.cartId, id))
      .orderBy(desc(visitorCartItems.addedAt)),

  async hasLine(tx: Tx, id: string, productId: string) {
    const [row] = await tx
      .select({ productId: visitorCartItems.productId })
      .from(visitorCartItems)
      .where(and(eq(visitorCartItems.cartId, id), eq(visitorCartItems.productId, productId)));
    return Boolean(row);
  },

  async countLines(tx: Tx, id: string) {
    const [row] = await tx
      .select({ n: sql<number>`count(*)::int` })
      .from(visitorCartItems)
      .where(eq(visitorCartItems.cartId, id));
    return row?.n ?? 0;
  },

  /** Adds to a line (created ticked; an existing one grows up to the visitor limit and is ticked again). */
  async addLine(tx: Tx, id: string, productId: string, quantity: number, now: Date) {
    const max = VISITOR_CART_LIMITS.maxQuantity;
    await tx
      .insert(visitorCartItems)
      .values({ cartId: id, productId, quantity: Math.min(quantity, max), addedAt: now })
      .onConflictDoUpdate({
        target: [visitorCartItems.cartId, visitorCartItems.productId],
        set: { quantity: sql`least(${visitorCartItems.quantity} + ${quantity}, ${max})`, selected: true },
      });
  },

  async updateLine(tx: Tx, id: string, productId: string, changes: { quantity?: number; selected?: boolean }) {
    const [row] = await tx
      .update(visitorCartItems)
      .set(changes)
      .where(and(eq(visitorCartItems.cartId, id), eq(visitorCartItems.productId, productId)))
      .returning();
    return row;
  },

  removeLine: (tx: Tx, id: string, productId: string) =>
    tx.delete(visitorCartItems).where(and(eq(visitorCartItems.cartId, id), eq(visitorCartItems.productId, productId))),

  /** Empties and deletes the cart, returning its lines: whoever runs this first gets them, anyone after gets none. */
  async takeAll(tx: Tx, id: string) {
    const lines = await tx
      .delete(visitorCartItems)
      .where(eq(visitorCartItems.cartId, id))
      .returning({ productId: visitorCartItems.productId, quantity: visitorCartItems.quantity });
    await tx.delete(visitorCarts).where(eq(visitorCarts.id, id));
    return lines;
  },

  /** Expired carts (their lines by cascade), a batch at a time; returns how many went. */
  async deleteExpired(q: DbOrTx, now: Date, batch = 500) {
    const rows = await q
      .delete(visitorCarts)
      .where(inArray(visitorCarts.id, q.select({ id: visitorCarts.id }).from(visitorCarts).where(lte(visitorCarts.expiresAt, now)).limit(batch)))
      .returning({ id: visitorCarts.id });
    return rows.length;
  },

  productsOf: (q: DbOrTx, ids: string[]) =>
    ids.length
      ? q
          .select({ id: products.id, merchantId: products.merchantId, status: products.status, stock: products.stock })
          .from(products)
          .where(inArray(products.id, ids))
      : Promise.resolve([]),

  buyerLines: (q: DbOrTx, userId: string, productIds: string[]) =>
    productIds.length
      ? q
          .select({ productId: cartItems.productId, quantity: cartItems.quantity })
          .from(cartItems)
          .where(and(eq(cartItems.userId, userId), inArray(cartItems.productId, productIds)))
      : Promise.resolve([]),

  /**
   * Merges a visitor's line into the buyer's cart line in one statement, the rule of
   * mergedQuantity(existing, added, mergeLineLimit(existing, stock)) in SQL, so a concurrent 加入购物车
   * of the same buyer is not lost: a new line gets `fresh`, an existing one least(q + added, greatest(q,
   * cap)); the line is ticked.
   */
  async mergeIntoBuyerLine(tx: Tx, userId: string, productId: string, p: { added: number; cap: number; fresh: number; now: Date }) {
    const cap = Math.min(CART_LINE_MAX, p.cap);
    await tx
      .insert(cartItems)
      .values({ userId, productId, quantity: p.fresh, addedAt: p.now })
      .onConflictDoUpdate({
        target: [cartItems.userId, cartItems.productId],
        set: { quantity: sql`least(${cartItems.quantity} + ${p.added}, greatest(${cartItems.quantity}, ${cap}))`, selected: true },
      });
  },
};
