import { z } from 'zod';
import { PageNumber, PageSize } from '../shared/paging';
import type { Db, Tx } from '../../db/client';
import type { OrganisationService } from '../organisations/organisations.service';
import { recordAudit } from '../audit/audit';
import { requireActor, requireOperator, type Actor } from '../shared/actor';
import { AppError } from '../shared/app-error';
import { authorizeActing, can } from '../shared/access';
import type { Clock } from '../shared/clock';
import { formatFen } from '../shared/money';
import { parseInput } from '../shared/validate';
import type { MessageService } from '../notifications/messages.service';
import type { Ledger } from './ledger.service';
import { BANK_CODES, PHONE_PAY, type BankCode, type PaymentGateway, type PhonePayCode } from './payment-gateway';
import {
  decideNotice,
  effectiveStatus,
  makeOrderNo,
  ONLINE_RECHARGE_TTL_MS,
  RECHARGE_MAX_FEN,
  RECHARGE_MIN_FEN,
  type GatewayNotice,
  type RechargeStatus,
} from './recharge.machine';
import { rechargeRepo as repo, type OrderRow } from './recharge.repo';
import type { JobQueue } from '../jobs/jobs.service';

/** The platform's receiving account, shown on the offline recharge page (the manual: 中国银行). */
export const PLATFORM_RECEIVING_ACCOUNT = {
  bank: '中国银行',
  branch: '中国银行赣州分行营业部',
  accountName: '帮扶平台运营中心',
  accountNo: '1938 2746 0012 5567 003',
} as const;

const amountFen = z
  .number({ message: '请填写充值金额' })
  .int('金额最多两位小数')
  .min(RECHARGE_MIN_FEN, `单笔充值金额须在 ${formatFen(RECHARGE_MIN_FEN)} 至 ${formatFen(RECHARGE_MAX_FEN)} 之间`)
  .max(RECHARGE_MAX_FEN, `单笔充值金额须在 ${formatFen(RECHARGE_MIN_FEN)} 至 ${formatFen(RECHARGE_MAX_FEN)} 之间`);

/** How an online recharge is paid: 微信支付 or 支付宝 (the gateway's phone pages), or a bank's online banking. */
const ONLINE_RECHARGE_METHODS = [...PHONE_PAY.map((c) => c.code), ...BANK_CODES] as [PhonePayCode | BankCode, ...(PhonePayCode | BankCode)[]];

export const CreateOnlineRechargeInput = z.object({
  amountFen,
  /** WECHAT, ALIPAY or a bank's code (online banking). */
  bankCode: z.enum(ONLINE_RECHARGE_METHODS, { message: '请选择支付方式（微信支付、支付宝或网银）' }),
  /** A same-site path the result page links back to (e.g. the requirement waiting for its deposit). */
  returnTo: z
    .string()
    .max(300)
    .regex(/^\/(?![/\\])[^\s]*$/, '返回地址无效')
    .optional(),
});
export type CreateOnlineRechargeInput = z.infer<typeof CreateOnlineRechargeInput>;

export const SubmitOfflineRechargeInput = z.object({
  amountFen,
  transferredAt: z.coerce.date({ message: '请填写打款时间' }),
  payerName: z.string({ message: '请填写付款户名' }).trim().min(2, '请填写付款户名').max(100),
  payerAccount: z
    .string({ message: '请填写付款账号' })
    .transform((s) => s.replace(/\s/g, ''))
    .refine((s) => /^\d{8,32}$/.test(s), '付款账号应为 8–32 位数字'),
  payerReference: z.string().trim().max(100, '备注不超过 100 字').optional(),
});
export type SubmitOfflineRechargeInput = z.infer<typeof SubmitOfflineRechargeInput>;

export const ReviewOfflineInput = z.discriminatedUnion('decision', [
  z.object({ decision: z.literal('confirm') }),
  z.object({ decision: z.literal('reject'), reason: z.string({ message: '请填写驳回原因' }).trim().min(2, '请填写驳回原因').max(200) }),
]);

export const RechargeListQuery = z.object({
  page: PageNumber,
  pageSize: PageSize(100, 20),
  status: z.enum(['pending', 'paid', 'failed', 'expired', 'rejected']).optional(),
});

export interface RechargeDeps {
  db: Db;
  clock: Clock;
  ledger: Ledger;
  messages: MessageService;
  gateway: PaymentGateway;
  /** Absolute origin for the gateway's return and notify URLs; given the request's origin, the one the payer's browser uses. */
  publicOrigin: (requestOrigin?: string) => string;
  log?: (line: string) => void;
  /** Organisation names for the operators' queue. */
  organisations: Pick<OrganisationService, 'namesOf'>;
  jobs: JobQueue;
}

