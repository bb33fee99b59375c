/**
 * The grab's rules (抢券), pure: which answer a grab gets from the facts known about the issuance, the
 * tier, the campaign and the user. No I/O: the service gathers the facts (memory, the admission gate,
 * PostgreSQL) and asks these functions. Answers come in a fixed order: not started, paused, closed,
 * sold out, already claimed, cap reached, not eligible, success.
 */

import { formatDateTime } from '../shared/time';

export type IssuanceStatus = 'scheduled' | 'running' | 'paused' | 'stopped' | 'finished';
export type CampaignStatus = 'draft' | 'funded' | 'settled' | 'cancelled';

export interface GrabFacts {
  now: Date;
  campaign: { status: CampaignStatus; validUntil: Date };
  issuance: { status: IssuanceStatus; startsAt: Date };
  tier: { count: number; granted: number; closed: boolean };
  /** The user already holds a coupon of this tier. */
  alreadyClaimed: boolean;
  /** Coupons the user holds of this issuance, and the campaign's cap per issuance (null: no cap). */
  userIssuanceCount: number;
  cap: number | null;
  eligibility: Eligibility;
}

export type Eligibility = { ok: true } | { ok: false; reason: string };

export type GrabRefusal =
  | { code: 'VOUCHER_CAMPAIGN_CLOSED'; message: string }
  | { code: 'VOUCHER_NOT_STARTED'; message: string; startsAt: Date }
  | { code: 'VOUCHER_ISSUANCE_PAUSED'; message: string }
  | { code: 'VOUCHER_ISSUANCE_CLOSED'; message: string }
  | { code: 'VOUCHER_SOLD_OUT'; message: string }
  | { code: 'VOUCHER_ALREADY_CLAIMED'; message: string }
  | { code: 'VOUCHER_CAP_REACHED'; message: string }
  | { code: 'VOUCHER_NOT_ELIGIBLE'; message: string; reason: string };

export type GrabAnswer = { ok: true } | ({ ok: false } & GrabRefusal);

/** "2026-12-03 10:00" in Beijing time (the platform's one date format). */
export const formatStart = (d: Date): string => formatDateTime(d);

/**
 * Whether the issuance takes grabs at `now` as far as time and status go: running, or scheduled and its
 * start time has come (the start job may not have run yet; the start is done lazily).
 */
export function issuanceOpen(issuance: { status: IssuanceStatus; startsAt: Date }, now: Date): boolean {
  return issuance.status === 'running' || (issuance.status === 'scheduled' && issuance.startsAt.getTime() <= now.getTime());
}

/** The refusals decided without the user: campaign, time and status, stock. Null: the tier takes grabs. */
export function tierRefusal(f: Pick<GrabFacts, 'now' | 'campaign' | 'issuance' | 'tier'>): GrabRefusal | null {
  if (f.campaign.status !== 'funded' || f.campaign.validUntil.getTime() <= f.now.getTime())
    return { code: 'VOUCHER_CAMPAIGN_CLOSED', message: '活动已结束或未开放' };
  if (f.issuance.status === 'scheduled' && f.issuance.startsAt.getTime() > f.now.getTime())
    return { code: 'VOUCHER_NOT_STARTED', message: `未开始：${formatStart(f.issuance.startsAt)} 开抢`, startsAt: f.issuance.startsAt };
  if (f.issuance.status === 'paused') return { code: 'VOUCHER_ISSUANCE_PAUSED', message: '本批次已暂停发放，请稍后再试' };
  if (f.issuance.status === 'finished') return SOLD_OUT;
  if (f.issuance.status === 'stopped') return { code: 'VOUCHER_ISSUANCE_CLOSED', message: '本批次发放已结束' };
  if (f.tier.closed) return { code: 'VOUCHER_ISSUANCE_PAUSED', message: '本批次已暂停发放，请稍后再试' };
  if (f.tier.granted >= f.tier.count) return SOLD_OUT;
  return null;
}

export const SOLD_OUT: GrabRefusal = { code: 'VOUCHER_SOLD_OUT', message: '已抢光' };
export const ALREADY_CLAIMED: GrabRefusal = { code: 'VOUCHER_ALREADY_CLAIMED', message: '已领取：每人每个类别每个档次限领 1 张' };
export const capReached = (cap: number): GrabRefusal => ({ code: 'VOUCHER_CAP_REACHED', message: `本批次每人限领 ${cap} 张，已达上限` });

/** Every rule in order. */
export function decideGrab(f: GrabFacts): GrabAnswer {
  const t = tierRefusal(f);
  if (t) return { ok: false, ...t };
  if (f.alreadyClaimed) return { ok: false, ...ALREADY_CLAIMED };
  if (f.cap !== null && f.userIssuanceCount >= f.cap) return { ok: false, ...capReached(f.cap) };
  if (!f.eligibility.ok) return { ok: false, code: 'VOUCHER_NOT_ELIGIBLE', message: `不符合条件：${f.eligibility.reason}`, reason: f.eligibility.reason };
  return { ok: true };
}

/**
 * Who may grab: without region codes every registered user; with them, an individual whose profile's
 * region is one of them or inside one (prefix match: 500110 covers 500110001 …).
 */
export function eligibility(regionCodes: readonly string[] | null, profile: { regionCode: string } | null, regionLabel: (code: string) => string): Eligibility {
  if (!regionCodes || regionCodes.length === 0) return { ok: true };
  const names = regionCodes.map(regionLabel).join('、');
  if (!profile) return { ok: false, reason: `仅限${names}居民，请先完善个人资料（所在地区）` };
  if (regionCodes.some((c) => profile.regionCode.startsWith(c))) return { ok: true };
  return { ok: false, reason: `仅限${names}居民` };
}

/** The status of a coupon as the resident sees it: unused coupons past their validity are expired even before the job ran. */
export function couponState(c: { status: 'unused' | 'used' | 'expired'; validUntil: Date }, now: Date): 'unused' | 'used' | 'expired' {
  if (c.status === 'unused' && c.validUntil.getTime() <= now.getTime()) return 'expired';
  return c.status;
}

/** 满100减30 */
export function tierRule(t: { thresholdFen: number; discountFen: number }): string {
  const yuan = (f: number) => (f % 100 === 0 ? String(f / 100) : (f / 100).toFixed(2));
  return `满${yuan(t.thresholdFen)}减${yuan(t.discountFen)}`;
}
