/**
 * 核销 rules, pure: which of a resident's coupons applies to a bill at a merchant, what the resident
 * pays, and the redemption's states.
 */

export type RedemptionStatus = 'awaiting_payment' | 'paid' | 'cancelled' | 'refunded';

export const REDEMPTION_STATUS_LABELS: Record<RedemptionStatus, string> = {
  awaiting_payment: '待付款',
  paid: '已付款',
  cancelled: '已取消',
  refunded: '已退款',
};

/** A redemption not paid within this window is cancelled (its coupon is free again). */
export const REDEMPTION_PAY_WINDOW_MS = 10 * 60_000;

/** Bills from ¥0.01 to ¥1,000,000. */
export const MAX_BILL_FEN = 100_000_000;

export type RedemptionEvent = 'pay' | 'cancel' | 'refund';

const TRANSITIONS: Record<RedemptionStatus, Partial<Record<RedemptionEvent, RedemptionStatus>>> = {
  awaiting_payment: { pay: 'paid', cancel: 'cancelled' },
  paid: { refund: 'refunded' },
  cancelled: {},
  refunded: {},
};

/** The next status, or null when the event is not allowed in this status. */
export const redemptionTransition = (from: RedemptionStatus, event: RedemptionEvent): RedemptionStatus | null => TRANSITIONS[from][event] ?? null;

export interface CandidateCoupon {
  id: string;
  campaignId: string;
  categoryCode: string;
  thresholdFen: number;
  discountFen: number;
  status: 'unused' | 'used' | 'expired';
  validUntil: Date;
  /** Merchant categories the coupon's category covers (its campaign's voucher_categories row). */
  merchantCategories: readonly string[];
}

/** Why a coupon does not apply, for the quote's explanation. */
export function couponApplies(c: CandidateCoupon, merchant: { category: string; campaignIds: readonly string[] }, billFen: number, now: Date): boolean {
  return (
    c.status === 'unused' &&
    c.validUntil.getTime() > now.getTime() &&
    merchant.campaignIds.includes(c.campaignId) &&
    c.merchantCategories.includes(merchant.category) &&
    c.thresholdFen <= billFen
  );
}

/**
 * The best applicable coupon: the merchant takes part in its campaign, its category covers the
 * merchant's category, threshold ≤ bill, valid, unused; best = largest discount, then earliest
 * expiry, then id (a stable answer). Null when none applies.
 */
export function chooseCoupon<C extends CandidateCoupon>(
  coupons: readonly C[],
  merchant: { category: string; campaignIds: readonly string[] },
  billFen: number,
  now: Date,
): C | null {
  let best: C | null = null;
  for (const c of coupons) {
    if (!couponApplies(c, merchant, billFen, now)) continue;
    if (
      !best ||
      c.discountFen > best.discountFen ||
      (c.discountFen === best.discountFen && c.validUntil.getTime() < best.validUntil.getTime()) ||
      (c.discountFen === best.discountFen && c.validUntil.getTime() === best.validUntil.getTime() && c.id < best.id)
    )
      best = c;
  }
  return best;
}

/**
 * The best coupon over all of a merchant's enrolments (one per campaign, each with its category), and
 * the enrolment it is redeemed under. Both nulls when none applies.
 */
export function chooseAcrossEnrolments<C extends CandidateCoupon & { campaignId: string }, M extends { category: string; campaignId: string }>(
  coupons: readonly C[],
  enrolments: readonly M[],
  billFen: number,
  now: Date,
): { coupon: C | null; merchant: M | null } {
  let coupon: C | null = null;
  let merchant: M | null = null;
  for (const m of enrolments) {
    const c = chooseCoupon(coupons, { category: m.category, campaignIds: [m.campaignId] }, billFen, now);
    if (c && (!coupon || chooseCoupon([coupon, c], { category: m.category, campaignIds: [coupon.campaignId, c.campaignId] }, billFen, now) === c)) {
      coupon = c;
      merchant = m;
    }
  }
  return { coupon, merchant };
}

/** What the resident pays: the bill less the discount (threshold > discount, so always > 0). */
export const payableFen = (billFen: number, discountFen: number) => billFen - discountFen;

/** A redemption awaiting payment past the window is stale: it no longer holds its coupon. */
export const isStale = (r: { status: RedemptionStatus; createdAt: Date; mallOrderId?: string | null }, now: Date) =>
  r.status === 'awaiting_payment' && !r.mallOrderId && now.getTime() - r.createdAt.getTime() >= REDEMPTION_PAY_WINDOW_MS;
