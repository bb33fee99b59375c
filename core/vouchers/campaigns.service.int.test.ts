import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import ExcelJS from 'exceljs';
import { and, eq, sql } from 'drizzle-orm';
import {
  auditLog,
  jobs as jobRows,
  memberships,
  organisations,
  voucherMerchants,
  voucherPaymentCodes,
  voucherRedemptions,
  vouchers,
  voucherTiers,
} from '../../db/schema';
import { createTestPlatform, ManualClock } from '../testing/test-platform';
import { government } from '../testing/mall-factories';
import { fund as topUp, availableFen } from '../testing/tenders-factories';
import { registerUser } from '../testing/factories';
import type { Platform } from '../platform/platform';
import type { Actor } from '../shared/actor';
import { CAMPAIGN_ACCOUNT_KINDS } from './vouchers.constants';
import { ISSUANCE_START_JOB } from './campaigns.service';

let p: Platform;
const clock = new ManualClock(new Date('2023-11-28T02:00:00Z'));
let bureau: Awaited<ReturnType<typeof government>>;
beforeAll(async () => {
  p = await createTestPlatform({ clock });
  bureau = await government(p, '重庆市綦江区商务委员会', '500110');
});
afterAll(() => p?.close());

const svc = () => p.services.voucherCampaigns;
const MANUAL_ROWS = [
  { categoryCode: 'general', tierNo: 1, thresholdFen: 10_000, discountFen: 3_000, count: 3000 },
  { categoryCode: 'general', tierNo: 2, thresholdFen: 15_000, discountFen: 5_000, count: 2200 },
  { categoryCode: 'dining', tierNo: 1, thresholdFen: 10_000, discountFen: 3_000, count: 5000 },
  { categoryCode: 'dining', tierNo: 2, thresholdFen: 20_000, discountFen: 6_000, count: 2500 },
];
const campaignInput = (over: Record<string, unknown> = {}) => ({
  name: '火锅消费周政府惠民消费券',
  documentNo: '綦商务发〔2023〕80号',
  budgetFen: 100_000_000,
  validUntil: '2023-12-10T23:59',
  ...over,
});
const err = async (f: Promise<unknown>) => {
  try {
    await f;
  } catch (e) {
    return e as { code: string; message: string; fields?: Record<string, string> };
  }
  throw new Error('expected a refusal');
};
const expectLedgerOk = async () => expect((await p.services.ledger.check()).ok).toBe(true);

/** A coupon granted the way the grab does it: the tier's conditional update, then the row. */
async function grant(tierId: string, userId: string) {
  return p.db.transaction(async (tx) => {
    const [t] = await tx
      .update(voucherTiers)
      .set({ granted: sql`${voucherTiers.granted} + 1` })
      .where(and(eq(voucherTiers.id, tierId), sql`${voucherTiers.granted} < ${voucherTiers.count}`, eq(voucherTiers.closed, false)))
      .returning();
    if (!t) return null;
    const [v] = await tx
      .insert(vouchers)
      .values({
        campaignId: t.campaignId,
        issuanceId: t.issuanceId,
        tierId: t.id,
        userId,
        categoryCode: t.categoryCode,
        thresholdFen: t.thresholdFen,
        discountFen: t.discountFen,
        validUntil: new Date('2023-12-10T15:59:00Z'),
      })
      .returning();
    return v!;
  });
}

let residents: string[] = [];
async function residentIds(n: number) {
  while (residents.length < n) residents.push((await registerUser(p)).actor.userId);
  return residents.slice(0, n);
}

