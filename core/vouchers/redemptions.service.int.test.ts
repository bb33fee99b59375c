import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import ExcelJS from 'exceljs';
import { siteMessages, voucherPaymentCodes, voucherRedemptions, vouchers } from '../../db/schema';
import { createTestPlatform, ManualClock } from '../testing/test-platform';
import { GATEWAY_SECRET, individual, merchant, signedNotice } from '../testing/mall-factories';
import { enrolment, fundedCampaign, grant } from '../testing/vouchers-factories';
import type { Platform } from '../platform/platform';
import type { Actor } from '../shared/actor';
import { AppError } from '../shared/app-error';
import { codeExpiry, isWellFormedCode, makePaymentCodeDigits } from './payment-codes';

let p: Platform;
const clock = new ManualClock(new Date('2026-12-03T02:00:00Z'));
beforeAll(async () => {
  p = await createTestPlatform({ clock, env: { SESSION_IDLE_MINUTES: String(30 * 24 * 60) } });
});
afterAll(() => p?.close());

const ms = () => p.services.voucherMerchants;
const rs = () => p.services.voucherRedemptions;
const ledger = () => p.services.ledger;
const bal = (id: string) => ledger().balanceOf(p.db, id);
const codeOf = async (fn: () => Promise<unknown>) => {
  try {
    await fn();
  } catch (e) {
    if (e instanceof AppError) return e.code;
    throw e;
  }
  return 'OK';
};
const notify = (orderNo: string, amountFen: number) => {
  const n = signedNotice(GATEWAY_SECRET, { orderNo, amountFen });
  return p.services.recharges.handleNotice(n.headers, n.raw);
};

type Campaign = Awaited<ReturnType<typeof fundedCampaign>>;

/** A merchant organisation enrolled and approved in the campaign. */
async function approvedMerchant(c: Campaign, category = 'dining', regionCode = '500110001', name?: string) {
  const m = await merchant(p, name ?? `綦江${Math.random().toString(36).slice(2, 6)}火锅店`, '500110');
  const e = await ms().enrol(m.actor, c.campaign.id, await enrolment(p, m.actor, { category, regionCode }));
  await ms().approve(c.bureau.actor, e.id);
  return { ...m, enrolmentId: e.id };
}

describe('merchant enrolment and review', () => {
  let c: Campaign;
  beforeAll(async () => {
    c = await fundedCampaign(p);
  });

  it('enrols a merchant with photo and verified card; the bureau approves with a site message; the public list shows only approved ones', async () => {
    const m = await merchant(p, '綦江区古南街道老灶火锅店', '500110');
    const form = await enrolment(p, m.actor);
    const e = await ms().enrol(m.actor, c.campaign.id, form);
    expect(e).toMatchObject({ status: 'pending', statusLabel: '待审核', regionName: '古南街道', categoryName: '餐饮' });
    expect(await codeOf(() => ms().enrol(m.actor, c.campaign.id, form))).toBe('VOUCHER_MERCHANT_ALREADY_ENROLLED');
    expect((await ms().listPublic(c.campaign.id, {})).total).toBe(0);

    // Only the campaign's bureau reviews.
    const other = await merchant(p);
    expect(await codeOf(() => ms().approve(other.actor, e.id))).toBe('NOT_FOUND');
    const ok = await ms().approve(c.bureau.actor, e.id);
    expect(ok.status).toBe('approved');
    const msgs = await p.db.select().from(siteMessages).where(eq(siteMessages.userId, m.actor.userId));
    expect(msgs.some((x) => x.title.includes('已通过'))).toBe(true);
    const list = await ms().listPublic(c.campaign.id, { keyword: '老灶' });
    expect(list.items.map((x) => x.name)).toEqual(['綦江区古南街道老灶火锅店']);
    expect(list.items[0]).not.toHaveProperty('contactMobile');
    expect((await ms().listPublic(c.campaign.id, { regionCode: '500110109' })).total).toBe(0);
    expect((await ms().listPublic(c.campaign.id, { category: 'supermarket' })).total).toBe(0);
    expect(await codeOf(() => ms().listPublic(c.campaign.id, { regionCode: '110101001' }))).toBe('VALIDATION');
  });

  it('refuses an unverified card and bad fields; a rejection carries its reason and allows a resubmission', async () => {
    const m = await merchant(p, '綦江区东溪镇百货商店', '500110');
    const form = await enrolment(p, m.actor, { category: 'department_store', regionCode: '500110109' });
    const err = await ms()
      .enrol(m.actor, c.campaign.id, { ...form, merchantNo: '12345', bankCardId: '00000000-0000-4000-8000-000000000000' })
      .catch((e: AppError) => e);
    expect(err).toMatchObject({ code: 'VALIDATION' });
    expect((err as AppError).fields).toHaveProperty('merchantNo');
    expect(await codeOf(() => ms().enrol(m.actor, c.campaign.id, { ...form, bankCardId: '00000000-0000-4000-8000-000000000000' }))).toBe('VALIDATION');
    const e = await ms().enrol(m.actor, c.campaign.id, form);
    expect(await codeOf(() => ms().reject(c.bureau.actor, e.id, { reason: '' }))).toBe('VALIDATION');
    const r = await ms().reject(c.bureau.actor, e.id, { reason: '门头照片不清晰' });
    expect(r).toMatchObject({ status: 'rejected', rejectReason: '门头照片不清晰' });
    const again = await ms().enrol(m.actor, c.campaign.id, form);
    expect(again).toMatchObject({ id: e.id, status: 'pending', rejectReason: null });
    const review = await ms().listForReview(c.bureau.actor, c.campaign.id, { status: 'pending' });
    expect(review.items.map((x) => x.id)).toContain(e.id);
  });
});

