import { describe, expect, it } from 'vitest';
import { couponState, decideGrab, eligibility, formatStart, issuanceOpen, tierRule, type GrabFacts } from './grabs.machine';

const now = new Date('2023-12-03T02:00:00Z'); // 10:00 in Asia/Shanghai
const base: GrabFacts = {
  now,
  campaign: { status: 'funded', validUntil: new Date('2023-12-10T15:59:00Z') },
  issuance: { status: 'running', startsAt: now },
  tier: { count: 10, granted: 0, closed: false },
  alreadyClaimed: false,
  userIssuanceCount: 0,
  cap: null,
  eligibility: { ok: true },
};
const code = (f: Partial<GrabFacts>) => {
  const a = decideGrab({ ...base, ...f });
  return a.ok ? 'ok' : a.code;
};
const label = (c: string) => (c === '500110' ? '綦江区' : c);

describe('grab rules', () => {
  it('grants when every rule passes', () => expect(code({})).toBe('ok'));

  it('answers not started with the start time', () => {
    const a = decideGrab({ ...base, issuance: { status: 'scheduled', startsAt: new Date(now.getTime() + 60_000) } });
    expect(a).toMatchObject({ ok: false, code: 'VOUCHER_NOT_STARTED', message: '未开始：2023-12-03 10:01 开抢' });
  });

  it('a scheduled issuance whose time has come takes grabs (the start is lazy)', () => {
    expect(code({ issuance: { status: 'scheduled', startsAt: now } })).toBe('ok');
    expect(issuanceOpen({ status: 'scheduled', startsAt: now }, now)).toBe(true);
    expect(issuanceOpen({ status: 'scheduled', startsAt: new Date(now.getTime() + 1) }, now)).toBe(false);
    expect(issuanceOpen({ status: 'paused', startsAt: now }, now)).toBe(false);
  });

  it('answers in order: not started, paused, sold out, already claimed, cap, not eligible', () => {
    const all: Partial<GrabFacts> = {
      issuance: { status: 'scheduled', startsAt: new Date(now.getTime() + 1000) },
      tier: { count: 1, granted: 1, closed: false },
      alreadyClaimed: true,
      cap: 1,
      userIssuanceCount: 1,
      eligibility: { ok: false, reason: '仅限綦江区居民' },
    };
    expect(code(all)).toBe('VOUCHER_NOT_STARTED');
    expect(code({ ...all, issuance: { status: 'paused', startsAt: now } })).toBe('VOUCHER_ISSUANCE_PAUSED');
    expect(code({ ...all, issuance: { status: 'running', startsAt: now } })).toBe('VOUCHER_SOLD_OUT');
    expect(code({ ...all, issuance: base.issuance, tier: base.tier })).toBe('VOUCHER_ALREADY_CLAIMED');
    expect(code({ ...all, issuance: base.issuance, tier: base.tier, alreadyClaimed: false })).toBe('VOUCHER_CAP_REACHED');
    expect(code({ ...all, issuance: base.issuance, tier: base.tier, alreadyClaimed: false, cap: 2 })).toBe('VOUCHER_NOT_ELIGIBLE');
  });

  it('a closed tier (pause in progress) is paused; a stopped issuance is closed; a finished one (every coupon granted) is sold out', () => {
    expect(code({ tier: { count: 10, granted: 0, closed: true } })).toBe('VOUCHER_ISSUANCE_PAUSED');
    expect(code({ issuance: { status: 'stopped', startsAt: now } })).toBe('VOUCHER_ISSUANCE_CLOSED');
    expect(code({ issuance: { status: 'finished', startsAt: now } })).toBe('VOUCHER_SOLD_OUT');
  });

  it('a campaign not funded or past its validity takes no grabs', () => {
    expect(code({ campaign: { status: 'draft', validUntil: base.campaign.validUntil } })).toBe('VOUCHER_CAMPAIGN_CLOSED');
    expect(code({ campaign: { status: 'funded', validUntil: now } })).toBe('VOUCHER_CAMPAIGN_CLOSED');
  });

  it('the cap counts the coupons of the issuance', () => {
    expect(code({ cap: 2, userIssuanceCount: 1 })).toBe('ok');
    expect(code({ cap: 2, userIssuanceCount: 2 })).toBe('VOUCHER_CAP_REACHED');
  });

  it('says why a user is not eligible', () => {
    expect(eligibility(null, null, label)).toEqual({ ok: true });
    expect(eligibility([], null, label)).toEqual({ ok: true });
    expect(eligibility(['500110'], { regionCode: '500110001' }, label)).toEqual({ ok: true });
    expect(eligibility(['500110'], { regionCode: '500101' }, label)).toEqual({ ok: false, reason: '仅限綦江区居民' });
    expect(eligibility(['500110'], null, label)).toEqual({ ok: false, reason: '仅限綦江区居民，请先完善个人资料（所在地区）' });
    const a = decideGrab({ ...base, eligibility: eligibility(['500110'], { regionCode: '500101' }, label) });
    expect(a).toMatchObject({ ok: false, code: 'VOUCHER_NOT_ELIGIBLE', message: '不符合条件：仅限綦江区居民' });
  });

  it('shows coupons past validity as expired before the job ran', () => {
    const validUntil = new Date(now.getTime() + 1000);
    expect(couponState({ status: 'unused', validUntil }, now)).toBe('unused');
    expect(couponState({ status: 'unused', validUntil }, validUntil)).toBe('expired');
    expect(couponState({ status: 'used', validUntil }, validUntil)).toBe('used');
  });

  it('formats rules and times', () => {
    expect(tierRule({ thresholdFen: 10000, discountFen: 3000 })).toBe('满100减30');
    expect(tierRule({ thresholdFen: 15050, discountFen: 5000 })).toBe('满150.50减50');
    expect(formatStart(new Date('2023-12-04T02:00:00Z'))).toBe('2023-12-04 10:00');
  });
});
