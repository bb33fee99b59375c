import { and, asc, count, desc, eq, gt, inArray, isNotNull, lte, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client';
import {
  organisations,
  voucherCampaigns,
  voucherCategories,
  voucherIssuances,
  voucherMerchants,
  voucherRedemptions,
  vouchers,
  voucherTiers,
} from '../../db/schema';

/** SQL of voucher campaigns, their categories, issuances and tiers, and the console's figures. No rules here. */

export type CampaignRow = typeof voucherCampaigns.$inferSelect;
export type CategoryRow = typeof voucherCategories.$inferSelect;
export type IssuanceRow = typeof voucherIssuances.$inferSelect;
export type TierRowDb = typeof voucherTiers.$inferSelect;

const isUuid = (id: string) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id);

export interface FigureAgg {
  key: string;
  redemptions: number;
  discountFen: number;
  billFen: number;
}

const figureCols = {
  redemptions: sql<number>`count(*)::int`,
  discountFen: sql<string>`coalesce(sum(${voucherRedemptions.discountFen}), 0)`,
  billFen: sql<string>`coalesce(sum(${voucherRedemptions.billFen}), 0)`,
};
const toAgg = (r: { key: string | null; redemptions: number; discountFen: string; billFen: string }): FigureAgg => ({
  key: r.key ?? '',
  redemptions: Number(r.redemptions),
  discountFen: Number(r.discountFen),
  billFen: Number(r.billFen),
});

