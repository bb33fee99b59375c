import { createRoute, z } from '@hono/zod-openapi';
import { bodyLimit } from 'hono/body-limit';
import { AppError } from '../../core/shared/app-error';
import { EnrolInput, MerchantView, PublicMerchantView, PhotoInput, RejectInput } from '../../core/vouchers/merchants.schema';
import type { MerchantService } from '../../core/vouchers/merchants.service';
import { CodeStatusView, PaymentCodeView, QuoteView, RedemptionInput, RedemptionView, SettlementView } from '../../core/vouchers/redemptions.schema';
import type { RedemptionService } from '../../core/vouchers/redemptions.service';
import type { ApiRouter } from './context';
import { authed, errorResponses, json, jsonBody, named, page } from './schemas';

const T = ['vouchers'];
const PublicMerchant = named(PublicMerchantView, 'VoucherPublicMerchant');
const Merchant = named(MerchantView, 'VoucherMerchant');
const MyMerchant = named(MerchantView.extend({ campaignName: z.string(), campaignValidUntil: z.string().nullable() }), 'VoucherMyMerchant');
const PaymentCode = named(PaymentCodeView, 'VoucherPaymentCode');
const CodeStatus = named(CodeStatusView, 'VoucherPaymentCodeStatus');
const Quote = named(QuoteView, 'VoucherRedemptionQuote');
const Redemption = named(RedemptionView, 'VoucherRedemption');
const Settlement = named(SettlementView, 'VoucherSettlement');
const Statement = named(
  z.object({
    campaignId: z.string(),
    campaignName: z.string(),
    validUntil: z.string(),
    merchantId: z.string(),
    merchantName: z.string(),
    redemptions: z.number().int(),
    discountFen: z.number().int(),
    billFen: z.number().int(),
    settlement: z.object({ redemptions: z.number().int(), discountFen: z.number().int(), billFen: z.number().int(), settledAt: z.string() }).nullable(),
  }),
  'VoucherMerchantStatement',
);
const BulkResult = named(
  z.object({ rows: z.number().int(), enrolled: z.number().int(), errors: z.array(z.object({ row: z.number().int(), message: z.string() })) }),
  'VoucherMerchantImport',
);

