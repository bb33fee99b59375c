import { and, eq, inArray } from 'drizzle-orm';
import type { DbOrTx, Tx } from '../../db/client';
import { voucherRedemptions } from '../../db/schema';
import { recordAudit } from '../audit/audit';
import type { MallCoupon, MallCouponPort } from '../mall/orders.core';
import type { Clock } from '../shared/clock';
import type { Ledger } from '../wallet/ledger.service';
import { makeOrderNo } from '../wallet/recharge.machine';
import { merchantsRepo } from './merchants.repo';
import { chooseAcrossEnrolments, payableFen, REDEMPTION_PAY_WINDOW_MS } from './redemptions.machine';
import { redemptionsRepo } from './redemptions.repo';
import { CAMPAIGN_ACCOUNT_KINDS } from './vouchers.constants';

/** Redemption numbers of mall orders' coupons (never sent to the gateway: the mall order is paid). */
const MALL_REDEMPTION_PREFIX = 'VM';

/**
 * Government vouchers at the mall's checkout (消费帮扶馆 merchants enrolled in a campaign): the
 * vouchers side of the mall's MallCouponPort. A mall order's coupon is a voucher redemption with
 * `mall_order_id` set: one live redemption per coupon (the partial unique index) makes one order of
 * concurrent ones win; settlement, the console and the budget identity count it as any other.
 */
