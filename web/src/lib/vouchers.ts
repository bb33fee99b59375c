import { ISSUANCE_STATUS_LABELS, type IssuanceStatus } from '$core/vouchers/campaigns.machine';
import { issuanceOpen } from '$core/vouchers/grabs.machine';

/*
 * Browser helpers of the voucher pages. core/vouchers/payment-codes.ts draws codes with node:crypto, so
 * its grouping is repeated here for the merchant's field (the same groups of 4 the resident's phone shows).
 */

/** "661234567890123456" → "6612 3456 7890 1234 56": anything but digits is dropped. */
export const groupCodeDigits = (raw: string) => raw.replace(/\D/g, '').replace(/(\d{4})(?=\d)/g, '$1 ');

/** Where the caret goes in `shown` so that `digitsBefore` digits stand before it (typing in the middle of a grouped code). */
export function caretAfterDigits(shown: string, digitsBefore: number): number {
  let seen = 0;
  for (let pos = 0; pos < shown.length; pos++) {
    if (seen >= digitsBefore) return pos;
    if (/\d/.test(shown[pos]!)) seen++;
  }
  return shown.length;
}

interface ConsoleIssuance {
  status: IssuanceStatus;
  startsAt: string;
  tiers: { id: string; count: number; granted: number }[];
}

/**
 * The status the bureau's console shows for an issuance between two loads of the page: a 待发放 issuance
 * has started once a coupon of it is granted or its start time has passed on the server clock while the
 * campaign is funded and valid (the start job or the first grab starts it: the same rule as the grab's
 * issuanceOpen); an issuance whose every coupon the live counts show granted is 已抢光, as the grab marks
 * it. Paused, stopped and finished issuances change only by the bureau's own actions (which reload the page).
 */
export function shownIssuanceStatus(
  i: ConsoleIssuance,
  live: { granted: (tier: { id: string; granted: number }) => number; serverNow: number; campaign: { status: string; validUntil: string } },
): { status: IssuanceStatus; label: string } {
  let status = i.status;
  if (status === 'scheduled') {
    const granted = i.tiers.some((t) => live.granted(t) > 0);
    const campaignOpen = live.campaign.status === 'funded' && Date.parse(live.campaign.validUntil) > live.serverNow;
    if (granted || (campaignOpen && issuanceOpen({ status, startsAt: new Date(i.startsAt) }, new Date(live.serverNow)))) status = 'running';
  }
  if (status === 'running' && i.tiers.length > 0 && i.tiers.every((t) => live.granted(t) >= t.count)) status = 'finished';
  return { status, label: ISSUANCE_STATUS_LABELS[status] };
}
