import { createRoute, z } from '@hono/zod-openapi';
import { ProviderSummaryView, PublicOrganisationView } from '../../core/organisations/organisations.schema';
import type { ApiRouter } from './context';
import { errorResponses, page, PageQuery, json, named } from './schemas';

const PublicOrganisation = named(PublicOrganisationView, 'PublicOrganisation');

const providers = createRoute({
  method: 'get',
  path: '/providers',
  tags: ['showcase'],
  summary: '展示大厅：服务机构列表',
  request: { query: PageQuery },
  responses: { 200: json(page(ProviderSummaryView, 'ProviderPage'), 'Active providers') },
});

const organisation = createRoute({
  method: 'get',
  path: '/organisations/{id}',
  tags: ['showcase'],
  summary: '组织公开信息（服务机构店铺等）',
  request: { params: z.object({ id: z.string() }) },
  responses: { 200: json(PublicOrganisation, 'Public profile'), ...errorResponses(404) },
});

export function registerOrganisationRoutes(api: ApiRouter) {
  api.openapi(providers, async (c) => {
    const q = c.req.valid('query');
    return c.json(await c.var.services.organisations.listProviders(q), 200);
  });
  api.openapi(organisation, async (c) => c.json(await c.var.services.organisations.getPublicProfile(c.req.valid('param').id), 200));
}
