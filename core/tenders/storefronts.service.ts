import { and, count, desc, eq, ilike, inArray, or, sql, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../../db/client';
import { organisations, providerCases, serviceItems, storefronts } from '../../db/schema';
import { fileUrl, type FileService } from '../files/files.service';
import { requireActor, requireOrganisation, type Actor } from '../shared/actor';
import { AppError } from '../shared/app-error';
import type { Clock } from '../shared/clock';
import { regionName } from '../shared/regions';
import { searchQuery, searchVector } from '../shared/search-text';
import { parseInput } from '../shared/validate';
import { CaseInput, ServiceItemInput, ShowcaseQuery, StorefrontInput } from './tenders.schema';
import { categories } from './tenders.repo';

export interface StorefrontDeps {
  db: Db;
  clock: Clock;
  files: FileService;
}

type ItemRow = typeof serviceItems.$inferSelect;
type CaseRow = typeof providerCases.$inferSelect;

/**
 * 店铺 and 展示大厅: a provider's public storefront (profile, service items, cases, ratings) and the
 * list of providers enterprises browse and invite from. Providers edit only their own.
 */
export function createStorefrontService({ db, clock, files }: StorefrontDeps) {
  const cats = () => categories(db);
  const like = (q: string) => `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

  const requireProvider = (actor: Actor | null) => {
    const a = requireActor(actor);
    return { a, org: requireOrganisation(a, ['provider']) };
  };

  async function checkCategories(codes: string[], field: string) {
    const names = (await cats()).names;
    for (const c of codes) if (!names.has(c)) throw new AppError('VALIDATION', '服务类别无效', { [field]: '服务类别无效' });
  }

  /** Recomputes the storefront's search document and its categories from the listed items. */
  async function refreshSearch(tx: Parameters<Parameters<Db['transaction']>[0]>[0], orgId: string) {
    const [org] = await tx.select().from(organisations).where(eq(organisations.id, orgId));
    const [sf] = await tx.select().from(storefronts).where(eq(storefronts.organisationId, orgId));
    const items = await tx.select().from(serviceItems).where(and(eq(serviceItems.organisationId, orgId), eq(serviceItems.status, 'listed')));
    const names = (await cats()).names;
    const itemCats = items.map((i) => names.get(i.categoryCode)?.parentCode ?? i.categoryCode);
    const all = [...new Set([...(sf?.categoryCodes ?? []).map((c) => names.get(c)?.parentCode ?? c), ...itemCats])];
    const doc = searchVector({
      a: org?.fullName ?? '',
      b: [sf?.introduction, sf?.qualifications, ...items.map((i) => `${i.title} ${i.description}`), ...all.map((c) => names.get(c)?.name)].join(' '),
    });
    await tx
      .insert(storefronts)
      .values({ organisationId: orgId, searchVector: doc, categoryCodes: all })
      .onConflictDoUpdate({ target: storefronts.organisationId, set: { searchVector: doc, categoryCodes: all, updatedAt: clock.now() } });
  }

  const itemView = async (i: ItemRow) => {
    const c = (await cats()).names.get(i.categoryCode);
    return { ...i, categoryName: c?.name ?? i.categoryCode, parentCategoryName: c?.parentName ?? null };
  };
  const caseView = (c: CaseRow) => ({ ...c, imageUrl: c.imageFileId ? fileUrl(c.imageFileId) : null });

  async function providerOrThrow(id: string) {
    if (!z.uuid().safeParse(id).success) throw new AppError('NOT_FOUND', '服务机构不存在');
    const [org] = await db.select().from(organisations).where(eq(organisations.id, id));
    if (!org || org.kind !== 'provider' || org.status !== 'active') throw new AppError('NOT_FOUND', '服务机构不存在');
    return org;
  }

  async function ownItem(orgId: string, id: string) {
    if (!z.uuid().safeParse(id).success) throw new AppError('NOT_FOUND', '服务项目不存在');
    const [i] = await db.select().from(serviceItems).where(and(eq(serviceItems.id, id), eq(serviceItems.organisationId, orgId)));
    if (!i) throw new AppError('NOT_FOUND', '服务项目不存在');
    return i;
  }

  /** The newest `per` listed service items of each provider (the showcase cards show a few). */
  async function listedItemsOf(orgIds: string[], per: number) {
    const out = new Map<string, { id: string; title: string; priceMinFen: number; priceMaxFen: number; priceUnit: string }[]>();
    if (!orgIds.length) return out;
    const rows = await db
      .select({ id: serviceItems.id, organisationId: serviceItems.organisationId, title: serviceItems.title, priceMinFen: serviceItems.priceMinFen, priceMaxFen: serviceItems.priceMaxFen, priceUnit: serviceItems.priceUnit })
      .from(serviceItems)
      .where(and(inArray(serviceItems.organisationId, orgIds), eq(serviceItems.status, 'listed')))
      .orderBy(desc(serviceItems.updatedAt));
    for (const { organisationId, ...item } of rows) {
      const list = out.get(organisationId) ?? [];
      if (list.length < per) out.set(organisationId, [...list, item]);
    }
    return out;
  }

  return {
    /** A provider's storefront as anyone sees it (listed items only; the owner sees unlisted ones too). */
    async get(actor: Actor | null, providerId: string) {
      const org = await providerOrThrow(providerId);
      const own = actor?.organisation?.organisationId === org.id;
      const [sf] = await db.select().from(storefronts).where(eq(storefronts.organisationId, org.id));
      const items = await db
        .select()
        .from(serviceItems)
        .where(and(eq(serviceItems.organisationId, org.id), own ? undefined : eq(serviceItems.status, 'listed')))
        .orderBy(desc(serviceItems.updatedAt));
      const cases = await db.select().from(providerCases).where(eq(providerCases.organisationId, org.id)).orderBy(sql`${providerCases.year} desc nulls last`, desc(providerCases.createdAt));
      const names = (await cats()).names;
      return {
        id: org.id,
        fullName: org.fullName,
        uscc: org.uscc,
        location: regionName(org.regionCode),
        since: org.createdAt,
        logoUrl: sf?.logoFileId ? fileUrl(sf.logoFileId) : null,
        logoFileId: sf?.logoFileId ?? null,
        introduction: sf?.introduction || org.intro || '',
        qualifications: sf?.qualifications ?? '',
        regionsServed: (sf?.regionsServed ?? []).map((code) => ({ code, name: regionName(code) })),
        categories: (sf?.categoryCodes ?? []).map((code) => ({ code, name: names.get(code)?.name ?? code })),
        contactPhone: sf?.contactPhone ?? null,
        rating: { average: sf?.ratingAvg ?? null, count: sf?.ratingCount ?? 0 },
        items: await Promise.all(items.map(itemView)),
        cases: cases.map(caseView),
        own,
      };
    },

    /** The provider edits its storefront profile (logo, introduction, qualifications, regions, categories). */
    async update(actor: Actor | null, raw: unknown) {
      const { org } = requireProvider(actor);
      const input = parseInput(StorefrontInput, raw);
      await checkCategories(input.categoryCodes ?? [], 'categoryCodes');
      await db.transaction(async (tx) => {
        if (input.logoFileId) await files.attach(tx, { fileIds: [input.logoFileId], organisationId: org.organisationId, purpose: 'storefront', subjectId: org.organisationId, field: 'logoFileId', imagesOnly: true });
        const values = {
          introduction: input.introduction ?? '',
          qualifications: input.qualifications ?? '',
          regionsServed: input.regionsServed ?? [],
          categoryCodes: input.categoryCodes ?? [],
          contactPhone: input.contactPhone ?? null,
          logoFileId: input.logoFileId ?? null,
          updatedAt: clock.now(),
        };
        await tx.insert(storefronts).values({ organisationId: org.organisationId, ...values }).onConflictDoUpdate({ target: storefronts.organisationId, set: values });
        await refreshSearch(tx, org.organisationId);
      });
      return this.get(actor, org.organisationId);
    },

    async addItem(actor: Actor | null, raw: unknown) {
      const { org } = requireProvider(actor);
      const input = parseInput(ServiceItemInput, raw);
      await checkCategories([input.categoryCode], 'categoryCode');
      const row = await db.transaction(async (tx) => {
        const [i] = await tx.insert(serviceItems).values({ ...input, organisationId: org.organisationId }).returning();
        await refreshSearch(tx, org.organisationId);
        return i!;
      });
      return itemView(row);
    },

    async updateItem(actor: Actor | null, id: string, raw: unknown) {
      const { org } = requireProvider(actor);
      await ownItem(org.organisationId, id);
      const input = parseInput(ServiceItemInput, raw);
      await checkCategories([input.categoryCode], 'categoryCode');
      const row = await db.transaction(async (tx) => {
        const [i] = await tx.update(serviceItems).set({ ...input, updatedAt: clock.now() }).where(and(eq(serviceItems.id, id), eq(serviceItems.organisationId, org.organisationId))).returning();
        await refreshSearch(tx, org.organisationId);
        return i!;
      });
      return itemView(row);
    },

    async deleteItem(actor: Actor | null, id: string) {
      const { org } = requireProvider(actor);
      await ownItem(org.organisationId, id);
      await db.transaction(async (tx) => {
        await tx.delete(serviceItems).where(and(eq(serviceItems.id, id), eq(serviceItems.organisationId, org.organisationId)));
        await refreshSearch(tx, org.organisationId);
      });
      return { deleted: true };
    },

    async addCase(actor: Actor | null, raw: unknown) {
      const { org } = requireProvider(actor);
      const input = parseInput(CaseInput, raw);
      const row = await db.transaction(async (tx) => {
        const [c] = await tx
          .insert(providerCases)
          .values({ organisationId: org.organisationId, title: input.title, clientName: input.clientName ?? null, year: input.year ?? null, description: input.description ?? '' })
          .returning();
        if (input.imageFileId) {
          await files.attach(tx, { fileIds: [input.imageFileId], organisationId: org.organisationId, purpose: 'storefront', subjectId: org.organisationId, field: 'imageFileId', imagesOnly: true });
          await tx.update(providerCases).set({ imageFileId: input.imageFileId }).where(eq(providerCases.id, c!.id));
        }
        return { ...c!, imageFileId: input.imageFileId ?? null };
      });
      return caseView(row);
    },

    async deleteCase(actor: Actor | null, id: string) {
      const { org } = requireProvider(actor);
      if (!z.uuid().safeParse(id).success) throw new AppError('NOT_FOUND', '案例不存在');
      const rows = await db.delete(providerCases).where(and(eq(providerCases.id, id), eq(providerCases.organisationId, org.organisationId))).returning({ id: providerCases.id });
      if (!rows.length) throw new AppError('NOT_FOUND', '案例不存在');
      return { deleted: true };
    },

    /** 展示大厅: active providers, searchable (name, introduction, items), by category and region, rating first; each with its location and up to three listed items. */
    async showcase(raw: unknown) {
      const q = parseInput(ShowcaseQuery, raw);
      const tsq = q.q ? searchQuery(q.q) : undefined;
      const topCategory = q.category ? ((await cats()).names.get(q.category)?.parentCode ?? q.category) : undefined;
      const conds: (SQL | undefined)[] = [
        eq(organisations.kind, 'provider'),
        eq(organisations.status, 'active'),
        tsq ? or(sql`${storefronts.searchVector} @@ to_tsquery('simple', ${tsq})`, ilike(organisations.fullName, like(q.q!))) : undefined,
        topCategory ? sql`${storefronts.categoryCodes} @> ${JSON.stringify([topCategory])}::jsonb` : undefined,
        q.region
          ? sql`(jsonb_array_length(coalesce(${storefronts.regionsServed}, '[]'::jsonb)) = 0 or exists (select 1 from jsonb_array_elements_text(${storefronts.regionsServed}) r where ${q.region} like r || '%' or r like ${`${q.region}%`}))`
          : undefined,
      ];
      const where = and(...conds);
      const order =
        q.sort === 'rating'
          ? [sql`${storefronts.ratingAvg} desc nulls last`, sql`${storefronts.ratingCount} desc nulls last`, desc(organisations.createdAt)]
          : q.sort === 'name'
            ? [sql`${organisations.fullName} collate "C"`]
            : [desc(organisations.createdAt)];
      const base = db
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
          .limit(q.pageSize)
          .offset((q.page - 1) * q.pageSize),
        db.select({ n: count() }).from(organisations).leftJoin(storefronts, eq(storefronts.organisationId, organisations.id)).where(where),
      ]);
      const names = (await cats()).names;
      const topItems = await listedItemsOf(rows.map((r) => r.id), 3);
      return {
        items: rows.map((r) => ({
          id: r.id,
          fullName: r.fullName,
          location: regionName(r.regionCode),
          topItems: topItems.get(r.id) ?? [],
          introduction: (r.introduction || r.intro || '').slice(0, 120),
          logoUrl: r.logoFileId ? fileUrl(r.logoFileId) : null,
          regions: (r.regionsServed ?? []).map((c) => regionName(c)),
          categories: (r.categoryCodes ?? []).map((c) => names.get(c)?.name ?? c),
          rating: { average: r.ratingAvg ?? null, count: r.ratingCount ?? 0 },
          itemCount: r.itemCount,
          createdAt: r.createdAt,
        })),
        total: Number(total?.n ?? 0),
        page: q.page,
        pageSize: q.pageSize,
      };
    },
  };
}
export type StorefrontService = ReturnType<typeof createStorefrontService>;
