import { sql } from 'drizzle-orm';
import { bigint, boolean, check, index, integer, jsonb, pgEnum, pgTable, primaryKey, smallint, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { organisations } from './organisations';

/**
 * Ledger account kinds. Each organisation's wallet has `available` and `frozen`; the platform has one
 * account of each other kind. Customer accounts never go negative; platform accounts may (clearing
 * accounts mirror money that sits at the gateway or the bank).
 */
export const ledgerAccountKind = pgEnum('ledger_account_kind', [
  'available',
  'frozen',
  'escrow',
  'deposits',
  'revenue',
  'gateway_clearing',
  'payout_clearing',
  /** Mall payments held until the order settles or is refunded; kept apart from tender escrow. */
  'mall_clearing',
  /** A voucher campaign's funded budget not yet issued, and every value returned to it (subject = campaign). */
  'voucher_pool',
  /** Value of a campaign's started issuances: unissued stock and granted, unused coupons (subject = campaign). */
  'voucher_issued',
  /** Discount of redeemed coupons owed to merchants until settlement (subject = campaign). */
  'voucher_payable',
]);

export const ledgerAccounts = pgTable(
  'ledger_accounts',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    kind: ledgerAccountKind('kind').notNull(),
    /** Null for platform accounts. */
    organisationId: uuid('organisation_id').references(() => organisations.id),
    /** Accounts of one thing an organisation owns (a voucher campaign): its id; null for wallets and platform accounts. */
    subjectId: uuid('subject_id'),
    allowNegative: boolean('allow_negative').notNull().default(false),
    /** Hot platform accounts spread their balance over several rows (see README, "Ledger"). */
    shardCount: smallint('shard_count').notNull().default(1),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('ledger_accounts_org_kind_uq')
      .on(t.organisationId, t.kind)
      .where(sql`${t.organisationId} is not null and ${t.subjectId} is null`),
    uniqueIndex('ledger_accounts_platform_kind_uq')
      .on(t.kind)
      .where(sql`${t.organisationId} is null`),
    uniqueIndex('ledger_accounts_subject_kind_uq')
      .on(t.subjectId, t.kind)
      .where(sql`${t.subjectId} is not null`),
  ],
);

/** The balance of an account is the sum of its shard rows; only the ledger's transfer writes them. */
export const ledgerBalances = pgTable(
  'ledger_balances',
  {
    accountId: uuid('account_id')
      .notNull()
      .references(() => ledgerAccounts.id),
    shard: smallint('shard').notNull(),
    balanceFen: bigint('balance_fen', { mode: 'number' }).notNull().default(0),
    allowNegative: boolean('allow_negative').notNull().default(false),
  },
  (t) => [primaryKey({ columns: [t.accountId, t.shard] }), check('ledger_balances_not_negative', sql`${t.allowNegative} or ${t.balanceFen} >= 0`)],
);

/** Immutable double-entry transfers: money leaves `debit` and arrives in `credit`. */
export const ledgerTransfers = pgTable(
  'ledger_transfers',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    debitAccountId: uuid('debit_account_id')
      .notNull()
      .references(() => ledgerAccounts.id),
    creditAccountId: uuid('credit_account_id')
      .notNull()
      .references(() => ledgerAccounts.id),
    amountFen: bigint('amount_fen', { mode: 'number' }).notNull(),
    kind: text('kind').notNull(),
    reference: text('reference').notNull(),
    idempotencyKey: text('idempotency_key').notNull(),
    /** Balances after this transfer, for single-row (customer) accounts: the statement's running balance. */
    debitBalanceAfterFen: bigint('debit_balance_after_fen', { mode: 'number' }),
    creditBalanceAfterFen: bigint('credit_balance_after_fen', { mode: 'number' }),
    metadata: jsonb('metadata'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('ledger_transfers_idempotency_uq').on(t.idempotencyKey),
    index('ledger_transfers_debit_idx').on(t.debitAccountId, t.createdAt),
    index('ledger_transfers_credit_idx').on(t.creditAccountId, t.createdAt),
    check('ledger_transfers_amount_positive', sql`${t.amountFen} > 0`),
    check('ledger_transfers_distinct_accounts', sql`${t.debitAccountId} <> ${t.creditAccountId}`),
  ],
);

export const rechargeChannel = pgEnum('recharge_channel', ['online', 'offline']);
export const rechargeStatus = pgEnum('recharge_status', ['pending', 'paid', 'failed', 'expired', 'rejected']);

