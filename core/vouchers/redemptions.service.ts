import QRCode from 'qrcode';
import type { Db, DbOrTx, Tx } from '../../db/client';
import { recordAudit } from '../audit/audit';
import type { MessageService } from '../notifications/messages.service';
import { can, authorize, authorizeActing } from '../shared/access';
import { requireActor, type Actor } from '../shared/actor';
import { AppError } from '../shared/app-error';
import type { Clock } from '../shared/clock';
import { formatFen } from '../shared/money';
import { pageOffset } from '../shared/paging';
import type { RateLimiter, RateRule } from '../shared/rate-limit';
import { formatDateTime, formatDateTimeSeconds } from '../shared/time';
import { parseInput } from '../shared/validate';
import type { Ledger } from '../wallet/ledger.service';
import { PERSONAL_PAY, type PaymentGateway } from '../wallet/payment-gateway';
import type { GatewayNotice } from '../wallet/recharge.machine';
import type { RechargeService } from '../wallet/recharge.service';
import { makeOrderNo } from '../wallet/recharge.machine';
import { merchantsRepo, type VoucherMerchantRow } from './merchants.repo';
import { codeExpiry, codeVerdict, isWellFormedCode, makePaymentCodeDigits, secondsLeft } from './payment-codes';
import { redemptionsRepo, type RedemptionRow } from './redemptions.repo';
import { chooseAcrossEnrolments, isStale, payableFen, REDEMPTION_PAY_WINDOW_MS, REDEMPTION_STATUS_LABELS, redemptionTransition } from './redemptions.machine';
import { RedemptionInput, RedemptionListQuery, StatementQuery } from './redemptions.schema';
import { CAMPAIGN_ACCOUNT_KINDS, merchantCategoryName } from './vouchers.constants';
import { townshipName } from './merchants.schema';
import { toXlsx, XLSX_TYPE } from '../shared/export';

export interface RedemptionDeps {
  db: Db;
  clock: Clock;
  ledger: Ledger;
  gateway: PaymentGateway;
  publicOrigin: (requestOrigin?: string) => string;
  messages: Pick<MessageService, 'send' | 'sendToOrganisation'>;
  rateLimiter: RateLimiter;
  recharges: Pick<RechargeService, 'onNotices'>;
  /** After a redemption is paid or refunded (committed): the bureau's live console figures. */
  figuresChanged?: (campaignId: string) => Promise<void>;
}

/** Gateway order numbers of voucher payments start with this (the wallet routes their notices here). */
export const REDEMPTION_PREFIX = 'VR';

/** Codes a resident may ask for per minute (the page refreshes one a minute). */
const CODE_RULE: RateRule = { name: 'voucher_code_user', points: 30, durationSeconds: 60 };
/** Unknown or malformed codes a merchant may try in ten minutes (guessing is pointless, and limited). */
const BAD_CODE_RULE: RateRule = { name: 'voucher_bad_code_org', points: 30, durationSeconds: 600 };

type Push = () => Promise<void>;
const isUuid = (s: string) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(s);

