import { createRoute, z } from '@hono/zod-openapi';
import { RegisterInput } from '../../core/accounts/accounts.schema';
import { AddressInput } from '../../core/mall/addresses.service';
import { PRODUCT_STATUSES } from '../../core/mall/catalog.machine';
import {
  FeaturedInput,
  IMAGE_SIZES,
  MallHomeView,
  ManagedProductView,
  PRODUCT_SORTS,
  ProductCardView,
  ProductCategoryView,
  ProductFeaturedView,
  ProductInput,
  ProductStatusChangeView,
  ProductStatusCountsView,
  ProductView,
  RegionProductCountView,
  RegionView,
  TakedownInput,
} from '../../core/mall/catalog.schema';
import type { CatalogService } from '../../core/mall/catalog.service';
import {
  IndividualProfileView,
  RegisterIndividualInput,
  RegisterUnitInput,
  UnitAttributeOptionView,
  UnitSearchResultView,
  UnitView,
  UpdateIndividualInput,
} from '../../core/mall/units.schema';
import { isAppError } from '../../core/shared/app-error';
import { requestContext, setSessionCookie } from './auth.routes';
import type { ApiRouter } from './context';
import { authed, errorResponses, json, jsonBody, page, SessionResponse } from './schemas';

// ── Views ───────────────────────────────────────────────────────────────────────────────────────
const Stamp = z.iso.datetime();

const UnitSession = SessionResponse.extend({ unitId: z.uuid() }).openapi('UnitSession');

/** The merchant form is the accounts registration with `accountType` fixed to merchant. */
const MerchantRegistration = z
  .preprocess((v) => (v && typeof v === 'object' && !Array.isArray(v) ? { ...v, accountType: 'merchant' } : v), RegisterInput)
  .openapi('MerchantRegistration', {
    description: '`accountType` is always `merchant` (it may be left out); `regionCode` is the district or township (6 or 9 digits).',
    required: ['username', 'mobile', 'code', 'password', 'confirmPassword', 'organisationName', 'uscc', 'regionCode', 'agreeTerms'],
  });

const ManagedProductPage = page(ManagedProductView, 'ManagedProductPage').extend({
  counts: ProductStatusCountsView.describe('Products per status (before the status filter)'),
});

const ProductPage = page(ProductCardView, 'ProductPage').extend({ sort: z.enum(PRODUCT_SORTS) });

const RegionPage = z
  .object({
    region: RegionView.nullable().describe('null for every region'),
    districts: z.array(RegionProductCountView),
    townships: z.array(RegionProductCountView),
    products: ProductPage,
  })
  .openapi('MallRegionPage');

const Address = z
  .object({
    id: z.uuid(),
    recipient: z.string(),
    mobile: z.string(),
    regionCode: z.string(),
    regionName: z.string(),
    detail: z.string(),
    fullAddress: z.string(),
    isDefault: z.boolean(),
    createdAt: Stamp,
  })
  .openapi('Address');

// ── Queries: documented here as plain strings; the services parse them and answer per field in Chinese ──
const productQuery = z.object({
  q: z.string().optional().openapi({ description: '搜索词（商品名称、描述、分类、产地）' }),
  category: z.string().optional().openapi({ description: '一级或二级分类代码', example: 'grain.rice' }),
  origin: z.string().optional().openapi({ description: '产地：省、市、区县或乡镇代码', example: '500242' }),
  merchantId: z.string().optional(),
  priceMin: z.string().optional().openapi({ description: '最低价（分）' }),
  priceMax: z.string().optional().openapi({ description: '最高价（分）' }),
  sort: z
    .string()
    .optional()
    .openapi({ enum: [...PRODUCT_SORTS] }),
  page: z.string().optional().openapi({ example: '1' }),
  pageSize: z.string().optional().openapi({ example: '20', description: '1–60' }),
});
const regionQuery = productQuery.omit({ origin: true });
const managedQuery = z.object({
  status: z
    .string()
    .optional()
    .openapi({ enum: [...PRODUCT_STATUSES] }),
  q: z.string().optional().openapi({ description: '商品名称' }),
  page: z.string().optional(),
  pageSize: z.string().optional().openapi({ description: '1–100' }),
});
const adminQuery = managedQuery.extend({ merchantId: z.string().optional() });

