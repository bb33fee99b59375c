import { and, count, desc, eq, gt, inArray, isNull, lte, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client';
import { voucherCampaigns, voucherCategories, voucherPaymentCodes, voucherRedemptions, vouchers, voucherSettlements } from '../../db/schema';

type PaymentCodeRow = typeof voucherPaymentCodes.$inferSelect;
export type RedemptionRow = typeof voucherRedemptions.$inferSelect;
type SettlementRow = typeof voucherSettlements.$inferSelect;
type RedemptionStatus = RedemptionRow['status'];

/** SQL of payment codes, redemptions and settlements. */
export const redemptionsRepo = {
  /** A new code; undefined when the digits collide with an existing code (the caller draws again). */
  async insertCode(q: DbOrTx, values: typeof voucherPaymentCodes.$inferInsert) {
    const [row] = await q.insert(voucherPaymentCodes).values(values).onConflictDoNothing().returning();
    return row;
  },

  findCodeByDigits: (q: DbOrTx, digits: string) => q.query.voucherPaymentCodes.findFirst({ where: eq(voucherPaymentCodes.digits, digits) }),

  findCodeOfUser: (q: DbOrTx, id: string, userId: string) =>
    q.query.voucherPaymentCodes.findFirst({ where: and(eq(voucherPaymentCodes.id, id), eq(voucherPaymentCodes.userId, userId)) }),

  /** Single use: marks a live code used; undefined when it was used or had expired. */
  async useCode(q: DbOrTx, id: string, now: Date) {
    const [row] = await q
      .update(voucherPaymentCodes)
      .set({ usedAt: now })
      .where(and(eq(voucherPaymentCodes.id, id), isNull(voucherPaymentCodes.usedAt), gt(voucherPaymentCodes.expiresAt, now)))
      .returning();
    return row;
  },

  /**
   * The user's unused, valid coupons in the given campaigns with the merchant categories their
   * category covers, leaving out coupons held by a live redemption (awaiting payment within the window, or paid).
   */
  candidateCoupons: (q: DbOrTx, userId: string, campaignIds: string[], now: Date, staleBefore: Date) =>
    campaignIds.length
      ? q
          .select({
            id: vouchers.id,
            campaignId: vouchers.campaignId,
            categoryCode: vouchers.categoryCode,
            thresholdFen: vouchers.thresholdFen,
            discountFen: vouchers.discountFen,
            status: vouchers.status,
            validUntil: vouchers.validUntil,
            merchantCategories: voucherCategories.merchantCategories,
            categoryName: voucherCategories.name,
          })
          .from(vouchers)
          .innerJoin(voucherCategories, and(eq(voucherCategories.campaignId, vouchers.campaignId), eq(voucherCategories.code, vouchers.categoryCode)))
          .where(
            and(
              eq(vouchers.userId, userId),
              eq(vouchers.status, 'unused'),
              gt(vouchers.validUntil, now),
              inArray(vouchers.campaignId, campaignIds),
              sql`not exists (select 1 from ${voucherRedemptions} r where r.voucher_id = ${vouchers.id}
                and (r.status in ('paid', 'refunded') or (r.status = 'awaiting_payment' and (r.mall_order_id is not null or r.created_at > ${staleBefore.toISOString()}::timestamptz))))`,
            ),
          )
      : Promise.resolve([]),

  /** Frees a coupon held by a redemption nobody paid within the window. */
  cancelStaleOfCoupon: (q: DbOrTx, voucherId: string, staleBefore: Date) =>
    q
      .update(voucherRedemptions)
      .set({ status: 'cancelled' })
      .where(
        and(
          eq(voucherRedemptions.voucherId, voucherId),
          eq(voucherRedemptions.status, 'awaiting_payment'),
          lte(voucherRedemptions.createdAt, staleBefore),
          // A mall order's coupon is held until its order is paid, cancelled or expires (mall-coupons.ts).
          isNull(voucherRedemptions.mallOrderId),
        ),
      ),

  /** The redemption, unless the coupon has a live one already (the partial unique index decides); undefined then. */
  async insertRedemption(q: DbOrTx, values: typeof voucherRedemptions.$inferInsert) {
    const [row] = await q.insert(voucherRedemptions).values(values).onConflictDoNothing().returning();
    return row;
  },

  findRedemption: (q: DbOrTx, id: string) => q.query.voucherRedemptions.findFirst({ where: eq(voucherRedemptions.id, id) }),

  findRedemptionByCode: (q: DbOrTx, paymentCodeId: string) =>
    q.query.voucherRedemptions.findFirst({ where: eq(voucherRedemptions.paymentCodeId, paymentCodeId) }),

  async lockRedemption(q: DbOrTx, id: string) {
    const [row] = await q.select().from(voucherRedemptions).where(eq(voucherRedemptions.id, id)).for('update');
    return row;
  },

  async lockRedemptionByNo(q: DbOrTx, redemptionNo: string) {
    const [row] = await q.select().from(voucherRedemptions).where(eq(voucherRedemptions.redemptionNo, redemptionNo)).for('update');
    return row;
  },

  async updateRedemption(q: DbOrTx, id: string, values: Partial<typeof voucherRedemptions.$inferInsert>) {
    const [row] = await q.update(voucherRedemptions).set(values).where(eq(voucherRedemptions.id, id)).returning();
    return row!;
  },

  /** unused → used, only while valid: the coupon is spent exactly once. */
  async useCoupon(q: DbOrTx, voucherId: string, now: Date) {
    const [row] = await q
      .update(vouchers)
      .set({ status: 'used', usedAt: now })
      .where(and(eq(vouchers.id, voucherId), eq(vouchers.status, 'unused'), gt(vouchers.validUntil, now)))
      .returning();
    return row;
  },

  findCoupon: (q: DbOrTx, id: string) => q.query.vouchers.findFirst({ where: eq(vouchers.id, id) }),

  categoriesOf: (q: DbOrTx, campaignIds: string[]) =>
    campaignIds.length ? q.select().from(voucherCategories).where(inArray(voucherCategories.campaignId, campaignIds)) : Promise.resolve([]),

  campaignsByIds: (q: DbOrTx, ids: string[]) => (ids.length ? q.select().from(voucherCampaigns).where(inArray(voucherCampaigns.id, ids)) : Promise.resolve([])),

  /** `no key update`: serialises the campaign's money movements without blocking grants (their foreign-key checks take key share). */
  async lockCampaign(q: DbOrTx, id: string) {
    const [row] = await q.select().from(voucherCampaigns).where(eq(voucherCampaigns.id, id)).for('no key update');
    return row;
  },

  markCampaignSettled: (q: DbOrTx, id: string, now: Date) =>
    q.update(voucherCampaigns).set({ status: 'settled', settledAt: now }).where(eq(voucherCampaigns.id, id)),

  async pageOfMerchants(q: DbOrTx, merchantIds: string[], f: { status?: RedemptionStatus }, paging: { limit: number; offset: number }) {
    if (!merchantIds.length) return { rows: [], total: 0 };
    const w = and(inArray(voucherRedemptions.merchantId, merchantIds), f.status ? eq(voucherRedemptions.status, f.status) : undefined);
    const rows = await q
      .select()
      .from(voucherRedemptions)
      .where(w)
      .orderBy(desc(voucherRedemptions.createdAt), desc(voucherRedemptions.id))
      .limit(paging.limit)
      .offset(paging.offset);
    const [{ n }] = (await q.select({ n: count() }).from(voucherRedemptions).where(w)) as [{ n: number }];
    return { rows, total: Number(n) };
  },

  /** Paid (not refunded) redemptions of a campaign, by merchant: what settlement owes. */
  paidTotalsByMerchant: (q: DbOrTx, campaignId: string) =>
    q
      .select({
        merchantId: voucherRedemptions.merchantId,
        redemptions: sql<number>`count(*)::int`,
        discountFen: sql<number>`coalesce(sum(${voucherRedemptions.discountFen}), 0)::bigint`.mapWith(Number),
        billFen: sql<number>`coalesce(sum(${voucherRedemptions.billFen}), 0)::bigint`.mapWith(Number),
      })
      .from(voucherRedemptions)
      .where(and(eq(voucherRedemptions.campaignId, campaignId), eq(voucherRedemptions.status, 'paid')))
      .groupBy(voucherRedemptions.merchantId),

  paidOfCampaign: (q: DbOrTx, campaignId: string) =>
    q
      .select()
      .from(voucherRedemptions)
      .where(and(eq(voucherRedemptions.campaignId, campaignId), eq(voucherRedemptions.status, 'paid')))
      .orderBy(voucherRedemptions.merchantId, voucherRedemptions.paidAt),

  /** Every redemption still awaiting payment in a campaign is cancelled (settlement: the validity is over). */
  cancelAwaitingOfCampaign: (q: DbOrTx, campaignId: string) =>
    q
      .update(voucherRedemptions)
      .set({ status: 'cancelled' })
      .where(and(eq(voucherRedemptions.campaignId, campaignId), eq(voucherRedemptions.status, 'awaiting_payment'))),

  markSettled: (q: DbOrTx, campaignId: string, merchantId: string, settlementId: string) =>
    q
      .update(voucherRedemptions)
      .set({ settlementId })
      .where(
        and(
          eq(voucherRedemptions.campaignId, campaignId),
          eq(voucherRedemptions.merchantId, merchantId),
          eq(voucherRedemptions.status, 'paid'),
          isNull(voucherRedemptions.settlementId),
        ),
      ),

  async insertSettlement(q: DbOrTx, values: typeof voucherSettlements.$inferInsert) {
    const [row] = await q.insert(voucherSettlements).values(values).onConflictDoNothing().returning();
    return row;
  },

  settlementsOf: (q: DbOrTx, campaignId: string) => q.select().from(voucherSettlements).where(eq(voucherSettlements.campaignId, campaignId)),

  settlementOfMerchant: (q: DbOrTx, merchantId: string) => q.query.voucherSettlements.findFirst({ where: eq(voucherSettlements.merchantId, merchantId) }),

  /** Unused coupons of a campaign: settlement waits until expiry has turned them expired. */
  async unusedCount(q: DbOrTx, campaignId: string) {
    const [{ n }] = (await q
      .select({ n: count() })
      .from(vouchers)
      .where(and(eq(vouchers.campaignId, campaignId), eq(vouchers.status, 'unused')))) as [{ n: number }];
    return Number(n);
  },
};
