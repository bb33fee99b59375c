import type { OrderStatus } from './orders.machine';

/** Rules of product reviews: pure, no I/O. */

/**
 * Who may review an order's lines: its buyer, once the order completed. Error codes:
 * NOT_FOUND for anyone but the buyer (the order is not theirs to see), REVIEW_NOT_ALLOWED before completion.
 */
export function decideReviewable(o: { buyerUserId: string; status: OrderStatus }, userId: string): 'ok' | 'NOT_FOUND' | 'REVIEW_NOT_ALLOWED' {
  if (o.buyerUserId !== userId) return 'NOT_FOUND';
  return o.status === 'completed' ? 'ok' : 'REVIEW_NOT_ALLOWED';
}

/** Average stars to one decimal (null without any), and the count per star from 5 down to 1. */
export function summariseStars(counts: ReadonlyMap<number, number>) {
  let count = 0;
  let sum = 0;
  for (const [stars, n] of counts) {
    count += n;
    sum += stars * n;
  }
  return {
    count,
    average: count ? Math.round((sum / count) * 10) / 10 : null,
    distribution: [5, 4, 3, 2, 1].map((stars) => ({ stars, count: counts.get(stars) ?? 0 })),
  };
}

/** A reviewer's name as others see it: the first character, then ** (张** / l**). */
export function maskName(name: string): string {
  const chars = [...name.trim()];
  return chars.length ? `${chars[0]}**` : '匿名买家';
}
