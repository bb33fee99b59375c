import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { and, eq, inArray, like } from 'drizzle-orm';
import { auditLog, ledgerTransfers, voucherIssuances, voucherMerchants, voucherSettlements } from '../../db/schema';
import { createTestPlatform, ManualClock } from '../testing/test-platform';
import { government, individual, merchant, GATEWAY_SECRET, signedNotice } from '../testing/mall-factories';
import { fund as topUp, availableFen } from '../testing/tenders-factories';
import { enrolment, fundedCampaign, grant } from '../testing/vouchers-factories';
import { AppError } from '../shared/app-error';
import type { Platform } from '../platform/platform';

/**
 * Races on the vouchers context: the same request sent several times at once must act once.
 * - funding one campaign: one ledger transfer, the wallet debited once;
 * - approving and rejecting one merchant at once: one decision, one audit row, one message;
 * - settling one campaign at once: one transfer per merchant, one settlement row per merchant;
 * - issuances created together past the budget: their sum never exceeds it.
 */

let p: Platform;
const clock = new ManualClock(new Date('2026-12-03T02:00:00Z'));
beforeAll(async () => {
  p = await createTestPlatform({ clock, env: { SESSION_IDLE_MINUTES: String(30 * 24 * 60) } });
});
afterAll(() => p?.close());

const camp = () => p.services.voucherCampaigns;
const ms = () => p.services.voucherMerchants;
const rs = () => p.services.voucherRedemptions;
const outcome = async (fn: () => Promise<unknown>) => {
  try {
    await fn();
    return 'OK';
  } catch (e) {
    if (e instanceof AppError) return e.code;
    throw e;
  }
};
/** Beijing wall-clock time `days` from now, as the campaign forms take it. */
const local = (days: number) => new Date(clock.now().getTime() + 8 * 3600_000 + days * 86_400_000).toISOString().slice(0, 16);

describe('voucher races', () => {
  it('funding one campaign six times at once moves the budget once', async () => {
    const b = await government(p, `綦江区商务委员会${randomUUID().slice(0, 4)}`, '500110');
    const c = await camp().create(b.actor, {
      name: '火锅消费周政府惠民消费券',
      documentNo: '綦商务发〔2023〕80号',
      budgetFen: 1_000_000,
      validUntil: local(10),
    });
    await topUp(p, b.actor, 1_500_000);
    const results = await Promise.all(Array.from({ length: 6 }, () => outcome(() => camp().fund(b.actor, c.id))));
    expect(
      results.every((r) => r === 'OK' || r === 'CONFLICT' || r.startsWith('VOUCHER_')),
      results.join(),
    ).toBe(true);
    const transfers = await p.db
      .select()
      .from(ledgerTransfers)
      .where(eq(ledgerTransfers.idempotencyKey, `voucher-fund:${c.id}`));
    expect(transfers).toHaveLength(1);
    expect(await availableFen(p, b.actor)).toBe(500_000);
    expect((await camp().get(b.actor, c.id)).status).toBe('funded');
    expect((await p.services.ledger.check()).ok).toBe(true);
  });

  it('approving and rejecting one merchant at once: one decision, one audit row', async () => {
    const c = await fundedCampaign(p);
    const m = await merchant(p, '綦江区古南街道老灶火锅店', '500110');
    const e = await ms().enrol(m.actor, c.campaign.id, await enrolment(p, m.actor));
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        outcome(() => (i % 2 ? ms().reject(c.bureau.actor, e.id, { reason: '营业执照不清晰' }) : ms().approve(c.bureau.actor, e.id))),
      ),
    );
    expect(
      results.filter((r) => r === 'OK'),
      results.join(),
    ).toHaveLength(1);
    const audits = await p.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.targetId, e.id), inArray(auditLog.action, ['vouchers.merchant_approved', 'vouchers.merchant_rejected'])));
    expect(audits).toHaveLength(1);
    const [row] = await p.db.select().from(voucherMerchants).where(eq(voucherMerchants.id, e.id));
    expect(row!.status).toBe(audits[0]!.action === 'vouchers.merchant_approved' ? 'approved' : 'rejected');
  });

  it('settling one campaign four times at once pays each merchant once', async () => {
    const c = await fundedCampaign(p, { validDays: 3, budgetFen: 500_000 });
    const shops = [];
    for (const category of ['dining', 'supermarket']) {
      const m = await merchant(p, `綦江${randomUUID().slice(0, 4)}商店`, '500110');
      const e = await ms().enrol(m.actor, c.campaign.id, await enrolment(p, m.actor, { category }));
      await ms().approve(c.bureau.actor, e.id);
      shops.push({ ...m, merchantId: e.id });
    }
    for (const [shop, tier, bill] of [
      [shops[0]!, 2, 12_000],
      [shops[1]!, 1, 20_000],
    ] as const) {
      const u = await individual(p, null);
      await grant(p, c, u.actor.userId, tier);
      const code = await rs().issueCode(u.actor);
      const r = await rs().create(shop.actor, { code: code.digits, billFen: bill });
      const n = signedNotice(GATEWAY_SECRET, { orderNo: r.redemptionNo, amountFen: r.payFen });
      await p.services.recharges.handleNotice(n.headers, n.raw);
    }
    clock.advance(4 * 86_400_000);
    const results = await Promise.all(Array.from({ length: 4 }, () => outcome(() => rs().settle(c.bureau.actor, c.campaign.id))));
    expect(
      results.every((r) => r === 'OK' || r === 'CONFLICT'),
      results.join(),
    ).toBe(true);
    const settles = await p.db
      .select()
      .from(ledgerTransfers)
      .where(like(ledgerTransfers.idempotencyKey, `voucher-settle:${c.campaign.id}:%`));
    expect(settles.map((t) => t.amountFen).sort()).toEqual([3_000, 5_000].sort());
    const rows = await p.db.select().from(voucherSettlements).where(eq(voucherSettlements.campaignId, c.campaign.id));
    expect(rows.map((r) => r.merchantId).sort()).toEqual(shops.map((s) => s.merchantId).sort());
    expect((await p.services.ledger.check()).ok).toBe(true);
  });

  it('issuances created together past the budget never sum above it', async () => {
    // Budget ¥10,000; the started issuance holds ¥5,000: four of ¥1,500 at once, at most three fit.
    const c = await fundedCampaign(p, { budgetFen: 1_000_000, validDays: 10 });
    const rows = [{ categoryCode: 'general', tierNo: 1, thresholdFen: 10_000, discountFen: 3_000, count: 50 }];
    const results = await Promise.all(
      Array.from({ length: 4 }, (_, i) => outcome(() => camp().addIssuance(c.bureau.actor, c.campaign.id, { startsAt: local(1 + i), rows }))),
    );
    expect(results.filter((r) => r === 'OK').length, results.join()).toBeLessThanOrEqual(3);
    expect(results.filter((r) => r === 'OK').length, results.join()).toBeGreaterThanOrEqual(1);
    const all = await p.db.select().from(voucherIssuances).where(eq(voucherIssuances.campaignId, c.campaign.id));
    const planned = all.filter((i) => i.status !== 'stopped').reduce((s, i) => s + i.totalFen, 0);
    expect(planned).toBeLessThanOrEqual(1_000_000);
  });
});
