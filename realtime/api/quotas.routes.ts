import { createRoute, z } from '@hono/zod-openapi';
import { downloadHeaders } from '../../core/shared/export';
import type { BudgetUnitService } from '../../core/quotas/budget-units.service';
import type { PurchaserService } from '../../core/quotas/purchasers.service';
import { GenerateResult, PurchaserView, RunView, UnitDetailView, UnitView } from '../../core/quotas/quotas.schema';
import type { ApiRouter } from './context';
import { authed, errorResponses, json, jsonBody, Message, named, page } from './schemas';

const UNITS = ['预算单位'];
const BUYERS = ['采购人'];
const Unit = named(UnitView, 'QuotaBudgetUnit');
const UnitDetail = named(UnitDetailView, 'QuotaBudgetUnitDetail');
const Run = named(RunView, 'QuotaAccountRun');
const Purchaser = named(PurchaserView, 'QuotaPurchaser');
const Generated = named(GenerateResult, 'QuotaPurchaserAccounts');

/** What the unit forms send (checked by the sheet's column rules in the service: messages per field). */
const UnitBody = z
  .object({
    fullName: z.string().openapi({ description: '预算单位名称（全称）' }),
    superiorName: z.string().optional().openapi({ description: '上级预算单位名称（全称）；留空为本单位' }),
    uscc: z.string().openapi({ description: '统一信用代码（18 位）' }),
    contactName: z.string(),
    mobile: z.string().openapi({ description: '联系人手机号' }),
    budgetLevel: z.string().openapi({ description: '预算级次：中央、省、市、县、乡' }),
    adminLevel: z.string().optional().openapi({ description: '行政级次：部级、厅局级、县处级、乡科级、其他' }),
    annualYuan: z.string().optional().openapi({ description: '年度农副产品采购额（元，最多两位小数）', example: '12000.50' }),
    ratioPercent: z.string().optional().openapi({ description: '拟预留比例（%，0–100，最多两位小数）', example: '35.5' }),
  })
  .openapi('QuotaBudgetUnitInput');
const UnitEditBody = UnitBody.omit({ uscc: true }).openapi('QuotaBudgetUnitEdit');
const FiguresBody = z
  .object({
    annualFen: z.number().int().openapi({ description: '年度农副产品采购额（分）' }),
    ratioBp: z.number().int().openapi({ description: '拟预留比例（万分之一：35.5% 为 3550）' }),
  })
  .openapi('QuotaFiguresInput');
const GenerateBody = z
  .object({ ids: z.array(z.string()).optional().openapi({ description: '只为这些单位（采购人）生成；不填为全部未生成的' }) })
  .openapi('QuotaGenerateInput');
const ConfirmBody = z.object({ budgetLevel: z.string(), adminLevel: z.string() }).openapi('QuotaConfirmProfileInput');
const PresetBody = z
  .object({
    fullName: z.string(),
    uscc: z.string(),
    role: z.enum(['central_dept', 'finance_dept']).openapi({ description: 'central_dept 中央部门 · finance_dept 财政部门' }),
    budgetLevel: z.string(),
    superiorId: z.string().optional().openapi({ description: '上级预置部门（如县财政局的上级市财政局）' }),
    contactName: z.string(),
    mobile: z.string(),
  })
  .openapi('QuotaPresetInput');

