import { AppError } from '../shared/app-error';

export const PLATFORM_ACCOUNT_KINDS = ['escrow', 'deposits', 'revenue', 'gateway_clearing', 'payout_clearing', 'mall_clearing'] as const;
export type PlatformAccountKind = (typeof PLATFORM_ACCOUNT_KINDS)[number];

/** Accounts of one thing an organisation owns (subject): a voucher campaign's pool, issued value and payable discount. */
export const SUBJECT_ACCOUNT_KINDS = ['voucher_pool', 'voucher_issued', 'voucher_payable'] as const;
export type SubjectAccountKind = (typeof SUBJECT_ACCOUNT_KINDS)[number];

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
  | 'voucher_fund'
  | 'voucher_allocate'
  | 'voucher_return'
  | 'voucher_redeem'
  | 'voucher_refund'
  | 'voucher_expire'
  | 'voucher_settle'
  | 'voucher_remainder'
  | 'voucher_payment'
  | 'voucher_payment_refund'
  | 'adjustment';

export const TRANSFER_KIND_LABELS: Record<TransferKind, string> = {
  recharge_online: '在线充值',
  recharge_offline: '线下充值',
  withdrawal_freeze: '提现冻结',
  voucher_fund: '消费券资金划拨',
  voucher_allocate: '消费券发放批次',
  voucher_return: '消费券未发放退回',
  voucher_redeem: '消费券核销',
  voucher_refund: '消费券退货退回资金池',
  voucher_expire: '消费券过期退回资金池',
  voucher_settle: '消费券结算',
  voucher_remainder: '消费券结余退回',
  voucher_payment: '消费券订单收款',
  voucher_payment_refund: '消费券订单退款',
  withdrawal_release: '提现退回',
  withdrawal_payout: '提现到账',
  deposit_pay: '缴纳保证金',
  deposit_refund: '退还保证金',
  deposit_forfeit: '扣除保证金',
  escrow_fund: '托管合同款',
  escrow_release: '收到合同款',
  escrow_refund: '托管款退回',
  platform_fee: '平台服务费',
  mall_payment: '商城付款',
  mall_settlement: '商城货款结算',
  mall_refund: '商城退款',
  card_verification: '银行认证打款',
  adjustment: '平台调整',
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

export const pickShard = (shardCount: number, random: () => number = Math.random) => (shardCount <= 1 ? 0 : Math.floor(random() * shardCount));
