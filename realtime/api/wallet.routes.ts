import { createRoute, z } from '@hono/zod-openapi';
import { requireOperator } from '../../core/shared/actor';
import { formatFen } from '../../core/shared/money';
import { BANKS, bankName, isPhonePay } from '../../core/wallet/payment-gateway';
import {
  CreateOnlineRechargeInput,
  PLATFORM_RECEIVING_ACCOUNT,
  RechargeListQuery,
  ReviewOfflineInput,
  SubmitOfflineRechargeInput,
} from '../../core/wallet/recharge.service';
import { AddCardInput, RequestWithdrawalInput, ReviewWithdrawalInput, SetSecurityPasswordInput, VerifyCardInput } from '../../core/wallet/withdrawal.service';
import { StatementQuery } from '../../core/wallet/statement.service';
import {
  BanksView,
  CardView,
  LedgerCheckView,
  OfflineRechargeReviewView,
  OnlineRechargeCreatedView,
  PendingWithdrawalView,
  RechargeView,
  StatementLineView,
  WalletBalancesView,
  WithdrawalView,
} from '../../core/wallet/wallet.schema';
import type { ApiRouter } from './context';
import { authed, errorResponses, jsonBody, page, json, named } from './schemas';

const Balances = named(WalletBalancesView, 'WalletBalances', { description: 'Amounts in fen (分)' });
const Recharge = named(RechargeView, 'RechargeOrder');
const Card = named(CardView, 'BankCard');
const Withdrawal = named(WithdrawalView, 'Withdrawal');
const PendingWithdrawal = named(PendingWithdrawalView, 'PendingWithdrawal');
const StatementLine = named(StatementLineView, 'StatementLine');
const LedgerCheck = named(LedgerCheckView, 'LedgerCheck');

const routes = {
  balances: createRoute({
    method: 'get',
    path: '/wallet',
    tags: ['wallet'],
    summary: '钱包余额（当前组织）：可用、冻结、合计',
    security: authed,
    responses: { 200: json(Balances, 'Balances in fen'), ...errorResponses(401, 403) },
  }),
  banks: createRoute({
    method: 'get',
    path: '/wallet/banks',
    tags: ['wallet'],
    summary: '在线充值可选银行与平台收款账户',
    responses: {
      200: json(named(BanksView, 'WalletBanks'), 'Banks and the platform receiving account'),
    },
  }),
  createOnline: createRoute({
    method: 'post',
    path: '/wallet/recharges/online',
    tags: ['wallet'],
    summary: '在线充值：创建充值单，返回网关付款地址',
    description: `Amount ${formatFen(100)}–${formatFen(50_000_000)} in fen. Unpaid orders expire after 30 minutes.`,
    security: authed,
    request: { body: jsonBody(CreateOnlineRechargeInput) },
    responses: {
      201: json(OnlineRechargeCreatedView.extend({ order: Recharge }).openapi('OnlineRechargeCreated'), 'Order created'),
      ...errorResponses(400, 401, 403),
    },
  }),
  submitOffline: createRoute({
    method: 'post',
    path: '/wallet/recharges/offline',
    tags: ['wallet'],
    summary: '线下充值：提交打款信息，等待平台确认',
    security: authed,
    request: { body: jsonBody(SubmitOfflineRechargeInput) },
    responses: { 201: json(Recharge, 'Submitted'), ...errorResponses(400, 401, 403) },
  }),
  list: createRoute({
    method: 'get',
    path: '/wallet/recharges',
    tags: ['wallet'],
    summary: '当前组织的充值单（分页）',
    security: authed,
    request: { query: RechargeListQuery },
    responses: { 200: json(page(Recharge, 'RechargePage'), 'Newest first'), ...errorResponses(400, 401, 403) },
  }),
  get: createRoute({
    method: 'get',
    path: '/wallet/recharges/{orderNo}',
    tags: ['wallet'],
    summary: '充值单状态（付款返回页轮询）',
    security: authed,
    request: { params: z.object({ orderNo: z.string() }) },
    responses: { 200: json(Recharge, 'The order'), ...errorResponses(401, 404) },
  }),
  pendingOffline: createRoute({
    method: 'get',
    path: '/admin/recharges/offline',
    tags: ['admin'],
    summary: '运营：待确认的线下充值',
    security: authed,
    request: { query: RechargeListQuery },
    responses: {
      200: json(page(named(OfflineRechargeReviewView, 'OfflineRechargeForReview'), 'OfflineRechargePage'), 'Oldest first'),
      ...errorResponses(401, 403),
    },
  }),
  review: createRoute({
    method: 'post',
    path: '/admin/recharges/{orderNo}/review',
    tags: ['admin'],
    summary: '运营：确认到账或驳回线下充值',
    security: authed,
    request: { params: z.object({ orderNo: z.string() }), body: jsonBody(ReviewOfflineInput) },
    responses: { 200: json(Recharge, 'Decided'), ...errorResponses(400, 401, 403, 404, 409) },
  }),
  notify: createRoute({
    method: 'post',
    path: '/payments/notify',
    tags: ['payments'],
    summary: '支付网关异步通知（HMAC-SHA256 签名）',
    description:
      'Signed with `x-gateway-signature` = hex HMAC-SHA256 of `<x-gateway-timestamp>.<raw body>`. Answers `success` once the notice is recorded; repeated notices are harmless.',
    responses: { 200: { description: 'Recorded', content: { 'text/plain': { schema: z.string() } } }, ...errorResponses(400, 403, 404) },
  }),
};