describe('campaigns and issuances', () => {
  it("the bureau creates the manual's campaign and its issuance: 12,700 coupons, ¥500,000; categories default to 通用券 / 餐饮券", async () => {
    clock.set(new Date('2023-11-28T02:00:00Z'));
    const c = await svc().create(bureau.actor, campaignInput());
    expect(c).toMatchObject({
      status: 'draft',
      budgetFen: 100_000_000,
      validUntil: '2023-12-10T15:59:00.000Z',
      unallocatedFen: 100_000_000,
      regionCodes: null,
    });
    expect(c.categories.map((k) => [k.name, k.merchantCategoryNames.join('/')])).toEqual([
      ['通用券', '超市/商场/百货/家电/建材'],
      ['餐饮券', '餐饮'],
    ]);
    const i = await svc().addIssuance(bureau.actor, c.id, { startsAt: '2023-12-03T10:00', rows: MANUAL_ROWS });
    expect(i).toMatchObject({ seq: 1, status: 'scheduled', totalFen: 50_000_000, coupons: 12_700, startsAt: '2023-12-03T02:00:00.000Z', editable: true });
    expect(i.tiers.map((t) => `${t.categoryName}${t.tierName} ${t.label} ×${t.count} = ${t.valueFen}`)).toEqual([
      '通用券一档 满100减30 ×3000 = 9000000',
      '通用券二档 满150减50 ×2200 = 11000000',
      '餐饮券一档 满100减30 ×5000 = 15000000',
      '餐饮券二档 满200减60 ×2500 = 15000000',
    ]);
    const [job] = await p.db
      .select()
      .from(jobRows)
      .where(and(eq(jobRows.kind, ISSUANCE_START_JOB), eq(jobRows.key, i.id)));
    expect(job?.runAt.toISOString()).toBe('2023-12-03T02:00:00.000Z');
    const d = await svc().get(bureau.actor, c.id);
    expect(d).toMatchObject({ unallocatedFen: 50_000_000, issuances: 1, firstStartsAt: '2023-12-03T02:00:00.000Z', fundingLate: false });
    // 2023-12-03 is a Sunday: funded by the end of Thursday 11-30.
    expect(d.fundingDeadline).toBe('2023-11-30T16:00:00.000Z');
    const audit = await p.db.select().from(auditLog).where(eq(auditLog.targetId, i.id));
    expect(audit.map((a) => a.action)).toEqual(['vouchers.issuance_created']);
  });

  it('refuses an issuance above the unallocated budget with a field message, and bad rows per field', async () => {
    const c = await svc().create(bureau.actor, campaignInput({ budgetFen: 60_000_000 }));
    await svc().addIssuance(bureau.actor, c.id, { startsAt: '2023-12-03T10:00', rows: MANUAL_ROWS });
    const e = await err(svc().addIssuance(bureau.actor, c.id, { startsAt: '2023-12-04T10:00', rows: MANUAL_ROWS }));
    expect(e.code).toBe('VOUCHER_BUDGET_EXCEEDED');
    expect(e.fields).toEqual({ 'rows.1.count': expect.stringContaining('超出未分配预算 ¥100,000.00，本行最多 200 张') });
    const bad = await err(
      svc().addIssuance(bureau.actor, c.id, {
        startsAt: '2023-11-01T10:00',
        rows: [{ categoryCode: 'general', tierNo: 1, thresholdFen: 3_000, discountFen: 3_000, count: 0 }],
      }),
    );
    expect(bad.code).toBe('VALIDATION');
    expect(bad.fields).toMatchObject({ 'rows.0.count': '发放张数须大于 0' });
    const bad2 = await err(
      svc().addIssuance(bureau.actor, c.id, {
        startsAt: '2023-11-01T10:00',
        rows: [{ categoryCode: 'general', tierNo: 1, thresholdFen: 3_000, discountFen: 3_000, count: 1 }],
      }),
    );
    expect(bad2.fields).toEqual({ startsAt: '发放时间须晚于当前时间', 'rows.0.discountFen': '减免金额须小于门槛金额' });
    // The budget cannot fall below what is planned.
    const up = await err(svc().update(bureau.actor, c.id, campaignInput({ budgetFen: 40_000_000 })));
    expect(up.fields).toEqual({ budgetFen: '资金总额不能低于已安排的发券批次合计 ¥500,000.00' });
  });

  it('only a government department acting as owner, admin or finance; another bureau never sees the campaign', async () => {
    const enterprise = await registerUser(p);
    expect((await err(svc().create(enterprise.actor, campaignInput()))).code).toBe('FORBIDDEN');
    const c = await svc().create(bureau.actor, campaignInput());
    const other = await government(p, '万盛经开区商务局', '500110');
    expect((await err(svc().get(other.actor, c.id))).code).toBe('NOT_FOUND');
    expect((await err(svc().fund(other.actor, c.id))).code).toBe('NOT_FOUND');
    expect((await svc().list(other.actor)).items.map((x) => x.id)).not.toContain(c.id);
    // A plain member of the bureau may not.
    const m = await registerUser(p);
    await p.db.insert(memberships).values({ userId: m.actor.userId, organisationId: bureau.org.id, role: 'member' });
    const member: Actor = { ...m.actor, organisation: { ...bureau.actor.organisation!, role: 'member' } };
    expect((await err(svc().list(member))).code).toBe('FORBIDDEN');
    expect((await err(svc().get(bureau.actor, 'not-a-uuid'))).code).toBe('NOT_FOUND');
  });
});