const idParam = z.object({ id: z.string() });
const M = ['mall'];

const routes = {
  attributes: createRoute({
    method: 'get',
    path: '/mall/unit-attributes',
    tags: M,
    summary: '单位属性：四类及其二级帮扶单位（单位注册表单）',
    responses: { 200: json(z.array(UnitAttributeOptionView), 'The four kinds') },
  }),
  registerUnit: createRoute({
    method: 'post',
    path: '/mall/units/register',
    tags: M,
    summary: '单位注册（单位属性、单位名称、统一社会信用代码、所在地区、手机验证码）',
    description:
      'Ask for the SMS code with `POST /auth/register-code` first. Creates the user, the unit (owner role) and a session: sets the session cookie and returns a bearer token.',
    request: { body: jsonBody(RegisterUnitInput) },
    responses: { 201: json(UnitSession, 'Registered and signed in'), ...errorResponses(400, 409, 429) },
  }),
  searchUnits: createRoute({
    method: 'get',
    path: '/mall/units/search',
    tags: M,
    summary: '查找单位（个人用户注册时按单位全称或关键字选择所在单位）',
    description: 'Active units only, at most 10, closest first. “村头” finds 重庆村头科技发展有限公司.',
    request: { query: z.object({ q: z.string().optional().openapi({ description: '单位全称或关键字', example: '村头' }) }) },
    responses: { 200: json(z.array(UnitSearchResultView), 'Matching units'), ...errorResponses(400) },
  }),
  registerIndividual: createRoute({
    method: 'post',
    path: '/mall/individuals/register',
    tags: M,
    summary: '个人用户注册（手机号、验证码、真实姓名、所在地区、所在单位）',
    description:
      'Choose the unit from `GET /mall/units/search`. Creates the user as a member of the unit and a session: sets the session cookie and returns a bearer token.',
    request: { body: jsonBody(RegisterIndividualInput) },
    responses: { 201: json(SessionResponse, 'Registered and signed in'), ...errorResponses(400, 409, 429) },
  }),
  registerMerchant: createRoute({
    method: 'post',
    path: '/mall/merchants/register',
    tags: M,
    summary: '商家注册（帮扶地区的供货商家，所在区县或乡镇）',
    description: 'Creates the user, the merchant (owner role) and a session: sets the session cookie and returns a bearer token.',
    request: { body: jsonBody(MerchantRegistration) },
    responses: { 201: json(SessionResponse, 'Registered and signed in'), ...errorResponses(400, 409, 429) },
  }),
  profile: createRoute({
    method: 'get',
    path: '/mall/me/profile',
    tags: M,
    summary: '个人信息（个人用户）',
    security: authed,
    responses: { 200: json(IndividualProfileView, 'The caller’s profile'), ...errorResponses(401, 404) },
  }),
  updateProfile: createRoute({
    method: 'put',
    path: '/mall/me/profile',
    tags: M,
    summary: '修改个人信息（用户名、真实姓名、地区、备注、所在单位）',
    description:
      'Absent fields stay as they are; an empty note clears it. Changing the unit ends every power at the old unit and waits for the new unit’s approval; earlier orders keep the unit they were counted for.',
    security: authed,
    request: { body: jsonBody(UpdateIndividualInput) },
    responses: { 200: json(IndividualProfileView, 'Updated'), ...errorResponses(400, 401, 404, 409) },
  }),
  unit: createRoute({
    method: 'get',
    path: '/mall/me/unit',
    tags: M,
    summary: '单位信息（当前代表的单位）',
    security: authed,
    responses: { 200: json(UnitView, 'The unit'), ...errorResponses(401, 403) },
  }),
  home: createRoute({
    method: 'get',
    path: '/mall/home',
    tags: M,
    summary: '消费帮扶馆首页：推荐商品、各分类新品、帮扶区县',
    responses: { 200: json(MallHomeView, 'Home') },
  }),
  search: createRoute({
    method: 'get',
    path: '/mall/products',
    tags: M,
    summary: '商品搜索（关键词、分类、产地、商家、价格筛选，排序，分页）',
    request: { query: productQuery },
    responses: { 200: json(ProductPage, 'Listed products'), ...errorResponses(400) },
  }),
  product: createRoute({
    method: 'get',
    path: '/mall/products/{id}',
    tags: M,
    summary: '商品详情（在售商品任何人可见；其余仅本商家与运营可见）',
    request: { params: idParam },
    responses: { 200: json(ProductView, 'The product'), ...errorResponses(404) },
  }),
  regions: createRoute({
    method: 'get',
    path: '/mall/regions',
    tags: M,
    summary: '帮扶区县/乡镇：有在售商品的区县、乡镇及其商品',
    request: { query: regionQuery },
    responses: { 200: json(RegionPage, 'Every region'), ...errorResponses(400) },
  }),
  region: createRoute({
    method: 'get',
    path: '/mall/regions/{code}',
    tags: M,
    summary: '帮扶区县/乡镇页面：该地区内有在售商品的区县、乡镇及其商品',
    request: { params: z.object({ code: z.string().openapi({ example: '500242' }) }), query: regionQuery },
    responses: { 200: json(RegionPage, 'The region'), ...errorResponses(400, 404) },
  }),
  categories: createRoute({
    method: 'get',
    path: '/mall/categories',
    tags: M,
    summary: '商品分类（两级）',
    responses: { 200: json(z.array(ProductCategoryView), 'Top categories with their second level') },
  }),
  image: createRoute({
    method: 'get',
    path: '/mall/images/{fileId}/{size}',
    tags: M,
    summary: '商品图片（缩略图 320 px / 详情图 960 px，WebP）',
    description: 'Public while the product is listed (cached publicly); otherwise only to its merchant and operators (cached privately); 404 to anyone else.',
    request: { params: z.object({ fileId: z.string(), size: z.string().openapi({ enum: Object.keys(IMAGE_SIZES), example: 'thumb' }) }) },
    responses: { 200: { description: 'The image', content: { 'image/webp': { schema: z.string().openapi({ format: 'binary' }) } } }, ...errorResponses(404) },
  }),

  merchantProducts: createRoute({
    method: 'get',
    path: '/merchant/products',
    tags: M,
    summary: '商家：商品管理（各状态，含数量）',
    security: authed,
    request: { query: managedQuery },
    responses: { 200: json(ManagedProductPage, 'Most recently changed first'), ...errorResponses(400, 401, 403) },
  }),
  createProduct: createRoute({
    method: 'post',
    path: '/merchant/products',
    tags: M,
    summary: '商家：发布商品（保存为草稿；图片先用 POST /files 上传，imageOnly=true）',
    description:
      'At most six images, listed by id in `imageIds`; a 320 px thumbnail and a 960 px detail copy are made of each. `POST /merchant/products/{id}/publish` lists it.',
    security: authed,
    request: { body: jsonBody(ProductInput) },
    responses: { 201: json(ProductView, 'Draft saved'), ...errorResponses(400, 401, 403) },
  }),
  updateProduct: createRoute({
    method: 'put',
    path: '/merchant/products/{id}',
    tags: M,
    summary: '商家：修改商品（整表提交；状态不变）',
    security: authed,
    request: { params: idParam, body: jsonBody(ProductInput) },
    responses: { 200: json(ProductView, 'Saved'), ...errorResponses(400, 401, 403, 404) },
  }),
  publish: createRoute({
    method: 'post',
    path: '/merchant/products/{id}/publish',
    tags: M,
    summary: '商家：上架（至少一张图片；平台下架的商品不能自行上架）',
    security: authed,
    request: { params: idParam },
    responses: { 200: json(ProductStatusChangeView, 'Listed'), ...errorResponses(400, 401, 403, 404, 409) },
  }),
  unpublish: createRoute({
    method: 'post',
    path: '/merchant/products/{id}/unpublish',
    tags: M,
    summary: '商家：下架',
    security: authed,
    request: { params: idParam },
    responses: { 200: json(ProductStatusChangeView, 'Unlisted'), ...errorResponses(401, 403, 404, 409) },
  }),

  adminProducts: createRoute({
    method: 'get',
    path: '/admin/mall/products',
    tags: ['admin'],
    summary: '运营：商品列表（全部状态，可按商家筛选）',
    security: authed,
    request: { query: adminQuery },
    responses: {
      200: json(page(ManagedProductView, 'AdminProductPage').extend({ counts: ProductStatusCountsView }), 'Most recently changed first'),
      ...errorResponses(400, 401, 403),
    },
  }),
  takeDown: createRoute({
    method: 'post',
    path: '/admin/mall/products/{id}/take-down',
    tags: ['admin'],
    summary: '运营：平台下架商品（须填写原因，通知商家）',
    security: authed,
    request: { params: idParam, body: jsonBody(TakedownInput) },
    responses: { 200: json(ProductStatusChangeView, 'Taken down'), ...errorResponses(400, 401, 403, 404, 409) },
  }),
  restore: createRoute({
    method: 'post',
    path: '/admin/mall/products/{id}/restore',
    tags: ['admin'],
    summary: '运营：恢复平台下架的商品（变为已下架，由商家重新上架）',
    security: authed,
    request: { params: idParam },
    responses: { 200: json(ProductStatusChangeView, 'Restored'), ...errorResponses(401, 403, 404, 409) },
  }),
  feature: createRoute({
    method: 'post',
    path: '/admin/mall/products/{id}/feature',
    tags: ['admin'],
    summary: '运营：设为或取消首页推荐（仅在售商品）',
    security: authed,
    request: { params: idParam, body: jsonBody(FeaturedInput) },
    responses: { 200: json(ProductFeaturedView, 'Set'), ...errorResponses(400, 401, 403, 404, 409) },
  }),

  addresses: createRoute({
    method: 'get',
    path: '/addresses',
    tags: M,
    summary: '收货地址（默认地址在前）',
    security: authed,
    responses: { 200: json(z.array(Address), 'The caller’s addresses'), ...errorResponses(401) },
  }),
  createAddress: createRoute({
    method: 'post',
    path: '/addresses',
    tags: M,
    summary: '新增收货地址（最多 20 个；第一个自动设为默认）',
    security: authed,
    request: { body: jsonBody(AddressInput) },
    responses: { 201: json(Address, 'Added'), ...errorResponses(400, 401, 409) },
  }),
  address: createRoute({
    method: 'get',
    path: '/addresses/{id}',
    tags: M,
    summary: '收货地址详情',
    security: authed,
    request: { params: idParam },
    responses: { 200: json(Address, 'The address'), ...errorResponses(401, 404) },
  }),
  updateAddress: createRoute({
    method: 'put',
    path: '/addresses/{id}',
    tags: M,
    summary: '修改收货地址',
    security: authed,
    request: { params: idParam, body: jsonBody(AddressInput) },
    responses: { 200: json(Address, 'Saved'), ...errorResponses(400, 401, 404) },
  }),
  removeAddress: createRoute({
    method: 'delete',
    path: '/addresses/{id}',
    tags: M,
    summary: '删除收货地址（删除默认地址时，最新的一个成为默认）',
    security: authed,
    request: { params: idParam },
    responses: { 200: json(z.object({ deleted: z.literal(true) }), 'Deleted'), ...errorResponses(401, 404) },
  }),
  setDefaultAddress: createRoute({
    method: 'post',
    path: '/addresses/{id}/default',
    tags: M,
    summary: '设为默认收货地址',
    security: authed,
    request: { params: idParam },
    responses: { 200: json(Address, 'Now the default'), ...errorResponses(401, 404) },
  }),
};

