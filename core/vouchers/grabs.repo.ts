import { and, asc, desc, eq, gt, inArray, lte, sql } from 'drizzle-orm';
import { rowsOf, type DbOrTx, type Tx } from '../../db/client';
import { voucherCampaigns, voucherCategories, voucherIssuances, vouchers, voucherTiers } from '../../db/schema';

type VoucherRow = typeof vouchers.$inferSelect;
export type GrantedVoucher = VoucherRow;
export type GrantValues = Pick<
  VoucherRow,
  'campaignId' | 'issuanceId' | 'tierId' | 'userId' | 'categoryCode' | 'thresholdFen' | 'discountFen' | 'grantedAt' | 'validUntil'
>;
/** postgres.js returns rows as the result itself, PGlite as `.rows`. */

export type GrantManyAnswer = { voucher: Pick<VoucherRow, 'id' | 'status' | 'grantSeq'> } | 'duplicate' | 'no_room';
export interface GrantRequest {
  tierId: string;
  userId: string;
  grantedAt: Date;
  validUntil: Date;
}

/** What a grab needs to know about its tier: the tier, its issuance and its campaign. */
export interface TierContext {
  tierId: string;
  issuanceId: string;
  campaignId: string;
  categoryCode: string;
  tierNo: number;
  thresholdFen: number;
  discountFen: number;
  count: number;
  granted: number;
  closed: boolean;
  issuanceStatus: 'scheduled' | 'running' | 'paused' | 'stopped' | 'finished';
  startsAt: Date;
  campaignStatus: 'draft' | 'funded' | 'settled' | 'cancelled';
  validUntil: Date;
  regionCodes: string[] | null;
  perIssuanceCap: number | null;
  bureauId: string;
  campaignName: string;
}

const tierContextColumns = {
  tierId: voucherTiers.id,
  issuanceId: voucherTiers.issuanceId,
  campaignId: voucherTiers.campaignId,
  categoryCode: voucherTiers.categoryCode,
  tierNo: voucherTiers.tierNo,
  thresholdFen: voucherTiers.thresholdFen,
  discountFen: voucherTiers.discountFen,
  count: voucherTiers.count,
  granted: voucherTiers.granted,
  closed: voucherTiers.closed,
  issuanceStatus: voucherIssuances.status,
  startsAt: voucherIssuances.startsAt,
  campaignStatus: voucherCampaigns.status,
  validUntil: voucherCampaigns.validUntil,
  regionCodes: voucherCampaigns.regionCodes,
  perIssuanceCap: voucherCampaigns.perIssuanceCap,
  bureauId: voucherCampaigns.bureauId,
  campaignName: voucherCampaigns.name,
};

