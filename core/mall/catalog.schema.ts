import { z } from 'zod';
import { PageNumber, PageSize } from '../shared/paging';
import { SearchKeyword } from '../shared/validate';
import { isRegionCode } from '../shared/regions';
import { DistrictOrTownship } from './mall-regions';

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
  priceFen: z.coerce
    .number({ message: '请填写价格' })
    .int('价格最多两位小数')
    .positive('价格必须大于 0')
    .max(100_000_000, '价格不超过 ¥1,000,000.00'),
  unit: z
    .string({ message: '请填写计价单位' })
    .trim()
    .regex(/^[\p{Script=Han}A-Za-z0-9]{1,6}$/u, '计价单位为 1–6 个字，如 斤、箱、袋'),
  stock: z.coerce.number({ message: '请填写库存' }).int('库存须为整数').min(0, '库存不能为负数').max(1_000_000, '库存不超过 1,000,000'),
  imageIds: z
    .array(z.uuid('图片编号无效'), { message: '图片列表无效' })
    .max(MAX_PRODUCT_IMAGES, `最多上传 ${MAX_PRODUCT_IMAGES} 张图片`)
    .default([]),
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
    origin: z.preprocess(blankToUndefined, z.string().trim().refine((s) => /^\d{2,9}$/.test(s) && isRegionCode(s), '产地无效').optional()),
    merchantId: z.preprocess(blankToUndefined, z.uuid('商家编号无效').optional()),
    priceMin: optionalFen,
    priceMax: optionalFen,
    sort: z.preprocess(blankToUndefined, z.enum(PRODUCT_SORTS, { message: '排序方式无效' }).default('relevance')),
    page: PageNumber,
    pageSize: PageSize(60, 20, '每页 1–60 条'),
  })
  .refine((v) => v.priceMin === undefined || v.priceMax === undefined || v.priceMin <= v.priceMax, { path: ['priceMax'], message: '最高价不能低于最低价' });
export type ProductSearchQuery = z.input<typeof ProductSearchQuery>;

export const PRODUCT_STATUSES = ['draft', 'listed', 'unlisted', 'taken_down'] as const;

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
