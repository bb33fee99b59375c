import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { voucherCampaigns, voucherRedemptions, vouchers } from '../../db/schema';
import { createTestPlatform, ManualClock } from '../testing/test-platform';
import { address, GATEWAY_SECRET, individual, merchant, product, signedNotice, unitBuyer } from '../testing/mall-factories';
import { enrolment, fundedCampaign, grant } from '../testing/vouchers-factories';
import type { Platform } from '../platform/platform';

let p: Platform;
const clock = new ManualClock(new Date('2026-12-03T02:00:00Z'));
beforeAll(async () => {
  p = await createTestPlatform({ clock, env: { SESSION_IDLE_MINUTES: String(30 * 24 * 60) } });
});
afterAll(() => p?.close());

const orders = () => p.services.orders;
const bal = (id: string) => p.services.ledger.balanceOf(p.db, id);
const notify = (orderNo: string, amountFen: number) => {
  const n = signedNotice(GATEWAY_SECRET, { orderNo, amountFen });
  return p.services.recharges.handleNotice(n.headers, n.raw);
};
const couponStatus = async (id: string) => (await p.db.select().from(vouchers).where(eq(vouchers.id, id)))[0]!.status;

type Campaign = Awaited<ReturnType<typeof fundedCampaign>>;

/** A mall merchant (消费帮扶馆) enrolled as 超市 (通用券 applies), with a ¥88 product. */
async function enrolledMallMerchant(c: Campaign) {
  const m = await merchant(p);
  const e = await p.services.voucherMerchants.enrol(m.actor, c.campaign.id, await enrolment(p, m.actor, { category: 'supermarket', regionCode: '500110001' }));
  await p.services.voucherMerchants.approve(c.bureau.actor, e.id);
  return { ...m, item: await product(p, m.org.id, { priceFen: 8_800, stock: 50 }) };
}

async function resident() {
  const r = await individual(p, null);
  return { ...r, addr: await address(p, r.actor.userId) };
}

