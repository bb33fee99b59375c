import { randomUUID } from 'node:crypto';
import sharp from 'sharp';
import { z } from 'zod';
import type { Db, Tx } from '../../db/client';
import { IMAGE_TYPES } from '../files/files.limits';
import { fileUrl, type FileService } from '../files/files.service';
import type { MessageService } from '../notifications/messages.service';
import { recordAudit } from '../audit/audit';
import { requireActor, requireOperator, requireOrganisation, type Actor } from '../shared/actor';
import { AppError } from '../shared/app-error';
import type { Clock } from '../shared/clock';
import { isRegionCode, regionName } from '../shared/regions';
import { searchQuery, searchVector } from '../shared/search-text';
import { parseInput } from '../shared/validate';
import { ACTION_BY, canSeeProduct, decideProductAction, PRODUCT_STATUS_LABELS, type ProductAction, type ProductStatus } from './catalog.machine';
import { createCatalogVersion, VersionedCache } from './catalog.cache';
import { catalogRepo, type CardRow, type ProductImageInsert } from './catalog.repo';
import {
  AdminProductsQuery,
  FeaturedInput,
  IMAGE_SIZES,
  MerchantProductsQuery,
  ProductInput,
  ProductSearchQuery,
  productImageUrl,
  TakedownInput,
  type ImageSize,
  type MallHomeView,
  type ManagedProductView,
  type ProductCardView,
  type ProductCategoryView,
  type ProductStatusChangeView,
} from './catalog.schema';

export interface CatalogDeps {
  db: Db;
  clock: Clock;
  files: FileService;
  messages: MessageService;
}

export type CategoryNode = ProductCategoryView;
/** A product as lists show it. */
export type ProductCard = ProductCardView;
/** One page of a catalog search. */
interface SearchPage {
  items: ProductCard[];
  total: number;
  page: number;
  pageSize: number;
  sort: SearchQuery['sort'];
}
type SearchQuery = z.output<typeof ProductSearchQuery>;
type ProductWithMerchant = NonNullable<Awaited<ReturnType<typeof catalogRepo.findWithMerchant>>>;

const NOT_FOUND = '商品不存在或已下架';
/** The last part of a region's joined name: 酉阳土家族苗族自治县, 花田乡. */
const leafName = (code: string) => regionName(code).split(' ').pop() ?? code;

/** Resized webp copies of an image; VALIDATION when the bytes are not a readable image. */
export async function makeImageVariants(bytes: Uint8Array) {
  try {
    const out: { size: ImageSize; contentType: string; width: number; height: number; data: Uint8Array }[] = [];
    for (const [size, width] of Object.entries(IMAGE_SIZES) as [ImageSize, number][]) {
      const { data, info } = await sharp(bytes, { failOn: 'error', limitInputPixels: 50_000_000 })
        .rotate()
        .resize({ width, withoutEnlargement: true })
        .webp({ quality: 80 })
        .toBuffer({ resolveWithObject: true });
      out.push({ size, contentType: 'image/webp', width: info.width, height: info.height, data: new Uint8Array(data) });
    }
    return out;
  } catch {
    throw new AppError('VALIDATION', '图片无法识别，请重新上传', { imageIds: '图片无法识别，请重新上传' });
  }
}

/**
 * The mall catalog (manual 000, 二(一)): merchants keep their products (with resized images), people
 * browse by search, category and assisted district/township, operators feature and take down.
 * Only listed products of active merchants are visible to others; everything else is NOT_FOUND to them.
 */