/** SQL of the grab, the resident's coupons, their expiry and the fairness log. */
export const grabsRepo = {
  async tierContext(q: DbOrTx, tierId: string): Promise<TierContext | undefined> {
    const [row] = await q
      .select(tierContextColumns)
      .from(voucherTiers)
      .innerJoin(voucherIssuances, eq(voucherIssuances.id, voucherTiers.issuanceId))
      .innerJoin(voucherCampaigns, eq(voucherCampaigns.id, voucherTiers.campaignId))
      .where(eq(voucherTiers.id, tierId));
    return row;
  },

  /** Every tier of the campaign's issuances with their issuance and campaign. */
  campaignTiers: (q: DbOrTx, campaignId: string) =>
    q
      .select(tierContextColumns)
      .from(voucherTiers)
      .innerJoin(voucherIssuances, eq(voucherIssuances.id, voucherTiers.issuanceId))
      .innerJoin(voucherCampaigns, eq(voucherCampaigns.id, voucherTiers.campaignId))
      .where(eq(voucherTiers.campaignId, campaignId))
      .orderBy(asc(voucherIssuances.seq), asc(voucherTiers.categoryCode), asc(voucherTiers.tierNo)),

  findCampaign: (q: DbOrTx, id: string) => q.query.voucherCampaigns.findFirst({ where: eq(voucherCampaigns.id, id) }),
  findIssuance: (q: DbOrTx, id: string) => q.query.voucherIssuances.findFirst({ where: eq(voucherIssuances.id, id) }),
  listIssuances: (q: DbOrTx, campaignId: string) =>
    q.select().from(voucherIssuances).where(eq(voucherIssuances.campaignId, campaignId)).orderBy(asc(voucherIssuances.seq)),
  listCategories: (q: DbOrTx, campaignIds: string[]) =>
    campaignIds.length
      ? q.select().from(voucherCategories).where(inArray(voucherCategories.campaignId, campaignIds)).orderBy(asc(voucherCategories.sort))
      : Promise.resolve([]),

  /** Funded campaigns still valid, newest first, with their tiers' totals (the residents' list). */
  activeCampaigns: (q: DbOrTx, now: Date) =>
    q
      .select({
        id: voucherCampaigns.id,
        name: voucherCampaigns.name,
        documentNo: voucherCampaigns.documentNo,
        validUntil: voucherCampaigns.validUntil,
        regionCodes: voucherCampaigns.regionCodes,
        budgetFen: voucherCampaigns.budgetFen,
      })
      .from(voucherCampaigns)
      .where(and(eq(voucherCampaigns.status, 'funded'), gt(voucherCampaigns.validUntil, now)))
      .orderBy(desc(voucherCampaigns.createdAt))
      .limit(50),

  /** Issuances whose gate state matters (not over yet). */
  liveIssuances: (q: DbOrTx) =>
    q
      .select({ id: voucherIssuances.id })
      .from(voucherIssuances)
      .where(inArray(voucherIssuances.status, ['scheduled', 'running', 'paused'])),

  /** The record the gate is rebuilt from: per tier count − granted and the users holding its coupons. */
  async gateSnapshot(q: DbOrTx, issuanceId: string) {
    const tiers = await q
      .select({ id: voucherTiers.id, count: voucherTiers.count, granted: voucherTiers.granted })
      .from(voucherTiers)
      .where(eq(voucherTiers.issuanceId, issuanceId));
    const holders = await q.select({ tierId: vouchers.tierId, userId: vouchers.userId }).from(vouchers).where(eq(vouchers.issuanceId, issuanceId));
    return { tiers, holders };
  },

  tierState: async (q: DbOrTx, tierId: string) => {
    const [row] = await q
      .select({ count: voucherTiers.count, granted: voucherTiers.granted, closed: voucherTiers.closed })
      .from(voucherTiers)
      .where(eq(voucherTiers.id, tierId));
    return row;
  },

  /** granted + 1 unless sold out or closed; undefined when refused. */
  async takeFromTier(tx: Tx, tierId: string) {
    const [row] = await tx
      .update(voucherTiers)
      .set({ granted: sql`${voucherTiers.granted} + 1` })
      .where(and(eq(voucherTiers.id, tierId), sql`${voucherTiers.granted} < ${voucherTiers.count}`, eq(voucherTiers.closed, false)))
      .returning({ granted: voucherTiers.granted, count: voucherTiers.count });
    return row;
  },

  /**
   * Many grants of one issuance's tiers in one statement (group commit; see createGroupWriter): lock the
   * tiers asked for (in id order), let in per tier the first `count − granted` requests in arrival order,
   * insert their coupons with the tier's rule (a (user, tier) that already has one is skipped, not an
   * error), and move each tier's counter by the rows actually inserted. Answers, in request order: the
   * coupon, `duplicate` (the user holds this tier) or `no_room` (not let in: sold out, closed, or behind
   * the stock left); and per tier (keyed by PostgreSQL's lower-case id) its counter after the statement
   * and the room it had before (null when it was closed or sold out).
   */
  async grantMany(q: DbOrTx, requests: GrantRequest[]) {
    const json = JSON.stringify(requests.map((r) => [r.tierId, r.userId, r.grantedAt.toISOString(), r.validUntil.toISOString()]));
    const result = await q.execute(sql`
      with req as (
        select (e.v->>0)::uuid as tier_id, (e.v->>1)::uuid as user_id, (e.v->>2)::timestamptz as granted_at,
          (e.v->>3)::timestamptz as valid_until, e.ord
        from jsonb_array_elements(${json}::jsonb) with ordinality as e(v, ord)
      ), old as (
        select id, campaign_id, issuance_id, category_code, threshold_fen, discount_fen, granted, count from voucher_tiers
        where id in (select tier_id from req) and granted < count and closed = false
        order by id
        for no key update
      ), allowed as (
        select r.*, old.campaign_id, old.issuance_id, old.category_code, old.threshold_fen, old.discount_fen
        from (select req.*, row_number() over (partition by tier_id order by ord) as n from req) r
        join old on old.id = r.tier_id
        where r.n <= old.count - old.granted
      ), ins as (
        insert into vouchers (campaign_id, issuance_id, tier_id, user_id, category_code, threshold_fen, discount_fen, granted_at, valid_until)
        select campaign_id, issuance_id, tier_id, user_id, category_code, threshold_fen, discount_fen, granted_at, valid_until
        from allowed order by ord
        on conflict do nothing
        returning id, tier_id, user_id, status, grant_seq
      ), moved as (
        select tier_id, count(*)::int as n from ins group by tier_id
      ), upd as (
        update voucher_tiers t set granted = t.granted + moved.n from moved where t.id = moved.tier_id
        returning t.id, t.granted
      )
      select
        coalesce((select json_agg(json_build_object('ord', x.ord, 'id', x.id, 'status', x.status, 'grant_seq', x.grant_seq)) from (
          select distinct on (i.id) a.ord, i.id, i.status, i.grant_seq
          from ins i join allowed a on a.tier_id = i.tier_id and a.user_id = i.user_id
          order by i.id, a.ord
        ) x), '[]'::json) as rows,
        coalesce((select json_agg(ord) from allowed), '[]'::json) as allowed,
        coalesce((select json_agg(json_build_object(
          'id', v.id, 'count', v.count, 'granted', coalesce(u.granted, o.granted, v.granted), 'room', o.count - o.granted))
          from voucher_tiers v left join upd u on u.id = v.id left join old o on o.id = v.id
          where v.id in (select tier_id from req)), '[]'::json) as tiers`);
    type Inserted = { ord: number; id: string; status: VoucherRow['status']; grant_seq: string | number };
    type TierOut = { id: string; count: number; granted: number; room: number | null };
    const row = rowsOf(result)[0] as { rows: string | Inserted[]; allowed: string | number[]; tiers: string | TierOut[] };
    const parse = <T>(v: string | T): T => (typeof v === 'string' ? (JSON.parse(v) as T) : v);
    // Answers by request number (`ord`, 1-based): PostgreSQL matched the rows, whatever the ids' spelling.
    const inserted = new Map(parse(row.rows).map((r) => [Number(r.ord), r]));
    const letIn = new Set(parse(row.allowed).map(Number));
    const tiers = new Map(
      parse(row.tiers).map((t) => [t.id, { count: Number(t.count), granted: Number(t.granted), room: t.room === null ? null : Number(t.room) }]),
    );
    const answers = requests.map((_r, i): GrantManyAnswer => {
      const hit = inserted.get(i + 1);
      if (hit) return { voucher: { id: hit.id, status: hit.status, grantSeq: Number(hit.grant_seq) } };
      return letIn.has(i + 1) ? 'duplicate' : 'no_room';
    });
    return { answers, tiers };
  },

  /** running → finished once no tier of the issuance has a coupon left (idempotent; paused stays paused). */
  async finishIfSoldOut(q: DbOrTx, issuanceId: string) {
    const rows = await q
      .update(voucherIssuances)
      .set({ status: 'finished' })
      .where(
        and(
          eq(voucherIssuances.id, issuanceId),
          eq(voucherIssuances.status, 'running'),
          sql`not exists (select 1 from ${voucherTiers} where ${voucherTiers.issuanceId} = ${issuanceId} and ${voucherTiers.granted} < ${voucherTiers.count} and not ${voucherTiers.closed})`,
        ),
      )
      .returning({ id: voucherIssuances.id });
    return rows.length > 0;
  },

  async insertVoucher(tx: Tx, values: typeof vouchers.$inferInsert) {
    const [row] = await tx.insert(vouchers).values(values).returning();
    return row!;
  },

  /** Serialises one user's grabs in one issuance (only when the campaign caps them), until commit. */
  lockUserInIssuance: (tx: Tx, issuanceId: string, userId: string) =>
    tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`voucher-cap:${issuanceId}:${userId}`}, 0))`),

  async countUserInIssuance(q: DbOrTx, issuanceId: string, userId: string) {
    const [row] = await q
      .select({ n: sql<number>`count(*)::int` })
      .from(vouchers)
      .where(and(eq(vouchers.issuanceId, issuanceId), eq(vouchers.userId, userId)));
    return row?.n ?? 0;
  },

  /** The user's coupons with their campaign, newest first. */
  mine: (q: DbOrTx, userId: string) =>
    q
      .select({
        id: vouchers.id,
        campaignId: vouchers.campaignId,
        campaignName: voucherCampaigns.name,
        issuanceId: vouchers.issuanceId,
        tierId: vouchers.tierId,
        categoryCode: vouchers.categoryCode,
        tierNo: voucherTiers.tierNo,
        thresholdFen: vouchers.thresholdFen,
        discountFen: vouchers.discountFen,
        status: vouchers.status,
        grantedAt: vouchers.grantedAt,
        validUntil: vouchers.validUntil,
        usedAt: vouchers.usedAt,
        expiredAt: vouchers.expiredAt,
      })
      .from(vouchers)
      .innerJoin(voucherCampaigns, eq(voucherCampaigns.id, vouchers.campaignId))
      .innerJoin(voucherTiers, eq(voucherTiers.id, vouchers.tierId))
      .where(eq(vouchers.userId, userId))
      .orderBy(desc(vouchers.grantedAt))
      .limit(500),

  /** The user's coupons of these tiers (the grab page marks them 已领取). */
  userTierIds: async (q: DbOrTx, userId: string, campaignId: string) =>
    (
      await q
        .select({ tierId: vouchers.tierId })
        .from(vouchers)
        .where(and(eq(vouchers.userId, userId), eq(vouchers.campaignId, campaignId)))
    ).map((r) => r.tierId),

  /** Campaigns with unused coupons past their validity. */
  campaignsToExpire: (q: DbOrTx, now: Date) =>
    q
      .selectDistinct({ campaignId: vouchers.campaignId })
      .from(vouchers)
      .where(and(eq(vouchers.status, 'unused'), lte(vouchers.validUntil, now))),

  /** Campaigns whose coupons are still valid (their expiry job is scheduled at validity end). */
  campaignsWithCoupons: (q: DbOrTx, now: Date) =>
    q
      .select({ id: voucherCampaigns.id, validUntil: voucherCampaigns.validUntil })
      .from(voucherCampaigns)
      .where(and(gt(voucherCampaigns.validUntil, now), sql`exists (select 1 from ${vouchers} where ${vouchers.campaignId} = ${voucherCampaigns.id})`)),

  /** unused → expired for the campaign's coupons past validity, in one conditional update; returns what moved. */
  async expireUnused(tx: Tx, campaignId: string, now: Date) {
    return tx
      .update(vouchers)
      .set({ status: 'expired', expiredAt: now })
      .where(and(eq(vouchers.campaignId, campaignId), eq(vouchers.status, 'unused'), lte(vouchers.validUntil, now)))
      .returning({ id: vouchers.id, discountFen: vouchers.discountFen });
  },

  /** Every grant of the issuance in grant order (the fairness log). */
  grantsOf: (q: DbOrTx, issuanceId: string) =>
    q
      .select({
        grantSeq: vouchers.grantSeq,
        grantedAt: vouchers.grantedAt,
        userId: vouchers.userId,
        categoryCode: vouchers.categoryCode,
        tierNo: voucherTiers.tierNo,
        thresholdFen: vouchers.thresholdFen,
        discountFen: vouchers.discountFen,
      })
      .from(vouchers)
      .innerJoin(voucherTiers, eq(voucherTiers.id, vouchers.tierId))
      .where(eq(vouchers.issuanceId, issuanceId))
      .orderBy(asc(vouchers.grantSeq)),
};
