import { z } from 'zod';

/** zod contracts of the grab, the resident's coupons and the fairness log (pages, API, tests). */

export const GrabInput = z.object({
  /** Lower-cased: the gate, the caches and the batch answers key on PostgreSQL's spelling of the id. */
  tierId: z.uuid('请选择要领取的券').toLowerCase(),
});
export type GrabInput = z.input<typeof GrabInput>;

const Iso = z.string();

export const VoucherView = z.object({
  id: z.string(),
  campaignId: z.string(),
  campaignName: z.string(),
  issuanceId: z.string(),
  tierId: z.string(),
  categoryCode: z.string(),
  categoryName: z.string(),
  tierNo: z.number().int(),
  thresholdFen: z.number().int(),
  discountFen: z.number().int(),
  /** 满100减30 */
  rule: z.string(),
  /** unused / used / expired as the resident sees it (past validity = expired even before the job ran). */
  status: z.enum(['unused', 'used', 'expired']),
  statusLabel: z.string(),
  grantedAt: Iso,
  validUntil: Iso,
  usedAt: Iso.nullable(),
  expiredAt: Iso.nullable(),
  /** Merchant categories where it applies (超市、商场 …). */
  merchantCategories: z.array(z.string()),
  /** The campaign's public merchant list page. */
  merchantsUrl: z.string(),
});
export type VoucherView = z.infer<typeof VoucherView>;

export const MyVouchers = z.object({
  items: z.array(VoucherView),
  counts: z.object({ unused: z.number().int(), used: z.number().int(), expired: z.number().int() }),
});

export const GrabTierView = z.object({
  tierId: z.string(),
  categoryCode: z.string(),
  categoryName: z.string(),
  tierNo: z.number().int(),
  thresholdFen: z.number().int(),
  discountFen: z.number().int(),
  rule: z.string(),
  count: z.number().int(),
  granted: z.number().int(),
  remaining: z.number().int(),
  /** The caller holds one (signed in only). */
  claimed: z.boolean(),
});

export const GrabIssuanceView = z.object({
  id: z.string(),
  seq: z.number().int(),
  startsAt: Iso,
  status: z.enum(['scheduled', 'running', 'paused', 'stopped', 'finished']),
  /** What the page shows: 未开始 / 进行中 / 已暂停 / 已抢光 / 已结束. */
  stateLabel: z.string(),
  open: z.boolean(),
  tiers: z.array(GrabTierView),
  /** The fairness log can be downloaded (the issuance is over: sold out, stopped or finished). */
  logAvailable: z.boolean(),
});

export const CampaignGrabView = z.object({
  id: z.string(),
  name: z.string(),
  documentNo: z.string(),
  validUntil: Iso,
  regionCodes: z.array(z.string()).nullable(),
  /** 仅限綦江区居民 when restricted. */
  eligibilityNote: z.string().nullable(),
  perIssuanceCap: z.number().int().nullable(),
  categories: z.array(z.object({ code: z.string(), name: z.string(), merchantCategories: z.array(z.string()) })),
  issuances: z.array(GrabIssuanceView),
  serverNow: Iso,
});
export type CampaignGrabView = z.infer<typeof CampaignGrabView>;

export const CampaignSummary = z.object({
  id: z.string(),
  name: z.string(),
  documentNo: z.string(),
  validUntil: Iso,
  eligibilityNote: z.string().nullable(),
  /** The next issuance not over, if any. */
  next: z
    .object({ id: z.string(), seq: z.number().int(), startsAt: Iso, stateLabel: z.string(), remaining: z.number().int(), count: z.number().int() })
    .nullable(),
});
export const CampaignList = z.object({ items: z.array(CampaignSummary), serverNow: Iso });

export const FairnessLogEntry = z.object({
  order: z.number().int(),
  grantedAt: Iso,
  /** sha256(log salt + user id), hex. */
  userHash: z.string(),
  category: z.string(),
  tierNo: z.number().int(),
  rule: z.string(),
});
export const FairnessLog = z.object({
  issuanceId: z.string(),
  campaignName: z.string(),
  seq: z.number().int(),
  status: z.string(),
  /** Published with the log so anyone can check their own line: sha256(salt + their user id). */
  salt: z.string(),
  total: z.number().int(),
  entries: z.array(FairnessLogEntry),
});
export type FairnessLog = z.infer<typeof FairnessLog>;

export const ServerClock = z.object({ now: Iso });

/** Live counts of a campaign's tiers, pushed to `vouchers:campaign:<id>` (at most a few times a second). */
export interface VoucherCountsPayload {
  campaignId: string;
  tiers: { tierId: string; issuanceId: string; granted: number; remaining: number }[];
  at: string;
}
