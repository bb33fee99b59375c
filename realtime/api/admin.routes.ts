import { createRoute, z } from '@hono/zod-openapi';
import { AdminListQuery, SetStatusInput } from '../../core/organisations/organisations.service';
import { AdminOrganisationView, AdminUserView, StatusResultView } from '../../core/organisations/organisations.schema';
import type { ApiRouter } from './context';
import { authed, errorResponses, jsonBody, page, json, named } from './schemas';

const AdminUser = named(AdminUserView, 'AdminUser');
const AdminOrganisation = named(AdminOrganisationView, 'AdminOrganisation');
const StatusResult = named(StatusResultView, 'StatusResult');

const listUsers = createRoute({
  method: 'get',
  path: '/admin/users',
  tags: ['admin'],
  summary: '运营：用户列表（搜索、分页）',
  security: authed,
  request: { query: AdminListQuery.omit({ kind: true }) },
  responses: { 200: json(page(AdminUser, 'AdminUserPage'), 'Users'), ...errorResponses(400, 401, 403) },
});
const listOrgs = createRoute({
  method: 'get',
  path: '/admin/organisations',
  tags: ['admin'],
  summary: '运营：组织列表（搜索、分页、类型筛选）',
  security: authed,
  request: { query: AdminListQuery },
  responses: { 200: json(page(AdminOrganisation, 'AdminOrganisationPage'), 'Organisations'), ...errorResponses(400, 401, 403) },
});
const setUserStatus = createRoute({
  method: 'post',
  path: '/admin/users/{id}/status',
  tags: ['admin'],
  summary: '运营：停用或启用账号',
  security: authed,
  request: { params: z.object({ id: z.string() }), body: jsonBody(SetStatusInput) },
  responses: { 200: json(StatusResult, 'New status; disabling ends the sessions'), ...errorResponses(400, 401, 403, 404) },
});
const setOrgStatus = createRoute({
  method: 'post',
  path: '/admin/organisations/{id}/status',
  tags: ['admin'],
  summary: '运营：停用或启用组织',
  security: authed,
  request: { params: z.object({ id: z.string() }), body: jsonBody(SetStatusInput) },
  responses: { 200: json(StatusResult, 'New status'), ...errorResponses(400, 401, 403, 404) },
});

export function registerAdminRoutes(api: ApiRouter) {
  api.openapi(listUsers, async (c) => c.json(await c.var.services.organisations.adminListUsers(c.var.actor, c.req.valid('query')), 200));
  api.openapi(listOrgs, async (c) => c.json(await c.var.services.organisations.adminListOrganisations(c.var.actor, c.req.valid('query')), 200));
  api.openapi(setUserStatus, async (c) =>
    c.json(await c.var.services.organisations.adminSetUserStatus(c.var.actor, c.req.valid('param').id, c.req.valid('json')), 200),
  );
  api.openapi(setOrgStatus, async (c) =>
    c.json(await c.var.services.organisations.adminSetOrganisationStatus(c.var.actor, c.req.valid('param').id, c.req.valid('json')), 200),
  );
}
