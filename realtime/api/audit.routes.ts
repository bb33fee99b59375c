import { createRoute, z } from '@hono/zod-openapi';
import { AuditActionsView, AuditEntryView, AuditSearchQuery } from '../../core/audit/audit.schema';
import type { ApiRouter } from './context';
import { authed, errorResponses, json, named, page } from './schemas';

const AuditRow = AuditEntryView.extend({
  action: z.string().openapi({ example: 'wallet.withdrawal_approved' }),
  actionLabel: z.string().openapi({ example: '批准提现' }),
}).openapi('AuditRow');
const AuditActions = named(AuditActionsView, 'AuditActions');
const xlsx = {
  description: 'The rows as an XLSX file (at most 10 000; cells that would run as formulas are guarded)',
  content: { 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': { schema: z.string().openapi({ format: 'binary' }) } },
};

const routes = {
  search: createRoute({
    method: 'get',
    path: '/admin/audit',
    tags: ['admin'],
    summary: '运营：操作记录（筛选、分页，最新在前）',
    security: authed,
    request: { query: AuditSearchQuery },
    responses: { 200: json(page(AuditRow, 'AuditPage'), 'Audit rows, newest first'), ...errorResponses(400, 401, 403) },
  }),
  export: createRoute({
    method: 'get',
    path: '/admin/audit/export',
    tags: ['admin'],
    summary: '运营：导出操作记录（XLSX）',
    security: authed,
    request: { query: AuditSearchQuery },
    responses: { 200: xlsx, ...errorResponses(400, 401, 403) },
  }),
  actions: createRoute({
    method: 'get',
    path: '/admin/audit/actions',
    tags: ['admin'],
    summary: '运营：操作记录中出现过的操作类型',
    security: authed,
    responses: { 200: json(AuditActions, 'Actions'), ...errorResponses(401, 403) },
  }),
  own: createRoute({
    method: 'get',
    path: '/organisations/current/audit',
    tags: ['organisations'],
    summary: '本组织的操作记录（组织所有者和管理员）',
    security: authed,
    request: { query: AuditSearchQuery },
    responses: { 200: json(page(AuditRow, 'OrganisationAuditPage'), 'Audit rows of the organisation the caller acts for'), ...errorResponses(400, 401, 403) },
  }),
  ownExport: createRoute({
    method: 'get',
    path: '/organisations/current/audit/export',
    tags: ['organisations'],
    summary: '导出本组织的操作记录（XLSX）',
    security: authed,
    request: { query: AuditSearchQuery },
    responses: { 200: xlsx, ...errorResponses(400, 401, 403) },
  }),
};

const download = (file: { filename: string; contentType: string }) => ({
  'content-type': file.contentType,
  'content-disposition': `attachment; filename*=UTF-8''${encodeURIComponent(file.filename)}`,
});

/** The audit trail: operators read all of it, an organisation's owner and admins their own rows. */
export function registerAuditRoutes(api: ApiRouter) {
  api.openapi(routes.search, async (c) => c.json(await c.var.services.audit.search(c.var.actor, c.req.valid('query')), 200));
  api.openapi(routes.actions, async (c) => c.json({ items: await c.var.services.audit.actions(c.var.actor, 'platform') }, 200));
  api.openapi(routes.export, async (c) => {
    const file = await c.var.services.audit.export(c.var.actor, c.req.valid('query'));
    return c.body(new Uint8Array(file.bytes), 200, download(file));
  });
  api.openapi(routes.own, async (c) => c.json(await c.var.services.audit.searchOwn(c.var.actor, c.req.valid('query')), 200));
  api.openapi(routes.ownExport, async (c) => {
    const file = await c.var.services.audit.exportOwn(c.var.actor, c.req.valid('query'));
    return c.body(new Uint8Array(file.bytes), 200, download(file));
  });
}
