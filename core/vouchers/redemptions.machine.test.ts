import { describe, expect, it } from 'vitest';
import { chooseCoupon, isStale, payableFen, REDEMPTION_PAY_WINDOW_MS, redemptionTransition, type CandidateCoupon } from './redemptions.machine';

const now = new Date('2026-12-05T02:00:00Z');
const later = (days: number) => new Date(now.getTime() + days * 86_400_000);
const GENERAL = ['supermarket', 'mall', 'department_store', 'appliances', 'building_materials'];
const coupon = (over: Partial<CandidateCoupon> & { id: string }): CandidateCoupon => ({
  campaignId: 'c1',
  categoryCode: 'dining',
  thresholdFen: 10_000,
  discountFen: 3_000,
  status: 'unused',
  validUntil: later(5),
  merchantCategories: ['dining'],
  ...over,
});
const restaurant = { category: 'dining', campaignIds: ['c1'] };

describe('coupon choice', () => {
  it('takes the largest applicable discount', () => {
    const list = [coupon({ id: 'a' }), coupon({ id: 'b', thresholdFen: 20_000, discountFen: 6_000 })];
    expect(chooseCoupon(list, restaurant, 25_000, now)?.id).toBe('b');
    expect(chooseCoupon(list, restaurant, 19_999, now)?.id).toBe('a');
    expect(chooseCoupon(list, restaurant, 9_999, now)).toBeNull();
  });

  it('the threshold is inclusive (满100: a bill of exactly ¥100 qualifies)', () => {
    expect(chooseCoupon([coupon({ id: 'a' })], restaurant, 10_000, now)?.id).toBe('a');
  });

  it('on equal discounts takes the one expiring first, then a stable order', () => {
    const list = [coupon({ id: 'late', validUntil: later(9) }), coupon({ id: 'soon', validUntil: later(2) })];
    expect(chooseCoupon(list, restaurant, 12_000, now)?.id).toBe('soon');
    const tie = [coupon({ id: 'y' }), coupon({ id: 'x' })];
    expect(chooseCoupon(tie, restaurant, 12_000, now)?.id).toBe('x');
  });

  it('only where its category covers the merchant, in a campaign the merchant takes part in', () => {
    const general = coupon({ id: 'g', categoryCode: 'general', merchantCategories: GENERAL, discountFen: 5_000, thresholdFen: 15_000 });
    const dining = coupon({ id: 'd' });
    expect(chooseCoupon([general, dining], restaurant, 20_000, now)?.id).toBe('d');
    expect(chooseCoupon([general, dining], { category: 'supermarket', campaignIds: ['c1'] }, 20_000, now)?.id).toBe('g');
    expect(chooseCoupon([general, dining], { category: 'home', campaignIds: ['c1'] }, 20_000, now)).toBeNull();
    expect(chooseCoupon([dining], { category: 'dining', campaignIds: ['c2'] }, 20_000, now)).toBeNull();
  });

  it('never a used, expired or out-of-date coupon', () => {
    expect(chooseCoupon([coupon({ id: 'u', status: 'used' })], restaurant, 20_000, now)).toBeNull();
    expect(chooseCoupon([coupon({ id: 'e', status: 'expired' })], restaurant, 20_000, now)).toBeNull();
    expect(chooseCoupon([coupon({ id: 'o', validUntil: now })], restaurant, 20_000, now)).toBeNull();
  });

  it('the resident pays the bill less the discount', () => {
    expect(payableFen(25_000, 6_000)).toBe(19_000);
  });
});

describe('redemption states', () => {
  it('awaiting → paid | cancelled; paid → refunded; nothing else', () => {
    expect(redemptionTransition('awaiting_payment', 'pay')).toBe('paid');
    expect(redemptionTransition('awaiting_payment', 'cancel')).toBe('cancelled');
    expect(redemptionTransition('awaiting_payment', 'refund')).toBeNull();
    expect(redemptionTransition('paid', 'refund')).toBe('refunded');
    expect(redemptionTransition('paid', 'cancel')).toBeNull();
    expect(redemptionTransition('refunded', 'refund')).toBeNull();
    expect(redemptionTransition('cancelled', 'pay')).toBeNull();
  });

  it('an unpaid redemption goes stale after the payment window', () => {
    expect(isStale({ status: 'awaiting_payment', createdAt: now }, new Date(now.getTime() + REDEMPTION_PAY_WINDOW_MS - 1))).toBe(false);
    expect(isStale({ status: 'awaiting_payment', createdAt: now }, new Date(now.getTime() + REDEMPTION_PAY_WINDOW_MS))).toBe(true);
    expect(isStale({ status: 'paid', createdAt: now }, new Date(now.getTime() + REDEMPTION_PAY_WINDOW_MS))).toBe(false);
  });
});
