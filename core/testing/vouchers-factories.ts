import { randomUUID } from 'node:crypto';
import sharp from 'sharp';
import { voucherCampaigns, voucherCategories, voucherIssuances, vouchers, voucherTiers } from '../../db/schema';
import type { Platform } from '../platform/platform';
import type { Actor } from '../shared/actor';
import { DEFAULT_VOUCHER_CATEGORIES, CAMPAIGN_ACCOUNT_KINDS } from '../vouchers/vouchers.constants';
import { bankCards } from '../../db/schema';
import { eq } from 'drizzle-orm';
import { government } from './mall-factories';

/**
 * Voucher test data written straight to the tables the campaign and grab services fill (the merchant
 * and redemption tests do not depend on those services): a funded campaign whose issuance has
 * started (budget in the pool, the issuance's value in `voucher_issued`), and coupons granted to users.
 */

const DAY = 24 * 3600_000;

export interface TierSpec {
  categoryCode: 'general' | 'dining';
  tierNo: number;
  thresholdFen: number;
  discountFen: number;
  count: number;
}

export const MANUAL_TIERS: TierSpec[] = [
  { categoryCode: 'general', tierNo: 1, thresholdFen: 10_000, discountFen: 3_000, count: 30 },
  { categoryCode: 'general', tierNo: 2, thresholdFen: 15_000, discountFen: 5_000, count: 22 },
  { categoryCode: 'dining', tierNo: 1, thresholdFen: 10_000, discountFen: 3_000, count: 50 },
  { categoryCode: 'dining', tierNo: 2, thresholdFen: 20_000, discountFen: 6_000, count: 25 },
];

/** A bureau with a funded campaign and one started issuance of `tiers`. */
export async function fundedCampaign(p: Platform, opts: { budgetFen?: number; validDays?: number; tiers?: TierSpec[] } = {}) {
  const tiers = opts.tiers ?? MANUAL_TIERS;
  const bureau = await government(p, `綦江区商务委员会${randomUUID().slice(0, 4)}`, '500110');
  const now = p.clock.now();
  const budgetFen = opts.budgetFen ?? 1_000_000;
  const [campaign] = await p.db
    .insert(voucherCampaigns)
    .values({
      bureauId: bureau.org.id,
      name: '綦江区火锅美食节消费券',
      documentNo: '綦商务发〔2023〕80号',
      budgetFen,
      validUntil: new Date(now.getTime() + (opts.validDays ?? 7) * DAY),
      status: 'funded',
      fundedAt: now,
      createdBy: bureau.actor.userId,
    })
    .returning();
  await p.db.insert(voucherCategories).values(
    DEFAULT_VOUCHER_CATEGORIES.map((c, i) => ({
      campaignId: campaign!.id,
      code: c.code,
      name: c.name,
      merchantCategories: [...c.merchantCategories],
      sort: i,
    })),
  );
  const totalFen = tiers.reduce((s, t) => s + t.count * t.discountFen, 0);
  const [issuance] = await p.db
    .insert(voucherIssuances)
    .values({
      campaignId: campaign!.id,
      seq: 1,
      startsAt: new Date(now.getTime() - 3600_000),
      status: 'running',
      totalFen,
      allocatedAt: now,
      logSalt: randomUUID(),
    })
    .returning();
  const tierRows = await p.db
    .insert(voucherTiers)
    .values(tiers.map((t) => ({ ...t, issuanceId: issuance!.id, campaignId: campaign!.id })))
    .returning();
  // Money: bureau wallet (recharged) → pool (the budget) → issued (the started issuance).
  const ledger = p.services.ledger;
  const acc = await ledger.ensureSubjectAccounts(p.db, bureau.org.id, campaign!.id, CAMPAIGN_ACCOUNT_KINDS);
  const w = await ledger.ensureWallet(p.db, bureau.org.id);
  await ledger.transfer(p.db, {
    debitAccountId: await ledger.platformAccount('gateway_clearing'),
    creditAccountId: w.availableId,
    amountFen: budgetFen,
    kind: 'recharge_online',
    reference: 'test',
    idempotencyKey: randomUUID(),
  });
  await ledger.transfer(p.db, {
    debitAccountId: w.availableId,
    creditAccountId: acc.voucher_pool,
    amountFen: budgetFen,
    kind: 'voucher_fund',
    reference: 'test',
    idempotencyKey: `voucher-fund:${campaign!.id}`,
  });
  await ledger.transfer(p.db, {
    debitAccountId: acc.voucher_pool,
    creditAccountId: acc.voucher_issued,
    amountFen: totalFen,
    kind: 'voucher_allocate',
    reference: 'test',
    idempotencyKey: `voucher-allocate:${issuance!.id}`,
  });
  return { bureau, campaign: campaign!, issuance: issuance!, tiers: tierRows, accounts: acc, totalFen };
}

/** Grants a coupon of a tier to a user (what a successful grab writes). */
export async function grant(p: Platform, c: Awaited<ReturnType<typeof fundedCampaign>>, userId: string, tierIndex: number) {
  const t = c.tiers[tierIndex]!;
  const [row] = await p.db
    .insert(vouchers)
    .values({
      campaignId: c.campaign.id,
      issuanceId: c.issuance.id,
      tierId: t.id,
      userId,
      categoryCode: t.categoryCode,
      thresholdFen: t.thresholdFen,
      discountFen: t.discountFen,
      validUntil: c.campaign.validUntil,
    })
    .returning();
  return row!;
}

export const storefrontPng = () =>
  sharp({ create: { width: 640, height: 480, channels: 3, background: '#c33' } })
    .png()
    .toBuffer()
    .then((b) => new Uint8Array(b));

/** A verified settlement card of the acting organisation, through the wallet's bank verification. */
export async function verifiedCard(p: Platform, actor: Actor) {
  const card = await p.services.withdrawals.addCard(actor, {
    accountType: 'corporate',
    holderName: actor.organisation!.fullName,
    bankCode: 'ICBC',
    branch: '綦江支行',
    accountNo: `6222${String(Math.floor(Math.random() * 1e12)).padStart(12, '0')}`,
  });
  const [row] = await p.db.select().from(bankCards).where(eq(bankCards.id, card.id));
  await p.services.withdrawals.verifyCard(actor, card.id, { amountFen: row!.microDepositFen });
  return card;
}

/** The enrolment form's values for a merchant (photo uploaded, card verified). */
export async function enrolment(p: Platform, actor: Actor, over: Record<string, unknown> = {}) {
  const photo = await p.services.files.upload(actor, { filename: 'door.png', contentType: 'image/png', bytes: await storefrontPng(), imageOnly: true });
  const card = await verifiedCard(p, actor);
  return {
    name: `${actor.organisation!.fullName}`.slice(0, 60),
    address: '重庆市綦江区古南街道沱湾路 18 号',
    regionCode: '500110001',
    category: 'dining',
    merchantNo: String(100_000_000_000_000 + Math.floor(Math.random() * 899_999_999_999_999)).slice(0, 15),
    photoFileId: photo.id,
    contactName: '王老板',
    contactMobile: '13800138000',
    bankCardId: card.id,
    ...over,
  };
}
