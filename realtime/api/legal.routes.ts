import { createRoute, z } from '@hono/zod-openapi';
import { LegalKind, PublishLegalInput, SiteFooterInput } from '../../core/legal/legal.schema';
import type { ApiRouter } from './context';
import { authed, errorResponses, json, jsonBody } from './schemas';

const Stamp = z.iso.datetime();
const LegalDocument = z
  .object({ kind: LegalKind, version: z.number().int(), title: z.string(), body: z.string(), publishedAt: Stamp, template: z.boolean() })
  .openapi('LegalDocument');
const LegalVersion = z.object({ version: z.number().int(), title: z.string(), publishedAt: Stamp }).openapi('LegalVersion');
const SiteFooter = z
  .object({ servicePhone: z.string(), serviceEmail: z.string(), serviceHours: z.string(), icp: z.string() })
  .openapi('SiteFooter', { description: '客服 and ICP 备案 shown in the footer; empty fields are not shown.' });
const KindParam = z.object({ kind: z.string().openapi({ example: 'terms', description: '`terms` 用户协议 or `privacy` 隐私政策' }) });

const routes = {
  read: createRoute({
    method: 'get',
    path: '/legal/{kind}',
    tags: ['legal'],
    summary: '用户协议或隐私政策：最新版本，或 ?version=N 的历史版本',
    request: { params: KindParam, query: z.object({ version: z.string().optional().openapi({ example: '2' }) }) },
    responses: { 200: json(LegalDocument, 'The document'), ...errorResponses(400, 404) },
  }),
  versions: createRoute({
    method: 'get',
    path: '/legal/{kind}/versions',
    tags: ['legal'],
    summary: '用户协议或隐私政策的全部版本（新到旧）',
    request: { params: KindParam },
    responses: { 200: json(z.array(LegalVersion), 'Versions, newest first'), ...errorResponses(400) },
  }),
  footer: createRoute({
    method: 'get',
    path: '/site/footer',
    tags: ['legal'],
    summary: '页脚的客服联系方式与 ICP 备案号',
    responses: { 200: json(SiteFooter, 'The footer setting') },
  }),
  publish: createRoute({
    method: 'post',
    path: '/admin/legal/{kind}/versions',
    tags: ['admin'],
    summary: '运营：发布用户协议或隐私政策的新版本（旧版本保留可查）',
    security: authed,
    request: { params: KindParam, body: jsonBody(PublishLegalInput.omit({ kind: true }).openapi('PublishLegalInput')) },
    responses: { 201: json(LegalDocument, 'The new version'), ...errorResponses(400, 401, 403, 409) },
  }),
  updateFooter: createRoute({
    method: 'put',
    path: '/admin/settings/site-footer',
    tags: ['admin'],
    summary: '运营：修改页脚的客服电话、邮箱、服务时间与 ICP 备案号',
    security: authed,
    request: { body: jsonBody(SiteFooterInput) },
    responses: { 200: json(SiteFooter, 'Saved'), ...errorResponses(400, 401, 403) },
  }),
};

/** 用户协议 / 隐私政策 (public reading, operators publish) and the footer's 客服 / 备案 setting. */
export function registerLegalRoutes(api: ApiRouter) {
  api.openapi(routes.footer, async (c) => c.json(await c.var.services.settings.get('site.footer'), 200));
  api.openapi(routes.versions, async (c) => c.json(await c.var.services.legal.versions(c.req.valid('param').kind), 200));
  api.openapi(routes.read, async (c) => c.json(await c.var.services.legal.read(c.req.valid('param').kind, c.req.valid('query')), 200));
  api.openapi(routes.publish, async (c) =>
    c.json(await c.var.services.legal.publish(c.var.actor, { ...(c.req.valid('json') as object), kind: c.req.valid('param').kind }), 201),
  );
  api.openapi(routes.updateFooter, async (c) => c.json(await c.var.services.settings.update(c.var.actor, 'site.footer', c.req.valid('json')), 200));
}
