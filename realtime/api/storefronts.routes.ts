import { createRoute, z } from '@hono/zod-openapi';
import { requireActor, requireOrganisation } from '../../core/shared/actor';
import {
  CaseInput,
  CaseView,
  ServiceItemInput,
  ServiceItemView,
  ShowcaseQuery,
  StorefrontInput,
  StorefrontSummaryView,
  StorefrontView,
} from '../../core/tenders/tenders.schema';
import type { ApiRouter } from './context';
import { authed, errorResponses, json, jsonBody, page, named } from './schemas';

const ServiceItem = named(ServiceItemView, 'ServiceItem');
const Case = named(CaseView, 'Case');
const Storefront = named(
  StorefrontView.extend({ items: z.array(ServiceItem).describe('Listed items; the owner also sees unlisted ones'), cases: z.array(Case) }),
  'Storefront',
);
const StorefrontSummary = named(StorefrontSummaryView, 'StorefrontSummary');

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

  api.openapi(routes.showcase, async (c) => c.json(await sf(c).showcase(c.req.query()), 200));
  api.openapi(routes.me, async (c) => c.json(await mine(c), 200));
  api.openapi(routes.update, async (c) => c.json(await sf(c).update(c.var.actor, c.req.valid('json')), 200));
  api.openapi(routes.items, async (c) => c.json((await mine(c)).items, 200));
  api.openapi(routes.addItem, async (c) => c.json(await sf(c).addItem(c.var.actor, c.req.valid('json')), 201));
  api.openapi(routes.updateItem, async (c) => c.json(await sf(c).updateItem(c.var.actor, c.req.valid('param').id, c.req.valid('json')), 200));
  api.openapi(routes.deleteItem, async (c) => (await sf(c).deleteItem(c.var.actor, c.req.valid('param').id), c.body(null, 204)));
  api.openapi(routes.cases, async (c) => c.json((await mine(c)).cases, 200));
  api.openapi(routes.addCase, async (c) => c.json(await sf(c).addCase(c.var.actor, c.req.valid('json')), 201));
  api.openapi(routes.deleteCase, async (c) => (await sf(c).deleteCase(c.var.actor, c.req.valid('param').id), c.body(null, 204)));
  api.openapi(routes.get, async (c) => c.json(await sf(c).get(c.var.actor, c.req.valid('param').providerId), 200));
}