describe('payment codes and redemption', () => {
  let c: Campaign;
  let shop: Awaited<ReturnType<typeof approvedMerchant>>;
  let resident: { actor: Actor };
  beforeAll(async () => {
    c = await fundedCampaign(p);
    shop = await approvedMerchant(c);
    resident = await individual(p, null);
  });

  it('issues 18-digit single-use codes; forged, unknown, used, expired codes are refused with their reason', async () => {
    const code = await rs().issueCode(resident.actor);
    expect(code.digits).toMatch(/^\d{18}$/);
    expect(isWellFormedCode(code.digits)).toBe(true);
    expect(code.qrSvg).toContain('<svg');
    expect(code.secondsLeft).toBe(60);
    await grant(p, c, resident.actor.userId, 2); // dining 满100减30

    const forged = code.digits.slice(0, 17) + String((Number(code.digits.at(-1)) + 1) % 10);
    expect(await codeOf(() => rs().quote(shop.actor, { code: forged, billFen: 12_000 }))).toBe('VOUCHER_CODE_INVALID');
    expect(await codeOf(() => rs().quote(shop.actor, { code: makePaymentCodeDigits(), billFen: 12_000 }))).toBe('VOUCHER_CODE_INVALID');

    const q = await rs().quote(shop.actor, { code: code.digits, billFen: 12_000 });
    expect(q).toMatchObject({ discountFen: 3_000, payFen: 9_000, coupon: { categoryName: '餐饮券' } });
    const below = await rs().quote(shop.actor, { code: code.digits, billFen: 9_900 });
    expect(below.coupon).toBeNull();
    expect(below.reason).toContain('门槛');

    const r = await rs().create(shop.actor, { code: code.digits, billFen: 12_000 });
    expect(r).toMatchObject({ status: 'awaiting_payment', payFen: 9_000, discountFen: 3_000 });
    expect(await codeOf(() => rs().create(shop.actor, { code: code.digits, billFen: 12_000 }))).toBe('VOUCHER_CODE_USED');
    expect((await rs().codeStatus(resident.actor, code.id)).redemptionId).toBe(r.id);

    const late = await rs().issueCode(resident.actor);
    clock.advance(61_000);
    expect(await codeOf(() => rs().quote(shop.actor, { code: late.digits, billFen: 12_000 }))).toBe('VOUCHER_CODE_EXPIRED');
    expect((await rs().codeStatus(resident.actor, late.id)).state).toBe('expired');

    // Bound to its user: another resident cannot see, pay or poll it.
    const stranger = await individual(p, null);
    expect(await codeOf(() => rs().pay(stranger.actor, r.id))).toBe('NOT_FOUND');
    expect(await codeOf(() => rs().codeStatus(stranger.actor, code.id))).toBe('NOT_FOUND');
    expect(await codeOf(() => rs().get(stranger.actor, r.id))).toBe('NOT_FOUND');
  });

  it('pays through the gateway: coupon used, discount issued → payable, payment to the merchant, in one go; repeated notices are harmless', async () => {
    const u = await individual(p, null);
    await grant(p, c, u.actor.userId, 2); // dining 满100减30
    await grant(p, c, u.actor.userId, 3); // dining 满200减60
    await grant(p, c, u.actor.userId, 0); // general: not for a restaurant
    const code = await rs().issueCode(u.actor);
    const q = await rs().quote(shop.actor, { code: code.digits, billFen: 25_000 });
    expect(q).toMatchObject({ discountFen: 6_000, payFen: 19_000 }); // the largest discount
    const r = await rs().create(shop.actor, { code: code.digits, billFen: 25_000 });
    const { redirectUrl } = await rs().pay(u.actor, r.id);
    expect(redirectUrl).toContain(r.redemptionNo);
    const wallet = await ledger().ensureWallet(p.db, shop.org.id);
    const before = { issued: await bal(c.accounts.voucher_issued), payable: await bal(c.accounts.voucher_payable), shop: await bal(wallet.availableId) };
    expect((await notify(r.redemptionNo, 19_000)).outcome).toBe('credited');
    expect((await notify(r.redemptionNo, 19_000)).outcome).toBe('duplicate');
    expect(await bal(c.accounts.voucher_issued)).toBe(before.issued - 6_000);
    expect(await bal(c.accounts.voucher_payable)).toBe(before.payable + 6_000);
    expect(await bal(wallet.availableId)).toBe(before.shop + 19_000);
    const [coupon] = await p.db.select().from(vouchers).where(eq(vouchers.id, r.voucherId));
    expect(coupon!.status).toBe('used');
    expect((await rs().get(u.actor, r.id)).status).toBe('paid');
    expect((await ledger().check()).ok).toBe(true);
  });

  it('a refund returns what was paid, keeps the coupon used and returns its discount to the pool', async () => {
    const u = await individual(p, null);
    await grant(p, c, u.actor.userId, 2);
    const code = await rs().issueCode(u.actor);
    const r = await rs().create(shop.actor, { code: code.digits, billFen: 10_000 });
    await notify(r.redemptionNo, 7_000);
    const wallet = await ledger().ensureWallet(p.db, shop.org.id);
    const before = { pool: await bal(c.accounts.voucher_pool), payable: await bal(c.accounts.voucher_payable), shop: await bal(wallet.availableId) };
    expect(await codeOf(() => rs().refund(u.actor, r.id))).toBe('NOT_FOUND');
    const done = await rs().refund(shop.actor, r.id);
    expect(done.status).toBe('refunded');
    expect(await codeOf(() => rs().refund(shop.actor, r.id))).toBe('VOUCHER_REDEMPTION_STATE');
    expect(await bal(c.accounts.voucher_pool)).toBe(before.pool + 3_000);
    expect(await bal(c.accounts.voucher_payable)).toBe(before.payable - 3_000);
    expect(await bal(wallet.availableId)).toBe(before.shop - 7_000);
    const [coupon] = await p.db.select().from(vouchers).where(eq(vouchers.id, r.voucherId));
    expect(coupon!.status).toBe('used');
    // The used coupon is gone for good: a new code finds nothing.
    const next = await rs().issueCode(u.actor);
    expect((await rs().quote(shop.actor, { code: next.digits, billFen: 10_000 })).coupon).toBeNull();
    expect((await ledger().check()).ok).toBe(true);
  });

  it('a merchant that is not approved cannot redeem', async () => {
    const m = await merchant(p);
    const code = await rs().issueCode(resident.actor);
    expect(await codeOf(() => rs().quote(m.actor, { code: code.digits, billFen: 10_000 }))).toBe('VOUCHER_MERCHANT_NOT_APPROVED');
  });

  it('1,000 concurrent redemptions of one coupon from 10 merchant sessions: exactly one succeeds', async () => {
    const shops = [shop];
    for (let i = 0; i < 9; i++) shops.push(await approvedMerchant(c));
    const u = await individual(p, null);
    const coupon = await grant(p, c, u.actor.userId, 2);
    // 100 live codes of the resident (as if refreshed), each tried by 10 cashiers.
    const now = clock.now();
    const codes = await p.db
      .insert(voucherPaymentCodes)
      .values(Array.from({ length: 100 }, () => ({ userId: u.actor.userId, digits: makePaymentCodeDigits(), expiresAt: codeExpiry(now), createdAt: now })))
      .returning();
    const attempts = Array.from(
      { length: 1000 },
      (_, i) => () => rs().create(shops[i % 10]!.actor, { code: codes[Math.floor(i / 10)]!.digits, billFen: 15_000 }),
    );
    const results = await Promise.all(attempts.map((f) => codeOf(f)));
    const tally = results.reduce<Record<string, number>>((t, r) => ((t[r] = (t[r] ?? 0) + 1), t), {});
    expect(tally.OK).toBe(1);
    expect(Object.keys(tally).every((k) => ['OK', 'VOUCHER_CODE_USED', 'VOUCHER_ALREADY_USED', 'VOUCHER_NONE_APPLICABLE'].includes(k))).toBe(true);
    const live = await p.db
      .select()
      .from(voucherRedemptions)
      .where(and(eq(voucherRedemptions.voucherId, coupon.id)));
    expect(live).toHaveLength(1);
  }, 120_000);
});