/** 充值单: online orders go through the payment gateway; offline ones wait for an operator. */
export const rechargeOrders = pgTable(
  'recharge_orders',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orderNo: text('order_no').notNull(),
    organisationId: uuid('organisation_id')
      .notNull()
      .references(() => organisations.id),
    userId: uuid('user_id').notNull(),
    channel: rechargeChannel('channel').notNull(),
    amountFen: bigint('amount_fen', { mode: 'number' }).notNull(),
    bankCode: text('bank_code'),
    status: rechargeStatus('status').notNull().default('pending'),
    gatewayTradeNo: text('gateway_trade_no'),
    /** Offline: what the payer says they sent. */
    transferredAt: timestamp('transferred_at', { withTimezone: true }),
    payerAccount: text('payer_account'),
    payerName: text('payer_name'),
    payerReference: text('payer_reference'),
    rejectReason: text('reject_reason'),
    reviewedBy: uuid('reviewed_by'),
    reviewedAt: timestamp('reviewed_at', { withTimezone: true }),
    expiresAt: timestamp('expires_at', { withTimezone: true }),
    paidAt: timestamp('paid_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('recharge_orders_order_no_uq').on(t.orderNo),
    index('recharge_orders_org_idx').on(t.organisationId, t.createdAt),
    index('recharge_orders_pending_idx').on(t.status, t.channel, t.expiresAt),
    check('recharge_orders_amount_positive', sql`${t.amountFen} > 0`),
  ],
);

/** Every gateway callback as received, including forged and mismatched ones (for the operators). */
export const paymentNotifications = pgTable(
  'payment_notifications',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orderNo: text('order_no'),
    body: text('body').notNull(),
    signatureValid: boolean('signature_valid').notNull(),
    outcome: text('outcome').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('payment_notifications_order_idx').on(t.orderNo)],
);

export const bankCardStatus = pgEnum('bank_card_status', ['pending', 'verified', 'failed', 'removed']);
export const bankAccountType = pgEnum('bank_account_type', ['corporate', 'personal']);

/** 银行认证: a card or corporate account proven by a micro-deposit before withdrawals may use it. */
export const bankCards = pgTable(
  'bank_cards',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    organisationId: uuid('organisation_id')
      .notNull()
      .references(() => organisations.id),
    addedBy: uuid('added_by').notNull(),
    accountType: bankAccountType('account_type').notNull(),
    holderName: text('holder_name').notNull(),
    bankCode: text('bank_code').notNull(),
    branch: text('branch').notNull(),
    /** Kept in full for payouts; every view masks it. */
    accountNo: text('account_no').notNull(),
    status: bankCardStatus('status').notNull().default('pending'),
    microDepositFen: integer('micro_deposit_fen').notNull(),
    failedAttempts: integer('failed_attempts').notNull().default(0),
    verifiedAt: timestamp('verified_at', { withTimezone: true }),
    removedAt: timestamp('removed_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('bank_cards_org_account_uq')
      .on(t.organisationId, t.accountNo)
      .where(sql`${t.status} <> 'removed' and ${t.status} <> 'failed'`),
    index('bank_cards_org_idx').on(t.organisationId),
  ],
);

/** 安全密码: separate from the login password, required to withdraw. */
export const securityPasswords = pgTable('security_passwords', {
  userId: uuid('user_id').primaryKey(),
  passwordHash: text('password_hash').notNull(),
  failedAttempts: integer('failed_attempts').notNull().default(0),
  lockedUntil: timestamp('locked_until', { withTimezone: true }),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

export const withdrawalStatus = pgEnum('withdrawal_status', ['pending', 'paid', 'rejected']);

/** 提现: frozen at request; an operator pays it out or releases it. */
export const withdrawals = pgTable(
  'withdrawals',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    withdrawalNo: text('withdrawal_no').notNull(),
    organisationId: uuid('organisation_id')
      .notNull()
      .references(() => organisations.id),
    userId: uuid('user_id').notNull(),
    cardId: uuid('card_id')
      .notNull()
      .references(() => bankCards.id),
    amountFen: bigint('amount_fen', { mode: 'number' }).notNull(),
    status: withdrawalStatus('status').notNull().default('pending'),
    rejectReason: text('reject_reason'),
    payoutRef: text('payout_ref'),
    reviewedBy: uuid('reviewed_by'),
    reviewedAt: timestamp('reviewed_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('withdrawals_no_uq').on(t.withdrawalNo),
    index('withdrawals_org_idx').on(t.organisationId, t.createdAt),
    index('withdrawals_status_idx').on(t.status, t.createdAt),
    check('withdrawals_amount_positive', sql`${t.amountFen} > 0`),
  ],
);