/** The mall's registration, catalog, product images and delivery addresses (cart and orders are in mall-orders.routes.ts). */
export function registerMallCatalogRoutes(api: ApiRouter) {
  const catalog = (c: { var: { services: { catalog: CatalogService } } }) => c.var.services.catalog;

  api.openapi(routes.attributes, async (c) => c.json(await c.var.services.units.attributeOptions(), 200));
  api.openapi(routes.registerUnit, async (c) => {
    const s = await c.var.services.units.registerUnit(c.req.valid('json'), requestContext(c));
    setSessionCookie(c, s);
    return c.json(s, 201);
  });
  api.openapi(routes.searchUnits, async (c) => c.json(await c.var.services.units.searchUnits(c.req.query()), 200));
  api.openapi(routes.registerIndividual, async (c) => {
    const s = await c.var.services.units.registerIndividual(c.req.valid('json'), requestContext(c));
    setSessionCookie(c, s);
    return c.json(s, 201);
  });
  api.openapi(routes.registerMerchant, async (c) => {
    const s = await c.var.services.units.registerMerchant(c.req.valid('json'), requestContext(c));
    setSessionCookie(c, s);
    return c.json(s, 201);
  });
  api.openapi(routes.profile, async (c) => c.json(await c.var.services.units.getIndividual(c.var.actor), 200));
  api.openapi(routes.updateProfile, async (c) => c.json(await c.var.services.units.updateIndividual(c.var.actor, c.req.valid('json')), 200));
  api.openapi(routes.unit, async (c) => c.json(await c.var.services.units.getUnit(c.var.actor), 200));

  api.openapi(routes.home, async (c) => c.json(await catalog(c).home(), 200));
  api.openapi(routes.search, async (c) => c.json(await catalog(c).search(c.req.query()), 200));
  api.openapi(routes.product, async (c) => c.json(await catalog(c).product(c.var.actor, c.req.valid('param').id), 200));
  api.openapi(routes.regions, async (c) => c.json(await catalog(c).regionPage(null, c.req.query()), 200));
  api.openapi(routes.region, async (c) => c.json(await catalog(c).regionPage(c.req.valid('param').code, c.req.query()), 200));
  api.openapi(routes.categories, async (c) => c.json(await catalog(c).categoryTree(), 200));
  api.openapi(routes.image, async (c) => {
    const { fileId, size } = c.req.valid('param');
    // A listed product's picture is the same for everyone and may sit in shared caches; one seen
    // only by its merchant or an operator must not.
    const shared = await catalog(c)
      .imageBytes(null, fileId, size)
      .catch((e: unknown) => (isAppError(e) && e.code === 'NOT_FOUND' ? null : Promise.reject(e)));
    const img = shared ?? (await catalog(c).imageBytes(c.var.actor, fileId, size));
    return c.body(new Uint8Array(img.data), 200, {
      'content-type': img.contentType,
      'content-length': String(img.data.byteLength),
      'cache-control': shared ? 'public, max-age=3600' : 'private, no-cache',
      'x-content-type-options': 'nosniff',
    });
  });

  api.openapi(routes.merchantProducts, async (c) => c.json(await catalog(c).merchantProducts(c.var.actor, c.req.query()), 200));
  api.openapi(routes.createProduct, async (c) => c.json(await catalog(c).createProduct(c.var.actor, c.req.valid('json')), 201));
  api.openapi(routes.updateProduct, async (c) => c.json(await catalog(c).updateProduct(c.var.actor, c.req.valid('param').id, c.req.valid('json')), 200));
  api.openapi(routes.publish, async (c) => c.json(await catalog(c).publish(c.var.actor, c.req.valid('param').id), 200));
  api.openapi(routes.unpublish, async (c) => c.json(await catalog(c).unpublish(c.var.actor, c.req.valid('param').id), 200));

  api.openapi(routes.adminProducts, async (c) => c.json(await catalog(c).adminProducts(c.var.actor, c.req.query()), 200));
  api.openapi(routes.takeDown, async (c) => c.json(await catalog(c).takeDown(c.var.actor, c.req.valid('param').id, c.req.valid('json')), 200));
  api.openapi(routes.restore, async (c) => c.json(await catalog(c).restore(c.var.actor, c.req.valid('param').id), 200));
  api.openapi(routes.feature, async (c) => c.json(await catalog(c).setFeatured(c.var.actor, c.req.valid('param').id, c.req.valid('json')), 200));

  api.openapi(routes.addresses, async (c) => c.json(await c.var.services.addresses.list(c.var.actor), 200));
  api.openapi(routes.createAddress, async (c) => c.json(await c.var.services.addresses.create(c.var.actor, c.req.valid('json')), 201));
  api.openapi(routes.address, async (c) => c.json(await c.var.services.addresses.get(c.var.actor, c.req.valid('param').id), 200));
  api.openapi(routes.updateAddress, async (c) => c.json(await c.var.services.addresses.update(c.var.actor, c.req.valid('param').id, c.req.valid('json')), 200));
  api.openapi(routes.removeAddress, async (c) => c.json(await c.var.services.addresses.remove(c.var.actor, c.req.valid('param').id), 200));
  api.openapi(routes.setDefaultAddress, async (c) => c.json(await c.var.services.addresses.setDefault(c.var.actor, c.req.valid('param').id), 200));
}