export const campaignsRepo = {
  async insertCampaign(q: DbOrTx, values: typeof voucherCampaigns.$inferInsert) {
    const [row] = await q.insert(voucherCampaigns).values(values).returning();
    return row!;
  },

  async updateCampaign(q: DbOrTx, id: string, patch: Partial<typeof voucherCampaigns.$inferInsert>) {
    const [row] = await q.update(voucherCampaigns).set(patch).where(eq(voucherCampaigns.id, id)).returning();
    return row!;
  },

  async findCampaign(q: DbOrTx, id: string, lock = false): Promise<CampaignRow | undefined> {
    if (!isUuid(id)) return undefined;
    const query = q.select().from(voucherCampaigns).where(eq(voucherCampaigns.id, id));
    // NO KEY UPDATE: a grant's insert takes KEY SHARE on the campaign and issuance (foreign keys) while it
    // holds its tier row; FOR UPDATE here, then the tiers, would deadlock with it.
    const [row] = await (lock ? query.for('no key update') : query);
    return row;
  },

  async pageOfBureau(q: DbOrTx, bureauId: string, paging: { limit: number; offset: number }) {
    const where = eq(voucherCampaigns.bureauId, bureauId);
    const items = await q.select().from(voucherCampaigns).where(where).orderBy(desc(voucherCampaigns.createdAt)).limit(paging.limit).offset(paging.offset);
    const [t] = await q.select({ n: count() }).from(voucherCampaigns).where(where);
    return { items, total: t?.n ?? 0 };
  },

  /** Funded campaigns whose coupons are still usable, newest validity first (what residents see). */
  listOpen: (q: DbOrTx, now: Date) =>
    q
      .select()
      .from(voucherCampaigns)
      .where(and(eq(voucherCampaigns.status, 'funded'), gt(voucherCampaigns.validUntil, now)))
      .orderBy(asc(voucherCampaigns.validUntil))
      .limit(50),

  async bureauNames(q: DbOrTx, ids: string[]) {
    if (!ids.length) return new Map<string, string>();
    const rows = await q.select({ id: organisations.id, name: organisations.fullName }).from(organisations).where(inArray(organisations.id, ids));
    return new Map(rows.map((r) => [r.id, r.name]));
  },

  // ── categories ──

  async replaceCategories(q: DbOrTx, campaignId: string, rows: { code: string; name: string; merchantCategories: string[] }[]) {
    await q.delete(voucherCategories).where(eq(voucherCategories.campaignId, campaignId));
    if (rows.length) await q.insert(voucherCategories).values(rows.map((r, i) => ({ campaignId, ...r, sort: i })));
  },

  categoriesOf: (q: DbOrTx, campaignIds: string[]) =>
    campaignIds.length
      ? q.select().from(voucherCategories).where(inArray(voucherCategories.campaignId, campaignIds)).orderBy(asc(voucherCategories.sort))
      : Promise.resolve([] as CategoryRow[]),

  // ── issuances and tiers ──

  async nextSeq(q: DbOrTx, campaignId: string) {
    const [r] = await q
      .select({ n: sql<number>`coalesce(max(${voucherIssuances.seq}), 0)::int` })
      .from(voucherIssuances)
      .where(eq(voucherIssuances.campaignId, campaignId));
    return Number(r?.n ?? 0) + 1;
  },

  async insertIssuance(q: DbOrTx, values: typeof voucherIssuances.$inferInsert) {
    const [row] = await q.insert(voucherIssuances).values(values).returning();
    return row!;
  },

  async updateIssuance(q: DbOrTx, id: string, patch: Partial<typeof voucherIssuances.$inferInsert>) {
    const [row] = await q.update(voucherIssuances).set(patch).where(eq(voucherIssuances.id, id)).returning();
    return row!;
  },

  async findIssuance(q: DbOrTx, id: string, lock = false): Promise<IssuanceRow | undefined> {
    if (!isUuid(id)) return undefined;
    const query = q.select().from(voucherIssuances).where(eq(voucherIssuances.id, id));
    const [row] = await (lock ? query.for('no key update') : query);
    return row;
  },

  async deleteIssuance(q: DbOrTx, id: string) {
    await q.delete(voucherTiers).where(eq(voucherTiers.issuanceId, id));
    await q.delete(voucherIssuances).where(eq(voucherIssuances.id, id));
  },

  issuancesOf: (q: DbOrTx, campaignIds: string[]) =>
    campaignIds.length
      ? q
          .select()
          .from(voucherIssuances)
          .where(inArray(voucherIssuances.campaignId, campaignIds))
          .orderBy(asc(voucherIssuances.startsAt), asc(voucherIssuances.seq))
      : Promise.resolve([] as IssuanceRow[]),

  /** Scheduled issuances whose start time has come (the start job's catch-up). */
  dueIssuances: (q: DbOrTx, now: Date) =>
    q
      .select({ id: voucherIssuances.id })
      .from(voucherIssuances)
      .where(and(eq(voucherIssuances.status, 'scheduled'), lte(voucherIssuances.startsAt, now))),

  scheduledIssuances: (q: DbOrTx) =>
    q.select({ id: voucherIssuances.id, startsAt: voucherIssuances.startsAt }).from(voucherIssuances).where(eq(voucherIssuances.status, 'scheduled')),

  async replaceTiers(q: DbOrTx, issuanceId: string, campaignId: string, rows: Omit<typeof voucherTiers.$inferInsert, 'issuanceId' | 'campaignId'>[]) {
    await q.delete(voucherTiers).where(eq(voucherTiers.issuanceId, issuanceId));
    await q.insert(voucherTiers).values(rows.map((r) => ({ ...r, issuanceId, campaignId })));
  },

  tiersOf: (q: DbOrTx, issuanceIds: string[]) =>
    issuanceIds.length
      ? q.select().from(voucherTiers).where(inArray(voucherTiers.issuanceId, issuanceIds)).orderBy(asc(voucherTiers.categoryCode), asc(voucherTiers.tierNo))
      : Promise.resolve([] as TierRowDb[]),

  /** The issuance's tiers locked (FOR UPDATE, in id order): a stop's return is exact against concurrent grants. */
  lockTiers: (q: DbOrTx, issuanceId: string) =>
    q.select().from(voucherTiers).where(eq(voucherTiers.issuanceId, issuanceId)).orderBy(asc(voucherTiers.id)).for('update'),

  setTiersClosed: (q: DbOrTx, issuanceId: string, closed: boolean) => q.update(voucherTiers).set({ closed }).where(eq(voucherTiers.issuanceId, issuanceId)),

  // ── figures ──

  /** Σ discount of the campaign's coupons by status, with counts. */
  async couponsByStatus(q: DbOrTx, campaignId: string) {
    const rows = await q
      .select({ status: vouchers.status, n: sql<number>`count(*)::int`, fen: sql<string>`coalesce(sum(${vouchers.discountFen}), 0)` })
      .from(vouchers)
      .where(eq(vouchers.campaignId, campaignId))
      .groupBy(vouchers.status);
    const of = (s: string) => rows.find((r) => r.status === s);
    return Object.fromEntries(['unused', 'used', 'expired'].map((s) => [s, { count: Number(of(s)?.n ?? 0), fen: Number(of(s)?.fen ?? 0) }])) as Record<
      'unused' | 'used' | 'expired',
      { count: number; fen: number }
    >;
  },

  /** Σ discount of the campaign's redemptions by status (paid, refunded). */
  async redemptionsByStatus(q: DbOrTx, campaignId: string) {
    const rows = await q
      .select({ status: voucherRedemptions.status, fen: sql<string>`coalesce(sum(${voucherRedemptions.discountFen}), 0)` })
      .from(voucherRedemptions)
      .where(eq(voucherRedemptions.campaignId, campaignId))
      .groupBy(voucherRedemptions.status);
    const of = (s: string) => Number(rows.find((r) => r.status === s)?.fen ?? 0);
    return { paidFen: of('paid'), refundedFen: of('refunded') };
  },

  /** Σ total of started issuances and Σ what stops returned. */
  async allocation(q: DbOrTx, campaignId: string) {
    const [r] = await q
      .select({
        allocated: sql<string>`coalesce(sum(${voucherIssuances.totalFen}) filter (where ${isNotNull(voucherIssuances.allocatedAt)}), 0)`,
        returned: sql<string>`coalesce(sum(${voucherIssuances.returnedFen}), 0)`,
      })
      .from(voucherIssuances)
      .where(eq(voucherIssuances.campaignId, campaignId));
    return { allocatedFen: Number(r?.allocated ?? 0), returnedFen: Number(r?.returned ?? 0) };
  },

  /** Paid redemptions grouped by a key: Shanghai day, coupon category, merchant region, merchant. */
  async paidFigures(q: DbOrTx, campaignId: string, by: 'day' | 'category' | 'district' | 'merchant' | 'total'): Promise<(FigureAgg & { name?: string })[]> {
    const where = and(eq(voucherRedemptions.campaignId, campaignId), eq(voucherRedemptions.status, 'paid'));
    if (by === 'total') {
      const rows = await q
        .select({ key: sql<string>`'total'`, ...figureCols })
        .from(voucherRedemptions)
        .where(where);
      return rows.map(toAgg);
    }
    if (by === 'day') {
      const key = sql<string>`to_char(${voucherRedemptions.paidAt} at time zone 'Asia/Shanghai', 'YYYY-MM-DD')`;
      return (
        await q
          .select({ key, ...figureCols })
          .from(voucherRedemptions)
          .where(where)
          .groupBy(key)
          .orderBy(key)
      ).map(toAgg);
    }
    if (by === 'category') {
      const key = vouchers.categoryCode;
      return (
        await q
          .select({ key, ...figureCols })
          .from(voucherRedemptions)
          .innerJoin(vouchers, eq(vouchers.id, voucherRedemptions.voucherId))
          .where(where)
          .groupBy(key)
          .orderBy(key)
      ).map(toAgg);
    }
    if (by === 'district') {
      const key = voucherMerchants.regionCode;
      return (
        await q
          .select({ key, ...figureCols })
          .from(voucherRedemptions)
          .innerJoin(voucherMerchants, eq(voucherMerchants.id, voucherRedemptions.merchantId))
          .where(where)
          .groupBy(key)
          .orderBy(desc(sql`sum(${voucherRedemptions.billFen})`))
      ).map(toAgg);
    }
    const rows = await q
      .select({ key: voucherMerchants.id, name: voucherMerchants.name, ...figureCols })
      .from(voucherRedemptions)
      .innerJoin(voucherMerchants, eq(voucherMerchants.id, voucherRedemptions.merchantId))
      .where(where)
      .groupBy(voucherMerchants.id, voucherMerchants.name)
      .orderBy(desc(sql`sum(${voucherRedemptions.billFen})`))
      .limit(500);
    return rows.map((r) => ({ ...toAgg(r), name: r.name }));
  },
};