/** 付款码, 核销, 退款, 结算: the resident's codes, the merchant's console, the bureau's settlement. */
export function createRedemptionService(deps: RedemptionDeps) {
  const { db, clock, ledger, gateway, publicOrigin, messages, rateLimiter } = deps;

  const campaignAccounts = (q: DbOrTx, c: { bureauId: string; id: string }) => ledger.ensureSubjectAccounts(q, c.bureauId, c.id, CAMPAIGN_ACCOUNT_KINDS);

  /** The acting merchant organisation's approved enrolments (one per campaign). */
  async function approvedEnrolments(actor: Actor | null, q: DbOrTx = db) {
    const org = authorizeActing(actor, 'organisation.view', ['merchant']);
    const rows = (await merchantsRepo.listOfOrganisation(q, org.organisationId)).filter((m) => m.status === 'approved');
    if (!rows.length) throw new AppError('VOUCHER_MERCHANT_NOT_APPROVED', '您的商户尚未通过消费券活动审核，不能核销');
    return { org, rows };
  }

  /** The code behind typed digits, refused with a clear reason unless it is live. */
  async function liveCode(q: DbOrTx, orgId: string, digits: string) {
    await rateLimiter.check(BAD_CODE_RULE, orgId, '无效付款码尝试过多，请 10 分钟后再试');
    const code = isWellFormedCode(digits) ? await redemptionsRepo.findCodeByDigits(q, digits) : undefined;
    if (!code) {
      await rateLimiter.consume(BAD_CODE_RULE, orgId, '无效付款码尝试过多，请 10 分钟后再试');
      throw new AppError('VOUCHER_CODE_INVALID', '付款码无效，请让顾客刷新付款码后重新扫描');
    }
    const v = codeVerdict(code, clock.now());
    if (!v.ok && v.reason === 'used') throw new AppError('VOUCHER_CODE_USED', '该付款码已使用，请让顾客刷新付款码');
    if (!v.ok) throw new AppError('VOUCHER_CODE_EXPIRED', '付款码已过期，请让顾客刷新付款码');
    return code;
  }

  /** The best coupon of the code's owner for this bill at one of the merchant's enrolments. */
  async function quoteFor(q: DbOrTx, userId: string, enrolments: VoucherMerchantRow[], billFen: number) {
    const now = clock.now();
    const staleBefore = new Date(now.getTime() - REDEMPTION_PAY_WINDOW_MS);
    const coupons = await redemptionsRepo.candidateCoupons(
      q,
      userId,
      enrolments.map((m) => m.campaignId),
      now,
      staleBefore,
    );
    const { coupon: best, merchant } = chooseAcrossEnrolments(coupons, enrolments, billFen, now);
    let reason: string | null = null;
    if (!best) {
      const covered = coupons.filter((c) => enrolments.some((m) => m.campaignId === c.campaignId && c.merchantCategories.includes(m.category)));
      if (!coupons.length) reason = '顾客没有可用的消费券';
      else if (!covered.length) reason = '顾客的消费券不适用于本商户的经营类别';
      else reason = `消费金额未达到使用门槛（最低满 ${formatFen(Math.min(...covered.map((c) => c.thresholdFen)))}）`;
    }
    return { coupon: best, merchant, reason };
  }

  const campaignNames = async (q: DbOrTx, ids: string[]) => new Map((await redemptionsRepo.campaignsByIds(q, [...new Set(ids)])).map((c) => [c.id, c]));

  async function views(q: DbOrTx, rows: RedemptionRow[]) {
    const campaigns = await campaignNames(
      q,
      rows.map((r) => r.campaignId),
    );
    const merchants = new Map((await merchantsRepo.byIds(q, [...new Set(rows.map((r) => r.merchantId))])).map((m) => [m.id, m]));
    const cats = new Map(
      (
        await redemptionsRepo.categoriesOf(
          q,
          rows.map((r) => r.campaignId),
        )
      ).map((c) => [`${c.campaignId}:${c.code}`, c.name]),
    );
    const out = [];
    for (const r of rows) {
      const coupon = await redemptionsRepo.findCoupon(q, r.voucherId);
      out.push(
        view(
          r,
          campaigns.get(r.campaignId)?.name ?? '',
          merchants.get(r.merchantId)?.name ?? '',
          coupon ? couponLabel(coupon, cats.get(`${r.campaignId}:${coupon.categoryCode}`)) : '',
        ),
      );
    }
    return out;
  }
  const couponLabel = (c: { thresholdFen: number; discountFen: number }, categoryName = '消费券') =>
    `${categoryName} 满${c.thresholdFen / 100}减${c.discountFen / 100}`;
  const view = (r: RedemptionRow, campaignName: string, merchantName: string, label: string) => ({
    id: r.id,
    redemptionNo: r.redemptionNo,
    campaignId: r.campaignId,
    campaignName,
    merchantId: r.merchantId,
    merchantName,
    voucherId: r.voucherId,
    couponLabel: label,
    billFen: r.billFen,
    discountFen: r.discountFen,
    payFen: r.payFen,
    status: isStale(r, clock.now()) ? ('cancelled' as const) : r.status,
    statusLabel: isStale(r, clock.now()) ? REDEMPTION_STATUS_LABELS.cancelled : REDEMPTION_STATUS_LABELS[r.status],
    settled: r.settlementId !== null,
    paidAt: r.paidAt?.toISOString() ?? null,
    refundedAt: r.refundedAt?.toISOString() ?? null,
    createdAt: r.createdAt.toISOString(),
  });

  /** The redemption for its merchant (any member) or its resident; others NOT_FOUND. */
  async function visibleRedemption(actor: Actor | null, id: string) {
    const a = requireActor(actor);
    const r = isUuid(id) ? await redemptionsRepo.findRedemption(db, id) : undefined;
    if (!r) throw new AppError('NOT_FOUND', '核销记录不存在');
    if (r.userId === a.userId) return r;
    const m = await merchantsRepo.find(db, r.merchantId);
    if (m && can(a, 'organisation.view', { organisationId: m.organisationId })) return r;
    throw new AppError('NOT_FOUND', '核销记录不存在');
  }

  /** The gateway's verified notice of a resident's payment: the coupon is spent, the money moves, in one transaction. */
  async function handleNotice(tx: Tx, notice: GatewayNotice): Promise<{ outcome: string; push?: Push }> {
    const r = await redemptionsRepo.lockRedemptionByNo(tx, notice.orderNo);
    if (!r) return { outcome: 'unknown_order' };
    if (r.payFen !== notice.amountFen) return { outcome: 'amount_mismatch' };
    if (r.status === 'paid' || r.status === 'refunded') return { outcome: 'duplicate' };
    if (notice.result === 'FAILED') return { outcome: 'failed' };
    const now = clock.now();
    // Cancelled meanwhile (or never paid in time and its coupon taken or expired): nothing is credited;
    // the gateway returns the money to the payer.
    if (r.status !== 'awaiting_payment') return { outcome: 'void_payment' };
    const coupon = await redemptionsRepo.useCoupon(tx, r.voucherId, now);
    if (!coupon) {
      await redemptionsRepo.updateRedemption(tx, r.id, { status: 'cancelled' });
      return { outcome: 'void_payment' };
    }
    const campaign = (await redemptionsRepo.lockCampaign(tx, r.campaignId))!;
    const merchant = (await merchantsRepo.find(tx, r.merchantId))!;
    const acc = await campaignAccounts(tx, campaign);
    const wallet = await ledger.ensureWallet(tx, merchant.organisationId);
    const { transfer } = await ledger.transfer(tx, {
      debitAccountId: acc.voucher_issued,
      creditAccountId: acc.voucher_payable,
      amountFen: r.discountFen,
      kind: 'voucher_redeem',
      reference: `核销 ${r.redemptionNo}`,
      idempotencyKey: `voucher-redeem:${r.id}`,
      metadata: { redemptionId: r.id, voucherId: r.voucherId, merchantId: r.merchantId },
    });
    await ledger.transfer(tx, {
      debitAccountId: await ledger.platformAccount('gateway_clearing'),
      creditAccountId: wallet.availableId,
      amountFen: r.payFen,
      kind: 'voucher_payment',
      reference: `消费券订单 ${r.redemptionNo}`,
      idempotencyKey: `voucher-payment:${r.id}`,
      metadata: { redemptionId: r.id, tradeNo: notice.tradeNo },
    });
    await redemptionsRepo.updateRedemption(tx, r.id, { status: 'paid', paidAt: now, discountTransferId: transfer.id });
    await recordAudit(tx, {
      actorUserId: null,
      action: 'vouchers.redemption_paid',
      targetType: 'voucher_redemption',
      targetId: r.redemptionNo,
      organisationId: merchant.organisationId,
      before: { status: r.status },
      after: { status: 'paid', billFen: r.billFen, discountFen: r.discountFen, payFen: r.payFen, tradeNo: notice.tradeNo },
    });
    const { push } = await messages.sendToOrganisation(
      merchant.organisationId,
      {
        title: '消费券订单已付款',
        body: `订单 ${r.redemptionNo}：消费 ${formatFen(r.billFen)}，消费券抵扣 ${formatFen(r.discountFen)}，顾客实付 ${formatFen(r.payFen)}。`,
        link: '/vouchers/merchant',
        category: 'vouchers',
      },
      tx,
    );
    const figures = deps.figuresChanged;
    return { outcome: 'credited', push: async () => void (await Promise.all([push(), figures?.(r.campaignId)])) };
  }

  deps.recharges.onNotices(REDEMPTION_PREFIX, handleNotice);

  return {
    handleNotice,

    /** 付款码: a new single-use code of the signed-in resident, live for 60 seconds, with its QR image. */
    async issueCode(actor: Actor | null) {
      const a = requireActor(actor);
      await rateLimiter.consume(CODE_RULE, a.userId, '刷新付款码太频繁，请稍后再试');
      const now = clock.now();
      for (let i = 0; i < 5; i++) {
        const row = await redemptionsRepo.insertCode(db, { userId: a.userId, digits: makePaymentCodeDigits(), expiresAt: codeExpiry(now), createdAt: now });
        if (!row) continue; // the digits collided with an older code: draw again
        const qrSvg = await QRCode.toString(row.digits, { type: 'svg', errorCorrectionLevel: 'M', margin: 1 });
        return {
          id: row.id,
          digits: row.digits,
          qrSvg,
          expiresAt: row.expiresAt.toISOString(),
          secondsLeft: secondsLeft(row.expiresAt, now),
          serverNow: now.toISOString(),
        };
      }
      throw new AppError('INTERNAL', '生成付款码失败，请重试');
    },

    /** The resident's page polls its code: live, expired, or used (with the redemption to pay). */
    async codeStatus(actor: Actor | null, id: string) {
      const a = requireActor(actor);
      const code = isUuid(id) ? await redemptionsRepo.findCodeOfUser(db, id, a.userId) : undefined;
      if (!code) throw new AppError('NOT_FOUND', '付款码不存在');
      const now = clock.now();
      const v = codeVerdict(code, now);
      const r = code.usedAt ? await redemptionsRepo.findRedemptionByCode(db, code.id) : undefined;
      return {
        id: code.id,
        state: v.ok ? ('live' as const) : v.reason,
        expiresAt: code.expiresAt.toISOString(),
        secondsLeft: secondsLeft(code.expiresAt, now),
        redemptionId: r?.id ?? null,
      };
    },

    /** The console's preview: which coupon applies to the bill and what the resident pays. Does not use the code. */
    async quote(actor: Actor | null, raw: unknown) {
      const input = parseInput(RedemptionInput, raw);
      const { org, rows } = await approvedEnrolments(actor);
      const code = await liveCode(db, org.organisationId, input.code);
      const q = await quoteFor(db, code.userId, rows, input.billFen);
      const campaigns = await campaignNames(db, q.coupon ? [q.coupon.campaignId] : []);
      return {
        billFen: input.billFen,
        discountFen: q.coupon?.discountFen ?? 0,
        payFen: q.coupon ? payableFen(input.billFen, q.coupon.discountFen) : input.billFen,
        coupon: q.coupon
          ? {
              id: q.coupon.id,
              campaignId: q.coupon.campaignId,
              campaignName: campaigns.get(q.coupon.campaignId)?.name ?? '',
              categoryCode: q.coupon.categoryCode,
              categoryName: q.coupon.categoryName,
              thresholdFen: q.coupon.thresholdFen,
              discountFen: q.coupon.discountFen,
              validUntil: q.coupon.validUntil.toISOString(),
            }
          : null,
        reason: q.reason,
      };
    },

    /**
     * 核销: the merchant creates the redemption with the best coupon; the code is used up. The
     * resident then confirms and pays bill − discount. A coupon has at most one live redemption
     * (partial unique index): of concurrent attempts on one coupon exactly one succeeds.
     */
    async create(actor: Actor | null, raw: unknown) {
      const input = parseInput(RedemptionInput, raw);
      const { org, rows } = await approvedEnrolments(actor);
      const a = requireActor(actor);
      await liveCode(db, org.organisationId, input.code);
      let push: Push = async () => undefined;
      const row = await db.transaction(async (tx) => {
        const now = clock.now();
        const code = await redemptionsRepo.findCodeByDigits(tx, input.code);
        if (!code || !(await redemptionsRepo.useCode(tx, code.id, now))) {
          const again = code && codeVerdict(code, now);
          if (again && !again.ok && again.reason === 'expired') throw new AppError('VOUCHER_CODE_EXPIRED', '付款码已过期，请让顾客刷新付款码');
          throw new AppError('VOUCHER_CODE_USED', '该付款码已使用，请让顾客刷新付款码');
        }
        const q = await quoteFor(tx, code.userId, rows, input.billFen);
        if (!q.coupon || !q.merchant) throw new AppError('VOUCHER_NONE_APPLICABLE', q.reason ?? '没有可用的消费券');
        await redemptionsRepo.cancelStaleOfCoupon(tx, q.coupon.id, new Date(now.getTime() - REDEMPTION_PAY_WINDOW_MS));
        const r = await redemptionsRepo.insertRedemption(tx, {
          redemptionNo: makeOrderNo(REDEMPTION_PREFIX, now),
          campaignId: q.coupon.campaignId,
          voucherId: q.coupon.id,
          merchantId: q.merchant.id,
          userId: code.userId,
          paymentCodeId: code.id,
          billFen: input.billFen,
          discountFen: q.coupon.discountFen,
          payFen: payableFen(input.billFen, q.coupon.discountFen),
          createdAt: now,
        });
        if (!r) throw new AppError('VOUCHER_ALREADY_USED', '该消费券正在其他订单中使用，请稍后再试');
        await recordAudit(tx, {
          actorUserId: a.userId,
          action: 'vouchers.redemption_created',
          targetType: 'voucher_redemption',
          targetId: r.redemptionNo,
          organisationId: org.organisationId,
          after: { billFen: r.billFen, discountFen: r.discountFen, payFen: r.payFen, voucherId: r.voucherId },
        });
        push = (
          await messages.send(
            {
              userId: code.userId,
              title: '请确认消费券付款',
              body: `${q.merchant.name}：消费 ${formatFen(r.billFen)}，消费券抵扣 ${formatFen(r.discountFen)}，需支付 ${formatFen(r.payFen)}。`,
              link: `/vouchers/pay/${r.id}`,
              category: 'vouchers',
            },
            tx,
          )
        ).push;
        return r;
      });
      await push().catch(() => undefined);
      return (await views(db, [row]))[0]!;
    },

    /** A redemption as its merchant or its resident sees it. */
    async get(actor: Actor | null, id: string) {
      return (await views(db, [await visibleRedemption(actor, id)]))[0]!;
    },

    /** The resident confirms and pays bill − discount on the gateway's WeChat-like page. */
    async pay(actor: Actor | null, id: string, ctx: { origin?: string } = {}) {
      const a = requireActor(actor);
      const r = isUuid(id) ? await redemptionsRepo.findRedemption(db, id) : undefined;
      if (!r || r.userId !== a.userId) throw new AppError('NOT_FOUND', '核销记录不存在');
      if (r.mallOrderId) throw new AppError('VOUCHER_REDEMPTION_STATE', '商城订单的消费券随订单支付，请在商城订单中付款');
      if (r.status !== 'awaiting_payment' || isStale(r, clock.now()))
        throw new AppError('VOUCHER_REDEMPTION_STATE', r.status === 'paid' ? '该订单已付款' : '该订单已取消，请重新出示付款码');
      const { redirectUrl } = await gateway.createPayment({
        orderNo: r.redemptionNo,
        amountFen: r.payFen,
        bankCode: PERSONAL_PAY.code,
        returnUrl: `${publicOrigin(ctx.origin)}/vouchers/pay/${r.id}`,
        notifyUrl: `${publicOrigin()}/api/v1/payments/notify`,
      });
      return { redemption: (await views(db, [r]))[0]!, redirectUrl };
    },

    /** The resident declines (or the merchant voids) an unpaid redemption: the coupon is free again. */
    async cancel(actor: Actor | null, id: string) {
      const seen = await visibleRedemption(actor, id);
      const row = await db.transaction(async (tx) => {
        const r = (await redemptionsRepo.lockRedemption(tx, seen.id))!;
        if (r.mallOrderId) throw new AppError('VOUCHER_REDEMPTION_STATE', '商城订单的消费券随订单取消而释放，请在商城订单中取消');
        const next = redemptionTransition(r.status, 'cancel');
        if (!next) throw new AppError('VOUCHER_REDEMPTION_STATE', `订单${REDEMPTION_STATUS_LABELS[r.status]}，不能取消`);
        return redemptionsRepo.updateRedemption(tx, r.id, { status: next });
      });
      return (await views(db, [row]))[0]!;
    },

    /**
     * 退款 (merchant): the amount the resident paid goes back; the coupon stays used and its discount
     * returns to the campaign's pool (from payable, or from the merchant's wallet if already settled).
     */
    async refund(actor: Actor | null, id: string) {
      const a = requireActor(actor);
      const seen = isUuid(id) ? await redemptionsRepo.findRedemption(db, id) : undefined;
      const m = seen && (await merchantsRepo.find(db, seen.merchantId));
      if (!seen || !m || !can(a, 'organisation.view', { organisationId: m.organisationId })) throw new AppError('NOT_FOUND', '核销记录不存在');
      authorize(a, 'payments.make', { organisationId: m.organisationId });
      let push: Push = async () => undefined;
      const row = await db.transaction(async (tx) => {
        const r = (await redemptionsRepo.lockRedemption(tx, seen.id))!;
        if (r.mallOrderId) throw new AppError('VOUCHER_REDEMPTION_STATE', '商城订单请在商城订单中办理退款');
        const next = redemptionTransition(r.status, 'refund');
        if (!next) throw new AppError('VOUCHER_REDEMPTION_STATE', `订单${REDEMPTION_STATUS_LABELS[r.status]}，不能退款`);
        const campaign = (await redemptionsRepo.lockCampaign(tx, r.campaignId))!;
        const acc = await campaignAccounts(tx, campaign);
        const wallet = await ledger.ensureWallet(tx, m.organisationId);
        try {
          await ledger.transfer(tx, {
            debitAccountId: wallet.availableId,
            creditAccountId: await ledger.platformAccount('gateway_clearing'),
            amountFen: r.payFen,
            kind: 'voucher_payment_refund',
            reference: `消费券订单退款 ${r.redemptionNo}`,
            idempotencyKey: `voucher-payment-refund:${r.id}`,
            metadata: { redemptionId: r.id },
          });
          await ledger.transfer(tx, {
            debitAccountId: r.settlementId ? wallet.availableId : acc.voucher_payable,
            creditAccountId: acc.voucher_pool,
            amountFen: r.discountFen,
            kind: 'voucher_refund',
            reference: `消费券退货 ${r.redemptionNo}`,
            idempotencyKey: `voucher-refund:${r.id}`,
            metadata: { redemptionId: r.id, voucherId: r.voucherId },
          });
        } catch (e) {
          if (e instanceof AppError && e.code === 'INSUFFICIENT_FUNDS') throw new AppError('INSUFFICIENT_FUNDS', '商户账户余额不足，无法退款，请先充值');
          throw e;
        }
        const done = await redemptionsRepo.updateRedemption(tx, r.id, { status: next, refundedAt: clock.now() });
        await recordAudit(tx, {
          actorUserId: a.userId,
          action: 'vouchers.redemption_refunded',
          targetType: 'voucher_redemption',
          targetId: r.redemptionNo,
          organisationId: m.organisationId,
          before: { status: r.status },
          after: { status: next, payFen: r.payFen, discountFen: r.discountFen },
        });
        push = (
          await messages.send(
            {
              userId: r.userId,
              title: '消费券订单已退款',
              body: `${m.name} 已退还您实付的 ${formatFen(r.payFen)}；按活动规则，已使用的消费券不退回（其金额退回资金池）。`,
              link: `/vouchers/pay/${r.id}`,
              category: 'vouchers',
            },
            tx,
          )
        ).push;
        return done;
      });
      await push().catch(() => undefined);
      await deps.figuresChanged?.(row.campaignId);
      return (await views(db, [row]))[0]!;
    },

    /** The acting merchant's redemptions (every campaign, or one), newest first. */
    async listForMerchant(actor: Actor | null, raw: unknown) {
      const q = parseInput(RedemptionListQuery, raw);
      const org = authorizeActing(actor, 'organisation.view', ['merchant']);
      const enrolments = (await merchantsRepo.listOfOrganisation(db, org.organisationId)).filter((m) => !q.campaignId || m.campaignId === q.campaignId);
      const { rows, total } = await redemptionsRepo.pageOfMerchants(
        db,
        enrolments.map((m) => m.id),
        { status: q.status },
        { limit: q.pageSize, offset: pageOffset(q) },
      );
      return { items: await views(db, rows), total, page: q.page, pageSize: q.pageSize };
    },

    /** 对账单: the merchant's totals in one campaign and its settlement, if any. */
    async statement(actor: Actor | null, raw: unknown) {
      const q = parseInput(StatementQuery, raw);
      const org = authorizeActing(actor, 'organisation.view', ['merchant']);
      const m = await merchantsRepo.findOfOrganisation(db, q.campaignId, org.organisationId);
      if (!m) throw new AppError('NOT_FOUND', '您未参加该活动');
      const campaign = (await merchantsRepo.findCampaign(db, m.campaignId))!;
      const totals = (await redemptionsRepo.paidTotalsByMerchant(db, m.campaignId)).find((t) => t.merchantId === m.id);
      const s = await redemptionsRepo.settlementOfMerchant(db, m.id);
      return {
        campaignId: campaign.id,
        campaignName: campaign.name,
        validUntil: campaign.validUntil.toISOString(),
        merchantId: m.id,
        merchantName: m.name,
        redemptions: totals?.redemptions ?? 0,
        discountFen: totals?.discountFen ?? 0,
        billFen: totals?.billFen ?? 0,
        settlement: s ? { redemptions: s.redemptions, discountFen: s.discountFen, billFen: s.billFen, settledAt: s.createdAt.toISOString() } : null,
      };
    },

    /** 结算 overview: per approved merchant the redemptions, discount owed and order totals. */
    async settlement(actor: Actor | null, campaignId: string, q: DbOrTx = db) {
      const campaign = isUuid(campaignId) ? await merchantsRepo.findCampaign(q, campaignId) : undefined;
      if (!campaign || !can(actor, 'organisation.view', { organisationId: campaign.bureauId })) throw new AppError('NOT_FOUND', '活动不存在');
      const merchants = await merchantsRepo.approvedOfCampaign(q, campaign.id);
      const settled = new Map((await redemptionsRepo.settlementsOf(q, campaign.id)).map((s) => [s.merchantId, s]));
      const open = new Map((await redemptionsRepo.paidTotalsByMerchant(q, campaign.id)).map((t) => [t.merchantId, t]));
      const lines = merchants.map((m) => {
        const s = settled.get(m.id);
        const t = s
          ? { redemptions: s.redemptions, discountFen: s.discountFen, billFen: s.billFen }
          : (open.get(m.id) ?? { redemptions: 0, discountFen: 0, billFen: 0 });
        return {
          merchantId: m.id,
          merchantName: m.name,
          merchantNo: m.merchantNo,
          regionName: townshipName(m.regionCode),
          categoryName: merchantCategoryName(m.category),
          redemptions: t.redemptions,
          discountFen: t.discountFen,
          billFen: t.billFen,
          settled: Boolean(s),
          settledAt: s?.createdAt.toISOString() ?? null,
        };
      });
      const sum = (k: 'redemptions' | 'discountFen' | 'billFen') => lines.reduce((n, l) => n + l[k], 0);
      const remainder =
        campaign.status === 'settled' ? await ledger.netOfKinds(q, (await campaignAccounts(q, campaign)).voucher_pool, ['voucher_remainder']) : null;
      return {
        campaignId: campaign.id,
        campaignName: campaign.name,
        validUntil: campaign.validUntil.toISOString(),
        due: campaign.validUntil.getTime() <= clock.now().getTime(),
        settled: campaign.status === 'settled',
        settledAt: campaign.settledAt?.toISOString() ?? null,
        lines,
        totals: { redemptions: sum('redemptions'), discountFen: sum('discountFen'), billFen: sum('billFen') },
        remainderFen: remainder === null ? null : -Number(remainder),
      };
    },

    /**
     * 结算 (the bureau, after the validity end): per approved merchant one transfer payable → its
     * wallet and a settlement row, then the pool's remainder back to the bureau. Idempotent: running
     * it again moves nothing and answers the same report.
     */
    async settle(actor: Actor | null, campaignId: string) {
      const a = requireActor(actor);
      const found = isUuid(campaignId) ? await merchantsRepo.findCampaign(db, campaignId) : undefined;
      if (!found || !can(a, 'organisation.view', { organisationId: found.bureauId })) throw new AppError('NOT_FOUND', '活动不存在');
      authorize(a, 'payments.make', { organisationId: found.bureauId });
      const pushes: Push[] = [];
      await db.transaction(async (tx) => {
        const c = (await redemptionsRepo.lockCampaign(tx, found.id))!;
        if (c.status === 'settled') return;
        if (c.validUntil.getTime() > clock.now().getTime())
          throw new AppError('VOUCHER_SETTLEMENT_NOT_DUE', `消费券有效期至 ${formatDateTime(c.validUntil)}，到期后才能结算`);
        if (c.status !== 'funded') throw new AppError('VOUCHER_CAMPAIGN_NOT_FUNDED', '活动未拨付资金，无法结算');
        if ((await redemptionsRepo.unusedCount(tx, c.id)) > 0)
          throw new AppError('VOUCHER_SETTLEMENT_NOT_DUE', '仍有未使用的消费券尚未完成过期处理，请稍后再结算');
        await redemptionsRepo.cancelAwaitingOfCampaign(tx, c.id);
        const acc = await campaignAccounts(tx, c);
        const owed = new Map((await redemptionsRepo.paidTotalsByMerchant(tx, c.id)).map((t) => [t.merchantId, t]));
        for (const m of await merchantsRepo.approvedOfCampaign(tx, c.id)) {
          const t = owed.get(m.id) ?? { redemptions: 0, discountFen: 0, billFen: 0 };
          let transferId: string | null = null;
          if (t.discountFen > 0) {
            const wallet = await ledger.ensureWallet(tx, m.organisationId);
            const { transfer } = await ledger.transfer(tx, {
              debitAccountId: acc.voucher_payable,
              creditAccountId: wallet.availableId,
              amountFen: t.discountFen,
              kind: 'voucher_settle',
              reference: `消费券结算 ${c.name}`,
              idempotencyKey: `voucher-settle:${c.id}:${m.id}`,
              metadata: { campaignId: c.id, merchantId: m.id, redemptions: t.redemptions },
            });
            transferId = transfer.id;
          }
          const s = await redemptionsRepo.insertSettlement(tx, {
            campaignId: c.id,
            merchantId: m.id,
            redemptions: t.redemptions,
            discountFen: t.discountFen,
            billFen: t.billFen,
            transferId,
            createdBy: a.userId,
            createdAt: clock.now(),
          });
          if (!s) continue;
          await redemptionsRepo.markSettled(tx, c.id, m.id, s.id);
          if (t.discountFen > 0)
            pushes.push(
              (
                await messages.sendToOrganisation(
                  m.organisationId,
                  {
                    title: '消费券结算款已到账',
                    body: `「${c.name}」结算：核销 ${t.redemptions} 笔，消费券抵扣 ${formatFen(t.discountFen)} 已转入您的资金账户。`,
                    link: '/vouchers/merchant',
                    category: 'vouchers',
                  },
                  tx,
                )
              ).push,
            );
        }
        const bureau = await ledger.ensureWallet(tx, c.bureauId);
        const remainder = await ledger.balanceOf(tx, acc.voucher_pool);
        if (remainder > 0)
          await ledger.transfer(tx, {
            debitAccountId: acc.voucher_pool,
            creditAccountId: bureau.availableId,
            amountFen: remainder,
            kind: 'voucher_remainder',
            reference: `消费券结余退回 ${c.name}`,
            idempotencyKey: `voucher-remainder:${c.id}`,
            metadata: { campaignId: c.id },
          });
        await redemptionsRepo.markCampaignSettled(tx, c.id, clock.now());
        await recordAudit(tx, {
          actorUserId: a.userId,
          action: 'vouchers.campaign_settled',
          targetType: 'voucher_campaign',
          targetId: c.id,
          organisationId: c.bureauId,
          before: { status: c.status },
          after: { status: 'settled', remainderFen: remainder },
        });
      });
      for (const p of pushes) await p().catch(() => undefined);
      return this.settlement(actor, found.id);
    },

    /** The settlement report (XLSX): one row per merchant and one per redemption; totals equal the sum of the redemptions. */
    async settlementReport(actor: Actor | null, campaignId: string) {
      const s = await this.settlement(actor, campaignId);
      const paid = await redemptionsRepo.paidOfCampaign(db, s.campaignId);
      const names = new Map(s.lines.map((l) => [l.merchantId, l.merchantName]));
      const yuan = (f: number) => Number((f / 100).toFixed(2));
      const bytes = await toXlsx([
        {
          name: '商户结算',
          columns: ['商户名称', '商户编号', '所在街镇', '经营类别', '核销笔数', '消费券抵扣（元）', '订单金额（元）', '结算状态'],
          rows: [
            ...s.lines.map((l) => [
              l.merchantName,
              l.merchantNo,
              l.regionName,
              l.categoryName,
              l.redemptions,
              yuan(l.discountFen),
              yuan(l.billFen),
              l.settled ? '已结算' : '未结算',
            ]),
            ['合计', '', '', '', s.totals.redemptions, yuan(s.totals.discountFen), yuan(s.totals.billFen), ''],
          ],
          widths: [30, 18, 12, 10, 10, 16, 16, 10],
          textColumns: [1],
        },
        {
          name: '核销明细',
          columns: ['核销单号', '商户名称', '付款时间', '消费金额（元）', '消费券抵扣（元）', '顾客实付（元）'],
          rows: paid.map((r) => [
            r.redemptionNo,
            names.get(r.merchantId) ?? '',
            r.paidAt ? formatDateTimeSeconds(r.paidAt) : '',
            yuan(r.billFen),
            yuan(r.discountFen),
            yuan(r.payFen),
          ]),
          widths: [26, 30, 26, 14, 16, 14],
          textColumns: [0],
        },
      ]);
      return { filename: `消费券结算报表-${s.campaignName}.xlsx`, contentType: XLSX_TYPE, bytes };
    },
  };
}

export type RedemptionService = ReturnType<typeof createRedemptionService>;