describe('settlement', () => {
  it('pays each merchant once, returns the remainder, is idempotent, and its report equals the redemptions', async () => {
    const c = await fundedCampaign(p, { validDays: 3, budgetFen: 500_000 });
    const a = await approvedMerchant(c, 'dining', '500110109');
    const b = await approvedMerchant(c, 'supermarket', '500110110');
    const pay = async (shopActor: Actor, tierIndex: number, billFen: number) => {
      const u = await individual(p, null);
      await grant(p, c, u.actor.userId, tierIndex);
      const code = await rs().issueCode(u.actor);
      const r = await rs().create(shopActor, { code: code.digits, billFen });
      await notify(r.redemptionNo, r.payFen);
      return r;
    };
    await pay(a.actor, 2, 12_000); // 30
    await pay(a.actor, 3, 30_000); // 60
    await pay(b.actor, 1, 20_000); // 50
    const refunded = await pay(b.actor, 0, 10_000); // 30, refunded
    await rs().refund(b.actor, refunded.id);

    expect(await codeOf(() => rs().settle(c.bureau.actor, c.campaign.id))).toBe('VOUCHER_SETTLEMENT_NOT_DUE');
    expect(await codeOf(() => rs().settle(a.actor, c.campaign.id))).toBe('NOT_FOUND');
    clock.advance(4 * 24 * 3600_000);
    const wa = await ledger().ensureWallet(p.db, a.org.id);
    const wb = await ledger().ensureWallet(p.db, b.org.id);
    const before = { a: await bal(wa.availableId), b: await bal(wb.availableId) };
    const s = await rs().settle(c.bureau.actor, c.campaign.id);
    expect(s.settled).toBe(true);
    expect(s.totals).toEqual({ redemptions: 3, discountFen: 14_000, billFen: 62_000 });
    expect(await bal(wa.availableId)).toBe(before.a + 9_000);
    expect(await bal(wb.availableId)).toBe(before.b + 5_000);
    expect(await bal(c.accounts.voucher_payable)).toBe(0);
    expect(await bal(c.accounts.voucher_pool)).toBe(0);
    // The remainder: budget − issuance total + the refunded discount.
    expect(s.remainderFen).toBe(500_000 - c.totalFen + 3_000);
    // Again: nothing moves, the same report.
    const transfers = (await ledger().check()).transfers;
    const again = await rs().settle(c.bureau.actor, c.campaign.id);
    expect(again.totals).toEqual(s.totals);
    expect((await ledger().check()).transfers).toBe(transfers);
    expect(await bal(wa.availableId)).toBe(before.a + 9_000);
    // Identity: pool + issued + payable + settled + remainder = budget.
    const issued = await bal(c.accounts.voucher_issued);
    expect(0 + issued + 0 + 14_000 + s.remainderFen!).toBe(500_000);

    const statement = await rs().statement(a.actor, { campaignId: c.campaign.id });
    expect(statement).toMatchObject({ redemptions: 2, discountFen: 9_000, settlement: { discountFen: 9_000 } });

    const report = await rs().settlementReport(c.bureau.actor, c.campaign.id);
    const wb2 = new ExcelJS.Workbook();
    await wb2.xlsx.load(Buffer.from(report.bytes) as never);
    const detail = wb2.getWorksheet('核销明细')!;
    let sum = 0;
    detail.eachRow((row, n) => {
      if (n > 1) sum += Number(row.getCell(5).value);
    });
    const summary = wb2.getWorksheet('商户结算')!;
    const totalRow = summary.getRow(summary.rowCount);
    expect(totalRow.getCell(1).value).toBe('合计');
    expect(Number(totalRow.getCell(6).value)).toBeCloseTo(sum, 2);
    expect(Math.round(sum * 100)).toBe(14_000);
    expect((await ledger().check()).ok).toBe(true);
  });
});
