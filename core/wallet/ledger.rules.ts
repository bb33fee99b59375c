import { AppError } from '../shared/app-error';

export type LedgerAccountKind = 'available' | 'frozen' | 'escrow' | 'deposits' | 'revenue' | 'gateway_clearing' | 'payout_clearing' | 'mall_clearing';
export const PLATFORM_ACCOUNT_KINDS = ['escrow', 'deposits', 'revenue', 'gateway_clearing', 'payout_clearing', 'mall_clearing'] as const;
export type PlatformAccountKind = (typeof PLATFORM_ACCOUNT_KINDS)[number];

/**
 * Hot platform accounts keep their balance in this many rows; a transfer touches one random row, so a
 * thousand wallets paying into escrow at once contend on 1/16 of the locks. The account's balance is
 * the sum of its rows. Customer wallets have one row (their statements need an exact running balance).
 */
export const PLATFORM_SHARDS = 16;

/** What a transfer is for; statements show these (zh-CN labels in TRANSFER_KIND_LABELS). */
export type TransferKind =
  | 'recharge_online'
  | 'recharge_offline'
  | 'withdrawal_freeze'
  | 'withdrawal_release'
  | 'withdrawal_payout'
  | 'deposit_pay'
  | 'deposit_refund'
  | 'deposit_forfeit'
  | 'escrow_fund'
  | 'escrow_release'
  | 'escrow_refund'
  | 'platform_fee'
  | 'mall_payment'
  | 'mall_settlement'
  | 'mall_refund'
  | 'card_verification'
  | 'adjustment';

export const TRANSFER_KIND_LABELS: Record<TransferKind, string> = {
  recharge_online: '在线充值',
  recharge_offline: '线下充值',
  withdrawal_freeze: '提现冻结',
  withdrawal_release: '提现退回',
  withdrawal_payout: '提现到账',
  deposit_pay: '缴纳保证金',
  deposit_refund: '退还保证金',
  deposit_forfeit: '扣除保证金',
  escrow_fund: '托管合同款',
  escrow_release: '合同款支付',
  escrow_refund: '托管款退回',
  platform_fee: '平台服务费',
  mall_payment: '商城付款',
  mall_settlement: '商城货款结算',
  mall_refund: '商城退款',
  card_verification: '银行认证打款',
  adjustment: '调账',
};

export interface TransferRequest {
  debitAccountId: string;
  creditAccountId: string;
  amountFen: number;
  kind: TransferKind;
  /** What the money is for (order number, requirement id …), shown on statements. */
  reference: string;
  /** The same key twice moves money once and returns the first transfer. */
  idempotencyKey: string;
  metadata?: Record<string, unknown>;
}

/** Checks a transfer request before any I/O. Throws VALIDATION. */
export function validateTransfer(r: TransferRequest): void {
  if (!Number.isSafeInteger(r.amountFen) || r.amountFen <= 0) {
    throw new AppError('VALIDATION', '转账金额必须是大于 0 的整数分', { amountFen: '金额必须大于 0' });
  }
  if (r.debitAccountId === r.creditAccountId) throw new AppError('VALIDATION', '转出和转入账户不能相同');
  if (!r.idempotencyKey || r.idempotencyKey.length > 200) throw new AppError('VALIDATION', '缺少幂等键');
}

export const pickShard = (shardCount: number, random: () => number = Math.random) =>
  shardCount <= 1 ? 0 : Math.floor(random() * shardCount);