const idParam = z.object({ id: z.string().openapi({ description: '编号' }) });
const unitQuery = z.object({
  keyword: z.string().optional().openapi({ description: '单位名称或统一信用代码' }),
  budgetLevel: z.string().optional().openapi({ description: '预算级次' }),
  superiorId: z.string().optional().openapi({ description: '上级预算单位编号' }),
  accountState: z.string().optional().openapi({ description: '账号状态：none 未生成账号 · pending 待激活 · active 已激活' }),
  page: z.string().optional(),
  pageSize: z.string().optional(),
});
const purchaserQuery = z.object({
  keyword: z.string().optional().openapi({ description: '采购人名称、统一信用代码或手机号' }),
  accountState: z.string().optional().openapi({ description: '账号状态：none · pending · active' }),
  page: z.string().optional(),
  pageSize: z.string().optional(),
});
const xlsx = (description: string) => ({
  description,
  content: { 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': { schema: z.string().openapi({ format: 'binary' }) } },
});
const UNIT_REFUSALS = ['QUOTA_NOT_A_BUDGET_UNIT', 'QUOTA_OUTSIDE_SUBTREE'] as const;

const routes = {
  myUnit: createRoute({
    operationId: 'getMyQuotaUnit',
    method: 'get',
    path: '/quotas/my-unit',
    tags: UNITS,
    summary: '本单位：上级、级次、年度采购额、预留比例、预留金额、账号状态',
    security: authed,
    responses: { 200: json(Unit, 'The acting unit'), ...errorResponses(401, 'QUOTA_NOT_A_BUDGET_UNIT') },
  }),
  confirm: createRoute({
    operationId: 'confirmMyQuotaUnit',
    method: 'post',
    path: '/quotas/my-unit/confirm',
    tags: UNITS,
    summary: '首次登录确认本单位的预算级次和行政级次',
    security: authed,
    request: { body: jsonBody(ConfirmBody) },
    responses: { 200: json(Unit, 'Confirmed'), ...errorResponses(400, 401, 403, 'QUOTA_NOT_A_BUDGET_UNIT') },
  }),
  list: createRoute({
    operationId: 'listQuotaUnits',
    method: 'get',
    path: '/quotas/units',
    tags: UNITS,
    summary: '下属预算单位（本单位的整个下级树；按名称或代码、预算级次、上级、账号状态搜索；分页）',
    security: authed,
    request: { query: unitQuery },
    responses: { 200: json(page(Unit, 'QuotaBudgetUnitPage'), 'Units'), ...errorResponses(400, 401, 403, 'QUOTA_NOT_A_BUDGET_UNIT') },
  }),
  export: createRoute({
    operationId: 'exportQuotaUnits',
    method: 'get',
    path: '/quotas/units/export',
    tags: UNITS,
    summary: '导出下属预算单位（XLSX，条件同列表，最多 50000 行）',
    security: authed,
    request: { query: unitQuery },
    responses: { 200: xlsx('The units'), ...errorResponses(400, 401, 403, 'QUOTA_NOT_A_BUDGET_UNIT') },
  }),
  add: createRoute({
    operationId: 'createQuotaUnit',
    method: 'post',
    path: '/quotas/units',
    tags: UNITS,
    summary: '手工新增下属预算单位（与导入表相同的校验）',
    security: authed,
    request: { body: jsonBody(UnitBody) },
    responses: { 201: json(Unit, 'Added'), ...errorResponses(400, 401, 403, 'QUOTA_NOT_A_BUDGET_UNIT', 'QUOTA_UNIT_CONFLICT') },
  }),
  generate: createRoute({
    operationId: 'generateQuotaUnitAccounts',
    method: 'post',
    path: '/quotas/units/accounts',
    tags: UNITS,
    summary: '为下属单位生成管理账号（后台任务，每批 1000 个；账号为统一信用代码，激活码短信发给联系人）',
    security: authed,
    request: { body: jsonBody(GenerateBody) },
    responses: { 202: json(Run, 'The run, to poll'), ...errorResponses(400, 401, 403, 'QUOTA_NOT_A_BUDGET_UNIT', 'QUOTA_NO_ACCOUNT') },
  }),
  run: createRoute({
    operationId: 'getQuotaAccountRun',
    method: 'get',
    path: '/quotas/units/accounts/{id}',
    tags: UNITS,
    summary: '账号生成任务的进度',
    security: authed,
    request: { params: idParam },
    responses: { 200: json(Run, 'Progress'), ...errorResponses(401, 403, 'QUOTA_RUN_NOT_FOUND') },
  }),
  get: createRoute({
    operationId: 'getQuotaUnit',
    method: 'get',
    path: '/quotas/units/{id}',
    tags: UNITS,
    summary: '预算单位详情及变更记录（本单位或其下级）',
    security: authed,
    request: { params: idParam },
    responses: { 200: json(UnitDetail, 'The unit'), ...errorResponses(401, 403, 404, ...UNIT_REFUSALS) },
  }),
  edit: createRoute({
    operationId: 'updateQuotaUnit',
    method: 'put',
    path: '/quotas/units/{id}',
    tags: UNITS,
    summary: '修改下属预算单位信息（上级操作；统一信用代码不变）',
    security: authed,
    request: { params: idParam, body: jsonBody(UnitEditBody) },
    responses: { 200: json(Unit, 'Saved'), ...errorResponses(400, 401, 403, 404, ...UNIT_REFUSALS, 'QUOTA_SUPERIOR_ONLY', 'QUOTA_UNIT_CONFLICT') },
  }),
  figures: createRoute({
    operationId: 'updateQuotaUnitFigures',
    method: 'put',
    path: '/quotas/units/{id}/figures',
    tags: UNITS,
    summary: '修改年度采购额和预留比例（仅上级；本单位请联系上级预算单位修改）',
    security: authed,
    request: { params: idParam, body: jsonBody(FiguresBody) },
    responses: { 200: json(Unit, 'Saved'), ...errorResponses(400, 401, 403, 404, ...UNIT_REFUSALS, 'QUOTA_SUPERIOR_ONLY') },
  }),
  resend: createRoute({
    operationId: 'resendQuotaUnitActivation',
    method: 'post',
    path: '/quotas/units/{id}/resend',
    tags: UNITS,
    summary: '重新发送管理账号激活短信（新激活码，旧的作废；仅上级）',
    security: authed,
    request: { params: idParam },
    responses: { 200: json(Message, 'Sent'), ...errorResponses(401, 403, 404, ...UNIT_REFUSALS, 'QUOTA_SUPERIOR_ONLY', 'QUOTA_NO_ACCOUNT') },
  }),
  reset: createRoute({
    operationId: 'resetQuotaUnitPassword',
    method: 'post',
    path: '/quotas/units/{id}/reset-password',
    tags: UNITS,
    summary: '重置管理账号密码（仅上级；原密码失效、登录会话结束，新激活码短信发送）',
    security: authed,
    request: { params: idParam },
    responses: {
      200: json(Message, 'Reset'),
      ...errorResponses(401, 403, 404, ...UNIT_REFUSALS, 'QUOTA_SUPERIOR_ONLY', 'QUOTA_NO_ACCOUNT', 'QUOTA_ACCOUNT_SHARED'),
    },
  }),
  preset: createRoute({
    operationId: 'createQuotaPreset',
    method: 'post',
    path: '/admin/quotas/presets',
    tags: UNITS,
    summary: '创建预置部门（财政部、财政局；平台运营）及其管理账号',
    security: authed,
    request: { body: jsonBody(PresetBody) },
    responses: { 201: json(Unit, 'Created'), ...errorResponses(400, 401, 403, 'QUOTA_UNIT_CONFLICT') },
  }),
  purchasers: createRoute({
    operationId: 'listQuotaPurchasers',
    method: 'get',
    path: '/quotas/purchasers',
    tags: BUYERS,
    summary: '本单位的采购人（按名称、代码或手机号、账号状态搜索；分页）',
    security: authed,
    request: { query: purchaserQuery },
    responses: { 200: json(page(Purchaser, 'QuotaPurchaserPage'), 'Purchasers'), ...errorResponses(400, 401, 403, 'QUOTA_NOT_A_BUDGET_UNIT') },
  }),
  purchaserAccounts: createRoute({
    operationId: 'generateQuotaPurchaserAccounts',
    method: 'post',
    path: '/quotas/purchasers/accounts',
    tags: BUYERS,
    summary: '为采购人开通交易账号（账号为手机号，激活码短信发送；已有账号的手机号加入本单位）',
    security: authed,
    request: { body: jsonBody(GenerateBody) },
    responses: { 200: json(Generated, 'Opened'), ...errorResponses(400, 401, 403, 'QUOTA_NOT_A_BUDGET_UNIT', 'QUOTA_NO_ACCOUNT') },
  }),
  purchaserResend: createRoute({
    operationId: 'resendQuotaPurchaserActivation',
    method: 'post',
    path: '/quotas/purchasers/{id}/resend',
    tags: BUYERS,
    summary: '重新发送采购人交易账号激活短信',
    security: authed,
    request: { params: idParam },
    responses: { 200: json(Message, 'Sent'), ...errorResponses(401, 403, 404, 'QUOTA_NOT_A_BUDGET_UNIT', 'QUOTA_NO_ACCOUNT') },
  }),
};

/** Budget units and purchasers (the sheets themselves go through /imports with kinds quotas.budget_units and quotas.purchasers). Static paths first. */
export function registerQuotaRoutes(api: ApiRouter) {
  const units = (c: { var: { services: { budgetUnits: BudgetUnitService } } }) => c.var.services.budgetUnits;
  const buyers = (c: { var: { services: { quotaPurchasers: PurchaserService } } }) => c.var.services.quotaPurchasers;

  api.openapi(routes.myUnit, async (c) => c.json(await units(c).myUnit(c.var.actor), 200));
  api.openapi(routes.confirm, async (c) => c.json(await units(c).confirmProfile(c.var.actor, c.req.valid('json')), 200));
  api.openapi(routes.list, async (c) => c.json(await units(c).list(c.var.actor, c.req.valid('query')), 200));
  api.openapi(routes.export, async (c) => {
    const file = await units(c).exportXlsx(c.var.actor, c.req.valid('query'));
    return c.body(new Uint8Array(file.bytes), 200, downloadHeaders(file));
  });
  api.openapi(routes.add, async (c) => c.json(await units(c).add(c.var.actor, c.req.valid('json')), 201));
  api.openapi(routes.generate, async (c) => c.json(await units(c).generateAccounts(c.var.actor, c.req.valid('json')), 202));
  api.openapi(routes.run, async (c) => c.json(await units(c).run(c.var.actor, c.req.valid('param').id), 200));
  api.openapi(routes.get, async (c) => c.json(await units(c).get(c.var.actor, c.req.valid('param').id), 200));
  api.openapi(routes.edit, async (c) => c.json(await units(c).edit(c.var.actor, c.req.valid('param').id, c.req.valid('json')), 200));
  api.openapi(routes.figures, async (c) => c.json(await units(c).setFigures(c.var.actor, c.req.valid('param').id, c.req.valid('json')), 200));
  api.openapi(routes.resend, async (c) => c.json(await units(c).resendActivation(c.var.actor, c.req.valid('param').id), 200));
  api.openapi(routes.reset, async (c) => c.json(await units(c).resetPassword(c.var.actor, c.req.valid('param').id), 200));
  api.openapi(routes.preset, async (c) => c.json(await units(c).createPreset(c.var.actor, c.req.valid('json')), 201));
  api.openapi(routes.purchasers, async (c) => c.json(await buyers(c).list(c.var.actor, c.req.valid('query')), 200));
  api.openapi(routes.purchaserAccounts, async (c) => c.json(await buyers(c).generateAccounts(c.var.actor, c.req.valid('json')), 200));
  api.openapi(routes.purchaserResend, async (c) => c.json(await buyers(c).resendActivation(c.var.actor, c.req.valid('param').id), 200));
}
