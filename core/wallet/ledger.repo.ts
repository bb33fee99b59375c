import { and, count, desc, eq, gte, inArray, isNull, lt, or, sql, type SQL } from 'drizzle-orm';
import { rowsOf, type DbOrTx } from '../../db/client';
import { ledgerAccounts, ledgerBalances, ledgerTransfers } from '../../db/schema';
import type { SubjectAccountKind } from './ledger.rules';

export type TransferRow = typeof ledgerTransfers.$inferSelect;

/** The ledger_transfer() function's row, as the drivers hand it back (numbers may come as text). */
export interface RawTransfer {
  id: string;
  debit_account_id: string;
  credit_account_id: string;
  amount_fen: string | number;
  kind: string;
  reference: string;
  idempotency_key: string;
  debit_balance_after_fen: string | number | null;
  credit_balance_after_fen: string | number | null;
  metadata: unknown;
  created_at: string | Date;
  replayed: boolean;
}

/** postgres.js returns rows as the result itself, PGlite as `.rows`. */

export interface LedgerCheckRow {
  account_id: string;
  allow_negative: boolean;
  balance: string;
  from_transfers: string;
}

/** SQL of the double-entry ledger. Only `callTransfer` changes a balance (db/migrations/0002). */
export const ledgerRepo = {
  insertPlatformAccount: (q: DbOrTx, kind: (typeof ledgerAccounts.$inferInsert)['kind'], shardCount: number) =>
    q
      .insert(ledgerAccounts)
      .values({ kind, allowNegative: true, shardCount })
      .onConflictDoNothing({ target: ledgerAccounts.kind, where: isNull(ledgerAccounts.organisationId) }),

  listPlatformAccounts: (q: DbOrTx) => q.select().from(ledgerAccounts).where(isNull(ledgerAccounts.organisationId)),

  insertBalanceShards: (q: DbOrTx, rows: { accountId: string; shard: number; allowNegative: boolean }[]) =>
    q.insert(ledgerBalances).values(rows).onConflictDoNothing(),

  async findShardCount(q: DbOrTx, accountId: string) {
    const [row] = await q.select({ n: ledgerAccounts.shardCount }).from(ledgerAccounts).where(eq(ledgerAccounts.id, accountId));
    return row?.n;
  },

  /** An organisation's wallet accounts (not the accounts of things it owns, which carry a subject). */
  listOrganisationAccounts: (q: DbOrTx, organisationId: string) =>
    q
      .select()
      .from(ledgerAccounts)
      .where(and(eq(ledgerAccounts.organisationId, organisationId), isNull(ledgerAccounts.subjectId))),

  listSubjectAccounts: (q: DbOrTx, subjectId: string) => q.select().from(ledgerAccounts).where(eq(ledgerAccounts.subjectId, subjectId)),

  insertSubjectAccounts: (q: DbOrTx, organisationId: string, subjectId: string, kinds: SubjectAccountKind[]) =>
    q
      .insert(ledgerAccounts)
      .values(kinds.map((kind) => ({ kind, organisationId, subjectId })))
      .onConflictDoNothing(),

  insertWalletAccounts: (q: DbOrTx, organisationId: string) =>
    q
      .insert(ledgerAccounts)
      .values([
        { kind: 'available', organisationId },
        { kind: 'frozen', organisationId },
      ])
      .onConflictDoNothing(),

  /** One round trip to ledger_transfer(): idempotent on the key, balance rows locked in a fixed order. */
  async callTransfer(
    q: DbOrTx,
    t: {
      debitAccountId: string;
      creditAccountId: string;
      amountFen: number;
      kind: string;
      reference: string;
      idempotencyKey: string;
      metadata?: unknown;
      debitShard: number;
      creditShard: number;
      debitSingle: boolean;
      creditSingle: boolean;
    },
  ) {
    const result = await q.execute(sql`select * from ledger_transfer(
        ${t.debitAccountId}::uuid, ${t.creditAccountId}::uuid, ${t.amountFen}::bigint, ${t.kind}, ${t.reference},
        ${t.idempotencyKey}, ${t.metadata ? JSON.stringify(t.metadata) : null}::jsonb,
        ${t.debitShard}::smallint, ${t.creditShard}::smallint,
        ${t.debitSingle}, ${t.creditSingle})`);
    return rowsOf(result)[0] as RawTransfer | undefined;
  },

  async sumBalance(q: DbOrTx, accountId: string) {
    const [row] = await q
      .select({ fen: sql<string>`coalesce(sum(${ledgerBalances.balanceFen}), 0)` })
      .from(ledgerBalances)
      .where(eq(ledgerBalances.accountId, accountId));
    return Number(row?.fen ?? 0);
  },

  listBalances: (q: DbOrTx, accountIds: string[]) =>
    q.select({ accountId: ledgerBalances.accountId, fen: ledgerBalances.balanceFen }).from(ledgerBalances).where(inArray(ledgerBalances.accountId, accountIds)),

  async findCreditAccountByKey(q: DbOrTx, idempotencyKey: string) {
    const [row] = await q.select({ id: ledgerTransfers.creditAccountId }).from(ledgerTransfers).where(eq(ledgerTransfers.idempotencyKey, idempotencyKey));
    return row?.id;
  },

  async netOfKinds(q: DbOrTx, accountId: string, kinds: string[]) {
    const [row] = await q
      .select({
        fen: sql<string>`coalesce(sum(case when ${ledgerTransfers.creditAccountId} = ${accountId} then ${ledgerTransfers.amountFen} else -${ledgerTransfers.amountFen} end), 0)`,
      })
      .from(ledgerTransfers)
      .where(and(inArray(ledgerTransfers.kind, kinds), or(eq(ledgerTransfers.creditAccountId, accountId), eq(ledgerTransfers.debitAccountId, accountId))));
    return Number(row?.fen ?? 0);
  },

  /** Per account: the balance rows' sum and credits − debits of its transfers. */
  async checkRows(q: DbOrTx) {
    const rows = await q.execute(sql`
        with b as (select account_id, sum(balance_fen)::bigint as balance from ledger_balances group by account_id),
             t as (
               select account_id, sum(delta)::bigint as delta from (
                 select credit_account_id as account_id, amount_fen as delta from ledger_transfers
                 union all
                 select debit_account_id, -amount_fen from ledger_transfers) x
               group by account_id)
        select a.id as account_id, a.allow_negative, coalesce(b.balance, 0)::text as balance, coalesce(t.delta, 0)::text as from_transfers
        from ledger_accounts a left join b on b.account_id = a.id left join t on t.account_id = a.id`);
    return rowsOf(rows) as LedgerCheckRow[];
  },

  async countTransfers(q: DbOrTx) {
    const [row] = await q.select({ n: count() }).from(ledgerTransfers);
    return Number(row?.n ?? 0);
  },

  /** A page of the transfers touching any of `accountIds` (newest first), with the filters' total. */
  async pageTransfersOf(q: DbOrTx, accountIds: string[], filter: { kind?: string; from?: Date; before?: Date }, paging: { limit: number; offset: number }) {
    const conds: (SQL | undefined)[] = [
      or(inArray(ledgerTransfers.debitAccountId, accountIds), inArray(ledgerTransfers.creditAccountId, accountIds)),
      filter.kind ? eq(ledgerTransfers.kind, filter.kind) : undefined,
      filter.from ? gte(ledgerTransfers.createdAt, filter.from) : undefined,
      filter.before ? lt(ledgerTransfers.createdAt, filter.before) : undefined,
    ];
    const where = and(...conds);
    const [rows, [total]] = await Promise.all([
      q
        .select()
        .from(ledgerTransfers)
        .where(where)
        .orderBy(desc(ledgerTransfers.createdAt), desc(ledgerTransfers.id))
        .limit(paging.limit)
        .offset(paging.offset),
      q.select({ n: count() }).from(ledgerTransfers).where(where),
    ]);
    return { rows, total: Number(total?.n ?? 0) };
  },
};
