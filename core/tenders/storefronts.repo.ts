import { and, count, desc, eq, ilike, inArray, or, sql, type SQL } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client';
import { organisations, providerCases, serviceItems, storefronts } from '../../db/schema';
import { containsPattern } from '../shared/like';

/** drizzle queries of providers' storefronts, service items and cases; no rules here. */

export type StorefrontRow = typeof storefronts.$inferSelect;
export type ItemRow = typeof serviceItems.$inferSelect;
export type CaseRow = typeof providerCases.$inferSelect;
export type ItemValues = Omit<typeof serviceItems.$inferInsert, 'id' | 'organisationId' | 'createdAt'>;

export async function organisationById(q: DbOrTx, id: string) {
  const [org] = await q.select().from(organisations).where(eq(organisations.id, id));
  return org;
}

export async function storefrontOf(q: DbOrTx, organisationId: string): Promise<StorefrontRow | undefined> {
  const [sf] = await q.select().from(storefronts).where(eq(storefronts.organisationId, organisationId));
  return sf;
}

/** The provider's items, newest change first; listed ones only unless `all`. */
export async function itemsOf(q: DbOrTx, organisationId: string, all: boolean): Promise<ItemRow[]> {
  return q
    .select()
    .from(serviceItems)
    .where(and(eq(serviceItems.organisationId, organisationId), all ? undefined : eq(serviceItems.status, 'listed')))
    .orderBy(desc(serviceItems.updatedAt));
}

export async function casesOf(q: DbOrTx, organisationId: string): Promise<CaseRow[]> {
  return q
    .select()
    .from(providerCases)
    .where(eq(providerCases.organisationId, organisationId))
    .orderBy(sql`${providerCases.year} desc nulls last`, desc(providerCases.createdAt));
}

/** Columns to write; a value may be SQL (the search document is built by the database). */
type StorefrontValues = { [K in Exclude<keyof typeof storefronts.$inferInsert, 'organisationId'>]?: (typeof storefronts.$inferInsert)[K] | SQL };

/** Creates the storefront with `values`, or sets `set` (by default the same columns) on the existing one. */
export async function upsertStorefront(q: DbOrTx, organisationId: string, values: StorefrontValues, set: StorefrontValues = values) {
  await q
    .insert(storefronts)
    .values({ organisationId, ...values })
    .onConflictDoUpdate({ target: storefronts.organisationId, set });
}

/** The provider's storefront rating (created if it has no storefront yet). */
export async function setStorefrontRating(q: DbOrTx, providerId: string, rating: { ratingAvg: number | null; ratingCount: number; updatedAt: Date }) {
  await upsertStorefront(q, providerId, rating);
}

export async function ownItem(q: DbOrTx, organisationId: string, id: string): Promise<ItemRow | undefined> {
  const [i] = await q
    .select()
    .from(serviceItems)
    .where(and(eq(serviceItems.id, id), eq(serviceItems.organisationId, organisationId)));
  return i;
}

export async function insertItem(q: DbOrTx, organisationId: string, values: ItemValues): Promise<ItemRow> {
  const [i] = await q
    .insert(serviceItems)
    .values({ ...values, organisationId })
    .returning();
  return i!;
}

export async function updateItem(q: DbOrTx, organisationId: string, id: string, values: ItemValues): Promise<ItemRow> {
  const [i] = await q
    .update(serviceItems)
    .set(values)
    .where(and(eq(serviceItems.id, id), eq(serviceItems.organisationId, organisationId)))
    .returning();
  return i!;
}

export async function deleteItem(q: DbOrTx, organisationId: string, id: string) {
  await q.delete(serviceItems).where(and(eq(serviceItems.id, id), eq(serviceItems.organisationId, organisationId)));
}

export async function insertCase(
  q: DbOrTx,
  values: { organisationId: string; title: string; clientName: string | null; year: number | null; description: string },
): Promise<CaseRow> {
  const [c] = await q.insert(providerCases).values(values).returning();
  return c!;
}

