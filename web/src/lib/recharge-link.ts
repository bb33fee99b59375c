import { fenToYuanInput } from '$core/shared/money';

/** Why a page sends someone to recharge: the recharge page says so next to the preset amount. */
type RechargeReason = 'deposit' | 'escrow';

/**
 * The recharge page's address from a shortfall: the amount to preset (in yuan, as `?amount=`), the
 * reason, and the same-site page to go back to once the money has arrived.
 */
export function rechargeLink(opts: { returnTo: string; amountFen?: number; reason?: RechargeReason }) {
  const q = new URLSearchParams({ returnTo: opts.returnTo });
  if (opts.amountFen && opts.amountFen > 0) q.set('amount', fenToYuanInput(opts.amountFen));
  if (opts.reason) q.set('for', opts.reason);
  return `/wallet/recharge?${q}`;
}
