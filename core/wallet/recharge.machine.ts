import { randomInt } from 'node:crypto';
import { shanghaiDateCompact } from '../shared/time';

export type RechargeStatus = 'pending' | 'paid' | 'failed' | 'expired' | 'rejected';
export type RechargeChannel = 'online' | 'offline';

export const ONLINE_RECHARGE_TTL_MS = 30 * 60_000;
export const RECHARGE_MIN_FEN = 100; // ¥1
export const RECHARGE_MAX_FEN = 50_000_000; // ¥500,000

/**
 * Recharge order states. Online: pending → paid | failed | expired, and an expired order whose bank
 * payment arrives late is still paid (the money left the payer). Offline: pending → paid | rejected.
 */
export const RECHARGE_TRANSITIONS = {
  online: { pending: ['paid', 'failed', 'expired'], expired: ['paid'], failed: [], paid: [], rejected: [] },
  offline: { pending: ['paid', 'rejected'], expired: [], failed: [], paid: [], rejected: [] },
} as const satisfies Record<RechargeChannel, Record<RechargeStatus, readonly RechargeStatus[]>>;

export const canTransition = (channel: RechargeChannel, from: RechargeStatus, to: RechargeStatus) =>
  (RECHARGE_TRANSITIONS[channel][from] as readonly RechargeStatus[]).includes(to);

export interface GatewayNotice {
  orderNo: string;
  tradeNo: string;
  amountFen: number;
  result: 'SUCCESS' | 'FAILED';
}

export type NoticeDecision =
  | { action: 'credit'; to: 'paid' }
  | { action: 'mark'; to: 'failed' }
  | { action: 'ignore'; reason: 'already_paid' | 'already_final' }
  | { action: 'refuse'; reason: 'amount_mismatch' | 'not_online' };

/** Decides what a verified gateway notice does to an order. Pure; repeated notices are harmless. */
export function decideNotice(order: { channel: RechargeChannel; status: RechargeStatus; amountFen: number }, notice: GatewayNotice): NoticeDecision {
  if (order.channel !== 'online') return { action: 'refuse', reason: 'not_online' };
  if (notice.amountFen !== order.amountFen) return { action: 'refuse', reason: 'amount_mismatch' };
  if (order.status === 'paid') return { action: 'ignore', reason: 'already_paid' };
  if (notice.result === 'SUCCESS')
    return canTransition('online', order.status, 'paid') ? { action: 'credit', to: 'paid' } : { action: 'ignore', reason: 'already_final' };
  return canTransition('online', order.status, 'failed') ? { action: 'mark', to: 'failed' } : { action: 'ignore', reason: 'already_final' };
}

/** What people see: a pending online order past its deadline shows as expired before the sweep runs. */
export function effectiveStatus(order: { channel: RechargeChannel; status: RechargeStatus; expiresAt: Date | null }, now: Date): RechargeStatus {
  if (order.channel === 'online' && order.status === 'pending' && order.expiresAt && order.expiresAt <= now) return 'expired';
  return order.status;
}

/**
 * R + Shanghai date + 10 random digits, e.g. R20261122 4839201746. The digits come from the operating
 * system's generator: order numbers appear in payment links, so they must not be predictable.
 */
export function makeOrderNo(prefix: string, now: Date, digits: () => number = () => randomInt(0, 10_000_000_000)): string {
  const d = shanghaiDateCompact(now);
  return `${prefix}${d}${String(digits()).padStart(10, '0')}`;
}