describe('government vouchers at the mall checkout', () => {
  let c: Campaign;
  let shop: Awaited<ReturnType<typeof enrolledMallMerchant>>;
  beforeAll(async () => {
    c = await fundedCampaign(p, { budgetFen: 500_000 });
    shop = await enrolledMallMerchant(c);
  });

  it('applies the best coupon (one per order), the payable drops, paying marks it used and owes the merchant in settlement', async () => {
    const b = await resident();
    const small = await grant(p, c, b.actor.userId, 0); // 通用 满100减30
    const big = await grant(p, c, b.actor.userId, 1); // 通用 满150减50
    await grant(p, c, b.actor.userId, 2); // 餐饮: not for a 超市

    // 2 × ¥88 = ¥176: both general coupons apply, the larger discount wins.
    const preview = await orders().couponsFor(b.actor, [{ merchantId: shop.org.id, totalFen: 17_600 }]);
    expect(preview.get(shop.org.id)).toMatchObject({ id: big.id, discountFen: 5_000, thresholdFen: 15_000, campaignName: c.campaign.name });
    const [o] = (await orders().checkout(b.actor, { addressId: b.addr.id, items: [{ productId: shop.item.id, quantity: 2 }] })).orders;
    expect(o).toMatchObject({ totalFen: 17_600, couponDiscountFen: 5_000, payableFen: 12_600, coupon: { discountFen: 5_000, categoryName: '通用券' } });
    // Reserved, not used yet; the other coupon remains available.
    expect(await couponStatus(big.id)).toBe('unused');
    expect((await orders().couponsFor(b.actor, [{ merchantId: shop.org.id, totalFen: 17_600 }])).get(shop.org.id)?.id).toBe(small.id);

    const pay = await orders().pay(b.actor, { orderIds: [o!.id], method: 'personal_online' });
    expect(pay.payment.amountFen).toBe(12_600);
    await notify(pay.payment.paymentNo, 12_600);
    expect(await couponStatus(big.id)).toBe('used');
    expect(await bal(c.accounts.voucher_payable)).toBe(5_000);
    const s = await p.services.voucherRedemptions.settlement(c.bureau.actor, c.campaign.id);
    expect(s.lines.find((l) => l.merchantName === shop.org.fullName || l.discountFen > 0)).toMatchObject({
      redemptions: 1,
      discountFen: 5_000,
      billFen: 17_600,
    });

    // Without the coupon: the full price.
    const [plain] = (await orders().checkout(b.actor, { addressId: b.addr.id, items: [{ productId: shop.item.id, quantity: 2 }], useCoupon: false })).orders;
    expect(plain).toMatchObject({ couponDiscountFen: 0, payableFen: 17_600, coupon: null });
    expect(await p.services.ledger.check()).toMatchObject({ ok: true });
  });

  it('concurrent checkouts with one coupon: exactly one order gets it', async () => {
    const b = await resident();
    const only = await grant(p, c, b.actor.userId, 0);
    const placed = await Promise.all(
      [0, 1, 2].map(() => orders().checkout(b.actor, { addressId: b.addr.id, items: [{ productId: shop.item.id, quantity: 2 }] })),
    );
    const discounted = placed.flatMap((x) => x.orders).filter((o) => o.couponDiscountFen > 0);
    expect(discounted).toHaveLength(1);
    const live = await p.db.select().from(voucherRedemptions).where(eq(voucherRedemptions.voucherId, only.id));
    expect(live.filter((r) => r.status === 'awaiting_payment')).toHaveLength(1);
  });

  it('cancelling (or expiry of) an unpaid order releases the coupon', async () => {
    const b = await resident();
    const cp = await grant(p, c, b.actor.userId, 0);
    const [o] = (await orders().checkout(b.actor, { addressId: b.addr.id, items: [{ productId: shop.item.id, quantity: 2 }] })).orders;
    expect(o!.couponDiscountFen).toBe(3_000);
    await orders().cancel(b.actor, o!.id, { reason: '不想要了' });
    expect(await couponStatus(cp.id)).toBe('unused');
    const [again] = (await orders().checkout(b.actor, { addressId: b.addr.id, items: [{ productId: shop.item.id, quantity: 2 }] })).orders;
    expect(again!.couponDiscountFen).toBe(3_000);
    clock.advance(31 * 60_000);
    expect(await orders().expire(again!.id)).toBe(true);
    const [third] = (await orders().checkout(b.actor, { addressId: b.addr.id, items: [{ productId: shop.item.id, quantity: 2 }] })).orders;
    expect(third!.couponDiscountFen).toBe(3_000);
  });

  it('a refund after payment returns what was paid; the coupon stays used and its value goes back to the pool', async () => {
    const b = await resident();
    const cp = await grant(p, c, b.actor.userId, 0);
    const [o] = (await orders().checkout(b.actor, { addressId: b.addr.id, items: [{ productId: shop.item.id, quantity: 2 }] })).orders;
    const pay = await orders().pay(b.actor, { orderIds: [o!.id], method: 'personal_online' });
    await notify(pay.payment.paymentNo, 14_600);
    const pool = await bal(c.accounts.voucher_pool);
    const payable = await bal(c.accounts.voucher_payable);
    const issued = await bal(c.accounts.voucher_issued);
    const clearing = await bal(await p.services.ledger.platformAccount('gateway_clearing'));
    await orders().cancel(b.actor, o!.id, { reason: '买错了' });
    expect(await couponStatus(cp.id)).toBe('used');
    expect(await bal(c.accounts.voucher_pool)).toBe(pool + 3_000);
    expect(await bal(c.accounts.voucher_payable)).toBe(payable - 3_000);
    expect(await bal(await p.services.ledger.platformAccount('gateway_clearing'))).toBe(clearing + 14_600);
    // Budget identity: pool + issued + payable is unchanged by a refund.
    expect(pool + issued + payable).toBe(
      (await bal(c.accounts.voucher_pool)) + (await bal(c.accounts.voucher_issued)) + (await bal(c.accounts.voucher_payable)),
    );
    const [r] = await p.db.select().from(voucherRedemptions).where(eq(voucherRedemptions.mallOrderId, o!.id));
    expect(r!.status).toBe('refunded');
    expect(await p.services.ledger.check()).toMatchObject({ ok: true });
  });

  it('a unit buying for its unit uses no personal coupons', async () => {
    const unit = await unitBuyer(p);
    const addr = await address(p, unit.actor.userId);
    await grant(p, c, unit.actor.userId, 0);
    const [o] = (await orders().checkout(unit.actor, { addressId: addr.id, items: [{ productId: shop.item.id, quantity: 2 }] })).orders;
    expect(o!.couponDiscountFen).toBe(0);
  });
});

