import { z } from 'zod';
import { PageNumber, PageSize } from '../shared/paging';
import { SearchKeyword } from '../shared/validate';
import { isRegionCode } from '../shared/regions';
import { DistrictOrTownship } from './mall-regions';
import { PRODUCT_STATUSES } from './catalog.machine';

/** zod contracts of the mall catalog: the merchant's product form, browsing queries, operator actions. */

export const MAX_PRODUCT_IMAGES = 6;
/** Resized copies made of every product image (webp, this wide at most). */
export const IMAGE_SIZES = { thumb: 320, detail: 960 } as const;
export type ImageSize = keyof typeof IMAGE_SIZES;
/** Where pages load a resized product image (served by catalog.imageBytes). */
export const productImageUrl = (fileId: string, size: ImageSize) => `/api/v1/mall/images/${fileId}/${size}`;

/** Units people buy produce in; the form offers these, and any short word is accepted. */
export const PRODUCT_UNIT_SUGGESTIONS = ['斤', '公斤', '箱', '袋', '盒', '瓶', '罐', '件', '只', '包', '份', '桶', '提', '条', '个'] as const;

const blankToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v === null ? undefined : v);

/** A mainland mobile, or a landline with its area code (023-76662918), or a 400 number. */
export const ContactPhone = z
  .string({ message: '请填写联系电话' })
  .trim()
  .transform((s) => s.replace(/[\s()（）]/g, ''))
  .refine((s) => /^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8}(-\d{1,6})?|400-?\d{3}-?\d{4})$/.test(s), '请填写手机号或带区号的固定电话，如 023-76662918');

export const ProductInput = z.object({
  name: z.string({ message: '请填写商品名称' }).trim().min(2, '商品名称 2–60 个字').max(60, '商品名称 2–60 个字'),
  categoryCode: z.string({ message: '请选择商品分类' }).trim().min(1, '请选择商品分类').max(40),
  originCode: DistrictOrTownship('请选择产地（区县或乡镇）'),
  priceFen: z.coerce.number({ message: '请填写价格' }).int('价格最多两位小数').positive('价格必须大于 0').max(100_000_000, '价格不超过 ¥1,000,000.00'),
  unit: z
    .string({ message: '请填写计价单位' })
    .trim()
    .regex(/^[\p{Script=Han}A-Za-z0-9]{1,6}$/u, '计价单位为 1–6 个字，如 斤、箱、袋'),
  stock: z.coerce.number({ message: '请填写库存' }).int('库存须为整数').min(0, '库存不能为负数').max(1_000_000, '库存不超过 1,000,000'),
  imageIds: z.array(z.uuid('图片编号无效'), { message: '图片列表无效' }).max(MAX_PRODUCT_IMAGES, `最多上传 ${MAX_PRODUCT_IMAGES} 张图片`).default([]),
  description: z.string().trim().max(5000, '商品描述不超过 5000 字').default(''),
  contactPhone: ContactPhone,
});
export type ProductInput = z.input<typeof ProductInput>;

export const PRODUCT_SORTS = ['relevance', 'newest', 'price_asc', 'price_desc', 'sales'] as const;

const optionalFen = z.preprocess(blankToUndefined, z.coerce.number({ message: '价格须为数字' }).int('价格须为整数分').min(0, '价格不能为负数').optional());

export const ProductSearchQuery = z
  .object({
    q: SearchKeyword(60),
    /** A top-level (grain) or second-level (grain.rice) category code. */
    category: z.preprocess(blankToUndefined, z.string().trim().max(40).optional()),
    /** A province, city, district or township: products from within it. */
    origin: z.preprocess(
      blankToUndefined,
      z
        .string()
        .trim()
        .refine((s) => /^\d{2,9}$/.test(s) && isRegionCode(s), '产地无效')
        .optional(),
    ),
    merchantId: z.preprocess(blankToUndefined, z.uuid('商家编号无效').optional()),
    priceMin: optionalFen,
    priceMax: optionalFen,
    sort: z.preprocess(blankToUndefined, z.enum(PRODUCT_SORTS, { message: '排序方式无效' }).default('relevance')),
    page: PageNumber,
    pageSize: PageSize(60, 20, '每页 1–60 条'),
  })
  .refine((v) => v.priceMin === undefined || v.priceMax === undefined || v.priceMin <= v.priceMax, { path: ['priceMax'], message: '最高价不能低于最低价' });
export type ProductSearchQuery = z.input<typeof ProductSearchQuery>;

export const MerchantProductsQuery = z.object({
  status: z.preprocess(blankToUndefined, z.enum(PRODUCT_STATUSES, { message: '商品状态无效' }).optional()),
  q: SearchKeyword(60),
  page: PageNumber,
  pageSize: PageSize(100, 20, '每页 1–100 条'),
});
export type MerchantProductsQuery = z.input<typeof MerchantProductsQuery>;

/** The operator console's list: any status, optionally one merchant's. */
export const AdminProductsQuery = MerchantProductsQuery.extend({ merchantId: z.preprocess(blankToUndefined, z.uuid('商家编号无效').optional()) });

