import { z } from 'zod';

// Views: what the wallet's services return and the API publishes. Times travel as ISO strings: the
// services hand back Date values, which JSON turns into exactly that (the API's types check it).

const Instant = z.iso.datetime();
const Fen = z.number().int();

export const WalletBalancesView = z.object({ availableFen: Fen, frozenFen: Fen, totalFen: Fen });
export type WalletBalancesView = z.output<typeof WalletBalancesView>;

export const BankView = z.object({ code: z.string(), name: z.string(), limitNote: z.string() });
export const ReceivingAccountView = z.object({ bank: z.string(), branch: z.string(), accountName: z.string(), accountNo: z.string() });
export const BanksView = z.object({ banks: z.array(BankView), receivingAccount: ReceivingAccountView });

export const RECHARGE_STATUSES = ['pending', 'paid', 'failed', 'expired', 'rejected'] as const;

/** A recharge order as its organisation sees it (the paying account masked). */
export const RechargeView = z.object({
  orderNo: z.string(),
  channel: z.enum(['online', 'offline']),
  amountFen: Fen,
  bankCode: z.string().nullable(),
  status: z.enum(RECHARGE_STATUSES),
  payerName: z.string().nullable(),
  payerAccount: z.string().nullable(),
  payerReference: z.string().nullable(),
  transferredAt: Instant.nullable(),
  rejectReason: z.string().nullable(),
  expiresAt: Instant.nullable(),
  paidAt: Instant.nullable(),
  createdAt: Instant,
});
export type RechargeView = z.output<typeof RechargeView>;

export const OnlineRechargeCreatedView = z.object({ order: RechargeView, redirectUrl: z.string() });

/** An offline recharge in the operators' queue: the full paying account and whose it is. */
export const OfflineRechargeReviewView = RechargeView.extend({ organisationId: z.uuid(), organisationName: z.string() });

export const CARD_STATUSES = ['pending', 'verified', 'failed', 'removed'] as const;

/** A bank card, its number masked. */
export const CardView = z.object({
  id: z.uuid(),
  accountType: z.enum(['corporate', 'personal']),
  holderName: z.string(),
  bankCode: z.string(),
  bankName: z.string(),
  branch: z.string(),
  accountNoMasked: z.string(),
  status: z.enum(CARD_STATUSES),
  /** Wrong micro-deposit amounts still allowed before the card fails. */
  attemptsLeft: z.number().int(),
  verifiedAt: Instant.nullable(),
  createdAt: Instant,
});
export type CardView = z.output<typeof CardView>;

export const WITHDRAWAL_STATUSES = ['pending', 'paid', 'rejected'] as const;

export const WithdrawalView = z.object({
  id: z.uuid(),
  withdrawalNo: z.string(),
  organisationId: z.uuid(),
  cardId: z.uuid(),
  amountFen: Fen,
  status: z.enum(WITHDRAWAL_STATUSES),
  rejectReason: z.string().nullable(),
  /** The payout's bank reference once paid. */
  payoutRef: z.string().nullable(),
  reviewedAt: Instant.nullable(),
  createdAt: Instant,
});
export type WithdrawalView = z.output<typeof WithdrawalView>;

/** A withdrawal waiting for an operator: whose it is and where the money goes. */
export const PendingWithdrawalView = WithdrawalView.extend({ organisationName: z.string(), card: CardView });

export const StatementLineView = z.object({
  id: z.uuid(),
  kind: z.string(),
  kindLabel: z.string(),
  /** + into the wallet, − out of it. */
  amountFen: Fen,
  account: z.enum(['available', 'frozen']),
  /** The ledger's reference: order and document numbers. */
  reference: z.string(),
  /** What a person recognises the line by: 充值 · 微信支付, 托管 · <project>, 消费帮扶馆订单 · <merchant>. */
  summary: z.string(),
  balanceAfterFen: Fen.nullable(),
  createdAt: Instant,
});

export const LedgerCheckView = z.object({
  ok: z.boolean(),
  totalFen: Fen,
  accounts: z.number().int(),
  transfers: z.number().int(),
  mismatches: z.array(z.object({ accountId: z.uuid(), balanceFen: Fen, fromTransfersFen: Fen })),
  negativeCustomerAccounts: z.array(z.uuid()),
});
