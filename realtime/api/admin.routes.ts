import { createRoute, z } from '@hono/zod-openapi';
import { AdminListQuery, SetStatusInput } from '../../core/organisations/organisations.service';
import type { ApiRouter } from './context';
import { authed, errorResponses, jsonBody, page, json } from './schemas';


const AdminUser = z
  .object({
    id: z.uuid(),
    username: z.string(),
    mobile: z.string(),
    email: z.string().nullable(),
    displayName: z.string().nullable(),
    status: z.enum(['active', 'disabled']),
    createdAt: z.iso.datetime(),
    organisations: z.array(z.string()),
  })
  .openapi('AdminUser');
const AdminOrganisation = z
  .object({
    id: z.uuid(),
    kind: z.string(),
    fullName: z.string(),
    uscc: z.string().nullable(),
    status: z.enum(['active', 'disabled']),
    parentId: z.uuid().nullable(),
    createdAt: z.iso.datetime(),
    memberCount: z.number().int(),
  })
  .openapi('AdminOrganisation');
const StatusResult = z.object({ id: z.uuid(), status: z.enum(['active', 'disabled']) }).openapi('StatusResult');

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
  api.openapi(listUsers, async (c) => c.json((await c.var.services.organisations.adminListUsers(c.var.actor, c.req.valid('query'))) as never, 200));
  api.openapi(listOrgs, async (c) => c.json((await c.var.services.organisations.adminListOrganisations(c.var.actor, c.req.valid('query'))) as never, 200));
  api.openapi(setUserStatus, async (c) =>
    c.json((await c.var.services.organisations.adminSetUserStatus(c.var.actor, c.req.valid('param').id, c.req.valid('json'))) as never, 200),
  );
  api.openapi(setOrgStatus, async (c) =>
    c.json((await c.var.services.organisations.adminSetOrganisationStatus(c.var.actor, c.req.valid('param').id, c.req.valid('json'))) as never, 200),
  );
}
