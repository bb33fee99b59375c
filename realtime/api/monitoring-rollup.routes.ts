import { createRoute, z } from '@hono/zod-openapi';
import { downloadHeaders } from '../../core/shared/export';
import { CATEGORIES, UNIT_KINDS } from '../../core/monitoring/monitoring.schema';
import { DrillView, GROUP_BYS, RollupView } from '../../core/monitoring/rollup.schema';
import type { MonitoringRollupService } from '../../core/monitoring/rollup.service';
import type { ApiRouter } from './context';
import { authed, errorResponses, json, named } from './schemas';

const T = ['消费扶贫监测'];
/** Documents the queries; the service parses them (core/monitoring/rollup.schema.ts) and answers per field. */
const filters = {
  periodId: z.string().optional().openapi({ description: '填报期间编号' }),
  category: z
    .string()
    .optional()
    .openapi({ description: `产品类别：${CATEGORIES.join('、')}` }),
  originProvinceCode: z.string().optional().openapi({ description: '原产地省份代码（GB/T 2260）', example: '520000' }),
  originCountyCode: z.string().optional().openapi({ description: '原产地县代码（GB/T 2260）', example: '522601' }),
  cityCode: z.string().optional().openapi({ description: '地级市代码；none 为省直属（单列）单位', example: '440100' }),
  reporterKind: z
    .string()
    .optional()
    .openapi({ description: `采购单位类型：${UNIT_KINDS.join('、')}` }),
  from: z.string().optional().openapi({ description: '审核通过日期自（含，YYYY-MM-DD，北京时间）' }),
  to: z.string().optional().openapi({ description: '审核通过日期至（含）' }),
};
const rollupQuery = z.object({
  groupBy: z
    .string()
    .optional()
    .openapi({ description: `汇总方式：${GROUP_BYS.join('、')}（默认 city）` }),
  ...filters,
});
const drillQuery = z.object({
  ...filters,
  month: z.string().optional().openapi({ description: '审核通过月份 YYYY-MM' }),
  reporterId: z.string().optional().openapi({ description: '采购单位编号' }),
  page: z.string().optional(),
  pageSize: z.string().optional(),
});
const DrillPage = named(DrillView, 'MonitoringRollupRecords');
const refusals = errorResponses(400, 401, 'MONITORING_NOT_A_MEMBER', 'MONITORING_ROLE_REQUIRED');

const routes = {
  rollup: createRoute({
    method: 'get',
    path: '/monitoring/rollup',
    tags: T,
    summary: '汇总：审核通过的购销记录按地级市、类别、原产地、期间、月份或采购单位汇总',
    description:
      '省级扶贫部门看全省，地级市扶贫部门看本部门审核的记录，批发市场、连锁商超看本单位及其批发商、门店的记录。数量按计量单位分别合计，不同单位不相加。',
    security: authed,
    request: { query: rollupQuery },
    responses: { 200: json(named(RollupView, 'MonitoringRollup'), 'Totals and one row per group'), ...refusals },
  }),
  records: createRoute({
    method: 'get',
    path: '/monitoring/rollup/records',
    tags: T,
    summary: '汇总下钻：某一行背后的审核通过记录（分页）',
    security: authed,
    request: { query: drillQuery },
    responses: { 200: json(DrillPage, 'A page of approved records'), ...refusals },
  }),
  export: createRoute({
    method: 'get',
    path: '/monitoring/rollup/export',
    tags: T,
    summary: '导出汇总表（XLSX：汇总页 + 全部行）',
    security: authed,
    request: { query: rollupQuery },
    responses: {
      200: {
        description: 'The workbook',
        content: { 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': { schema: z.string().openapi({ format: 'binary' }) } },
      },
      ...refusals,
    },
  }),
};

/** Monitoring: the roll-up (汇总), its drill-down and export — thin handlers over the roll-up service. */
export function registerMonitoringRollupRoutes(api: ApiRouter) {
  const s = (c: { var: { services: { monitoringRollup: MonitoringRollupService } } }) => c.var.services.monitoringRollup;
  api.openapi(routes.rollup, async (c) => c.json(await s(c).rollup(c.var.actor, c.req.query()), 200));
  api.openapi(routes.records, async (c) => c.json(await s(c).drill(c.var.actor, c.req.query()), 200));
  api.openapi(routes.export, async (c) => {
    const file = await s(c).exportXlsx(c.var.actor, c.req.query());
    return c.body(new Uint8Array(file.bytes), 200, downloadHeaders(file));
  });
}