/** The job expiring an unpaid online recharge at its deadline (key: the order id). */
export const RECHARGE_EXPIRE_JOB = 'wallet.recharge-expire';

const maskAccount = (s: string | null) => (s ? `${s.slice(0, 4)} **** ${s.slice(-4)}` : null);

export function toRechargeView(o: OrderRow, now: Date) {
  return {
    orderNo: o.orderNo,
    channel: o.channel,
    amountFen: o.amountFen,
    bankCode: o.bankCode,
    status: effectiveStatus(o, now) as RechargeStatus,
    payerName: o.payerName,
    payerAccount: maskAccount(o.payerAccount),
    payerReference: o.payerReference,
    transferredAt: o.transferredAt,
    rejectReason: o.rejectReason,
    expiresAt: o.expiresAt,
    paidAt: o.paidAt,
    createdAt: o.createdAt,
  };
}

/** 充值: online through the payment gateway, offline confirmed by an operator. Every credit is a ledger transfer keyed by the order. */
/** Handles a verified gateway notice for another context's order, inside the notice's transaction. */
export type NoticeHandler = (tx: Tx, notice: GatewayNotice) => Promise<{ outcome: string; push?: () => Promise<void> }>;

export function createRechargeService(deps: RechargeDeps) {
  const { db, clock, ledger, messages, gateway } = deps;
  const noticeHandlers = new Map<string, NoticeHandler>();

  /** Credits the order's wallet once (the ledger key is the order number) and marks it paid. */
  async function creditOrder(tx: Tx, order: OrderRow, extra: Partial<OrderRow>, actorUserId: string | null = null) {
    const wallet = await ledger.ensureWallet(tx, order.organisationId);
    await ledger.transfer(tx, {
      debitAccountId: await ledger.platformAccount('gateway_clearing'),
      creditAccountId: wallet.availableId,
      amountFen: order.amountFen,
      kind: order.channel === 'online' ? 'recharge_online' : 'recharge_offline',
      reference: order.orderNo,
      idempotencyKey: `recharge:${order.orderNo}`,
    });
    await repo.updateOrder(tx, order.id, { status: 'paid', paidAt: clock.now(), ...extra });
    await recordAudit(tx, {
      actorUserId,
      action: order.channel === 'online' ? 'wallet.recharge_credited' : 'wallet.offline_recharge_confirmed',
      targetType: 'recharge_order',
      targetId: order.orderNo,
      organisationId: order.organisationId,
      before: { status: order.status },
      after: { status: 'paid', amountFen: order.amountFen, ...(extra.gatewayTradeNo ? { gatewayTradeNo: extra.gatewayTradeNo } : {}) },
    });
    return messages.send(
      { userId: order.userId, title: '充值成功', body: `充值单 ${order.orderNo}：${formatFen(order.amountFen)} 已到账。`, link: '/wallet', category: 'wallet' },
      tx,
    );
  }

  /** An order of an organisation the caller may see the money of (another's, or a member's without that right, is NOT_FOUND). */
  const ownOrder = async (actor: Actor, orderNo: string) => {
    const orgIds = actor.memberships.filter((m) => can(actor, 'wallet.view', { organisationId: m.organisationId })).map((m) => m.organisationId);
    if (!orgIds.length) throw new AppError('NOT_FOUND', '充值单不存在');
    const order = await repo.findOrderOfOrganisations(db, orderNo, orgIds);
    if (!order) throw new AppError('NOT_FOUND', '充值单不存在');
    return order;
  };

  // Idempotent: expiring is a conditional update of whatever is due (this order, and any other late one).
  deps.jobs.on(RECHARGE_EXPIRE_JOB, async () => void (await repo.expirePendingOnline(db, clock.now())));

  return {
    /**
     * Creates an online recharge order for the active organisation and the gateway URL to pay it.
     * `ctx.origin` is the origin the payer's request came to: the bank returns the browser there (when ORIGIN is unset).
     */
    async createOnline(actor: Actor | null, raw: unknown, ctx: { origin?: string } = {}) {
      const a = requireActor(actor);
      const org = authorizeActing(a, 'wallet.recharge');
      const input = parseInput(CreateOnlineRechargeInput, raw);
      const now = clock.now();
      // The order and its expiry job commit together: every unpaid order expires, whichever node is up.
      const order = await db.transaction(async (tx) => {
        const row = await repo.insertOrder(tx, {
          orderNo: makeOrderNo('R', now),
          organisationId: org.organisationId,
          userId: a.userId,
          channel: 'online',
          amountFen: input.amountFen,
          bankCode: input.bankCode,
          expiresAt: new Date(now.getTime() + ONLINE_RECHARGE_TTL_MS),
        });
        await deps.jobs.schedule(tx, { kind: RECHARGE_EXPIRE_JOB, key: row.id, runAt: row.expiresAt! });
        return row;
      });
      const origin = deps.publicOrigin(ctx.origin);
      const { redirectUrl } = await gateway.createPayment({
        orderNo: order.orderNo,
        amountFen: order.amountFen,
        bankCode: input.bankCode,
        returnUrl: `${origin}/wallet/recharge/result?orderNo=${order.orderNo}${input.returnTo ? `&returnTo=${encodeURIComponent(input.returnTo)}` : ''}`,
        // Server to server: never an address taken from the request.
        notifyUrl: `${deps.publicOrigin()}/api/v1/payments/notify`,
      });
      return { order: toRechargeView(order, now), redirectUrl };
    },

    /**
     * Handles a gateway callback. Forged, unknown-order and amount-mismatched callbacks are refused and
     * logged; repeated and late ones are harmless. Returns the gateway's expected answer.
     */
    /**
     * Other contexts that take payments through the same gateway (the mall) handle the notices of
     * their own order numbers; signature checking and the notice log stay here.
     */
    onNotices(orderNoPrefix: string, handler: NoticeHandler) {
      noticeHandlers.set(orderNoPrefix, handler);
    },

    async handleNotice(headers: Record<string, string | undefined>, rawBody: string) {
      const check = gateway.verifyNotice(headers, rawBody);
      const orderNo = check.notice?.orderNo ?? safeOrderNo(rawBody);
      const logNotice = (outcome: string) =>
        repo.logNotice(db, { orderNo, body: rawBody.slice(0, 4000), signatureValid: check.ok || check.reason === 'stale', outcome });
      if (!check.ok && check.reason === 'stale') {
        // Genuine but signed too long ago (or ahead): a replay. Nothing changes; the gateway's own retries re-sign.
        await logNotice('stale');
        deps.log?.(`payments: refused a callback with a stale timestamp (order ${orderNo ?? '?'})`);
        throw new AppError('NOTICE_STALE', '通知时间戳已过期或无效，请重新签名后发送');
      }
      if (!check.ok) {
        await logNotice('forged');
        deps.log?.(`payments: refused a callback with a bad signature (order ${orderNo ?? '?'})`);
        throw new AppError('NOTICE_SIGNATURE_INVALID', '签名校验失败');
      }
      const notice = check.notice;
      const other = [...noticeHandlers].find(([prefix]) => notice.orderNo.startsWith(prefix))?.[1];
      const result = await db.transaction(async (tx): Promise<{ outcome: string; push?: () => Promise<void> }> => {
        if (other) return other(tx, notice);
        const order = await repo.lockOrderByNo(tx, notice.orderNo);
        if (!order) return { outcome: 'unknown_order' as const };
        const decision = decideNotice(order, notice);
        if (decision.action === 'refuse') return { outcome: decision.reason };
        if (decision.action === 'ignore') return { outcome: decision.reason };
        if (decision.action === 'mark') {
          await repo.updateOrder(tx, order.id, { status: 'failed', gatewayTradeNo: notice.tradeNo });
          return { outcome: 'failed' as const };
        }
        const sent = await creditOrder(tx, order, { gatewayTradeNo: notice.tradeNo });
        return { outcome: 'credited' as const, push: sent.push };
      });
      await logNotice(result.outcome);
      if ('push' in result && result.push) await result.push();
      if (result.outcome === 'unknown_order') throw new AppError('NOT_FOUND', '订单不存在');
      if (result.outcome === 'amount_mismatch' || result.outcome === 'not_online') {
        deps.log?.(`payments: refused a callback for ${orderNo}: ${result.outcome}`);
        throw new AppError('NOTICE_MISMATCH', '订单金额或类型不符');
      }
      return { outcome: result.outcome };
    },

    /** The caller's own order (any organisation they belong to); the return page polls this. */
    async get(actor: Actor | null, orderNo: string) {
      return toRechargeView(await ownOrder(requireActor(actor), orderNo), clock.now());
    },

    async list(actor: Actor | null, raw: unknown) {
      const org = authorizeActing(actor, 'wallet.view');
      const q = parseInput(RechargeListQuery, raw);
      const { rows, total } = await repo.pageOrders(db, org.organisationId, q.status, { limit: q.pageSize, offset: (q.page - 1) * q.pageSize });
      const now = clock.now();
      return { items: rows.map((r) => toRechargeView(r, now)), total, page: q.page, pageSize: q.pageSize };
    },

    /** 线下充值: the payer declares a bank transfer to the platform's account; an operator confirms it. */
    async submitOffline(actor: Actor | null, raw: unknown) {
      const a = requireActor(actor);
      const org = authorizeActing(a, 'wallet.recharge');
      const input = parseInput(SubmitOfflineRechargeInput, raw);
      if (input.transferredAt.getTime() > clock.now().getTime() + 5 * 60_000) {
        throw new AppError('VALIDATION', '请检查填写的内容', { transferredAt: '打款时间不能晚于现在' });
      }
      const order = await repo.insertOrder(db, {
        orderNo: makeOrderNo('X', clock.now()),
        organisationId: org.organisationId,
        userId: a.userId,
        channel: 'offline',
        amountFen: input.amountFen,
        transferredAt: input.transferredAt,
        payerName: input.payerName,
        payerAccount: input.payerAccount,
        payerReference: input.payerReference,
      });
      return toRechargeView(order, clock.now());
    },

    /** Operators: pending offline recharges, oldest first, with the full paying account. */
    async listPendingOffline(actor: Actor | null, raw: unknown) {
      requireOperator(actor);
      const q = parseInput(RechargeListQuery, raw);
      const { rows, total } = await repo.pageOfflineOrders(db, q.status ?? 'pending', { limit: q.pageSize, offset: (q.page - 1) * q.pageSize });
      const names = await deps.organisations.namesOf(rows.map((r) => r.organisationId));
      const now = clock.now();
      return {
        items: rows.map((r) => ({
          ...toRechargeView(r, now),
          payerAccount: r.payerAccount,
          organisationId: r.organisationId,
          organisationName: names.get(r.organisationId) ?? '',
        })),
        total,
        page: q.page,
        pageSize: q.pageSize,
      };
    },

    /**
     * Confirms (wallet credited once) or rejects (payer told why) a pending offline recharge.
     * Two operators at once: the row lock makes the second see a decided order (RECHARGE_NOT_PENDING).
     */
    async reviewOffline(actor: Actor | null, orderNo: string, raw: unknown) {
      const a = requireOperator(actor);
      const input = parseInput(ReviewOfflineInput, raw);
      const out = await db.transaction(async (tx) => {
        const order = await repo.lockOrderByNo(tx, orderNo, 'offline');
        if (!order) throw new AppError('NOT_FOUND', '充值单不存在');
        if (order.status !== 'pending') throw new AppError('RECHARGE_NOT_PENDING', `该充值单已处理（${order.status === 'paid' ? '已到账' : '已驳回'}）`);
        const reviewed = { reviewedBy: a.userId, reviewedAt: clock.now() };
        if (input.decision === 'confirm') return (await creditOrder(tx, order, reviewed, a.userId)).push;
        await repo.updateOrder(tx, order.id, { status: 'rejected', rejectReason: input.reason, ...reviewed });
        await recordAudit(tx, {
          actorUserId: a.userId,
          action: 'wallet.offline_recharge_rejected',
          targetType: 'recharge_order',
          targetId: order.orderNo,
          organisationId: order.organisationId,
          before: { status: order.status },
          after: { status: 'rejected', amountFen: order.amountFen },
          reason: input.reason,
        });
        const sent = await messages.send(
          {
            userId: order.userId,
            title: '线下充值未通过',
            body: `充值单 ${order.orderNo}（${formatFen(order.amountFen)}）未通过审核：${input.reason}`,
            link: '/wallet',
            category: 'wallet',
          },
          tx,
        );
        return sent.push;
      });
      await out();
      const order = await repo.findOrderByNo(db, orderNo);
      return toRechargeView(order!, clock.now());
    },

    /** Marks unpaid online orders past their 30 minutes as expired. Idempotent; any node may run it. */
    /** Expires every unpaid online order past its deadline (a conditional update: late runs do nothing). */
    async expireStale() {
      return repo.expirePendingOnline(db, clock.now());
    },
  };
}

export type RechargeService = ReturnType<typeof createRechargeService>;

function safeOrderNo(raw: string): string | null {
  try {
    const v = (JSON.parse(raw) as { orderNo?: unknown }).orderNo;
    return typeof v === 'string' ? v.slice(0, 64) : null;
  } catch {
    return null;
  }
}
