import { and, asc, count, desc, eq, gte, inArray, lte, sql, type SQL } from 'drizzle-orm';
import type { PgInsertValue, PgUpdateSetSource } from 'drizzle-orm/pg-core';
import { rowsOf, type DbOrTx, type Tx } from '../../db/client';
import { files, organisations, productCategories, productImages, products } from '../../db/schema';
import { containsPattern } from '../shared/like';
import type { ProductStatus } from './catalog.machine';

type ProductRow = typeof products.$inferSelect;
type ProductPatch = PgUpdateSetSource<typeof products>;
export type ProductImageInsert = typeof productImages.$inferInsert;

const visible = eq(products.status, 'listed');
// The merchant's status is a filter of the paged and ranked product queries (a disabled merchant's
// products disappear), so it has to be a join here rather than a lookup through the organisations service.
const merchantActive = eq(organisations.status, 'active');
const categoryMatches = (code: string) => (code.includes('.') ? eq(products.categoryCode, code) : sql`${products.categoryCode} like ${`${code}.%`}`);

const cardColumns = {
  id: products.id,
  name: products.name,
  priceFen: products.priceFen,
  unit: products.unit,
  stock: products.stock,
  sold: products.sold,
  featured: products.featured,
  categoryCode: products.categoryCode,
  originCode: products.originCode,
  merchantId: products.merchantId,
  merchantName: organisations.fullName,
  imageIds: products.imageIds,
  createdAt: products.createdAt,
};

/** Listed products of active merchants matching `where`, as product cards (the service adds names and urls). */
const listedCards = (q: DbOrTx, where: SQL | undefined) =>
  q
    .select(cardColumns)
    .from(products)
    .innerJoin(organisations, eq(organisations.id, products.merchantId))
    .where(and(visible, merchantActive, where));
export type CardRow = Awaited<ReturnType<typeof listedCards>>[number];

type ProductSort = 'relevance' | 'newest' | 'price_asc' | 'price_desc' | 'sales';

/** What a catalog search filters on; `tsq` is the full-text query of `text`, when it has one. */
interface ListedFilter {
  text?: string;
  tsq?: string;
  category?: string;
  origin?: string;
  merchantId?: string;
  priceMin?: number;
  priceMax?: number;
}

/**
 * SQL of the catalog: categories, products and their resized images. Products are visible to others
 * only while listed and their merchant is active. The image checks read the files context's table
 * (the uploads' owner, purpose and bytes) next to the product images made from them.
 */
