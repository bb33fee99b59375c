import { sql } from 'drizzle-orm';
import { bigint, boolean, check, index, jsonb, pgEnum, pgTable, primaryKey, smallint, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
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
]);

export const ledgerAccounts = pgTable(
  'ledger_accounts',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    kind: ledgerAccountKind('kind').notNull(),
    /** Null for platform accounts. */
    organisationId: uuid('organisation_id').references(() => organisations.id),
    allowNegative: boolean('allow_negative').notNull().default(false),
    /** Hot platform accounts spread their balance over several rows (see README, "Ledger"). */
    shardCount: smallint('shard_count').notNull().default(1),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('ledger_accounts_org_kind_uq').on(t.organisationId, t.kind).where(sql`${t.organisationId} is not null`),
    uniqueIndex('ledger_accounts_platform_kind_uq').on(t.kind).where(sql`${t.organisationId} is null`),
  ],
);

/** The balance of an account is the sum of its shard rows; only the ledger's transfer writes them. */
export const ledgerBalances = pgTable(
  'ledger_balances',
  {
    accountId: uuid('account_id').notNull().references(() => ledgerAccounts.id),
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
    debitAccountId: uuid('debit_account_id').notNull().references(() => ledgerAccounts.id),
    creditAccountId: uuid('credit_account_id').notNull().references(() => ledgerAccounts.id),
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
