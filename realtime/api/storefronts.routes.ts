import { createRoute, z } from '@hono/zod-openapi';
import { requireActor, requireOrganisation } from '../../core/shared/actor';
import { CaseInput, ServiceItemInput, ShowcaseQuery, StorefrontInput } from '../../core/tenders/tenders.schema';
import type { ApiRouter } from './context';
import { authed, errorResponses, json, jsonBody, page } from './schemas';

const Rating = z.object({ average: z.number().nullable(), count: z.number().int() });

const ServiceItem = z
  .object({
    id: z.uuid(),
    organisationId: z.uuid(),
    title: z.string(),
    categoryCode: z.string(),
    categoryName: z.string(),
    parentCategoryName: z.string().nullable(),
    priceMinFen: z.number().int(),
    priceMaxFen: z.number().int().describe('Equal to the minimum for a fixed price'),
    priceUnit: z.string(),
    description: z.string(),
    status: z.enum(['listed', 'unlisted']),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .openapi('ServiceItem');

const Case = z
  .object({
    id: z.uuid(),
    organisationId: z.uuid(),
    title: z.string(),
    clientName: z.string().nullable(),
    year: z.number().int().nullable(),
    description: z.string(),
    imageFileId: z.uuid().nullable(),
    imageUrl: z.string().nullable(),
    createdAt: z.iso.datetime(),
  })
  .openapi('Case');

const Storefront = z
  .object({
    id: z.uuid().describe('The provider (organisation) id'),
    fullName: z.string(),
    uscc: z.string().nullable(),
    location: z.string().describe("The provider's registered region (may be empty)"),
    since: z.iso.datetime(),
    logoUrl: z.string().nullable(),
    logoFileId: z.uuid().nullable(),
    introduction: z.string(),
    qualifications: z.string(),
    regionsServed: z.array(z.object({ code: z.string(), name: z.string() })),
    categories: z.array(z.object({ code: z.string(), name: z.string() })),
    contactPhone: z.string().nullable(),
    rating: Rating,
    items: z.array(ServiceItem).describe('Listed items; the owner also sees unlisted ones'),
    cases: z.array(Case),
    own: z.boolean().describe("The caller's own storefront"),
  })
  .openapi('Storefront');

const StorefrontSummary = z
  .object({
    id: z.uuid(),
    fullName: z.string(),
    location: z.string().describe("The provider's registered region (may be empty)"),
    topItems: z
      .array(z.object({ id: z.uuid(), title: z.string(), priceMinFen: z.number().int(), priceMaxFen: z.number().int(), priceUnit: z.string() }))
      .describe('Up to three listed service items, newest first'),
    introduction: z.string(),
    logoUrl: z.string().nullable(),
    regions: z.array(z.string()),
    categories: z.array(z.string()),
    rating: Rating,
    itemCount: z.number().int(),
    createdAt: z.iso.datetime(),
  })
  .openapi('StorefrontSummary');

const itemParam = z.object({ id: z.string().openapi({ description: '服务项目编号' }) });
const caseParam = z.object({ id: z.string().openapi({ description: '案例编号' }) });
const S = ['storefronts'];

const routes = {
  showcase: createRoute({
    method: 'get',
    path: '/storefronts',
    tags: S,
    summary: '展示大厅：服务机构（搜索名称、简介、服务项目；按类别、服务地区筛选；评分、最新、名称排序；分页）',
    request: { query: ShowcaseQuery },
    responses: { 200: json(page(StorefrontSummary, 'StorefrontPage'), 'Active providers'), ...errorResponses(400) },
  }),
  me: createRoute({
    method: 'get',
    path: '/storefronts/me',
    tags: S,
    summary: '我的店铺（服务机构，含未上架的服务项目）',
    security: authed,
    responses: { 200: json(Storefront, 'My storefront'), ...errorResponses(401, 403) },
  }),
  update: createRoute({
    method: 'put',
    path: '/storefronts/me',
    tags: S,
    summary: '编辑店铺：Logo、简介、资质、服务地区、服务类别、电话',
    description: 'The logo is an image uploaded with `POST /files` (imageOnly=true); pass its id as `logoFileId`.',
    security: authed,
    request: { body: jsonBody(StorefrontInput) },
    responses: { 200: json(Storefront, 'Saved'), ...errorResponses(400, 401, 403) },
  }),
  items: createRoute({
    method: 'get',
    path: '/storefronts/me/items',
    tags: S,
    summary: '我的服务项目（含未上架）',
    security: authed,
    responses: { 200: json(z.array(ServiceItem), 'Most recently changed first'), ...errorResponses(401, 403) },
  }),
  addItem: createRoute({
    method: 'post',
    path: '/storefronts/me/items',
    tags: S,
    summary: '新增服务项目',
    security: authed,
    request: { body: jsonBody(ServiceItemInput) },
    responses: { 201: json(ServiceItem, 'Added'), ...errorResponses(400, 401, 403) },
  }),
  updateItem: createRoute({
    method: 'put',
    path: '/storefronts/me/items/{id}',
    tags: S,
    summary: '修改服务项目（整项提交；上架/下架用 status）',
    security: authed,
    request: { params: itemParam, body: jsonBody(ServiceItemInput) },
    responses: { 200: json(ServiceItem, 'Saved'), ...errorResponses(400, 401, 403, 404) },
  }),
  deleteItem: createRoute({
    method: 'delete',
    path: '/storefronts/me/items/{id}',
    tags: S,
    summary: '删除服务项目',
    security: authed,
    request: { params: itemParam },
    responses: { 204: { description: 'Deleted' }, ...errorResponses(401, 403, 404) },
  }),
  cases: createRoute({
    method: 'get',
    path: '/storefronts/me/cases',
    tags: S,
    summary: '我的案例',
    security: authed,
    responses: { 200: json(z.array(Case), 'Newest year first'), ...errorResponses(401, 403) },
  }),
  addCase: createRoute({
    method: 'post',
    path: '/storefronts/me/cases',
    tags: S,
    summary: '新增案例（图片先用 POST /files 上传）',
    security: authed,
    request: { body: jsonBody(CaseInput) },
    responses: { 201: json(Case, 'Added'), ...errorResponses(400, 401, 403) },
  }),
  deleteCase: createRoute({
    method: 'delete',
    path: '/storefronts/me/cases/{id}',
    tags: S,
    summary: '删除案例',
    security: authed,
    request: { params: caseParam },
    responses: { 204: { description: 'Deleted' }, ...errorResponses(401, 403, 404) },
  }),
  get: createRoute({
    method: 'get',
    path: '/storefronts/{providerId}',
    tags: S,
    summary: '服务机构店铺：简介、资质、服务项目（已上架）、案例、评分',
    request: { params: z.object({ providerId: z.string().openapi({ description: '服务机构编号' }) }) },
    responses: { 200: json(Storefront, 'The storefront'), ...errorResponses(404) },
  }),
};

/** Storefronts (店铺) and the showcase hall (展示大厅). `/storefronts/me…` are registered before `/storefronts/{providerId}`. */
export function registerStorefrontRoutes(api: ApiRouter) {
  const sf = (c: { var: { services: { storefronts: import('../../core/tenders/storefronts.service').StorefrontService } } }) => c.var.services.storefronts;
  /** The caller's storefront: only a provider has one. */
  const mine = async (c: Parameters<typeof sf>[0] & { var: { actor: import('../../core/shared/actor').Actor | null } }) => {
    const org = requireOrganisation(requireActor(c.var.actor), ['provider']);
    return sf(c).get(c.var.actor, org.organisationId);
  };

  api.openapi(routes.showcase, async (c) => c.json((await sf(c).showcase(c.req.query())) as never, 200));
  api.openapi(routes.me, async (c) => c.json((await mine(c)) as never, 200));
  api.openapi(routes.update, async (c) => c.json((await sf(c).update(c.var.actor, c.req.valid('json'))) as never, 200));
  api.openapi(routes.items, async (c) => c.json((await mine(c)).items as never, 200));
  api.openapi(routes.addItem, async (c) => c.json((await sf(c).addItem(c.var.actor, c.req.valid('json'))) as never, 201));
  api.openapi(routes.updateItem, async (c) => c.json((await sf(c).updateItem(c.var.actor, c.req.valid('param').id, c.req.valid('json'))) as never, 200));
  api.openapi(routes.deleteItem, async (c) => (await sf(c).deleteItem(c.var.actor, c.req.valid('param').id), c.body(null, 204)));
  api.openapi(routes.cases, async (c) => c.json((await mine(c)).cases as never, 200));
  api.openapi(routes.addCase, async (c) => c.json((await sf(c).addCase(c.var.actor, c.req.valid('json'))) as never, 201));
  api.openapi(routes.deleteCase, async (c) => (await sf(c).deleteCase(c.var.actor, c.req.valid('param').id), c.body(null, 204)));
  api.openapi(routes.get, async (c) => c.json((await sf(c).get(c.var.actor, c.req.valid('param').providerId)) as never, 200));
}
