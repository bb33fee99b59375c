import { and, count, desc, eq, ilike, inArray, sql, type SQL } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client';
import { voucherCampaigns, voucherMerchants } from '../../db/schema';
import { containsPattern } from '../shared/like';

export type VoucherMerchantRow = typeof voucherMerchants.$inferSelect;
export type CampaignRow = typeof voucherCampaigns.$inferSelect;
type Status = VoucherMerchantRow['status'];

interface Filters {
  keyword?: string;
  regionCode?: string;
  category?: string;
  status?: Status;
}

const where = (campaignId: string, f: Filters): SQL =>
  and(
    eq(voucherMerchants.campaignId, campaignId),
    f.status ? eq(voucherMerchants.status, f.status) : undefined,
    f.regionCode ? eq(voucherMerchants.regionCode, f.regionCode) : undefined,
    f.category ? eq(voucherMerchants.category, f.category) : undefined,
    f.keyword ? ilike(voucherMerchants.name, containsPattern(f.keyword)) : undefined,
  )!;

/** SQL of the merchants of voucher campaigns. */
export const merchantsRepo = {
  findCampaign: (q: DbOrTx, id: string) => q.query.voucherCampaigns.findFirst({ where: eq(voucherCampaigns.id, id) }),

  async insert(q: DbOrTx, values: typeof voucherMerchants.$inferInsert) {
    const [row] = await q.insert(voucherMerchants).values(values).returning();
    return row!;
  },

  /** Inserts unless the organisation or the merchant number is enrolled already; undefined then. */
  async insertIfAbsent(q: DbOrTx, values: typeof voucherMerchants.$inferInsert) {
    const [row] = await q.insert(voucherMerchants).values(values).onConflictDoNothing().returning();
    return row;
  },

  find: (q: DbOrTx, id: string) => q.query.voucherMerchants.findFirst({ where: eq(voucherMerchants.id, id) }),

  async lock(q: DbOrTx, id: string) {
    const [row] = await q.select().from(voucherMerchants).where(eq(voucherMerchants.id, id)).for('update');
    return row;
  },

  findOfOrganisation: (q: DbOrTx, campaignId: string, organisationId: string) =>
    q.query.voucherMerchants.findFirst({ where: and(eq(voucherMerchants.campaignId, campaignId), eq(voucherMerchants.organisationId, organisationId)) }),

  findByMerchantNo: (q: DbOrTx, campaignId: string, merchantNo: string) =>
    q.query.voucherMerchants.findFirst({ where: and(eq(voucherMerchants.campaignId, campaignId), eq(voucherMerchants.merchantNo, merchantNo)) }),

  /** Every enrolment of an organisation (all campaigns), newest first. */
  listOfOrganisation: (q: DbOrTx, organisationId: string) =>
    q.select().from(voucherMerchants).where(eq(voucherMerchants.organisationId, organisationId)).orderBy(desc(voucherMerchants.createdAt)),

  async update(q: DbOrTx, id: string, values: Partial<typeof voucherMerchants.$inferInsert>) {
    const [row] = await q.update(voucherMerchants).set(values).where(eq(voucherMerchants.id, id)).returning();
    return row!;
  },

  async page(q: DbOrTx, campaignId: string, f: Filters, paging: { limit: number; offset: number }) {
    const w = where(campaignId, f);
    const rows = await q
      .select()
      .from(voucherMerchants)
      .where(w)
      .orderBy(sql`${voucherMerchants.reviewedAt} desc nulls last`, desc(voucherMerchants.createdAt), voucherMerchants.id)
      .limit(paging.limit)
      .offset(paging.offset);
    const [{ n }] = (await q.select({ n: count() }).from(voucherMerchants).where(w)) as [{ n: number }];
    return { rows, total: Number(n) };
  },

  /** Approved merchants of a campaign (settlement pays each). */
  approvedOfCampaign: (q: DbOrTx, campaignId: string) =>
    q
      .select()
      .from(voucherMerchants)
      .where(and(eq(voucherMerchants.campaignId, campaignId), eq(voucherMerchants.status, 'approved')))
      .orderBy(voucherMerchants.createdAt),

  byIds: (q: DbOrTx, ids: string[]) => (ids.length ? q.select().from(voucherMerchants).where(inArray(voucherMerchants.id, ids)) : Promise.resolve([])),
};