export async function setCaseImage(q: DbOrTx, id: string, imageFileId: string) {
  await q.update(providerCases).set({ imageFileId }).where(eq(providerCases.id, id));
}

/** Deletes the provider's case; false if it has no such case. */
export async function deleteCase(q: DbOrTx, organisationId: string, id: string): Promise<boolean> {
  const rows = await q
    .delete(providerCases)
    .where(and(eq(providerCases.id, id), eq(providerCases.organisationId, organisationId)))
    .returning({ id: providerCases.id });
  return rows.length > 0;
}

/** The newest `per` listed service items of each provider (the showcase cards show a few). */
export async function listedItemsOf(q: DbOrTx, orgIds: string[], per: number) {
  const out = new Map<string, { id: string; title: string; priceMinFen: number; priceMaxFen: number; priceUnit: string }[]>();
  if (!orgIds.length) return out;
  const rows = await q
    .select({
      id: serviceItems.id,
      organisationId: serviceItems.organisationId,
      title: serviceItems.title,
      priceMinFen: serviceItems.priceMinFen,
      priceMaxFen: serviceItems.priceMaxFen,
      priceUnit: serviceItems.priceUnit,
    })
    .from(serviceItems)
    .where(and(inArray(serviceItems.organisationId, orgIds), eq(serviceItems.status, 'listed')))
    .orderBy(desc(serviceItems.updatedAt));
  for (const { organisationId, ...item } of rows) {
    const list = out.get(organisationId) ?? [];
    if (list.length < per) out.set(organisationId, [...list, item]);
  }
  return out;
}

/** One page of active providers for the showcase, with the total. */
export async function showcasePage(
  q: DbOrTx,
  f: { tsq?: string; text?: string; topCategory?: string; region?: string; sort: string; page: number; pageSize: number },
) {
  const conds: (SQL | undefined)[] = [
    eq(organisations.kind, 'provider'),
    eq(organisations.status, 'active'),
    f.tsq ? or(sql`${storefronts.searchVector} @@ to_tsquery('simple', ${f.tsq})`, ilike(organisations.fullName, containsPattern(f.text!))) : undefined,
    f.topCategory ? sql`${storefronts.categoryCodes} @> ${JSON.stringify([f.topCategory])}::jsonb` : undefined,
    f.region
      ? sql`(jsonb_array_length(coalesce(${storefronts.regionsServed}, '[]'::jsonb)) = 0 or exists (select 1 from jsonb_array_elements_text(${storefronts.regionsServed}) r where ${f.region} like r || '%' or r like ${`${f.region}%`}))`
      : undefined,
  ];
  const where = and(...conds);
  const order =
    f.sort === 'rating'
      ? [sql`${storefronts.ratingAvg} desc nulls last`, sql`${storefronts.ratingCount} desc nulls last`, desc(organisations.createdAt)]
      : f.sort === 'name'
        ? [sql`${organisations.fullName} collate "C"`]
        : [desc(organisations.createdAt)];
  const base = q
    .select({
      id: organisations.id,
      fullName: organisations.fullName,
      intro: organisations.intro,
      regionCode: organisations.regionCode,
      createdAt: organisations.createdAt,
      introduction: storefronts.introduction,
      logoFileId: storefronts.logoFileId,
      regionsServed: storefronts.regionsServed,
      categoryCodes: storefronts.categoryCodes,
      ratingAvg: storefronts.ratingAvg,
      ratingCount: storefronts.ratingCount,
      itemCount: sql<number>`(select count(*)::int from ${serviceItems} si where si.organisation_id = ${organisations.id} and si.status = 'listed')`,
    })
    .from(organisations)
    .leftJoin(storefronts, eq(storefronts.organisationId, organisations.id));
  const [rows, [total]] = await Promise.all([
    base
      .where(where)
      .orderBy(...order, desc(organisations.id))
      .limit(f.pageSize)
      .offset((f.page - 1) * f.pageSize),
    q.select({ n: count() }).from(organisations).leftJoin(storefronts, eq(storefronts.organisationId, organisations.id)).where(where),
  ]);
  return { rows, total: Number(total?.n ?? 0) };
}
