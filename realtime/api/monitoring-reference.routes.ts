import { createRoute, z } from '@hono/zod-openapi';
import { CountyListView, CountyTreeView, CountyView, PeriodListView, PeriodView, ProvincesView } from '../../core/monitoring/reference.schema';
import { EligibleOrderPage, FromMallResult } from '../../core/monitoring/records.mall';
import type { ApiRouter } from './context';
import { authed, errorResponses, json, jsonBody, named } from './schemas';

const TAG = ['消费扶贫监测'];
const County = named(CountyView, 'MonitoringCounty');
const Period = named(PeriodView, 'MonitoringPeriod');

const PeriodBody = z
  .object({
    filingType: z.string().openapi({ description: 'backfill 上半年购销信息补登 · regular 购销信息登记' }),
    name: z.string().openapi({ description: '期间名称（2–40 字，不可重名）', example: '2027年上半年购销信息登记' }),
    startsOn: z.string().openapi({ description: '开始日期 YYYY-MM-DD', example: '2027-01-01' }),
    endsOn: z.string().openapi({ description: '结束日期 YYYY-MM-DD', example: '2027-06-30' }),
    open: z.boolean().optional().openapi({ description: '开放填报（默认是）' }),
  })
  .openapi('MonitoringPeriodInput');
const PeriodPatch = z
  .object({
    name: z.string().optional(),
    startsOn: z.string().optional(),
    endsOn: z.string().optional(),
    open: z.boolean().optional().openapi({ description: 'false 关闭填报 · true 重新开放' }),
  })
  .openapi('MonitoringPeriodPatch');
const CountyPatch = z.object({ active: z.boolean().openapi({ description: '是否在帮扶县名单中启用' }) }).openapi('MonitoringCountyPatch');
const CountyBody = z
  .object({ code: z.string().openapi({ description: '县级行政区划代码（GB/T 2260，6 位）', example: '451225' }) })
  .openapi('MonitoringCountyInput');

const ADMIN_REFUSALS = ['MONITORING_NOT_A_MEMBER', 'MONITORING_ROLE_REQUIRED'] as const;