describe('a coupon that stops being valid between checkout and payment (docs/decisions/009)', () => {
  /** The campaign (and its coupons) end `seconds` from now, as the bureau's validity end or the dev time hook moves them. */
  async function endIn(c: Campaign, seconds: number) {
    const validUntil = new Date(clock.now().getTime() + seconds * 1000);
    await p.db.update(voucherCampaigns).set({ validUntil }).where(eq(voucherCampaigns.id, c.campaign.id));
    await p.db.update(vouchers).set({ validUntil }).where(eq(vouchers.campaignId, c.campaign.id));
  }
  const payable = (c: Campaign) => bal(c.accounts.voucher_payable);
  const figuresOf = (campaignId: string) => {
    const seen: unknown[] = [];
    const stop = p.publisher.subscribe((room, event, payload) => {
      if (event === 'vouchers:figures' && (payload as { campaignId?: string }).campaignId === campaignId) seen.push({ room, payload });
    });
    return { seen, stop };
  };

  it('paying after the coupon expired is refused with a clear message; paying without it charges the full price and owes the merchant nothing', async () => {
    const c = await fundedCampaign(p, { budgetFen: 500_000 });
    const shop = await enrolledMallMerchant(c);
    const b = await resident();
    const cp = await grant(p, c, b.actor.userId, 1); // 满150减50
    const [o] = (await orders().checkout(b.actor, { addressId: b.addr.id, items: [{ productId: shop.item.id, quantity: 2 }] })).orders;
    expect(o).toMatchObject({ totalFen: 17_600, couponDiscountFen: 5_000, payableFen: 12_600 });

    await endIn(c, 60);
    clock.advance(2 * 60_000);
    // Before the expiry job ran, and after it (the coupon's value back in the pool): the same refusal.
    for (const jobRan of [false, true]) {
      if (jobRan) await p.services.voucherGrabs.expireCampaign(c.campaign.id);
      const refused = await orders()
        .pay(b.actor, { orderIds: [o!.id], method: 'personal_online' })
        .catch((e: unknown) => e);
      expect(refused).toMatchObject({ code: 'VOUCHER_EXPIRED' });
      expect((refused as Error).message).toContain(`订单 ${o!.orderNo} 使用的消费券已过期`);
      expect((refused as Error).message).toContain('按原价 ¥176.00 付款');
    }
    expect(await orders().expiredCoupons(b.actor, [o!.id])).toEqual([o!.id]);
    // Another buyer asking about the order learns nothing.
    expect(await orders().expiredCoupons((await resident()).actor, [o!.id])).toEqual([]);

    const plain = await orders().removeCoupon(b.actor, o!.id);
    expect(plain).toMatchObject({ couponDiscountFen: 0, payableFen: 17_600, coupon: null });
    expect(await orders().expiredCoupons(b.actor, [o!.id])).toEqual([]);
    await expect(orders().removeCoupon(b.actor, o!.id)).rejects.toMatchObject({ code: 'ORDER_STATUS_FORBIDS' });

    const owedBefore = await payable(c);
    const pay = await orders().pay(b.actor, { orderIds: [o!.id], method: 'personal_online' });
    expect(pay.payment.amountFen).toBe(17_600);
    await notify(pay.payment.paymentNo, 17_600);
    expect((await orders().get(b.actor, o!.id)).status).toBe('paid');
    expect(await couponStatus(cp.id)).toBe('expired');
    expect(await payable(c)).toBe(owedBefore);
    const [r] = await p.db.select().from(voucherRedemptions).where(eq(voucherRedemptions.mallOrderId, o!.id));
    expect(r!.status).toBe('cancelled');
    expect((await p.services.voucherRedemptions.settlement(c.bureau.actor, c.campaign.id)).totals).toMatchObject({ redemptions: 0, discountFen: 0 });
    expect(await p.services.ledger.check()).toMatchObject({ ok: true });
  });

  it('a coupon expiring after 去支付 but before the payment arrives: the order is not paid, its money goes back, nothing is owed', async () => {
    const c = await fundedCampaign(p, { budgetFen: 500_000 });
    const shop = await enrolledMallMerchant(c);
    const b = await resident();
    const cp = await grant(p, c, b.actor.userId, 0); // 满100减30
    const [o] = (await orders().checkout(b.actor, { addressId: b.addr.id, items: [{ productId: shop.item.id, quantity: 2 }] })).orders;
    const pay = await orders().pay(b.actor, { orderIds: [o!.id], method: 'personal_online' });
    expect(pay.payment.amountFen).toBe(14_600);

    await endIn(c, 30);
    clock.advance(60_000);
    const clearing = await bal(await p.services.ledger.platformAccount('mall_clearing'));
    const owedBefore = await payable(c);
    const f = figuresOf(c.campaign.id);
    expect(await notify(pay.payment.paymentNo, 14_600)).toMatchObject({ outcome: 'credited' });
    f.stop();

    const after = await orders().get(b.actor, o!.id);
    expect(after).toMatchObject({ status: 'pending_payment', couponDiscountFen: 3_000 });
    expect(after.history.map((h) => h.type)).toContain('coupon_expired_payment_returned');
    expect(await couponStatus(cp.id)).toBe('unused'); // past validity: the expiry job turns it expired
    expect(await payable(c)).toBe(owedBefore);
    expect(await bal(await p.services.ledger.platformAccount('mall_clearing'))).toBe(clearing);
    expect(f.seen).toEqual([]);
    // The buyer is told, and may now pay the full price.
    await expect(orders().pay(b.actor, { orderIds: [o!.id], method: 'personal_online' })).rejects.toMatchObject({ code: 'VOUCHER_EXPIRED' });
    const plain = await orders().removeCoupon(b.actor, o!.id);
    expect(plain.payableFen).toBe(17_600);
    expect(await p.services.ledger.check()).toMatchObject({ ok: true });
  });

  it('paying and refunding a mall order with a coupon pushes the bureau live figures after commit', async () => {
    const c = await fundedCampaign(p, { budgetFen: 500_000 });
    const shop = await enrolledMallMerchant(c);
    const b = await resident();
    await grant(p, c, b.actor.userId, 0);
    const [o] = (await orders().checkout(b.actor, { addressId: b.addr.id, items: [{ productId: shop.item.id, quantity: 2 }] })).orders;
    const pay = await orders().pay(b.actor, { orderIds: [o!.id], method: 'personal_online' });

    const paid = figuresOf(c.campaign.id);
    await notify(pay.payment.paymentNo, 14_600);
    paid.stop();
    expect(paid.seen).toEqual([
      {
        room: expect.stringContaining(c.campaign.id),
        payload: expect.objectContaining({ campaignId: c.campaign.id, totals: expect.objectContaining({ redemptions: 1 }) }),
      },
    ]);

    const refunded = figuresOf(c.campaign.id);
    await orders().cancel(b.actor, o!.id, { reason: '买错了' });
    refunded.stop();
    expect(refunded.seen).toEqual([
      {
        room: expect.stringContaining(c.campaign.id),
        payload: expect.objectContaining({ campaignId: c.campaign.id, totals: expect.objectContaining({ redemptions: 0 }) }),
      },
    ]);
  });
});