export const catalogRepo = {
  /** The catalog version: the sum of its stripes (catalog.cache.ts), written out (it is read on every catalog view). */
  async catalogVersion(q: DbOrTx): Promise<string> {
    const [row] = rowsOf<{ v: string | null }>(await q.execute(sql`select sum(version)::text as v from catalog_versions`));
    return row?.v ?? '0';
  },

  listCategories: (q: DbOrTx) => q.select().from(productCategories).orderBy(asc(productCategories.sort), asc(productCategories.code)),

  /** The uploads behind the image ids: owner, purpose, subject and type. */
  filesByIds: (q: DbOrTx, ids: string[]) =>
    q
      .select({ id: files.id, organisationId: files.organisationId, purpose: files.purpose, subjectId: files.subjectId, contentType: files.contentType })
      .from(files)
      .where(inArray(files.id, ids)),

  async fileBytes(q: DbOrTx, id: string) {
    const [f] = await q.select({ data: files.data }).from(files).where(eq(files.id, id));
    return f?.data;
  },

  /** The resized copies already made of these files. */
  imageSizesOf: (q: DbOrTx, fileIds: string[]) =>
    q.select({ fileId: productImages.fileId, size: productImages.size }).from(productImages).where(inArray(productImages.fileId, fileIds)),

  /** Stores a resized copy once per file and size. */
  insertImageVariant: (tx: Tx, values: ProductImageInsert) => tx.insert(productImages).values(values).onConflictDoNothing(),

  /** A resized copy with the purpose and subject of its file, or undefined. */
  async imageVariant(q: DbOrTx, fileId: string, size: string) {
    const [row] = await q
      .select({
        contentType: productImages.contentType,
        width: productImages.width,
        height: productImages.height,
        data: productImages.data,
        purpose: files.purpose,
        subjectId: files.subjectId,
      })
      .from(productImages)
      .innerJoin(files, eq(files.id, productImages.fileId))
      .where(and(eq(productImages.fileId, fileId), eq(productImages.size, size)));
    return row;
  },

  // ── products ────────────────────────────────────────────────────────────────────────────
  insertProduct: (tx: Tx, values: PgInsertValue<typeof products>) => tx.insert(products).values(values),

  updateProduct: (tx: Tx, id: string, patch: ProductPatch) => tx.update(products).set(patch).where(eq(products.id, id)),

  /** Conditional update: only while the product still has status `from`; undefined when it changed. */
  async updateProductIf(tx: Tx, id: string, from: ProductRow['status'], patch: ProductPatch): Promise<ProductRow | undefined> {
    const [row] = await tx
      .update(products)
      .set(patch)
      .where(and(eq(products.id, id), eq(products.status, from)))
      .returning();
    return row;
  },

  async setFeatured(tx: Tx, id: string, featured: boolean) {
    const [row] = await tx.update(products).set({ featured }).where(eq(products.id, id)).returning({ id: products.id, featured: products.featured });
    return row;
  },

  /** The merchant's own product, row-locked for the transaction. */
  async lockOwnProduct(tx: Tx, merchantId: string, id: string): Promise<ProductRow | undefined> {
    const [p] = await tx
      .select()
      .from(products)
      .where(and(eq(products.id, id), eq(products.merchantId, merchantId)))
      .for('update');
    return p;
  },

  /** Any product, row-locked for the transaction. */
  async lockProduct(tx: Tx, id: string): Promise<ProductRow | undefined> {
    const [p] = await tx.select().from(products).where(eq(products.id, id)).for('update');
    return p;
  },

  /** The product with its merchant's name, region and status, or undefined. */
  async findWithMerchant(q: DbOrTx, id: string) {
    const [row] = await q
      .select({ p: products, merchantName: organisations.fullName, merchantRegion: organisations.regionCode, merchantStatus: organisations.status })
      .from(products)
      .innerJoin(organisations, eq(organisations.id, products.merchantId))
      .where(eq(products.id, id));
    return row;
  },

  // ── browsing (listed products of active merchants) ──────────────────────────────────────
  /** Listed products per district (6 digits) and per township (9 digits) within a region prefix, most first. */
  async regionCounts(q: DbOrTx, prefix: string) {
    const within = prefix ? sql`${products.originCode} like ${`${prefix}%`}` : undefined;
    const district = sql<string>`substr(${products.originCode}, 1, 6)`;
    const [districts, townships] = await Promise.all([
      q
        .select({ code: district, count: count() })
        .from(products)
        .innerJoin(organisations, eq(organisations.id, products.merchantId))
        .where(and(visible, merchantActive, within))
        .groupBy(district)
        .orderBy(desc(count()), district),
      q
        .select({ code: products.originCode, count: count() })
        .from(products)
        .innerJoin(organisations, eq(organisations.id, products.merchantId))
        .where(and(visible, merchantActive, within, sql`char_length(${products.originCode}) = 9`))
        .groupBy(products.originCode)
        .orderBy(desc(count()), products.originCode),
    ]);
    return { districts, townships };
  },

  /** Featured cards, most recently updated first. */
  featuredCards: (q: DbOrTx, limit: number) => listedCards(q, eq(products.featured, true)).orderBy(desc(products.updatedAt), desc(products.id)).limit(limit),

  /** Ids of the newest `perCategory` products of each top category. */
  newestIdsPerTopCategory(q: DbOrTx, perCategory: number) {
    const topOf = sql`split_part(${products.categoryCode}, '.', 1)`;
    const ranked = q
      .select({ id: products.id, rn: sql<number>`row_number() over (partition by ${topOf} order by ${products.createdAt} desc, ${products.id})`.as('rn') })
      .from(products)
      .innerJoin(organisations, eq(organisations.id, products.merchantId))
      .where(and(visible, merchantActive))
      .as('ranked');
    return q.select({ id: ranked.id }).from(ranked).where(lte(ranked.rn, perCategory));
  },

  /** Cards of these listed products, newest first. */
  cardsByIds: (q: DbOrTx, ids: string[]) => listedCards(q, inArray(products.id, ids)).orderBy(desc(products.createdAt), desc(products.id)),

  /**
   * One page of listed products matching the filter (full text or a substring of the name), in the
   * sort's order, and their count.
   */
  async searchListed(q: DbOrTx, f: ListedFilter, sort: ProductSort, page: number, pageSize: number) {
    const matches = f.tsq ? sql`${products.searchVector} @@ to_tsquery('simple', ${f.tsq})` : undefined;
    const where = and(
      f.text
        ? matches
          ? sql`(${matches} or ${products.name} ilike ${containsPattern(f.text)})`
          : sql`${products.name} ilike ${containsPattern(f.text)}`
        : undefined,
      f.category ? categoryMatches(f.category) : undefined,
      f.origin ? sql`${products.originCode} like ${`${f.origin}%`}` : undefined,
      f.merchantId ? eq(products.merchantId, f.merchantId) : undefined,
      f.priceMin !== undefined ? gte(products.priceFen, f.priceMin) : undefined,
      f.priceMax !== undefined ? lte(products.priceFen, f.priceMax) : undefined,
    );
    const order: SQL[] =
      sort === 'newest'
        ? [desc(products.createdAt)]
        : sort === 'price_asc'
          ? [asc(products.priceFen), desc(products.sold)]
          : sort === 'price_desc'
            ? [desc(products.priceFen), desc(products.sold)]
            : sort === 'sales'
              ? [desc(products.sold), desc(products.createdAt)]
              : matches
                ? [sql`ts_rank(${products.searchVector}, to_tsquery('simple', ${f.tsq})) desc`, desc(products.sold), desc(products.createdAt)]
                : [desc(products.featured), desc(products.sold), desc(products.createdAt)];
    const [rows, [total]] = await Promise.all([
      listedCards(q, where)
        .orderBy(...order, desc(products.id))
        .limit(pageSize)
        .offset((page - 1) * pageSize),
      q
        .select({ n: count() })
        .from(products)
        .innerJoin(organisations, eq(organisations.id, products.merchantId))
        .where(and(visible, merchantActive, where)),
    ]);
    return { rows, total: Number(total?.n ?? 0) };
  },

  // ── management lists (every status) ─────────────────────────────────────────────────────
  /**
   * One page of products in every status (one merchant's, or all), filtered by status and a name
   * substring, most recently updated first; their count; and the count per status before the status filter.
   */
  async listManaged(q: DbOrTx, f: { merchantId?: string; status?: ProductStatus; q?: string; page: number; pageSize: number }) {
    const where = f.merchantId ? eq(products.merchantId, f.merchantId) : undefined;
    const conds = and(where, f.status ? eq(products.status, f.status) : undefined, f.q ? sql`${products.name} ilike ${containsPattern(f.q)}` : undefined);
    const [rows, [total], byStatus] = await Promise.all([
      q
        .select({ p: products, merchantName: organisations.fullName })
        .from(products)
        .innerJoin(organisations, eq(organisations.id, products.merchantId))
        .where(conds)
        .orderBy(desc(products.updatedAt), desc(products.id))
        .limit(f.pageSize)
        .offset((f.page - 1) * f.pageSize),
      q.select({ n: count() }).from(products).where(conds),
      q.select({ status: products.status, n: count() }).from(products).where(where).groupBy(products.status),
    ]);
    return { rows, total: Number(total?.n ?? 0), byStatus };
  },
};
