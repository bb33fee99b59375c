import { createRoute, z } from '@hono/zod-openapi';
import { downloadHeaders } from '../../core/shared/export';
import { SubtreeStatisticsView, UnitOrdersView, UnitStatisticsView } from '../../core/quotas/statistics.schema';
import type { QuotaStatisticsService } from '../../core/quotas/statistics.service';
import type { ApiRouter } from './context';
import { authed, errorResponses, json, named } from './schemas';

const T = ['统计报表'];
const year = z.string().optional().openapi({ description: '年度（默认今年）', example: '2026' });
const unitId = z.string().optional().openapi({ description: '预算单位编号（默认本单位；可为下级单位）' });
/** Documents the queries; the service parses them (core/quotas/statistics.schema.ts) and answers per field. */
const unitQuery = z.object({ unitId, year });
const subtreeQuery = unitQuery.extend({
  groupBy: z.enum(['unit', 'level', 'region']).optional().openapi({ description: '按单位、预算级次或地区（财政部门）汇总' }),
  band: z
    .enum(['none', 'low', 'mid', 'done', 'unset'])
    .optional()
    .openapi({ description: '只看某一完成情况：none 未采购，low 低于 50%，mid 50%–100%，done 已完成，unset 未设预留' }),
  page: z.string().optional(),
  pageSize: z.string().optional(),
});
const ordersQuery = z.object({
  unitId: z.string().optional().openapi({ description: '预算单位编号（必填；本单位或下级单位；由服务检查）' }),
  year,
  page: z.string().optional(),
  pageSize: z.string().optional(),
});
const exportQuery = subtreeQuery.omit({ page: true, pageSize: true });

const routes = {
  unit: createRoute({
    method: 'get',
    path: '/quotas/statistics/unit',
    tags: T,
    summary: '单位统计：预留金额、实际采购、已付款未完成、完成率、逐月',
    description: '实际采购按订单金额（商品金额，不扣代金券）计，订单完成时计入；已付款未完成的订单按付款时间另列。退款订单不计。',
    security: authed,
    request: { query: unitQuery },
    responses: { 200: json(named(UnitStatisticsView, 'QuotaUnitStatistics'), 'The unit’s year'), ...errorResponses(400, 401, 403, 404) },
  }),
  subtree: createRoute({
    method: 'get',
    path: '/quotas/statistics/subtree',
    tags: T,
    summary: '下级汇总：按单位、预算级次或地区，完成情况分布（落后单位），可按完成情况筛选、分页',
    security: authed,
    request: { query: subtreeQuery },
    responses: { 200: json(named(SubtreeStatisticsView, 'QuotaSubtreeStatistics'), 'Totals, bands and a page of rows'), ...errorResponses(400, 401, 403, 404) },
  }),
  orders: createRoute({
    method: 'get',
    path: '/quotas/statistics/orders',
    tags: T,
    summary: '单位订单明细：计入本年度的已完成和已付款未完成订单',
    security: authed,
    request: { query: ordersQuery },
    responses: { 200: json(named(UnitOrdersView, 'QuotaUnitOrders'), 'Newest first'), ...errorResponses(400, 401, 403, 404) },
  }),
  export: createRoute({
    method: 'get',
    path: '/quotas/statistics/export',
    tags: T,
    summary: '导出下级汇总表（XLSX：汇总页 + 全部行）',
    security: authed,
    request: { query: exportQuery },
    responses: {
      200: {
        description: 'The workbook',
        content: { 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': { schema: z.string().openapi({ format: 'binary' }) } },
      },
      ...errorResponses(400, 401, 403, 404),
    },
  }),
};

/** 统计报表 of budget-unit quotas: thin handlers over the quota statistics service. */
export function registerQuotaStatisticsRoutes(api: ApiRouter) {
  const s = (c: { var: { services: { quotaStatistics: QuotaStatisticsService } } }) => c.var.services.quotaStatistics;
  api.openapi(routes.unit, async (c) => c.json(await s(c).unit(c.var.actor, c.req.query()), 200));
  api.openapi(routes.subtree, async (c) => c.json(await s(c).subtree(c.var.actor, c.req.query()), 200));
  api.openapi(routes.orders, async (c) => c.json(await s(c).orders(c.var.actor, c.req.query()), 200));
  api.openapi(routes.export, async (c) => {
    const file = await s(c).exportSubtree(c.var.actor, c.req.query());
    return c.body(new Uint8Array(file.bytes), 200, downloadHeaders(file));
  });
}