export const TakedownInput = z.object({
  reason: z.string({ message: '请填写下架原因' }).trim().min(2, '请填写下架原因').max(200, '下架原因不超过 200 字'),
});

export const FeaturedInput = z.object({ featured: z.boolean({ message: '请选择是否推荐' }) });

// ── Views: what the catalog service returns and the API publishes under these names ──
/** Times are Dates in the services and ISO strings on the wire: `Stamp` reads either way. */
const Stamp = z.codec(z.iso.datetime(), z.date(), { decode: (s) => new Date(s), encode: (d) => d.toISOString() });
const ProductStatus = z.enum(PRODUCT_STATUSES);

export const ProductCardView = z
  .object({
    id: z.uuid(),
    name: z.string(),
    priceFen: z.number().int(),
    unit: z.string(),
    stock: z.number().int(),
    sold: z.number().int(),
    featured: z.boolean(),
    categoryCode: z.string(),
    originCode: z.string(),
    originName: z.string(),
    merchantId: z.uuid(),
    merchantName: z.string(),
    imageUrl: z.string().nullable().describe('The first image as a thumbnail: /api/v1/mall/images/{fileId}/thumb'),
    createdAt: Stamp,
  })
  .meta({ id: 'ProductCard' });
export type ProductCardView = z.output<typeof ProductCardView>;

export const ProductView = z
  .object({
    id: z.uuid(),
    name: z.string(),
    priceFen: z.number().int(),
    unit: z.string(),
    stock: z.number().int(),
    sold: z.number().int(),
    description: z.string(),
    /** Required on every save, but products written before that may have none. */
    contactPhone: z.string().nullable(),
    status: ProductStatus,
    statusLabel: z.string(),
    featured: z.boolean(),
    category: z.object({ code: z.string(), name: z.string(), parentCode: z.string().nullable(), parentName: z.string().nullable() }),
    origin: z.object({ code: z.string(), name: z.string(), districtCode: z.string() }),
    merchant: z.object({ id: z.uuid(), name: z.string(), regionCode: z.string().nullable(), regionName: z.string(), contactPhone: z.string().nullable() }),
    imageIds: z.array(z.uuid()),
    images: z.array(z.object({ fileId: z.uuid(), thumbUrl: z.string(), detailUrl: z.string(), originalUrl: z.string() })),
    takedownReason: z.string().nullable().describe('Only the merchant and operators see why a product was taken down'),
    own: z.boolean().describe('Whether the caller acts for the product’s merchant'),
    createdAt: Stamp,
    updatedAt: Stamp,
  })
  .meta({ id: 'Product' });
export type ProductView = z.output<typeof ProductView>;

/** A product in the merchant's and the operators' lists: the product's own fields, names flattened, one thumbnail. */
export const ManagedProductView = ProductView.pick({
  id: true,
  name: true,
  priceFen: true,
  unit: true,
  stock: true,
  sold: true,
  status: true,
  statusLabel: true,
  featured: true,
})
  .extend({
    takedownReason: z.string().nullable(),
    categoryCode: z.string(),
    categoryName: z.string(),
    originCode: z.string(),
    originName: z.string(),
    merchantId: z.uuid(),
    merchantName: z.string(),
    imageUrl: z.string().nullable(),
    updatedAt: Stamp,
  })
  .meta({ id: 'ManagedProduct' });
export type ManagedProductView = z.output<typeof ManagedProductView>;

/** Products per status, before the status filter. */
export const ProductStatusCountsView = z.object(
  Object.fromEntries(PRODUCT_STATUSES.map((s) => [s, z.number().int()])) as Record<(typeof PRODUCT_STATUSES)[number], z.ZodNumber>,
);

export const ProductStatusChangeView = z
  .object({ id: z.uuid(), status: ProductStatus, statusLabel: z.string(), featured: z.boolean() })
  .meta({ id: 'ProductStatusChange' });
export type ProductStatusChangeView = z.output<typeof ProductStatusChangeView>;

export const ProductFeaturedView = z.object({ id: z.uuid(), featured: z.boolean() }).meta({ id: 'ProductFeatured' });

export const RegionProductCountView = z
  .object({ code: z.string(), name: z.string(), fullName: z.string(), count: z.number().int() })
  .meta({ id: 'RegionProductCount' });
export const RegionView = z.object({ code: z.string(), name: z.string(), fullName: z.string() });

export const ProductCategoryView = z
  .object({ code: z.string(), name: z.string(), children: z.array(z.object({ code: z.string(), name: z.string() })) })
  .meta({ id: 'ProductCategory' });
export type ProductCategoryView = z.output<typeof ProductCategoryView>;

export const MallHomeView = z
  .object({
    featured: z.array(ProductCardView).describe('Operator-featured products'),
    sections: z
      .array(z.object({ category: z.object({ code: z.string(), name: z.string() }), items: z.array(ProductCardView) }))
      .describe('The newest of each top category that has products'),
    districts: z.array(RegionProductCountView).describe('Assisted districts with listed products, most first'),
  })
  .meta({ id: 'MallHome' });
export type MallHomeView = z.output<typeof MallHomeView>;