const idParam = z.object({ id: z.string().openapi({ description: '编号' }) });
const campaignParam = z.object({ id: z.string().openapi({ description: '活动编号' }) });
const listQuery = z.object({
  keyword: z.string().optional().openapi({ description: '商户名称' }),
  regionCode: z.string().optional().openapi({ description: '街镇代码（9 位）' }),
  category: z.string().optional().openapi({ description: '经营类别：supermarket, mall, department_store, appliances, home, building_materials, dining' }),
  page: z.string().optional(),
  pageSize: z.string().optional(),
});
const xlsx = (description: string) => ({
  description,
  content: { 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': { schema: z.string().openapi({ format: 'binary' }) } },
});
const download = (file: { filename: string; contentType: string }) => ({
  'content-type': file.contentType,
  'content-disposition': `attachment; filename*=UTF-8''${encodeURIComponent(file.filename)}`,
});
const IMPORT_MAX_BYTES = 5 * 1024 * 1024;

const routes = {
  options: createRoute({
    method: 'get',
    path: '/vouchers/merchants/options',
    tags: T,
    summary: '商户报名选项：綦江区 21 个街镇、经营类别',
    responses: {
      200: json(
        z.object({
          townships: z.array(z.object({ code: z.string(), name: z.string() })),
          categories: z.array(z.object({ code: z.string(), name: z.string() })),
        }),
        'Options',
      ),
    },
  }),
  mine: createRoute({
    method: 'get',
    path: '/vouchers/merchants/mine',
    tags: T,
    summary: '本商户的报名（各活动）',
    security: authed,
    responses: { 200: json(z.array(MyMerchant), 'Newest first'), ...errorResponses(401, 403) },
  }),
  list: createRoute({
    method: 'get',
    path: '/vouchers/campaigns/{id}/merchants',
    tags: T,
    summary: '参与商户（公开：已通过审核；按名称、街镇、类别搜索；分页）',
    request: { params: campaignParam, query: listQuery },
    responses: { 200: json(page(PublicMerchant, 'VoucherPublicMerchantPage'), 'Approved merchants'), ...errorResponses(400, 404) },
  }),
  enrol: createRoute({
    method: 'post',
    path: '/vouchers/campaigns/{id}/merchants',
    tags: T,
    summary: '商户报名（商户组织；门头照片先用 POST /files 上传；结算卡须已完成银行认证）',
    security: authed,
    request: { params: campaignParam, body: jsonBody(EnrolInput) },
    responses: {
      201: json(Merchant, 'Submitted for review'),
      ...errorResponses(400, 401, 403, 404, 'VOUCHER_MERCHANT_ALREADY_ENROLLED', 'VOUCHER_CAMPAIGN_CLOSED'),
    },
  }),
  review: createRoute({
    method: 'get',
    path: '/vouchers/campaigns/{id}/merchants/review',
    tags: T,
    summary: '商户审核列表（活动的商务主管部门；各状态）',
    security: authed,
    request: { params: campaignParam, query: listQuery.extend({ status: z.enum(['pending', 'approved', 'rejected']).optional() }) },
    responses: { 200: json(page(Merchant, 'VoucherMerchantPage'), 'Enrolments'), ...errorResponses(400, 401, 404) },
  }),
  template: createRoute({
    method: 'get',
    path: '/vouchers/campaigns/{id}/merchants/template',
    tags: T,
    summary: '批量报名模板（XLSX）',
    security: authed,
    request: { params: campaignParam },
    responses: { 200: xlsx('The template'), ...errorResponses(401, 404) },
  }),
  import: createRoute({
    method: 'post',
    path: '/vouchers/campaigns/{id}/merchants/import',
    tags: T,
    summary: '批量报名已有商户（XLSX，multipart 字段 file；逐行报告错误；导入即通过）',
    security: authed,
    request: { params: campaignParam },
    responses: { 200: json(BulkResult, 'Rows enrolled and rows refused'), ...errorResponses(400, 401, 403, 404, 413, 415, 'VOUCHER_CAMPAIGN_CLOSED') },
  }),
  get: createRoute({
    method: 'get',
    path: '/vouchers/merchants/{id}',
    tags: T,
    summary: '商户详情（本商户与主管部门看全部；其他人只看已通过的公开信息）',
    request: { params: idParam },
    responses: { 200: json(z.union([Merchant, PublicMerchant]), 'The merchant'), ...errorResponses(404) },
  }),
  approve: createRoute({
    method: 'post',
    path: '/vouchers/merchants/{id}/approve',
    tags: T,
    summary: '审核通过（站内信通知商户）',
    security: authed,
    request: { params: idParam },
    responses: { 200: json(Merchant, 'Approved'), ...errorResponses(401, 403, 404, 'VOUCHER_MERCHANT_ALREADY_ENROLLED') },
  }),
  reject: createRoute({
    method: 'post',
    path: '/vouchers/merchants/{id}/reject',
    tags: T,
    summary: '驳回（须填写理由，站内信通知商户）',
    security: authed,
    request: { params: idParam, body: jsonBody(RejectInput) },
    responses: { 200: json(Merchant, 'Rejected'), ...errorResponses(400, 401, 403, 404, 'VOUCHER_MERCHANT_ALREADY_ENROLLED') },
  }),
  photo: createRoute({
    method: 'put',
    path: '/vouchers/merchants/{id}/photo',
    tags: T,
    summary: '更换门头照片（商户本身；先上传图片得到文件 id）',
    security: authed,
    request: { params: idParam, body: jsonBody(PhotoInput) },
    responses: { 200: json(Merchant, 'The merchant with its new photo'), ...errorResponses(400, 401, 404) },
  }),
  issueCode: createRoute({
    method: 'post',
    path: '/vouchers/payment-codes',
    tags: T,
    summary: '生成付款码（18 位数字含校验位 + 二维码；一次有效，60 秒）',
    security: authed,
    responses: { 201: json(PaymentCode, 'A live code'), ...errorResponses(401, 429) },
  }),
  codeStatus: createRoute({
    method: 'get',
    path: '/vouchers/payment-codes/{id}',
    tags: T,
    summary: '付款码状态（有效 / 已使用 / 已过期；已使用时给出待支付的核销单）',
    security: authed,
    request: { params: idParam },
    responses: { 200: json(CodeStatus, 'The code'), ...errorResponses(401, 404) },
  }),
  quote: createRoute({
    method: 'post',
    path: '/vouchers/redemptions/quote',
    tags: T,
    summary: '试算：适用的最优消费券与顾客应付（不使用付款码）',
    security: authed,
    request: { body: jsonBody(RedemptionInput) },
    responses: {
      200: json(Quote, 'The best coupon, or why none applies'),
      ...errorResponses(400, 401, 403, 429, 'VOUCHER_CODE_INVALID', 'VOUCHER_CODE_EXPIRED', 'VOUCHER_CODE_USED', 'VOUCHER_MERCHANT_NOT_APPROVED'),
    },
  }),
  create: createRoute({
    method: 'post',
    path: '/vouchers/redemptions',
    tags: T,
    summary: '核销：扫码或输入付款码与消费金额，使用最优消费券，等待顾客确认支付',
    security: authed,
    request: { body: jsonBody(RedemptionInput) },
    responses: {
      201: json(Redemption, 'Awaiting the resident’s payment'),
      ...errorResponses(
        400,
        401,
        403,
        429,
        'VOUCHER_CODE_INVALID',
        'VOUCHER_CODE_EXPIRED',
        'VOUCHER_CODE_USED',
        'VOUCHER_NONE_APPLICABLE',
        'VOUCHER_ALREADY_USED',
        'VOUCHER_MERCHANT_NOT_APPROVED',
      ),
    },
  }),
  merchantList: createRoute({
    method: 'get',
    path: '/vouchers/redemptions',
    tags: T,
    summary: '本商户的核销记录（最新在前）',
    security: authed,
    request: {
      query: z.object({ campaignId: z.string().optional(), status: z.string().optional(), page: z.string().optional(), pageSize: z.string().optional() }),
    },
    responses: { 200: json(page(Redemption, 'VoucherRedemptionPage'), 'Redemptions'), ...errorResponses(400, 401, 403) },
  }),
  redemption: createRoute({
    method: 'get',
    path: '/vouchers/redemptions/{id}',
    tags: T,
    summary: '核销单（商户或付款的居民）',
    security: authed,
    request: { params: idParam },
    responses: { 200: json(Redemption, 'The redemption'), ...errorResponses(401, 404) },
  }),
  pay: createRoute({
    method: 'post',
    path: '/vouchers/redemptions/{id}/pay',
    tags: T,
    summary: '居民确认支付（消费金额 − 消费券抵扣），跳转微信支付页',
    security: authed,
    request: { params: idParam },
    responses: {
      200: json(z.object({ redemption: Redemption, redirectUrl: z.string() }), 'Go to the payment page'),
      ...errorResponses(401, 404, 'VOUCHER_REDEMPTION_STATE'),
    },
  }),
  cancel: createRoute({
    method: 'post',
    path: '/vouchers/redemptions/{id}/cancel',
    tags: T,
    summary: '取消未支付的核销单（消费券可再用）',
    security: authed,
    request: { params: idParam },
    responses: { 200: json(Redemption, 'Cancelled'), ...errorResponses(401, 404, 'VOUCHER_REDEMPTION_STATE') },
  }),
  refund: createRoute({
    method: 'post',
    path: '/vouchers/redemptions/{id}/refund',
    tags: T,
    summary: '退款（商户）：退还顾客实付金额；消费券不退回，其金额退回资金池',
    security: authed,
    request: { params: idParam },
    responses: { 200: json(Redemption, 'Refunded'), ...errorResponses(401, 403, 404, 409, 'VOUCHER_REDEMPTION_STATE') },
  }),
  statement: createRoute({
    method: 'get',
    path: '/vouchers/merchant/statement',
    tags: T,
    summary: '商户对账单：某活动的核销笔数、抵扣金额、订单金额与结算',
    security: authed,
    request: { query: z.object({ campaignId: z.string() }) },
    responses: { 200: json(Statement, 'The statement'), ...errorResponses(400, 401, 403, 404) },
  }),
  settlement: createRoute({
    method: 'get',
    path: '/vouchers/campaigns/{id}/settlement',
    tags: T,
    summary: '结算：各商户核销笔数、应付抵扣金额、订单金额',
    security: authed,
    request: { params: campaignParam },
    responses: { 200: json(Settlement, 'Per merchant'), ...errorResponses(401, 404) },
  }),
  settle: createRoute({
    method: 'post',
    path: '/vouchers/campaigns/{id}/settlement',
    tags: T,
    summary: '执行结算（有效期结束后；每商户一笔转账，幂等；结余退回主管部门）',
    security: authed,
    request: { params: campaignParam },
    responses: { 200: json(Settlement, 'Settled'), ...errorResponses(401, 403, 404, 'VOUCHER_SETTLEMENT_NOT_DUE', 'VOUCHER_CAMPAIGN_NOT_FUNDED') },
  }),
  settlementExport: createRoute({
    method: 'get',
    path: '/vouchers/campaigns/{id}/settlement/export',
    tags: T,
    summary: '结算报表（XLSX：商户汇总与核销明细）',
    security: authed,
    request: { params: campaignParam },
    responses: { 200: xlsx('The settlement report'), ...errorResponses(401, 404) },
  }),
};

/** Voucher merchants, payment codes, redemptions and settlement. Static paths are registered before parameter paths. */
export function registerVoucherMerchantRoutes(api: ApiRouter) {
  const ms = (c: { var: { services: { voucherMerchants: MerchantService } } }) => c.var.services.voucherMerchants;
  const rs = (c: { var: { services: { voucherRedemptions: RedemptionService } } }) => c.var.services.voucherRedemptions;
  const origin = (url: string) => ({ origin: new URL(url).origin });

  api.use(
    '/vouchers/campaigns/:id/merchants/import',
    bodyLimit({
      maxSize: IMPORT_MAX_BYTES,
      onError: () => {
        throw new AppError('PAYLOAD_TOO_LARGE', '文件不能超过 5 MB', { file: '文件不能超过 5 MB' });
      },
    }),
  );

  api.openapi(routes.options, (c) => c.json(ms(c).options(), 200));
  api.openapi(routes.mine, async (c) => c.json(await ms(c).mine(c.var.actor), 200));
  api.openapi(routes.list, async (c) => c.json(await ms(c).listPublic(c.req.valid('param').id, c.req.query()), 200));
  api.openapi(routes.enrol, async (c) => c.json(await ms(c).enrol(c.var.actor, c.req.valid('param').id, c.req.valid('json')), 201));
  api.openapi(routes.review, async (c) => c.json(await ms(c).listForReview(c.var.actor, c.req.valid('param').id, c.req.query()), 200));
  api.openapi(routes.template, async (c) => {
    await ms(c).listForReview(c.var.actor, c.req.valid('param').id, {});
    const file = await ms(c).bulkTemplate();
    return c.body(new Uint8Array(file.bytes), 200, download(file));
  });
  api.openapi(routes.import, async (c) => {
    const type = c.req.header('content-type') ?? '';
    if (!type.toLowerCase().startsWith('multipart/form-data')) throw new AppError('UNSUPPORTED_MEDIA_TYPE', '请以 multipart/form-data 上传文件');
    const form = await c.req.parseBody();
    const file = form.file;
    if (!(file instanceof File)) throw new AppError('VALIDATION', '请选择要上传的 XLSX 文件', { file: '请选择要上传的 XLSX 文件' });
    return c.json(await ms(c).bulkEnrol(c.var.actor, c.req.valid('param').id, new Uint8Array(await file.arrayBuffer())), 200);
  });
  api.openapi(routes.get, async (c) => c.json(await ms(c).get(c.var.actor, c.req.valid('param').id), 200));
  api.openapi(routes.approve, async (c) => c.json(await ms(c).approve(c.var.actor, c.req.valid('param').id), 200));
  api.openapi(routes.photo, async (c) => c.json(await ms(c).setPhoto(c.var.actor, c.req.valid('param').id, c.req.valid('json')), 200));
  api.openapi(routes.reject, async (c) => c.json(await ms(c).reject(c.var.actor, c.req.valid('param').id, c.req.valid('json')), 200));

  api.openapi(routes.issueCode, async (c) => c.json(await rs(c).issueCode(c.var.actor), 201));
  api.openapi(routes.codeStatus, async (c) => c.json(await rs(c).codeStatus(c.var.actor, c.req.valid('param').id), 200));
  api.openapi(routes.quote, async (c) => c.json(await rs(c).quote(c.var.actor, c.req.valid('json')), 200));
  api.openapi(routes.create, async (c) => c.json(await rs(c).create(c.var.actor, c.req.valid('json')), 201));
  api.openapi(routes.merchantList, async (c) => c.json(await rs(c).listForMerchant(c.var.actor, c.req.query()), 200));
  api.openapi(routes.redemption, async (c) => c.json(await rs(c).get(c.var.actor, c.req.valid('param').id), 200));
  api.openapi(routes.pay, async (c) => c.json(await rs(c).pay(c.var.actor, c.req.valid('param').id, origin(c.req.url)), 200));
  api.openapi(routes.cancel, async (c) => c.json(await rs(c).cancel(c.var.actor, c.req.valid('param').id), 200));
  api.openapi(routes.refund, async (c) => c.json(await rs(c).refund(c.var.actor, c.req.valid('param').id), 200));
  api.openapi(routes.statement, async (c) => c.json(await rs(c).statement(c.var.actor, c.req.query()), 200));
  api.openapi(routes.settlementExport, async (c) => {
    const file = await rs(c).settlementReport(c.var.actor, c.req.valid('param').id);
    return c.body(new Uint8Array(file.bytes), 200, download(file));
  });
  api.openapi(routes.settlement, async (c) => c.json(await rs(c).settlement(c.var.actor, c.req.valid('param').id), 200));
  api.openapi(routes.settle, async (c) => c.json(await rs(c).settle(c.var.actor, c.req.valid('param').id), 200));
}