const idParam = z.object({ id: z.string() });
const moreRoutes = {
  cards: createRoute({
    method: 'get',
    path: '/wallet/cards',
    tags: ['wallet'],
    summary: '已添加的银行卡（卡号脱敏）',
    security: authed,
    responses: { 200: json(z.array(Card), 'Cards'), ...errorResponses(401, 403) },
  }),
  addCard: createRoute({
    method: 'post',
    path: '/wallet/cards',
    tags: ['wallet'],
    summary: '添加银行卡：平台向该账户打一笔 ¥0.01–¥0.99 的验证款',
    security: authed,
    request: { body: jsonBody(AddCardInput) },
    responses: { 201: json(Card, 'Added, waiting for the amount'), ...errorResponses(400, 401, 403, 409) },
  }),
  verifyCard: createRoute({
    method: 'post',
    path: '/wallet/cards/{id}/verify',
    tags: ['wallet'],
    summary: '填写收到的验证金额（分）；错 3 次认证失败',
    security: authed,
    request: { params: idParam, body: jsonBody(VerifyCardInput) },
    responses: { 200: json(Card, 'Verified'), ...errorResponses(400, 401, 404) },
  }),
  removeCard: createRoute({
    method: 'delete',
    path: '/wallet/cards/{id}',
    tags: ['wallet'],
    summary: '删除银行卡',
    security: authed,
    request: { params: idParam },
    responses: { 204: { description: 'Removed' }, ...errorResponses(401, 404) },
  }),
  securityPassword: createRoute({
    method: 'put',
    path: '/wallet/security-password',
    tags: ['wallet'],
    summary: '设置或修改安全密码（6 位数字，需验证登录密码）',
    security: authed,
    request: { body: jsonBody(SetSecurityPasswordInput) },
    responses: { 200: json(z.object({ message: z.string() }), 'Set'), ...errorResponses(400, 401) },
  }),
  withdraw: createRoute({
    method: 'post',
    path: '/wallet/withdrawals',
    tags: ['wallet'],
    summary: '申请提现：金额立即冻结，等待平台审核打款',
    security: authed,
    request: { body: jsonBody(RequestWithdrawalInput) },
    responses: { 201: json(Withdrawal, 'Frozen, pending review'), ...errorResponses(400, 401, 403, 409, 429) },
  }),
  withdrawals: createRoute({
    method: 'get',
    path: '/wallet/withdrawals',
    tags: ['wallet'],
    summary: '提现记录',
    security: authed,
    responses: { 200: json(page(Withdrawal, 'WithdrawalPage'), 'Newest first'), ...errorResponses(401, 403) },
  }),
  pendingWithdrawals: createRoute({
    method: 'get',
    path: '/admin/withdrawals',
    tags: ['admin'],
    summary: '运营：待审核提现',
    security: authed,
    responses: { 200: json(z.array(PendingWithdrawal), 'Oldest first'), ...errorResponses(401, 403) },
  }),
  reviewWithdrawal: createRoute({
    method: 'post',
    path: '/admin/withdrawals/{withdrawalNo}/review',
    tags: ['admin'],
    summary: '运营：批准（打款）或驳回（退回可用余额）',
    security: authed,
    request: { params: z.object({ withdrawalNo: z.string() }), body: jsonBody(ReviewWithdrawalInput) },
    responses: { 200: json(Withdrawal, 'Decided'), ...errorResponses(400, 401, 403, 404, 409) },
  }),
  ledgerCheck: createRoute({
    method: 'get',
    path: '/admin/ledger/check',
    tags: ['admin'],
    summary: '运营：账本核对（余额总和为零、每个余额等于其流水之和、客户账户无负数）',
    security: authed,
    responses: { 200: json(LedgerCheck, 'Result of the check'), ...errorResponses(401, 403) },
  }),
  statement: createRoute({
    method: 'get',
    path: '/wallet/statement',
    tags: ['wallet'],
    summary: '资金明细（类型、日期筛选，分页）',
    security: authed,
    request: { query: StatementQuery },
    responses: { 200: json(page(StatementLine, 'StatementPage'), 'Newest first'), ...errorResponses(400, 401, 403) },
  }),
  statementCsv: createRoute({
    method: 'get',
    path: '/wallet/statement.csv',
    tags: ['wallet'],
    summary: '导出资金明细 CSV（UTF-8 BOM）',
    security: authed,
    request: { query: StatementQuery },
    responses: { 200: { description: 'CSV', content: { 'text/csv': { schema: z.string() } } }, ...errorResponses(400, 401, 403) },
  }),
};

