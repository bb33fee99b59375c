import { z } from 'zod';
import type { Db, DbOrTx, Tx } from '../../db/client';
import { fileUrl, type FileService } from '../files/files.service';
import { requireActor, requireOrganisation, type Actor } from '../shared/actor';
import { AppError } from '../shared/app-error';
import type { Clock } from '../shared/clock';
import { regionName } from '../shared/regions';
import { searchQuery, searchVector } from '../shared/search-text';
import { parseInput } from '../shared/validate';
import { CaseInput, ServiceItemInput, ShowcaseQuery, StorefrontInput } from './tenders.schema';
import { categories } from './tenders.repo';
import * as repo from './storefronts.repo';
import type { CaseRow, ItemRow } from './storefronts.repo';

export interface StorefrontDeps {
  db: Db;
  clock: Clock;
  files: FileService;
}

/**
 * 店铺 and 展示大厅: a provider's public storefront (profile, service items, cases, ratings) and the
 * list of providers enterprises browse and invite from. Providers edit only their own.
 */
export function createStorefrontService({ db, clock, files }: StorefrontDeps) {
  const cats = () => categories(db);

  const requireProvider = (actor: Actor | null) => {
    const a = requireActor(actor);
    return { a, org: requireOrganisation(a, ['provider']) };
  };

  async function checkCategories(codes: string[], field: string) {
    const names = (await cats()).names;
    for (const c of codes) if (!names.has(c)) throw new AppError('VALIDATION', '服务类别无效', { [field]: '服务类别无效' });
  }

  /** Recomputes the storefront's search document and its categories from the listed items. */
  async function refreshSearch(tx: Tx, orgId: string) {
    const org = await repo.organisationById(tx, orgId);
    const sf = await repo.storefrontOf(tx, orgId);
    const items = await repo.itemsOf(tx, orgId, false);
    const names = (await cats()).names;
    const itemCats = items.map((i) => names.get(i.categoryCode)?.parentCode ?? i.categoryCode);
    const all = [...new Set([...(sf?.categoryCodes ?? []).map((c) => names.get(c)?.parentCode ?? c), ...itemCats])];
    const doc = searchVector({
      a: org?.fullName ?? '',
      b: [sf?.introduction, sf?.qualifications, ...items.map((i) => `${i.title} ${i.description}`), ...all.map((c) => names.get(c)?.name)].join(' '),
    });
    await repo.upsertStorefront(tx, orgId, { searchVector: doc, categoryCodes: all }, { searchVector: doc, categoryCodes: all, updatedAt: clock.now() });
  }

  const itemView = async (i: ItemRow) => {
    const c = (await cats()).names.get(i.categoryCode);
    return { ...i, categoryName: c?.name ?? i.categoryCode, parentCategoryName: c?.parentName ?? null };
  };
  const caseView = (c: CaseRow) => ({ ...c, imageUrl: c.imageFileId ? fileUrl(c.imageFileId) : null });

  async function providerOrThrow(id: string) {
    if (!z.uuid().safeParse(id).success) throw new AppError('NOT_FOUND', '服务机构不存在');
    const org = await repo.organisationById(db, id);
    if (!org || org.kind !== 'provider' || org.status !== 'active') throw new AppError('NOT_FOUND', '服务机构不存在');
    return org;
  }

  async function ownItem(orgId: string, id: string) {
    if (!z.uuid().safeParse(id).success) throw new AppError('NOT_FOUND', '服务项目不存在');
    const i = await repo.ownItem(db, orgId, id);
    if (!i) throw new AppError('NOT_FOUND', '服务项目不存在');
    return i;
  }

  return {
    /** The provider's average rating from enterprises (escrow's reviews), in the caller's transaction; creates the storefront if missing. */
    async setRating(providerId: string, rating: { ratingAvg: number | null; ratingCount: number; updatedAt: Date }, q: DbOrTx = db) {
      await repo.setStorefrontRating(q, providerId, rating);
    },

    /** A provider's storefront as anyone sees it (listed items only; the owner sees unlisted ones too). */
    async get(actor: Actor | null, providerId: string) {
      const org = await providerOrThrow(providerId);
      const own = actor?.organisation?.organisationId === org.id;
      const sf = await repo.storefrontOf(db, org.id);
      const items = await repo.itemsOf(db, org.id, own);
      const cases = await repo.casesOf(db, org.id);
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
        if (input.logoFileId)
          await files.attach(tx, {
            fileIds: [input.logoFileId],
            organisationId: org.organisationId,
            purpose: 'storefront',
            subjectId: org.organisationId,
            field: 'logoFileId',
            imagesOnly: true,
          });
        const values = {
          introduction: input.introduction ?? '',
          qualifications: input.qualifications ?? '',
          regionsServed: input.regionsServed ?? [],
          categoryCodes: input.categoryCodes ?? [],
          contactPhone: input.contactPhone ?? null,
          logoFileId: input.logoFileId ?? null,
          updatedAt: clock.now(),
        };
        await repo.upsertStorefront(tx, org.organisationId, values);
        await refreshSearch(tx, org.organisationId);
      });
      return this.get(actor, org.organisationId);
    },

    async addItem(actor: Actor | null, raw: unknown) {
      const { org } = requireProvider(actor);
      const input = parseInput(ServiceItemInput, raw);
      await checkCategories([input.categoryCode], 'categoryCode');
      const row = await db.transaction(async (tx) => {
        const i = await repo.insertItem(tx, org.organisationId, input);
        await refreshSearch(tx, org.organisationId);
        return i;
      });
      return itemView(row);
    },

    async updateItem(actor: Actor | null, id: string, raw: unknown) {
      const { org } = requireProvider(actor);
      await ownItem(org.organisationId, id);
      const input = parseInput(ServiceItemInput, raw);
      await checkCategories([input.categoryCode], 'categoryCode');
      const row = await db.transaction(async (tx) => {
        const i = await repo.updateItem(tx, org.organisationId, id, { ...input, updatedAt: clock.now() });
        await refreshSearch(tx, org.organisationId);
        return i;
      });
      return itemView(row);
    },

    async deleteItem(actor: Actor | null, id: string) {
      const { org } = requireProvider(actor);
      await ownItem(org.organisationId, id);
      await db.transaction(async (tx) => {
        await repo.deleteItem(tx, org.organisationId, id);
        await refreshSearch(tx, org.organisationId);
      });
      return { deleted: true };
    },

    async addCase(actor: Actor | null, raw: unknown) {
      const { org } = requireProvider(actor);
      const input = parseInput(CaseInput, raw);
      const row = await db.transaction(async (tx) => {
        const c = await repo.insertCase(tx, {
          organisationId: org.organisationId,
          title: input.title,
          clientName: input.clientName ?? null,
          year: input.year ?? null,
          description: input.description ?? '',
        });
        if (input.imageFileId) {
          await files.attach(tx, {
            fileIds: [input.imageFileId],
            organisationId: org.organisationId,
            purpose: 'storefront',
            subjectId: org.organisationId,
            field: 'imageFileId',
            imagesOnly: true,
          });
          await repo.setCaseImage(tx, c.id, input.imageFileId);
        }
        return { ...c, imageFileId: input.imageFileId ?? null };
      });
      return caseView(row);
    },

    async deleteCase(actor: Actor | null, id: string) {
      const { org } = requireProvider(actor);
      if (!z.uuid().safeParse(id).success) throw new AppError('NOT_FOUND', '案例不存在');
      if (!(await repo.deleteCase(db, org.organisationId, id))) throw new AppError('NOT_FOUND', '案例不存在');
      return { deleted: true };
    },

    /** 展示大厅: active providers, searchable (name, introduction, items), by category and region, rating first; each with its location and up to three listed items. */
    async showcase(raw: unknown) {
      const q = parseInput(ShowcaseQuery, raw);
      const tsq = q.q ? searchQuery(q.q) : undefined;
      const topCategory = q.category ? ((await cats()).names.get(q.category)?.parentCode ?? q.category) : undefined;
      const { rows, total } = await repo.showcasePage(db, { tsq, text: q.q, topCategory, region: q.region, sort: q.sort, page: q.page, pageSize: q.pageSize });
      const names = (await cats()).names;
      const topItems = await repo.listedItemsOf(
        db,
        rows.map((r) => r.id),
        3,
      );
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
        total,
        page: q.page,
        pageSize: q.pageSize,
      };
    },
  };
}
export type StorefrontService = ReturnType<typeof createStorefrontService>;