describe('coupon categories and the merchant categories they cover', () => {
  it('set at creation, edited until the first issuance starts (a used category stays), frozen after; field messages', async () => {
    clock.set(new Date('2023-11-28T02:00:00Z'));
    const b = await government(p, `綦江区商务委员会${randomUUID().slice(0, 4)}`, '500110');
    const appliances = { code: 'appliances', name: '家电券', merchantCategories: ['appliances', 'home'] };
    const c = await svc().create(b.actor, campaignInput({ budgetFen: 1_000_000, categories: [appliances] }));
    expect(c.categories.map((k) => [k.name, k.merchantCategoryNames.join('/')])).toEqual([['家电券', '家电/家居']]);
    // Bad input: field messages, nothing changes.
    const bad = await err(
      svc().update(
        b.actor,
        c.id,
        campaignInput({
          budgetFen: 1_000_000,
          categories: [
            { code: 'Bad code', name: '', merchantCategories: [] },
            { code: 'x', name: '券', merchantCategories: ['casino'] },
          ],
        }),
      ),
    );
    expect(bad.code).toBe('VALIDATION');
    expect(bad.fields).toMatchObject({
      'categories.0.code': expect.stringContaining('小写字母开头'),
      'categories.0.name': '请填写券类别名称',
      'categories.0.merchantCategories': '请至少选择一个适用的商户类别',
      'categories.1.merchantCategories.0': '请选择商户类别',
    });
    const dup = await err(svc().update(b.actor, c.id, campaignInput({ budgetFen: 1_000_000, categories: [appliances, appliances] })));
    expect(dup.fields).toMatchObject({ 'categories.1.code': '券类别代码重复', 'categories.1.name': '券类别名称重复' });
    // A planned issuance: categories may still change, but the one it uses stays.
    const withDining = [appliances, { code: 'dining', name: '餐饮券', merchantCategories: ['dining'] }];
    expect((await svc().update(b.actor, c.id, campaignInput({ budgetFen: 1_000_000, categories: withDining }))).categories).toHaveLength(2);
    const i = await svc().addIssuance(b.actor, c.id, {
      startsAt: '2023-12-03T10:00',
      rows: [{ categoryCode: 'dining', tierNo: 1, thresholdFen: 10_000, discountFen: 3_000, count: 10 }],
    });
    const dropped = await err(svc().update(b.actor, c.id, campaignInput({ budgetFen: 1_000_000, categories: [appliances] })));
    expect(dropped.fields).toEqual({ categories: '发券批次已使用「餐饮券」，不能删除（可先删除或修改发券批次）' });
    const renamed = [{ ...appliances, merchantCategories: ['appliances'] }, withDining[1]!];
    const ok = await svc().update(b.actor, c.id, campaignInput({ budgetFen: 1_000_000, categories: renamed }));
    expect(ok.categories.map((k) => k.merchantCategoryNames.join('/'))).toEqual(['家电', '餐饮']);
    // The first issuance starts: frozen (the same list is still accepted with other changes).
    await topUp(p, b.actor, 1_000_000);
    await svc().fund(b.actor, c.id);
    clock.set(new Date('2023-12-03T02:00:00Z'));
    await svc().ensureStarted(i.id);
    const frozen = await err(svc().update(b.actor, c.id, campaignInput({ budgetFen: 1_000_000, categories: withDining })));
    expect(frozen.fields).toEqual({ categories: '首次发券已开始，券类别已冻结，不能修改' });
    expect((await svc().update(b.actor, c.id, campaignInput({ budgetFen: 1_000_000, name: '家电消费券', categories: renamed }))).name).toBe('家电消费券');
  });
});

