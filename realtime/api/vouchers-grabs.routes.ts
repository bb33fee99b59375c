import { createRoute, z } from '@hono/zod-openapi';
import { downloadHeaders } from '../../core/shared/export';
import { CampaignGrabView, CampaignList, FairnessLog, GrabInput, MyVouchers, ServerClock, VoucherView } from '../../core/vouchers/grabs.schema';
import type { ApiRouter } from './context';
import { optionalAuth } from './openapi-document';
import { authed, errorResponses, json, jsonBody, named } from './schemas';

const Voucher = named(VoucherView, 'Voucher', {
  description: 'A granted coupon (票券): 满 thresholdFen 减 discountFen, its category and where it applies, valid until `validUntil`.',
});
const GrabResult = named(z.object({ voucher: Voucher }), 'VoucherGrabResult');
const idParam = (description: string) => z.object({ id: z.string().openapi({ description }) });

const routes = {
  clock: createRoute({
    method: 'get',
    path: '/vouchers/clock',
    tags: ['vouchers'],
    summary: '服务器时间（抢券倒计时用；不读会话、数据库或 Redis）',
    responses: { 200: json(named(ServerClock, 'VoucherServerClock'), 'The server’s time, ISO 8601') },
  }),
  open: createRoute({
    method: 'get',
    path: '/vouchers/open-campaigns',
    tags: ['vouchers'],
    summary: '进行中的消费券活动（居民端，公开）',
    responses: { 200: json(named(CampaignList, 'VoucherOpenCampaigns'), 'Funded campaigns still valid, each with its next issuance') },
  }),
  grabPage: createRoute({
    method: 'get',
    path: '/vouchers/campaigns/{id}/grab',
    tags: ['vouchers'],
    summary: '抢券页：发券时间、各档剩余数量、服务器时间（公开；登录后标出已领取）',
    security: optionalAuth,
    request: { params: idParam('活动编号') },
    responses: { 200: json(named(CampaignGrabView, 'VoucherGrabPage'), 'Schedule, tiers with remaining counts, server time'), ...errorResponses(404) },
  }),
  grab: createRoute({
    method: 'post',
    path: '/vouchers/grabs',
    tags: ['vouchers'],
    summary: '抢券（一个类别的一个档次）',
    description:
      'First come, first served; one coupon per resident per tier; the campaign may cap coupons per issuance. 201 only after the coupon is committed. Rate-limited per user and per address (429 with Retry-After).',
    security: authed,
    request: { body: jsonBody(named(GrabInput, 'VoucherGrabInput')) },
    responses: {
      201: json(GrabResult, 'The coupon granted'),
      ...errorResponses(
        400,
        401,
        404,
        429,
        'VOUCHER_NOT_ELIGIBLE',
        'VOUCHER_NOT_STARTED',
        'VOUCHER_SOLD_OUT',
        'VOUCHER_ALREADY_CLAIMED',
        'VOUCHER_ISSUANCE_PAUSED',
        'VOUCHER_ISSUANCE_CLOSED',
        'VOUCHER_CAP_REACHED',
        'VOUCHER_CAMPAIGN_CLOSED',
      ),
    },
  }),
  mine: createRoute({
    method: 'get',
    path: '/vouchers/mine',
    tags: ['vouchers'],
    summary: '我的票券（未使用 / 已使用 / 已过期）',
    security: authed,
    responses: { 200: json(named(MyVouchers, 'MyVouchers'), 'The caller’s coupons, unused first, with counts per status'), ...errorResponses(401) },
  }),
  log: createRoute({
    method: 'get',
    path: '/vouchers/issuances/{id}/log',
    tags: ['vouchers'],
    summary: '发券批次的公平性日志（发放结束后公开；format=csv 或 xlsx 下载）',
    description:
      'Every grant in order with its time and sha256(salt + user id); the salt is published with the log. Available once the issuance is sold out, stopped or finished (409 VOUCHER_NOT_STARTED before).',
    request: {
      params: idParam('发券批次编号'),
      query: z.object({ format: z.enum(['json', 'csv', 'xlsx']).default('json').openapi({ description: '返回格式' }) }),
    },
    responses: {
      200: {
        description: 'The log as JSON, CSV or XLSX',
        content: {
          'application/json': { schema: named(FairnessLog, 'VoucherFairnessLog') },
          'text/csv': { schema: z.string() },
          'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': { schema: z.string().openapi({ format: 'binary' }) },
        },
      },
      ...errorResponses(404, 'VOUCHER_NOT_STARTED'),
    },
  }),
};

/** The grab (抢券), the resident's coupons and the public fairness log. */
export function registerVoucherGrabRoutes(api: ApiRouter) {
  api.openapi(routes.clock, (c) => c.json(c.var.services.voucherGrabs.clock(), 200));
  api.openapi(routes.open, async (c) => c.json(await c.var.services.voucherGrabs.activeCampaigns(), 200));
  api.openapi(routes.grabPage, async (c) => c.json(await c.var.services.voucherGrabs.grabPage(c.req.valid('param').id, c.var.actor), 200));
  api.openapi(routes.grab, async (c) => c.json({ voucher: await c.var.services.voucherGrabs.grab(c.var.actor, c.req.valid('json'), { ip: c.var.ip }) }, 201));
  api.openapi(routes.mine, async (c) => c.json(await c.var.services.voucherGrabs.mine(c.var.actor), 200));
  api.openapi(routes.log, async (c) => {
    const { format } = c.req.valid('query');
    const id = c.req.valid('param').id;
    if (format === 'json') return c.json(await c.var.services.voucherGrabs.fairnessLog(id), 200);
    const file = await c.var.services.voucherGrabs.fairnessLogFile(id, format);
    return c.body(new Uint8Array(file.bytes), 200, { ...downloadHeaders(file), 'cache-control': 'public, max-age=60' });
  });
}