export function registerWalletRoutes(api: ApiRouter) {
  const w = (c: { var: { services: { withdrawals: import('../../core/wallet/withdrawal.service').WithdrawalService } } }) => c.var.services.withdrawals;
  api.openapi(moreRoutes.cards, async (c) => c.json(await w(c).listCards(c.var.actor), 200));
  api.openapi(moreRoutes.addCard, async (c) => c.json(await w(c).addCard(c.var.actor, await c.req.json()), 201));
  api.openapi(moreRoutes.verifyCard, async (c) => c.json(await w(c).verifyCard(c.var.actor, c.req.valid('param').id, c.req.valid('json')), 200));
  api.openapi(moreRoutes.removeCard, async (c) => (await w(c).removeCard(c.var.actor, c.req.valid('param').id), c.body(null, 204)));
  api.openapi(moreRoutes.securityPassword, async (c) => c.json(await w(c).setSecurityPassword(c.var.actor, c.req.valid('json')), 200));
  api.openapi(moreRoutes.withdraw, async (c) => c.json(await w(c).requestWithdrawal(c.var.actor, c.req.valid('json')), 201));
  api.openapi(moreRoutes.withdrawals, async (c) =>
    c.json(await w(c).listWithdrawals(c.var.actor, { page: c.req.query('page'), pageSize: c.req.query('pageSize') }), 200),
  );
  api.openapi(moreRoutes.pendingWithdrawals, async (c) => c.json(await w(c).listPendingWithdrawals(c.var.actor), 200));
  api.openapi(moreRoutes.reviewWithdrawal, async (c) =>
    c.json(await w(c).reviewWithdrawal(c.var.actor, c.req.valid('param').withdrawalNo, c.req.valid('json')), 200),
  );
  api.openapi(moreRoutes.ledgerCheck, async (c) => {
    requireOperator(c.var.actor);
    return c.json(await c.var.services.ledger.check(), 200);
  });
  api.openapi(moreRoutes.statement, async (c) => c.json(await c.var.services.statements.list(c.var.actor, c.req.query()), 200));
  api.openapi(moreRoutes.statementCsv, async (c) => {
    const csv = await c.var.services.statements.exportCsv(c.var.actor, c.req.query());
    return c.body(csv, 200, { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': `attachment; filename="statement.csv"` });
  });

  api.openapi(routes.balances, async (c) => c.json(await c.var.services.statements.balances(c.var.actor), 200));
  api.openapi(routes.banks, (c) => c.json({ banks: BANKS.map((b) => ({ ...b })), receivingAccount: { ...PLATFORM_RECEIVING_ACCOUNT } }, 200));
  api.openapi(routes.createOnline, async (c) =>
    c.json(await c.var.services.recharges.createOnline(c.var.actor, c.req.valid('json'), { origin: new URL(c.req.url).origin }), 201),
  );
  api.openapi(routes.submitOffline, async (c) => c.json(await c.var.services.recharges.submitOffline(c.var.actor, await c.req.json()), 201));
  api.openapi(routes.list, async (c) => c.json(await c.var.services.recharges.list(c.var.actor, c.req.valid('query')), 200));
  api.openapi(routes.get, async (c) => c.json(await c.var.services.recharges.get(c.var.actor, c.req.valid('param').orderNo), 200));
  api.openapi(routes.pendingOffline, async (c) => c.json(await c.var.services.recharges.listPendingOffline(c.var.actor, c.req.valid('query')), 200));
  api.openapi(routes.review, async (c) =>
    c.json(await c.var.services.recharges.reviewOffline(c.var.actor, c.req.valid('param').orderNo, c.req.valid('json')), 200),
  );
  api.openapi(routes.notify, async (c) => {
    const raw = await c.req.text();
    const headers = Object.fromEntries([...c.req.raw.headers.entries()].map(([k, v]) => [k.toLowerCase(), v]));
    await c.var.services.recharges.handleNotice(headers, raw);
    return c.text('success', 200);
  });

  // The sandbox gateway's pretend bank: shows the order and lets the payer approve or decline.
  api.use('/sandbox/*', async (c, next) => {
    if (!c.var.platform.config.sandboxGateways) return c.html(bankPage('<p class="err">沙箱支付网关未启用。</p>'), 404);
    await next();
  });
  api.get('/sandbox/bank', (c) => {
    const req = c.var.platform.gateway.readRequest(new URL(c.req.url).searchParams);
    if (!req) return c.html(bankPage('<p class="err">付款链接无效或已被修改。</p>'), 400);
    const hidden = Object.entries(req)
      .map(([k, v]) => `<input type="hidden" name="${k}" value="${escapeHtml(String(v))}">`)
      .join('');
    const bank = bankName(req.bankCode);
    return c.html(
      bankPage(`<h1>${escapeHtml(isPhonePay(req.bankCode) ? `${bank}（沙箱）` : `${bank} · 网上银行（沙箱）`)}</h1>
<p class="muted">这是帮扶平台内置的支付网关沙箱，模拟付款页面，不会产生真实扣款。</p>
<dl><dt>商户</dt><dd>帮扶平台</dd><dt>订单号</dt><dd>${escapeHtml(req.orderNo)}</dd><dt>付款金额</dt><dd class="amount">${formatFen(req.amountFen)}</dd></dl>
<form method="post" action="/api/v1/sandbox/bank/decide">${hidden}
<button name="approve" value="1" class="primary">确认付款</button> <button name="approve" value="0">拒绝付款</button></form>`),
    );
  });
  api.post('/sandbox/bank/decide', async (c) => {
    const form = await c.req.parseBody();
    const params = new URLSearchParams(Object.entries(form).map(([k, v]) => [k, String(v)]));
    const req = c.var.platform.gateway.readRequest(params);
    if (!req) return c.html(bankPage('<p class="err">付款链接无效或已被修改。</p>'), 400);
    const { returnUrl } = c.var.platform.gateway.decide(req, params.get('approve') === '1');
    return c.redirect(returnUrl, 303);
  });
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
const bankPage = (
  body: string,
) => `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>付款（沙箱）</title>
<style>body{font-family:system-ui,'PingFang SC','Noto Sans CJK SC',sans-serif;max-width:32rem;margin:2rem auto;padding:0 1rem;color:#1f2937}
h1{font-size:1.25rem;color:#1d4ed8}.muted{color:#6b7280;font-size:.875rem}dl{display:grid;grid-template-columns:5rem minmax(0,1fr);gap:.5rem;margin:1rem 0;background:#f8fafc;padding:1rem;border-radius:.5rem}
dt{color:#6b7280}dd{margin:0;overflow-wrap:anywhere}.amount{font-size:1.5rem;font-weight:700;color:#b91c1c}button{padding:.6rem 1.2rem;border-radius:.4rem;border:1px solid #cbd5e1;background:#fff;font-size:1rem}
.primary{background:#1d4ed8;color:#fff;border-color:#1d4ed8}.err{color:#b91c1c}</style></head><body>${body}</body></html>`;