const routes = {
  mallOrders: createRoute({
    operationId: 'listMonitoringMallOrders',
    method: 'get',
    path: '/monitoring/mall-orders',
    tags: TAG,
    summary: '可生成购销记录的商城订单：本单位已完成、产地在帮扶县、尚未生成记录的订单（填报账号）',
    security: authed,
    request: { query: z.object({ page: z.string().optional(), pageSize: z.string().optional() }) },
    responses: { 200: json(named(EligibleOrderPage, 'MonitoringMallOrderPage'), 'Orders'), ...errorResponses(400, 401, ...ADMIN_REFUSALS) },
  }),
  fromMall: createRoute({
    operationId: 'createMonitoringRecordsFromMall',
    method: 'post',
    path: '/monitoring/records/from-mall',
    tags: TAG,
    summary: '商城订单一键生成购销记录（每个订单一条草稿，订单作为佐证；逐单回答）',
    security: authed,
    request: { body: jsonBody(z.object({ orderIds: z.array(z.string()) }).openapi('MonitoringFromMallInput')) },
    responses: { 200: json(named(FromMallResult, 'MonitoringFromMallResult'), 'Per-order answers'), ...errorResponses(400, 401, ...ADMIN_REFUSALS) },
  }),
  counties: createRoute({
    operationId: 'listMonitoringCounties',
    method: 'get',
    path: '/monitoring/counties',
    tags: TAG,
    summary: '帮扶县名单（启用的县，按省 → 市 → 县分组，供级联选择；公开）',
    request: { query: z.object({ provinceCode: z.string().optional().openapi({ description: '只看一个省（6 位代码，如 450000）' }) }) },
    responses: { 200: json(named(CountyTreeView, 'MonitoringCountyTree'), 'Active counties'), ...errorResponses(400) },
  }),
  provinces: createRoute({
    operationId: 'listMonitoringProvinces',
    method: 'get',
    path: '/monitoring/provinces',
    tags: TAG,
    summary: '帮扶县名单涉及的省份及启用县数（公开）',
    responses: { 200: json(named(ProvincesView, 'MonitoringProvinces'), 'Provinces') },
  }),
  manageCounties: createRoute({
    operationId: 'listMonitoringCountiesForSettings',
    method: 'get',
    path: '/monitoring/counties/manage',
    tags: TAG,
    summary: '帮扶县名单维护：含已停用的县，按省份、名称或代码查找（省级管理员）',
    security: authed,
    request: { query: z.object({ provinceCode: z.string().optional(), keyword: z.string().optional() }) },
    responses: { 200: json(named(CountyListView, 'MonitoringCountyList'), 'Counties'), ...errorResponses(400, 401, ...ADMIN_REFUSALS) },
  }),
  addCounty: createRoute({
    operationId: 'addMonitoringCounty',
    method: 'post',
    path: '/monitoring/counties',
    tags: TAG,
    summary: '把一个县级行政区划加入帮扶县名单（已在名单中则重新启用；省级管理员）',
    security: authed,
    request: { body: jsonBody(CountyBody) },
    responses: { 200: json(County, 'Added'), ...errorResponses(400, 401, ...ADMIN_REFUSALS) },
  }),
  setCounty: createRoute({
    operationId: 'updateMonitoringCounty',
    method: 'patch',
    path: '/monitoring/counties/{code}',
    tags: TAG,
    summary: '启用或停用帮扶县（停用后不能再选，已有记录不变；省级管理员）',
    security: authed,
    request: { params: z.object({ code: z.string().openapi({ description: '县级行政区划代码' }) }), body: jsonBody(CountyPatch) },
    responses: { 200: json(County, 'Saved'), ...errorResponses(400, 401, 404, ...ADMIN_REFUSALS) },
  }),
  periods: createRoute({
    operationId: 'listMonitoringPeriods',
    method: 'get',
    path: '/monitoring/periods',
    tags: TAG,
    summary: '填报期间（新的在前；可按填报类型、只看开放的筛选；监测账号）',
    security: authed,
    request: {
      query: z.object({
        filingType: z.string().optional().openapi({ description: 'backfill · regular' }),
        openOnly: z.string().optional().openapi({ description: 'true 只看开放填报的' }),
      }),
    },
    responses: { 200: json(named(PeriodListView, 'MonitoringPeriodList'), 'Periods'), ...errorResponses(400, 401, 'MONITORING_NOT_A_MEMBER') },
  }),
  createPeriod: createRoute({
    operationId: 'createMonitoringPeriod',
    method: 'post',
    path: '/monitoring/periods',
    tags: TAG,
    summary: '新增填报期间（省级管理员）',
    security: authed,
    request: { body: jsonBody(PeriodBody) },
    responses: { 201: json(Period, 'Created'), ...errorResponses(400, 401, ...ADMIN_REFUSALS) },
  }),
  updatePeriod: createRoute({
    operationId: 'updateMonitoringPeriod',
    method: 'patch',
    path: '/monitoring/periods/{id}',
    tags: TAG,
    summary: '修改填报期间：改名、调整日期、关闭或重新开放（省级管理员）',
    security: authed,
    request: { params: z.object({ id: z.string().openapi({ description: '期间编号' }) }), body: jsonBody(PeriodPatch) },
    responses: { 200: json(Period, 'Saved'), ...errorResponses(400, 401, 404, ...ADMIN_REFUSALS) },
  }),
};

/** Monitoring: reference routes (/api/v1/monitoring/...): the assisted counties and the filing periods. */
export function registerMonitoringReferenceRoutes(api: ApiRouter) {
  api.openapi(routes.mallOrders, async (c) => c.json(await c.var.services.monitoringMallOrders.eligibleMallOrders(c.var.actor, c.req.valid('query')), 200));
  api.openapi(routes.fromMall, async (c) => c.json(await c.var.services.monitoringMallOrders.fromMallOrders(c.var.actor, c.req.valid('json') as never), 200));
  api.openapi(routes.counties, async (c) => c.json(await c.var.services.monitoringReference.counties(c.req.valid('query')), 200));
  api.openapi(routes.provinces, async (c) => c.json(await c.var.services.monitoringReference.provinces(), 200));
  api.openapi(routes.manageCounties, async (c) => c.json(await c.var.services.monitoringReference.adminCounties(c.var.actor, c.req.valid('query')), 200));
  api.openapi(routes.addCounty, async (c) => c.json(await c.var.services.monitoringReference.addCounty(c.var.actor, c.req.valid('json') as never), 200));
  api.openapi(routes.setCounty, async (c) =>
    c.json(await c.var.services.monitoringReference.setCountyActive(c.var.actor, c.req.valid('param').code, c.req.valid('json') as never), 200),
  );
  api.openapi(routes.periods, async (c) => c.json(await c.var.services.monitoringReference.periods(c.var.actor, c.req.valid('query') as never), 200));
  api.openapi(routes.createPeriod, async (c) => c.json(await c.var.services.monitoringReference.createPeriod(c.var.actor, c.req.valid('json') as never), 201));
  api.openapi(routes.updatePeriod, async (c) =>
    c.json(await c.var.services.monitoringReference.updatePeriod(c.var.actor, c.req.valid('param').id, c.req.valid('json') as never), 200),
  );
}
