/**
 * Rules of a visitor's cart and of merging it into the buyer's cart at sign-in: pure, no I/O, the time
 * passed in.
 */

/** What a visitor may keep without signing in: a cart is a convenience, not storage. */
export const VISITOR_CART_LIMITS = {
  /** Different products in one visitor cart. */
  maxLines: 30,
  /** Units of one product. */
  maxQuantity: 99,
  /** A visitor cart lives this long after its last change (the cookie as long). */
  ttlMs: 30 * 24 * 3600_000,
} as const;

/** The most units of one product a signed-in buyer's cart line holds (cart_items' check). */
export const CART_LINE_MAX = 9999;

/** When a visitor cart changed at `now` expires. */
export const visitorCartExpiry = (now: Date) => new Date(now.getTime() + VISITOR_CART_LIMITS.ttlMs);

/**
 * The most a merged cart line may hold: the cart line limit, and the product's stock (nothing can be
 * bought beyond it) — but never less than the buyer already had, so a merge never takes anything away.
 */
export function mergeLineLimit(existing: number, stock: number): number {
  return Math.max(Math.max(0, existing), Math.min(CART_LINE_MAX, Math.max(0, stock)));
}

/**
 * The quantity of a buyer's cart line after merging a visitor's line into it: the sum, capped at the
 * limit; never negative.
 */
export function mergedQuantity(existing: number, added: number, limit: number): number {
  return Math.max(0, Math.min(Math.max(0, existing) + Math.max(0, added), limit));
}

export interface MergeCandidate {
  productId: string;
  /** The visitor's quantity of it. */
  added: number;
  /** What the buyer's cart already holds of it (0: no line). */
  existing: number;
  stock: number;
  /** Whether the product may be bought now (listed, its merchant active). */
  buyable: boolean;
}

export type MergeOutcome = { productId: string; quantity: number; result: 'added' | 'capped' } | { productId: string; result: 'skipped' };

/**
 * What merging does with each visitor line: a product that cannot be bought now, or has no stock for a
 * new line, is skipped (the buyer's own line stays as it was); otherwise the line becomes
 * mergedQuantity(existing, added, limit), 'capped' when that is less than the sum.
 */
export function planMerge(lines: readonly MergeCandidate[]): MergeOutcome[] {
  return lines.map((l) => {
    if (!l.buyable) return { productId: l.productId, result: 'skipped' as const };
    const quantity = mergedQuantity(l.existing, l.added, mergeLineLimit(l.existing, l.stock));
    if (quantity === 0) return { productId: l.productId, result: 'skipped' as const };
    return { productId: l.productId, quantity, result: quantity < l.existing + l.added ? ('capped' as const) : ('added' as const) };
  });
}