export function createCatalogService({ db, clock, files: fileService, messages }: CatalogDeps) {
  // Views every visitor sees alike, under the catalog version (catalog.cache.ts): checked on each read.
  const version = createCatalogVersion(() => catalogRepo.catalogVersion(db));
  const searches = new VersionedCache<SearchPage>(500);
  const productRows = new VersionedCache<ProductWithMerchant | undefined>(2000);
  let categoryCache: Promise<{ tree: CategoryNode[]; names: Map<string, { name: string; parentCode?: string; parentName?: string }> }> | undefined;
  const categories = () =>
    (categoryCache ??= catalogRepo
      .listCategories(db)
      .then((rows) => {
        const tree = rows
          .filter((r) => !r.parentCode)
          .map((t) => ({ code: t.code, name: t.name, children: rows.filter((r) => r.parentCode === t.code).map((r) => ({ code: r.code, name: r.name })) }));
        const names = new Map<string, { name: string; parentCode?: string; parentName?: string }>();
        for (const t of tree) {
          names.set(t.code, { name: t.name });
          for (const c of t.children) names.set(c.code, { name: c.name, parentCode: t.code, parentName: t.name });
        }
        return { tree, names };
      })
      .catch((e: unknown) => {
        categoryCache = undefined;
        throw e;
      }));

  const requireMerchant = (actor: Actor | null) => {
    const a = requireActor(actor);
    const org = requireOrganisation(a, ['merchant']);
    if (org.status !== 'active') throw new AppError('FORBIDDEN', '商家账号已停用，请联系平台客服');
    return { a, org };
  };

  const toCard = ({ imageIds, ...r }: CardRow): ProductCard => ({
    ...r,
    originName: regionName(r.originCode),
    imageUrl: imageIds[0] ? productImageUrl(imageIds[0], 'thumb') : null,
  });

  async function searchDocument(p: { name: string; description: string; categoryCode: string; originCode: string }) {
    const c = (await categories()).names.get(p.categoryCode);
    return searchVector({ a: p.name, b: [p.description, c?.name, c?.parentName, regionName(p.originCode)].join(' ') });
  }

  async function checkCategory(code: string, field: string) {
    const c = (await categories()).names.get(code);
    if (!c || !c.parentCode) throw new AppError('VALIDATION', '请选择二级商品分类', { [field]: '请选择二级商品分类' });
  }

  /**
   * Checks the images before the transaction (own, image, unattached or on this product) and makes
   * the resized copies that do not exist yet, so the transaction itself only writes.
   */
  async function prepareImages(orgId: string, productId: string, ids: string[]) {
    if (!ids.length) return [];
    const rows = await catalogRepo.filesByIds(db, ids);
    for (const id of ids) {
      const r = rows.find((x) => x.id === id);
      const usable = r && r.organisationId === orgId && (r.subjectId === null || (r.purpose === 'product' && r.subjectId === productId));
      if (!usable) throw new AppError('VALIDATION', '图片不存在或不能使用', { imageIds: '图片不存在或不能使用' });
      if (!IMAGE_TYPES.includes(r.contentType))
        throw new AppError('VALIDATION', '请上传 PNG、JPG、WebP 或 GIF 图片', { imageIds: '请上传 PNG、JPG、WebP 或 GIF 图片' });
    }
    const made = await catalogRepo.imageSizesOf(db, ids);
    const sizes = Object.keys(IMAGE_SIZES);
    const missing = ids.filter((id) => sizes.some((s) => !made.some((m) => m.fileId === id && m.size === s)));
    const variants: ProductImageInsert[] = [];
    for (const id of missing) {
      const data = await catalogRepo.fileBytes(db, id);
      for (const v of await makeImageVariants(data!)) variants.push({ fileId: id, ...v });
    }
    return variants;
  }

  /** Attaches the images to the product, stores their copies (once per file and size) and detaches dropped ones. */
  async function saveImages(tx: Tx, orgId: string, productId: string, ids: string[], variants: ProductImageInsert[]) {
    await fileService.attach(tx, { fileIds: ids, organisationId: orgId, purpose: 'product', subjectId: productId, field: 'imageIds', imagesOnly: true });
    for (const v of variants) await catalogRepo.insertImageVariant(tx, v);
    await fileService.detachExcept(tx, 'product', productId, ids);
  }

  async function lockOwn(tx: Tx, orgId: string, id: string) {
    if (!z.uuid().safeParse(id).success) throw new AppError('NOT_FOUND', NOT_FOUND);
    const p = await catalogRepo.lockOwnProduct(tx, orgId, id);
    if (!p) throw new AppError('NOT_FOUND', NOT_FOUND);
    return p;
  }

  async function lockAny(tx: Tx, id: string) {
    if (!z.uuid().safeParse(id).success) throw new AppError('NOT_FOUND', NOT_FOUND);
    const p = await catalogRepo.lockProduct(tx, id);
    if (!p) throw new AppError('NOT_FOUND', NOT_FOUND);
    return p;
  }

  /** The product with its merchant (any status: who may see it is decided per viewer), or undefined; cached under `at`. */
  async function loadWithMerchant(id: string, at?: string) {
    if (!z.uuid().safeParse(id).success) return undefined;
    const v = at ?? (await version.current());
    return productRows.get(v, id, () => catalogRepo.findWithMerchant(db, id));
  }

  /** The visible product for `actor`, or NOT_FOUND. */
  async function visibleProduct(actor: Actor | null, id: string, at?: string) {
    const row = await loadWithMerchant(id, at);
    if (!row || !canSeeProduct({ status: row.p.status, merchantId: row.p.merchantId, merchantActive: row.merchantStatus === 'active' }, viewerOf(actor))) {
      throw new AppError('NOT_FOUND', NOT_FOUND);
    }
    return detailView(row, actor);
  }

  /** One page of the search (the query parsed), cached under `at`: the same for every viewer. */
  async function searchPage(q: SearchQuery, at?: string): Promise<SearchPage> {
    if (q.category && !(await categories()).names.has(q.category)) throw new AppError('VALIDATION', '商品分类不存在', { category: '商品分类不存在' });
    const v = at ?? (await version.current());
    return searches.get(v, JSON.stringify(q), async () => {
      const text = q.q?.replace(/\s+/g, ' ').trim();
      const tsq = text ? searchQuery(text) : undefined;
      const { rows, total } = await catalogRepo.searchListed(
        db,
        { text, tsq, category: q.category, origin: q.origin, merchantId: q.merchantId, priceMin: q.priceMin, priceMax: q.priceMax },
        q.sort,
        q.page,
        q.pageSize,
      );
      return { items: rows.map(toCard), total, page: q.page, pageSize: q.pageSize, sort: q.sort };
    });
  }

  const viewerOf = (actor: Actor | null) => (actor ? { organisationId: actor.organisation?.organisationId, isOperator: actor.isOperator } : null);

  async function detailView(row: ProductWithMerchant, actor: Actor | null) {
    const { p } = row;
    const c = (await categories()).names.get(p.categoryCode);
    const privileged = Boolean(actor && (actor.isOperator || actor.organisation?.organisationId === p.merchantId));
    return {
      id: p.id,
      name: p.name,
      priceFen: p.priceFen,
      unit: p.unit,
      stock: p.stock,
      sold: p.sold,
      description: p.description,
      contactPhone: p.contactPhone,
      status: p.status as ProductStatus,
      statusLabel: PRODUCT_STATUS_LABELS[p.status as ProductStatus],
      featured: p.featured,
      category: { code: p.categoryCode, name: c?.name ?? p.categoryCode, parentCode: c?.parentCode ?? null, parentName: c?.parentName ?? null },
      origin: { code: p.originCode, name: regionName(p.originCode), districtCode: p.originCode.slice(0, 6) },
      merchant: {
        id: p.merchantId,
        name: row.merchantName,
        regionCode: row.merchantRegion,
        regionName: regionName(row.merchantRegion),
        contactPhone: p.contactPhone,
      },
      imageIds: [...p.imageIds],
      images: p.imageIds.map((id) => ({
        fileId: id,
        thumbUrl: productImageUrl(id, 'thumb'),
        detailUrl: productImageUrl(id, 'detail'),
        originalUrl: fileUrl(id),
      })),
      /** Only the merchant and operators see why a product was taken down. */
      takedownReason: privileged ? p.takedownReason : null,
      own: actor?.organisation?.organisationId === p.merchantId,
      createdAt: p.createdAt,
      updatedAt: p.updatedAt,
    };
  }

  async function changeStatus(actor: Actor | null, id: string, action: ProductAction, reason?: string) {
    let orgId: string | null = null;
    let operatorId: string | null = null;
    if (ACTION_BY[action] === 'operator') operatorId = requireOperator(actor).userId;
    else orgId = requireMerchant(actor).org.organisationId;
    const { row, push } = await db.transaction(async (tx) => {
      const p = orgId ? await lockOwn(tx, orgId, id) : await lockAny(tx, id);
      const next = decideProductAction({ status: p.status, imageCount: p.imageIds.length, takedownReason: p.takedownReason }, action);
      if (next === p.status) return { row: p, push: async () => {} };
      const row = await catalogRepo.updateProductIf(tx, p.id, p.status, {
        status: next,
        ...(action === 'take_down' ? { takedownReason: reason!, featured: false } : {}),
        ...(action === 'restore' ? { takedownReason: null } : {}),
        updatedAt: clock.now(),
      });
      if (operatorId) {
        await recordAudit(tx, {
          actorUserId: operatorId,
          action: action === 'take_down' ? 'mall.product_taken_down' : 'mall.product_restored',
          targetType: 'product',
          targetId: p.id,
          organisationId: p.merchantId,
          before: { status: p.status, name: p.name },
          after: { status: next },
          reason: reason ?? null,
        });
      }
      if (action !== 'take_down') return { row: row!, push: async () => {} };
      const sent = await messages.sendToOrganisation(
        p.merchantId,
        {
          title: '商品已被平台下架',
          body: `您的商品「${p.name}」已被平台下架，原因：${reason}。下架的商品不能自行重新上架，修改后请联系平台运营。`,
          link: `/mall/merchant/products/${p.id}`,
          category: 'mall',
        },
        tx,
      );
      return { row: row!, push: sent.push };
    });
    await push();
    return { id: row.id, status: row.status as ProductStatus, statusLabel: PRODUCT_STATUS_LABELS[row.status as ProductStatus], featured: row.featured };
  }

  /** Listed products per district (6 digits) and per township (9 digits) within a region prefix. */
  async function regionCounts(prefix: string) {
    const { districts, townships } = await catalogRepo.regionCounts(db, prefix);
    const named = (r: { code: string; count: number }) => ({ code: r.code, name: leafName(r.code), fullName: regionName(r.code), count: Number(r.count) });
    return { districts: districts.map(named), townships: townships.map(named) };
  }

  async function listOwned(merchantId: string | undefined, q: { q?: string; page: number; pageSize: number; status?: ProductStatus }) {
    const { rows, total, byStatus } = await catalogRepo.listManaged(db, { merchantId, status: q.status, q: q.q, page: q.page, pageSize: q.pageSize });
    const names = (await categories()).names;
    return {
      items: rows.map(({ p, merchantName }) => ({
        id: p.id,
        name: p.name,
        priceFen: p.priceFen,
        unit: p.unit,
        stock: p.stock,
        sold: p.sold,
        status: p.status as ProductStatus,
        statusLabel: PRODUCT_STATUS_LABELS[p.status as ProductStatus],
        featured: p.featured,
        takedownReason: p.takedownReason,
        categoryCode: p.categoryCode,
        categoryName: names.get(p.categoryCode)?.name ?? p.categoryCode,
        originCode: p.originCode,
        originName: regionName(p.originCode),
        merchantId: p.merchantId,
        merchantName,
        imageUrl: p.imageIds[0] ? productImageUrl(p.imageIds[0], 'thumb') : null,
        updatedAt: p.updatedAt,
      })),
      total,
      page: q.page,
      pageSize: q.pageSize,
      counts: Object.fromEntries(
        (['draft', 'listed', 'unlisted', 'taken_down'] as const).map((s) => [s, Number(byStatus.find((b) => b.status === s)?.n ?? 0)]),
      ) as Record<ProductStatus, number>,
    };
  }

  const service = {
    /** 商品分类: top categories with their second level. */
    async categoryTree(): Promise<CategoryNode[]> {
      return (await categories()).tree;
    },

    /**
     * A merchant creates a product (a draft until published). Images are the merchant's uploads, at
     * most six; their thumbnail and detail copies are made once per file. Errors: FORBIDDEN (not an
     * active merchant), VALIDATION (fields, second-level category, origin, images).
     */
    async createProduct(actor: Actor | null, raw: unknown) {
      const { org } = requireMerchant(actor);
      const input = parseInput(ProductInput, raw);
      await checkCategory(input.categoryCode, 'categoryCode');
      const imageIds = [...new Set(input.imageIds)];
      const id = randomUUID();
      const variants = await prepareImages(org.organisationId, id, imageIds);
      const doc = await searchDocument(input);
      const now = clock.now();
      await db.transaction(async (tx) => {
        await catalogRepo.insertProduct(tx, {
          id,
          merchantId: org.organisationId,
          name: input.name,
          categoryCode: input.categoryCode,
          originCode: input.originCode,
          priceFen: input.priceFen,
          unit: input.unit,
          stock: input.stock,
          description: input.description,
          contactPhone: input.contactPhone,
          imageIds,
          status: 'draft',
          searchVector: doc,
          createdAt: now,
          updatedAt: now,
        });
        await saveImages(tx, org.organisationId, id, imageIds, variants);
      });
      return service.product(actor, id);
    },

    /**
     * The merchant edits its own product (all fields; the status stays, a taken-down product stays
     * taken down). Another merchant's product is NOT_FOUND.
     */
    async updateProduct(actor: Actor | null, id: string, raw: unknown) {
      const { org } = requireMerchant(actor);
      const input = parseInput(ProductInput, raw);
      await checkCategory(input.categoryCode, 'categoryCode');
      const imageIds = [...new Set(input.imageIds)];
      if (!z.uuid().safeParse(id).success) throw new AppError('NOT_FOUND', NOT_FOUND);
      const variants = await prepareImages(org.organisationId, id, imageIds);
      const doc = await searchDocument(input);
      await db.transaction(async (tx) => {
        const p = await lockOwn(tx, org.organisationId, id);
        if (p.status === 'listed' && imageIds.length === 0) {
          throw new AppError('VALIDATION', '在售商品至少保留一张图片', { imageIds: '在售商品至少保留一张图片' });
        }
        await catalogRepo.updateProduct(tx, p.id, {
          name: input.name,
          categoryCode: input.categoryCode,
          originCode: input.originCode,
          priceFen: input.priceFen,
          unit: input.unit,
          stock: input.stock,
          description: input.description,
          contactPhone: input.contactPhone,
          imageIds,
          searchVector: doc,
          updatedAt: clock.now(),
        });
        await saveImages(tx, org.organisationId, p.id, imageIds, variants);
      });
      return service.product(actor, id);
    },

    /** 上架: draft or unlisted → listed (needs an image). A taken-down product cannot be listed by the merchant (PRODUCT_TAKEN_DOWN). */
    async publish(actor: Actor | null, id: string): Promise<ProductStatusChangeView> {
      return changeStatus(actor, id, 'publish');
    },

    /** 下架 by the merchant: listed → unlisted. */
    async unpublish(actor: Actor | null, id: string): Promise<ProductStatusChangeView> {
      return changeStatus(actor, id, 'unpublish');
    },

    /** 平台下架 by an operator, with a reason; the merchant's members get a site message. */
    async takeDown(actor: Actor | null, id: string, raw: unknown): Promise<ProductStatusChangeView> {
      requireOperator(actor);
      const { reason } = parseInput(TakedownInput, raw);
      return changeStatus(actor, id, 'take_down', reason);
    },

    /** An operator lifts a takedown: the product becomes unlisted, for the merchant to list again. */
    async restore(actor: Actor | null, id: string): Promise<ProductStatusChangeView> {
      return changeStatus(actor, id, 'restore');
    },

    /** 推荐 on the home page, by operators; only listed products can be featured. */
    async setFeatured(actor: Actor | null, id: string, featured: boolean | unknown) {
      requireOperator(actor);
      const input = parseInput(FeaturedInput, typeof featured === 'boolean' ? { featured } : featured);
      return db.transaction(async (tx) => {
        const p = await lockAny(tx, id);
        if (input.featured && p.status !== 'listed') throw new AppError('PRODUCT_STATUS_FORBIDS', '只有在售商品可以设为推荐');
        return (await catalogRepo.setFeatured(tx, p.id, input.featured))!;
      });
    },

    /** 商品详情 with the merchant's name, contact phone and region. Not listed (or merchant disabled): NOT_FOUND except to the merchant and operators. */
    async product(actor: Actor | null, id: string) {
      return visibleProduct(actor, id);
    },

    /**
     * 商品详情页: the product as `product` gives it and up to 10 other listed products of its merchant,
     * best-selling first; both read at one catalog version. Errors: NOT_FOUND.
     */
    async productPage(actor: Actor | null, id: string) {
      const at = await version.current();
      const product = await visibleProduct(actor, id, at);
      const more = await searchPage(parseInput(ProductSearchQuery, { merchantId: product.merchant.id, sort: 'sales', pageSize: 11 }), at);
      return { product, more: more.items.filter((p) => p.id !== product.id).slice(0, 10) };
    },

    /** Whether `actor` may see the product's images (the files access check for purpose 'product'). */
    async canReadImage(actor: Actor | null, productId: string) {
      const row = await loadWithMerchant(productId);
      return Boolean(
        row && canSeeProduct({ status: row.p.status, merchantId: row.p.merchantId, merchantActive: row.merchantStatus === 'active' }, viewerOf(actor)),
      );
    },

    /** A resized product image: public while the product is listed, else to its merchant and operators. NOT_FOUND otherwise. */
    async imageBytes(actor: Actor | null, fileId: string, size: string) {
      if (!z.uuid().safeParse(fileId).success || !(size in IMAGE_SIZES)) throw new AppError('NOT_FOUND', '图片不存在');
      const row = await catalogRepo.imageVariant(db, fileId, size);
      if (!row || row.purpose !== 'product' || !row.subjectId || !(await service.canReadImage(actor, row.subjectId)))
        throw new AppError('NOT_FOUND', '图片不存在');
      return { contentType: row.contentType, width: row.width, height: row.height, data: row.data };
    },

    /** 首页: featured products and the newest of each top category (categories without products are left out), plus the assisted districts. */
    async home(opts: { featured?: number; perCategory?: number } = {}): Promise<MallHomeView> {
      const perCategory = Math.min(20, Math.max(1, opts.perCategory ?? 8));
      const [featured, newestIds, { tree }, regions] = await Promise.all([
        catalogRepo.featuredCards(db, Math.min(24, Math.max(1, opts.featured ?? 12))),
        catalogRepo.newestIdsPerTopCategory(db, perCategory),
        categories(),
        regionCounts(''),
      ]);
      const newest = newestIds.length
        ? await catalogRepo.cardsByIds(
            db,
            newestIds.map((r) => r.id),
          )
        : [];
      const sections = tree
        .map((t) => ({ category: { code: t.code, name: t.name }, items: newest.filter((p) => p.categoryCode.startsWith(`${t.code}.`)).map(toCard) }))
        .filter((s) => s.items.length);
      return { featured: featured.map(toCard), sections, districts: regions.districts.slice(0, 12) };
    },

    /**
     * 商品搜索: listed products of active merchants, Chinese bigram full text over name, description,
     * category and origin names (a substring of the name also matches); filters by category (top or
     * second level), origin (any region prefix), merchant and price; sorted by relevance, newest,
     * price or sales. Errors: VALIDATION (query fields).
     */
    async search(raw: unknown): Promise<SearchPage> {
      return searchPage(parseInput(ProductSearchQuery, raw ?? {}));
    },

    /**
     * 区县/乡镇帮扶页面: for a region (any level; null for all), the districts and townships within
     * it that have listed products, with their counts, and a page of those products.
     * Errors: NOT_FOUND (unknown region), VALIDATION (query fields).
     */
    async regionPage(code: string | null | undefined, raw: unknown = {}) {
      const prefix = (code ?? '').trim();
      if (prefix && (!/^\d{2,9}$/.test(prefix) || !isRegionCode(prefix))) throw new AppError('NOT_FOUND', '地区不存在');
      const [counts, list] = await Promise.all([
        regionCounts(prefix),
        service.search({ ...(raw && typeof raw === 'object' ? raw : {}), origin: prefix || undefined }),
      ]);
      return {
        region: prefix ? { code: prefix, name: leafName(prefix), fullName: regionName(prefix) } : null,
        districts: counts.districts,
        townships: counts.townships,
        products: list,
      };
    },

    /** 商家中心 › 商品管理: the merchant's own products in every status, with counts per status. */
    async merchantProducts(actor: Actor | null, raw: unknown = {}) {
      const { org } = requireMerchant(actor);
      const q = parseInput(MerchantProductsQuery, raw ?? {});
      return listOwned(org.organisationId, q);
    },

    /** The operator console's product list: every status, optionally one merchant's. */
    async adminProducts(actor: Actor | null, raw: unknown = {}) {
      requireOperator(actor);
      const q = parseInput(AdminProductsQuery, raw ?? {});
      return listOwned(q.merchantId, q);
    },
  };
  return service;
}

export type CatalogService = ReturnType<typeof createCatalogService>;
