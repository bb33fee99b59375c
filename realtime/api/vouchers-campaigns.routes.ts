import { createRoute, z } from '@hono/zod-openapi';
import {
  CampaignDetailView,
  CampaignInput,
  CampaignListQuery,
  CampaignPageView,
  ConsoleView,
  FundResultView,
  IdentityView,
  IssuanceInput,
  IssuanceView,
  PublicCampaignView,
} from '../../core/vouchers/campaigns.schema';
import { downloadHeaders } from '../../core/shared/export';
import type { ApiRouter } from './context';
import { authed, errorResponses, json, jsonBody, named } from './schemas';

const campaignParam = z.object({ id: z.string().openapi({ description: '活动编号' }) });
const issuanceParam = z.object({ id: z.string().openapi({ description: '发券批次编号' }) });

const Campaign = named(CampaignDetailView, 'VoucherCampaign', {
  description:
    'A campaign of the acting government department with its coupon categories, issuances (rows of category × tier with granted / remaining), the unallocated budget, the bureau’s wallet balance and the funding deadline (2 working days before the first issuance; `fundingLate` when it has passed unfunded).',
});
const CampaignPage = named(CampaignPageView, 'VoucherCampaignPage');
const Issuance = named(IssuanceView, 'VoucherIssuance');
const FundResult = named(FundResultView, 'VoucherFundResult');
const Identity = named(IdentityView, 'VoucherPoolIdentity', {
  description: 'budget = unissued + granted-unused + redeemed + expired-returned, and the ledger checks, each with both sides in fen.',
});
const Console = named(ConsoleView, 'VoucherConsole');
const PublicCampaign = named(PublicCampaignView, 'VoucherPublicCampaign');
const CampaignBody = named(CampaignInput, 'VoucherCampaignInput', {
  description:
    '`validUntil` in Beijing time (`2023-12-10T23:59`) or ISO 8601 with an offset; money in fen; `categories` default to 通用券 (超市/商场/百货/家电/建材) and 餐饮券 (餐饮).',
});
const IssuanceBody = named(IssuanceInput, 'VoucherIssuanceInput', {
  description:
    'Rows of category × tier (满 thresholdFen 减 discountFen, count coupons); tier numbers 1, 2 … per category. Field errors name the row: `rows.2.count`.',
});
const xlsx = {
  description: 'The console’s figures as an XLSX workbook (issuances and tiers; by day, category, district, merchant; the identity)',
  content: { 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': { schema: z.string().openapi({ format: 'binary' }) } },
};

const BUREAU = 'Only a government department, acting as owner, admin or finance; another organisation’s campaign is 404.';

const routes = {
  list: createRoute({
    method: 'get',
    path: '/vouchers/campaigns',
    tags: ['vouchers'],
    summary: '消费券活动列表（本部门，最新在前）',
    description: BUREAU,
    security: authed,
    request: { query: CampaignListQuery },
    responses: { 200: json(CampaignPage, 'The bureau’s campaigns'), ...errorResponses(400, 401, 403) },
  }),
  create: createRoute({
    method: 'post',
    path: '/vouchers/campaigns',
    tags: ['vouchers'],
    summary: '新建消费券活动（名称、文号、资金总额、有效期、领取范围、券类别）',
    description: BUREAU,
    security: authed,
    request: { body: jsonBody(CampaignBody) },
    responses: { 201: json(Campaign, 'Created (draft, not funded)'), ...errorResponses(400, 401, 403) },
  }),
  get: createRoute({
    method: 'get',
    path: '/vouchers/campaigns/{id}',
    tags: ['vouchers'],
    summary: '消费券活动详情（批次、档次、资金划拨状态）',
    description: BUREAU,
    security: authed,
    request: { params: campaignParam },
    responses: { 200: json(Campaign, 'The campaign'), ...errorResponses(401, 403, 404) },
  }),
  update: createRoute({
    method: 'put',
    path: '/vouchers/campaigns/{id}',
    tags: ['vouchers'],
    summary: '修改消费券活动（资金总额仅在划拨前，券类别仅在没有批次时）',
    description: BUREAU,
    security: authed,
    request: { params: campaignParam, body: jsonBody(CampaignBody) },
    responses: { 200: json(Campaign, 'The campaign'), ...errorResponses(400, 401, 403, 404, 'VOUCHER_CAMPAIGN_CLOSED') },
  }),
  addIssuance: createRoute({
    method: 'post',
    path: '/vouchers/campaigns/{id}/issuances',
    tags: ['vouchers'],
    summary: '新增发券批次（发放时间与券类别 × 档次：门槛、减免、张数）',
    description: `${BUREAU} The total (Σ count × discount) may not exceed the unallocated budget (VOUCHER_BUDGET_EXCEEDED, 422, with the field message on the row that goes over). The issuance starts at \`startsAt\` by a job.`,
    security: authed,
    request: { params: campaignParam, body: jsonBody(IssuanceBody) },
    responses: {
      201: json(Issuance, 'Scheduled'),
      ...errorResponses(400, 401, 403, 404, 'VOUCHER_CAMPAIGN_CLOSED', 'VOUCHER_BUDGET_EXCEEDED'),
    },
  }),
  fund: createRoute({
    method: 'post',
    path: '/vouchers/campaigns/{id}/fund',
    tags: ['vouchers'],
    summary: '资金划拨：从本部门资金账户划入活动资金池（全部预算，幂等）',
    description: `${BUREAU} A repeat moves nothing (\`replayed: true\`). Issuances whose time has come start at once.`,
    security: authed,
    request: { params: campaignParam },
    responses: { 200: json(FundResult, 'Funded'), ...errorResponses(401, 403, 404, 'INSUFFICIENT_FUNDS', 'VOUCHER_CAMPAIGN_CLOSED') },
  }),
  console: createRoute({
    method: 'get',
    path: '/vouchers/campaigns/{id}/console',
    tags: ['vouchers'],
    summary: '数据看板：各批次档次领取 / 剩余，核销、优惠、订单金额与拉动消费（按日、券类别、街镇、商户），资金恒等式',
    description: BUREAU,
    security: authed,
    request: { params: campaignParam },
    responses: { 200: json(Console, 'Figures now'), ...errorResponses(401, 403, 404) },
  }),
  identity: createRoute({
    method: 'get',
    path: '/vouchers/campaigns/{id}/identity',
    tags: ['vouchers'],
    summary: '资金恒等式：预算 = 未发放 + 已领未用 + 已核销 + 过期及退货退回（与账本核对）',
    description: BUREAU,
    security: authed,
    request: { params: campaignParam },
    responses: { 200: json(Identity, 'Each term and check'), ...errorResponses(401, 403, 404) },
  }),
  export: createRoute({
    method: 'get',
    path: '/vouchers/campaigns/{id}/export',
    tags: ['vouchers'],
    summary: '导出数据看板（XLSX）',
    description: BUREAU,
    security: authed,
    request: { params: campaignParam },
    responses: { 200: xlsx, ...errorResponses(401, 403, 404) },
  }),
  updateIssuance: createRoute({
    method: 'put',
    path: '/vouchers/issuances/{id}',
    tags: ['vouchers'],
    summary: '修改发券批次（仅在开始前）',
    description: `${BUREAU} Once started the rows are frozen (VOUCHER_ISSUANCE_FROZEN).`,
    security: authed,
    request: { params: issuanceParam, body: jsonBody(IssuanceBody) },
    responses: {
      200: json(Issuance, 'The issuance'),
      ...errorResponses(400, 401, 403, 404, 'VOUCHER_ISSUANCE_FROZEN', 'VOUCHER_CAMPAIGN_CLOSED', 'VOUCHER_BUDGET_EXCEEDED'),
    },
  }),
  deleteIssuance: createRoute({
    method: 'delete',
    path: '/vouchers/issuances/{id}',
    tags: ['vouchers'],
    summary: '删除发券批次（仅在开始前）',
    description: BUREAU,
    security: authed,
    request: { params: issuanceParam },
    responses: {
      200: json(z.object({ id: z.string(), deleted: z.literal(true) }).openapi('VoucherIssuanceDeleted'), 'Deleted'),
      ...errorResponses(401, 403, 404, 'VOUCHER_ISSUANCE_FROZEN'),
    },
  }),
  pause: createRoute({
    method: 'post',
    path: '/vouchers/issuances/{id}/pause',
    tags: ['vouchers'],
    summary: '暂停发券批次（不再发放，可恢复）',
    description: BUREAU,
    security: authed,
    request: { params: issuanceParam },
    responses: { 200: json(Issuance, 'Paused'), ...errorResponses(401, 403, 404, 'INVALID_TRANSITION', 'VOUCHER_NOT_STARTED') },
  }),
  resume: createRoute({
    method: 'post',
    path: '/vouchers/issuances/{id}/resume',
    tags: ['vouchers'],
    summary: '恢复发券批次',
    description: BUREAU,
    security: authed,
    request: { params: issuanceParam },
    responses: { 200: json(Issuance, 'Running'), ...errorResponses(401, 403, 404, 'INVALID_TRANSITION', 'VOUCHER_NOT_STARTED') },
  }),
  stop: createRoute({
    method: 'post',
    path: '/vouchers/issuances/{id}/stop',
    tags: ['vouchers'],
    summary: '停止发券批次：未领取部分的金额退回资金池',
    description: `${BUREAU} Returns Σ (count − granted) × discount to the pool; exact against concurrent grabs.`,
    security: authed,
    request: { params: issuanceParam },
    responses: { 200: json(Issuance, 'Stopped, with returnedFen'), ...errorResponses(401, 403, 404, 'INVALID_TRANSITION', 'VOUCHER_NOT_STARTED') },
  }),
  publicList: createRoute({
    method: 'get',
    path: '/vouchers/public-campaigns',
    tags: ['vouchers'],
    summary: '正在进行的消费券活动（居民可见：名称、有效期、各批次时间与档次）',
    responses: { 200: json(z.object({ items: z.array(PublicCampaign) }).openapi('VoucherPublicCampaignList'), 'Funded campaigns still valid') },
  }),
  publicGet: createRoute({
    method: 'get',
    path: '/vouchers/public-campaigns/{id}',
    tags: ['vouchers'],
    summary: '消费券活动（居民可见）',
    request: { params: campaignParam },
    responses: { 200: json(PublicCampaign, 'The campaign'), ...errorResponses(404) },
  }),
};

/** The commerce bureau's campaigns, issuances, funding and console; the public read of running campaigns. */
export function registerVoucherCampaignRoutes(api: ApiRouter) {
  api.openapi(routes.list, async (c) => c.json(await c.var.services.voucherCampaigns.list(c.var.actor, c.req.valid('query')), 200));
  api.openapi(routes.create, async (c) => c.json(await c.var.services.voucherCampaigns.create(c.var.actor, c.req.valid('json')), 201));
  api.openapi(routes.publicList, async (c) => c.json({ items: await c.var.services.voucherCampaigns.listPublic() }, 200));
  api.openapi(routes.publicGet, async (c) => c.json(await c.var.services.voucherCampaigns.getPublic(c.req.valid('param').id), 200));
  api.openapi(routes.get, async (c) => c.json(await c.var.services.voucherCampaigns.get(c.var.actor, c.req.valid('param').id), 200));
  api.openapi(routes.update, async (c) => c.json(await c.var.services.voucherCampaigns.update(c.var.actor, c.req.valid('param').id, c.req.valid('json')), 200));
  api.openapi(routes.addIssuance, async (c) =>
    c.json(await c.var.services.voucherCampaigns.addIssuance(c.var.actor, c.req.valid('param').id, c.req.valid('json')), 201),
  );
  api.openapi(routes.fund, async (c) => c.json(await c.var.services.voucherCampaigns.fund(c.var.actor, c.req.valid('param').id), 200));
  api.openapi(routes.console, async (c) => c.json(await c.var.services.voucherCampaigns.console(c.var.actor, c.req.valid('param').id), 200));
  api.openapi(routes.identity, async (c) => c.json(await c.var.services.voucherCampaigns.identity(c.var.actor, c.req.valid('param').id), 200));
  api.openapi(routes.export, async (c) => {
    const file = await c.var.services.voucherCampaigns.exportConsole(c.var.actor, c.req.valid('param').id);
    return c.body(new Uint8Array(file.bytes), 200, downloadHeaders(file));
  });
  api.openapi(routes.updateIssuance, async (c) =>
    c.json(await c.var.services.voucherCampaigns.updateIssuance(c.var.actor, c.req.valid('param').id, c.req.valid('json')), 200),
  );
  api.openapi(routes.deleteIssuance, async (c) => c.json(await c.var.services.voucherCampaigns.deleteIssuance(c.var.actor, c.req.valid('param').id), 200));
  api.openapi(routes.pause, async (c) => c.json(await c.var.services.voucherCampaigns.pause(c.var.actor, c.req.valid('param').id), 200));
  api.openapi(routes.resume, async (c) => c.json(await c.var.services.voucherCampaigns.resume(c.var.actor, c.req.valid('param').id), 200));
  api.openapi(routes.stop, async (c) => c.json(await c.var.services.voucherCampaigns.stop(c.var.actor, c.req.valid('param').id), 200));
}
