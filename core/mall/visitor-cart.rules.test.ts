import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CART_LINE_MAX, mergedQuantity, mergeLineLimit, planMerge } from './visitor-cart.rules';

describe('merging a visitor cart line', () => {
  it('gives min(sum, limit), never negative, never below what the buyer had, never above the line limit', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: CART_LINE_MAX }),
        fc.integer({ min: 0, max: 200 }),
        fc.integer({ min: 0, max: 20_000 }),
        (existing, added, stock) => {
          const limit = mergeLineLimit(existing, stock);
          const merged = mergedQuantity(existing, added, limit);
          expect(merged).toBe(Math.min(existing + added, limit));
          expect(merged).toBeGreaterThanOrEqual(0);
          expect(merged).toBeGreaterThanOrEqual(existing);
          expect(merged).toBeLessThanOrEqual(Math.max(existing, CART_LINE_MAX));
          // Within stock unless the buyer already held more.
          expect(merged <= Math.max(existing, stock)).toBe(true);
        },
      ),
    );
  });

  it('is never negative whatever it is given', () => {
    fc.assert(
      fc.property(fc.integer(), fc.integer(), fc.integer(), (existing, added, limit) => {
        expect(mergedQuantity(existing, added, limit)).toBeGreaterThanOrEqual(0);
      }),
    );
  });

  it('merging the same visitor line twice is no merge: the plan is computed once from the line taken', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 50 }), fc.integer({ min: 1, max: 99 }), fc.integer({ min: 0, max: 500 }), (existing, added, stock) => {
        const [once] = planMerge([{ productId: 'p', added, existing, stock, buyable: true }]);
        const after = once!.result === 'skipped' ? existing : once!.quantity;
        // The visitor cart is empty after the first merge: a second one adds 0.
        const [again] = planMerge([{ productId: 'p', added: 0, existing: after, stock, buyable: true }]);
        expect(again!.result === 'skipped' ? after : again!.quantity).toBe(after);
      }),
    );
  });

  it.each([
    { case: 'adds within stock', existing: 2, added: 3, stock: 10, expected: { quantity: 5, result: 'added' } },
    { case: 'caps at stock', existing: 2, added: 30, stock: 10, expected: { quantity: 10, result: 'capped' } },
    { case: 'keeps what the buyer had beyond stock', existing: 12, added: 3, stock: 10, expected: { quantity: 12, result: 'capped' } },
    { case: 'caps at the line limit', existing: 9990, added: 50, stock: 100_000, expected: { quantity: CART_LINE_MAX, result: 'capped' } },
    { case: 'skips a new line without stock', existing: 0, added: 3, stock: 0, expected: { result: 'skipped' } },
  ])('$case', ({ existing, added, stock, expected }) => {
    expect(planMerge([{ productId: 'p', added, existing, stock, buyable: true }])[0]).toEqual({ productId: 'p', ...expected });
  });

  it('skips products that cannot be bought now', () => {
    expect(planMerge([{ productId: 'p', added: 1, existing: 0, stock: 10, buyable: false }])).toEqual([{ productId: 'p', result: 'skipped' }]);
  });
});