export function createMallCoupons(deps: {
  clock: Clock;
  ledger: Ledger;
  /** After a mall order's coupon is paid or refunded (committed): the bureau's live console figures. */
  figuresChanged?: (campaignId: string) => Promise<void>;
}): MallCouponPort {
  const { clock, ledger } = deps;
  const figuresOf = (campaignId: string) => async () => void (await deps.figuresChanged?.(campaignId));

  /**
   * Whether the coupon a redemption holds may still be used at `now`: the redemption still waits for
   * the order's payment, the coupon is unused and within its validity, and its campaign is funded and
   * not past its end. The one rule for the payment refusal and the payment notice.
   */
  const stillValid = (
    r: { status: string },
    coupon: { status: string; validUntil: Date } | undefined,
    campaign: { status: string; validUntil: Date } | undefined,
    now: Date,
  ) =>
    r.status === 'awaiting_payment' &&
    coupon?.status === 'unused' &&
    coupon.validUntil.getTime() > now.getTime() &&
    campaign?.status === 'funded' &&
    campaign.validUntil.getTime() > now.getTime();

  async function bestFor(q: DbOrTx, userId: string, merchantOrgId: string, billFen: number) {
    const enrolments = (await merchantsRepo.listOfOrganisation(q, merchantOrgId)).filter((m) => m.status === 'approved');
    if (!enrolments.length) return null;
    const now = clock.now();
    const coupons = await redemptionsRepo.candidateCoupons(
      q,
      userId,
      enrolments.map((m) => m.campaignId),
      now,
      new Date(now.getTime() - REDEMPTION_PAY_WINDOW_MS),
    );
    const { coupon: best, merchant } = chooseAcrossEnrolments(coupons, enrolments, billFen, now);
    if (!best || !merchant) return null;
    const [campaign] = await redemptionsRepo.campaignsByIds(q, [best.campaignId]);
    const coupon: MallCoupon = {
      id: best.id,
      campaignName: campaign?.name ?? '',
      categoryName: best.categoryName,
      thresholdFen: best.thresholdFen,
      discountFen: best.discountFen,
      validUntil: best.validUntil,
    };
    return { coupon, merchant, campaignId: best.campaignId };
  }

  const liveOfOrder = async (tx: Tx, orderId: string) => {
    const [r] = await tx.select().from(voucherRedemptions).where(eq(voucherRedemptions.mallOrderId, orderId)).for('update');
    return r;
  };
  const campaignAccounts = async (tx: Tx, campaignId: string) => {
    const c = (await redemptionsRepo.lockCampaign(tx, campaignId))!;
    return ledger.ensureSubjectAccounts(tx, c.bureauId, c.id, CAMPAIGN_ACCOUNT_KINDS);
  };

  return {
    best: async (q, userId, merchantOrgId, billFen) => (await bestFor(q, userId, merchantOrgId, billFen))?.coupon ?? null,

    async reserve(tx, o) {
      const b = await bestFor(tx, o.buyerUserId, o.merchantId, o.totalFen);
      if (!b) return null;
      const now = clock.now();
      const r = await redemptionsRepo.insertRedemption(tx, {
        redemptionNo: makeOrderNo(MALL_REDEMPTION_PREFIX, now),
        campaignId: b.campaignId,
        voucherId: b.coupon.id,
        merchantId: b.merchant.id,
        userId: o.buyerUserId,
        mallOrderId: o.id,
        billFen: o.totalFen,
        discountFen: b.coupon.discountFen,
        payFen: payableFen(o.totalFen, b.coupon.discountFen),
        createdAt: now,
      });
      // Another order (or an in-store redemption) holds it: this order goes without.
      return r ? b.coupon : null;
    },

    async paid(tx, orderId) {
      const r = await liveOfOrder(tx, orderId);
      if (!r) return null;
      const now = clock.now();
      // Locked first (as every campaign write does), so settlement cannot pass between the check and the use.
      const campaign = await redemptionsRepo.lockCampaign(tx, r.campaignId);
      const coupon = await redemptionsRepo.findCoupon(tx, r.voucherId);
      // No longer valid (expired, campaign ended or settled): nothing is used, nothing is owed; the
      // redemption keeps holding the order's coupon until the buyer drops it or the order closes.
      if (!stillValid(r, coupon, campaign, now) || !(await redemptionsRepo.useCoupon(tx, r.voucherId, now))) return null;
      const acc = await ledger.ensureSubjectAccounts(tx, campaign!.bureauId, campaign!.id, CAMPAIGN_ACCOUNT_KINDS);
      const { transfer } = await ledger.transfer(tx, {
        debitAccountId: acc.voucher_issued,
        creditAccountId: acc.voucher_payable,
        amountFen: r.discountFen,
        kind: 'voucher_redeem',
        reference: `商城订单核销 ${r.redemptionNo}`,
        idempotencyKey: `voucher-redeem:${r.id}`,
        metadata: { redemptionId: r.id, voucherId: r.voucherId, merchantId: r.merchantId, mallOrderId: orderId },
      });
      await redemptionsRepo.updateRedemption(tx, r.id, { status: 'paid', paidAt: now, discountTransferId: transfer.id });
      await recordAudit(tx, {
        actorUserId: null,
        action: 'vouchers.redemption_paid',
        targetType: 'voucher_redemption',
        targetId: r.redemptionNo,
        organisationId: null,
        after: { status: 'paid', billFen: r.billFen, discountFen: r.discountFen, payFen: r.payFen, mallOrderId: orderId },
      });
      return figuresOf(r.campaignId);
    },

    async unusable(q, orderIds) {
      const out = new Set<string>();
      if (!orderIds.length) return out;
      const rows = await q.select().from(voucherRedemptions).where(inArray(voucherRedemptions.mallOrderId, orderIds));
      const campaigns = new Map((await redemptionsRepo.campaignsByIds(q, [...new Set(rows.map((r) => r.campaignId))])).map((c) => [c.id, c]));
      const now = clock.now();
      for (const id of orderIds) {
        // The order's one live redemption (the partial unique index), else its latest (cancelled by settlement).
        const mine = rows.filter((r) => r.mallOrderId === id);
        const r = mine.find((x) => x.status === 'awaiting_payment') ?? mine[0];
        if (!r) {
          out.add(id);
          continue;
        }
        if (!stillValid(r, await redemptionsRepo.findCoupon(q, r.voucherId), campaigns.get(r.campaignId), now)) out.add(id);
      }
      return out;
    },

    async release(tx, orderId) {
      const r = await liveOfOrder(tx, orderId);
      if (r?.status === 'awaiting_payment') await redemptionsRepo.updateRedemption(tx, r.id, { status: 'cancelled' });
    },

    async refunded(tx, orderId) {
      const r = await liveOfOrder(tx, orderId);
      if (!r || r.status !== 'paid') return null;
      const acc = await campaignAccounts(tx, r.campaignId);
      const m = r.settlementId ? await merchantsRepo.find(tx, r.merchantId) : undefined;
      // 退货不返回消费券，退回资金池: the coupon stays used; its value goes back to the pool (from the
      // merchant's wallet when the campaign already paid it).
      await ledger.transfer(tx, {
        debitAccountId: m ? (await ledger.ensureWallet(tx, m.organisationId)).availableId : acc.voucher_payable,
        creditAccountId: acc.voucher_pool,
        amountFen: r.discountFen,
        kind: 'voucher_refund',
        reference: `商城订单退货 ${r.redemptionNo}`,
        idempotencyKey: `voucher-refund:${r.id}`,
        metadata: { redemptionId: r.id, voucherId: r.voucherId, mallOrderId: orderId },
      });
      await redemptionsRepo.updateRedemption(tx, r.id, { status: 'refunded', refundedAt: clock.now() });
      return figuresOf(r.campaignId);
    },

    async ofOrders(q, orderIds) {
      const out = new Map<string, MallCoupon>();
      if (!orderIds.length) return out;
      const rows = await q
        .select()
        .from(voucherRedemptions)
        .where(and(inArray(voucherRedemptions.mallOrderId, orderIds), inArray(voucherRedemptions.status, ['awaiting_payment', 'paid', 'refunded'])));
      const campaigns = new Map((await redemptionsRepo.campaignsByIds(q, [...new Set(rows.map((r) => r.campaignId))])).map((c) => [c.id, c]));
      const cats = new Map((await redemptionsRepo.categoriesOf(q, [...campaigns.keys()])).map((c) => [`${c.campaignId}:${c.code}`, c.name]));
      for (const r of rows) {
        const v = await redemptionsRepo.findCoupon(q, r.voucherId);
        if (!v || !r.mallOrderId) continue;
        out.set(r.mallOrderId, {
          id: v.id,
          campaignName: campaigns.get(r.campaignId)?.name ?? '',
          categoryName: cats.get(`${r.campaignId}:${v.categoryCode}`) ?? '消费券',
          thresholdFen: v.thresholdFen,
          discountFen: r.discountFen,
          validUntil: v.validUntil,
        });
      }
      return out;
    },
  };
}