describe('funding, start, pause, stop and the identity', () => {
  it('funds from the wallet once (insufficient refused, nothing moves); the start job moves the issuance total pool → issued once', async () => {
    clock.set(new Date('2023-11-28T02:00:00Z'));
    const b = await government(p, `綦江区商务委员会${randomUUID().slice(0, 4)}`, '500110');
    const c = await svc().create(b.actor, campaignInput());
    const i1 = await svc().addIssuance(b.actor, c.id, { startsAt: '2023-12-03T10:00', rows: MANUAL_ROWS });
    await svc().addIssuance(b.actor, c.id, { startsAt: '2023-12-04T10:00', rows: MANUAL_ROWS });
    await topUp(p, b.actor, 60_000_000);
    const e = await err(svc().fund(b.actor, c.id));
    expect(e).toMatchObject({ code: 'INSUFFICIENT_FUNDS', message: '可用余额 ¥600,000.00，不足以划拨活动资金 ¥1,000,000.00，还差 ¥400,000.00' });
    expect(await availableFen(p, b.actor)).toBe(60_000_000);
    // Late: 12-01 is past the deadline (end of 11-30).
    clock.set(new Date('2023-12-01T02:00:00Z'));
    expect((await svc().get(b.actor, c.id)).fundingLate).toBe(true);
    await topUp(p, b.actor, 50_000_000);
    const [f1, f2] = await Promise.all([svc().fund(b.actor, c.id), svc().fund(b.actor, c.id)]);
    expect([f1.replayed, f2.replayed].sort()).toEqual([false, true]);
    expect(f1.transferId).toBe(f2.transferId);
    expect(await availableFen(p, b.actor)).toBe(10_000_000);
    expect((await svc().get(b.actor, c.id)).status).toBe('funded');
    expect((await svc().identity(b.actor, c.id)).ok).toBe(true);

    // Not yet: nothing starts.
    expect(await svc().ensureStarted(i1.id)).toEqual({ status: 'scheduled', started: false });
    clock.set(new Date('2023-12-03T02:00:00Z'));
    // The grab arrives at the time together with the job: one start, one transfer.
    const results = await Promise.all([svc().ensureStarted(i1.id), svc().ensureStarted(i1.id), p.jobs.runDue(), svc().ensureStarted(i1.id)]);
    expect(results.filter((r) => typeof r === 'object' && r.started)).toHaveLength(1);
    const d = await svc().get(b.actor, c.id);
    expect(d.issuanceList.map((i) => i.status)).toEqual(['running', 'scheduled']);
    const acc = await p.services.ledger.ensureSubjectAccounts(p.db, b.org.id, c.id, CAMPAIGN_ACCOUNT_KINDS);
    expect(await p.services.ledger.balanceOf(p.db, acc.voucher_pool)).toBe(50_000_000);
    expect(await p.services.ledger.balanceOf(p.db, acc.voucher_issued)).toBe(50_000_000);
    const id = await svc().identity(b.actor, c.id);
    expect(id.ok).toBe(true);
    expect(id.terms).toEqual({ budgetFen: 100_000_000, unissuedFen: 100_000_000, grantedUnusedFen: 0, redeemedFen: 0, expiredReturnedFen: 0 });
    // Rows are frozen once started.
    expect((await err(svc().updateIssuance(b.actor, i1.id, { startsAt: '2023-12-05T10:00', rows: MANUAL_ROWS }))).code).toBe('VOUCHER_ISSUANCE_FROZEN');
    expect((await err(svc().deleteIssuance(b.actor, i1.id))).code).toBe('VOUCHER_ISSUANCE_FROZEN');
    await expectLedgerOk();
  });

  it('pause ↔ resume close and reopen the tiers; a stop racing 60 grants returns exactly the unissued value', async () => {
    clock.set(new Date('2023-11-28T02:00:00Z'));
    const b = await government(p, `綦江区商务委员会${randomUUID().slice(0, 4)}`, '500110');
    const c = await svc().create(b.actor, campaignInput({ budgetFen: 1_000_000 }));
    const rows = [
      { categoryCode: 'general', tierNo: 1, thresholdFen: 10_000, discountFen: 3_000, count: 40 },
      { categoryCode: 'dining', tierNo: 1, thresholdFen: 20_000, discountFen: 6_000, count: 40 },
    ];
    const i = await svc().addIssuance(b.actor, c.id, { startsAt: '2023-12-03T10:00', rows });
    await topUp(p, b.actor, 1_000_000);
    await svc().fund(b.actor, c.id);
    // Pausing before the start is refused; at the time, pause starts it first.
    expect((await err(svc().pause(b.actor, i.id))).code).toBe('VOUCHER_NOT_STARTED');
    clock.set(new Date('2023-12-03T02:00:01Z'));
    const paused = await svc().pause(b.actor, i.id);
    expect(paused).toMatchObject({ status: 'paused', statusLabel: '已暂停' });
    expect(paused.tiers.every((t) => t.closed)).toBe(true);
    const users = await residentIds(60);
    expect(await grant(paused.tiers[0]!.id, users[0]!)).toBeNull();
    const resumed = await svc().resume(b.actor, i.id);
    expect(resumed.tiers.every((t) => !t.closed)).toBe(true);
    expect((await err(svc().resume(b.actor, i.id))).code).toBe('INVALID_TRANSITION');

    const [stopped, ...granted] = await Promise.all([
      (async () => {
        await new Promise((r) => setTimeout(r, 5));
        return svc().stop(b.actor, i.id);
      })(),
      ...users.map((u, k) => grant(resumed.tiers[k % 2]!.id, u)),
    ]);
    const n = [0, 1].map((k) => granted.filter((g, j) => g && j % 2 === k).length);
    expect(stopped.status).toBe('stopped');
    expect(stopped.tiers.map((t) => t.granted)).toEqual(n);
    expect(stopped.returnedFen).toBe((40 - n[0]!) * 3_000 + (40 - n[1]!) * 6_000);
    // After the stop no grant gets through.
    expect(await grant(resumed.tiers[0]!.id, (await registerUser(p)).actor.userId)).toBeNull();
    const id = await svc().identity(b.actor, c.id);
    expect(id.checks.filter((k) => !k.ok)).toEqual([]);
    expect(id.terms.grantedUnusedFen).toBe(n[0]! * 3_000 + n[1]! * 6_000);
    expect((await err(svc().stop(b.actor, i.id))).code).toBe('INVALID_TRANSITION');
    const actions = (await p.db.select().from(auditLog).where(eq(auditLog.targetId, i.id))).map((a) => a.action).sort();
    expect(actions).toEqual([
      'vouchers.issuance_created',
      'vouchers.issuance_paused',
      'vouchers.issuance_resumed',
      'vouchers.issuance_started',
      'vouchers.issuance_stopped',
    ]);
    await expectLedgerOk();
  });

  it('the console: granted / remaining per tier, paid redemptions by day, category, district and merchant with leverage; the identity with a redemption; the XLSX export', async () => {
    clock.set(new Date('2023-11-28T02:00:00Z'));
    const b = await government(p, `綦江区商务委员会${randomUUID().slice(0, 4)}`, '500110');
    const c = await svc().create(b.actor, campaignInput({ budgetFen: 1_000_000 }));
    const rows = [
      { categoryCode: 'general', tierNo: 1, thresholdFen: 10_000, discountFen: 3_000, count: 10 },
      { categoryCode: 'dining', tierNo: 1, thresholdFen: 20_000, discountFen: 6_000, count: 10 },
    ];
    const i = await svc().addIssuance(b.actor, c.id, { startsAt: '2023-12-03T10:00', rows });
    await topUp(p, b.actor, 1_000_000);
    await svc().fund(b.actor, c.id);
    clock.set(new Date('2023-12-03T02:00:00Z'));
    await p.jobs.runDue();
    const users = await residentIds(3);
    const v1 = (await grant(i.tiers[0]!.id, users[0]!))!;
    const v2 = (await grant(i.tiers[1]!.id, users[1]!))!;
    await grant(i.tiers[1]!.id, users[2]!);
    // Two merchants in two townships; the coupons are redeemed as the redemption service does it.
    const acc = await p.services.ledger.ensureSubjectAccounts(p.db, b.org.id, c.id, CAMPAIGN_ACCOUNT_KINDS);
    const merchantRow = async (name: string, regionCode: string, category: string) => {
      const [org] = await p.db.insert(organisations).values({ kind: 'merchant', fullName: name, regionCode }).returning();
      const [m] = await p.db
        .insert(voucherMerchants)
        .values({
          campaignId: c.id,
          organisationId: org!.id,
          name,
          address: '綦江区',
          regionCode,
          category,
          merchantNo: String(Math.floor(Math.random() * 1e15)).padStart(15, '0'),
          contactName: '王',
          contactMobile: '13800000000',
          status: 'approved',
        })
        .returning();
      return m!;
    };
    const supermarket = await merchantRow('永辉超市綦江店', '500110001', 'supermarket');
    const hotpot = await merchantRow('綦江老火锅', '500110002', 'dining');
    const redeem = async (v: typeof v1, merchantId: string, billFen: number, paidAt: Date) => {
      const [code] = await p.db
        .insert(voucherPaymentCodes)
        .values({ userId: v.userId, digits: String(Math.random()).slice(2, 20).padEnd(18, '0'), expiresAt: paidAt, usedAt: paidAt })
        .returning();
      await p.db.transaction(async (tx) => {
        const [r] = await tx
          .insert(voucherRedemptions)
          .values({
            redemptionNo: `R${Date.now()}${Math.floor(Math.random() * 1e6)}`,
            campaignId: c.id,
            voucherId: v.id,
            merchantId,
            userId: v.userId,
            paymentCodeId: code!.id,
            billFen,
            discountFen: v.discountFen,
            payFen: billFen - v.discountFen,
            status: 'paid',
            paidAt,
          })
          .returning();
        await tx.update(vouchers).set({ status: 'used', usedAt: paidAt }).where(eq(vouchers.id, v.id));
        await p.services.ledger.transfer(tx, {
          debitAccountId: acc.voucher_issued,
          creditAccountId: acc.voucher_payable,
          amountFen: v.discountFen,
          kind: 'voucher_redeem',
          reference: r!.redemptionNo,
          idempotencyKey: `voucher-redeem:${r!.id}`,
        });
      });
    };
    await redeem(v1, supermarket.id, 12_000, new Date('2023-12-03T05:00:00Z'));
    await redeem(v2, hotpot.id, 25_000, new Date('2023-12-04T05:00:00Z'));

    const con = await svc().console(b.actor, c.id);
    expect(con.issuances[0]!.tiers.map((t) => [t.granted, t.remaining])).toEqual([
      [1, 9],
      [2, 8],
    ]);
    expect(con.coupons).toEqual({ granted: 3, unused: 1, used: 2, expired: 0 });
    expect(con.totals).toMatchObject({ redemptions: 2, discountFen: 9_000, billFen: 37_000, leverage: 4.11 });
    expect(con.byDay.map((r) => [r.label, r.billFen])).toEqual([
      ['2023-12-03', 12_000],
      ['2023-12-04', 25_000],
    ]);
    expect(con.byCategory.map((r) => [r.label, r.discountFen, r.leverage])).toEqual([
      ['餐饮券', 6_000, 4.17],
      ['通用券', 3_000, 4],
    ]);
    expect(con.byDistrict.map((r) => r.label)).toEqual(['文龙街道', '古南街道']);
    expect(con.byMerchant.map((r) => r.label)).toEqual(['綦江老火锅', '永辉超市綦江店']);
    expect(con.identity.ok).toBe(true);
    expect(con.identity.terms).toEqual({
      budgetFen: 1_000_000,
      unissuedFen: 1_000_000 - 15_000,
      grantedUnusedFen: 6_000,
      redeemedFen: 9_000,
      expiredReturnedFen: 0,
    });

    const file = await svc().exportConsole(b.actor, c.id);
    expect(file.filename).toMatch(/^火锅消费周政府惠民消费券-数据看板-\d{8}\.xlsx$/);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(file.bytes.buffer);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['发券批次', '按日', '按券类别', '按街镇', '按商户', '资金恒等式']);
    expect(wb.getWorksheet('按商户')!.getRow(2).values).toEqual([undefined, '綦江老火锅', 1, 60, 250, 4.17]);
    await expectLedgerOk();
  });

  it('residents see funded, valid campaigns with issuance times and tiers; drafts stay hidden', async () => {
    clock.set(new Date('2023-11-28T02:00:00Z'));
    const b = await government(p, `綦江区商务委员会${randomUUID().slice(0, 4)}`, '500110');
    const draft = await svc().create(b.actor, campaignInput({ name: '未划拨的活动' }));
    const c = await svc().create(b.actor, campaignInput({ name: '公开的活动', budgetFen: 100_000 }));
    await svc().addIssuance(b.actor, c.id, {
      startsAt: '2023-12-03T10:00',
      rows: [{ categoryCode: 'dining', tierNo: 1, thresholdFen: 10_000, discountFen: 3_000, count: 3 }],
    });
    await topUp(p, b.actor, 100_000);
    await svc().fund(b.actor, c.id);
    const list = await svc().listPublic();
    expect(list.map((x) => x.id)).toContain(c.id);
    expect(list.map((x) => x.id)).not.toContain(draft.id);
    const pub = await svc().getPublic(c.id);
    expect(pub.issuances[0]).toMatchObject({ startsAt: '2023-12-03T02:00:00.000Z', status: 'scheduled' });
    expect(pub.issuances[0]!.tiers[0]).toMatchObject({ label: '满100减30', remaining: 3, categoryName: '餐饮券' });
    expect(pub.issuances[0]!.tiers[0]).not.toHaveProperty('closed');
    expect((await err(svc().getPublic(draft.id))).code).toBe('NOT_FOUND');
    expect((await err(svc().getPublic('x'))).code).toBe('NOT_FOUND');
  });

  it('a scheduled issuance can be edited (the job moves) and deleted (the job goes) before its time', async () => {
    clock.set(new Date('2023-11-28T02:00:00Z'));
    const c = await svc().create(bureau.actor, campaignInput());
    const i = await svc().addIssuance(bureau.actor, c.id, { startsAt: '2023-12-03T10:00', rows: MANUAL_ROWS });
    const e = await svc().updateIssuance(bureau.actor, i.id, { startsAt: '2023-12-05T10:00', rows: MANUAL_ROWS.slice(0, 2) });
    expect(e).toMatchObject({ totalFen: 20_000_000, startsAt: '2023-12-05T02:00:00.000Z' });
    const job = async () =>
      (
        await p.db
          .select()
          .from(jobRows)
          .where(and(eq(jobRows.kind, ISSUANCE_START_JOB), eq(jobRows.key, i.id)))
      )[0];
    expect((await job())?.runAt.toISOString()).toBe('2023-12-05T02:00:00.000Z');
    await svc().deleteIssuance(bureau.actor, i.id);
    expect(await job()).toBeUndefined();
    expect((await svc().get(bureau.actor, c.id)).issuanceList).toEqual([]);
  });
});
