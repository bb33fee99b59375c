import { and, eq, inArray, isNull, or, sql } from 'drizzle-orm';
import type { Db, DbOrTx } from '../../db/client';
import { ledgerAccounts, ledgerBalances, ledgerTransfers } from '../../db/schema';
import { AppError } from '../shared/app-error';
import {
  pickShard,
  PLATFORM_ACCOUNT_KINDS,
  PLATFORM_SHARDS,
  validateTransfer,
  type PlatformAccountKind,
  type TransferRequest,
} from './ledger.rules';

export type TransferRow = typeof ledgerTransfers.$inferSelect;

interface RawTransfer {
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
const rowsOf = (r: unknown): unknown[] => (Array.isArray(r) ? r : ((r as { rows?: unknown[] }).rows ?? []));
const num = (v: string | number | null) => (v === null ? null : Number(v));

const toTransferRow = (r: RawTransfer): TransferRow => ({
  id: r.id,
  debitAccountId: r.debit_account_id,
  creditAccountId: r.credit_account_id,
  amountFen: Number(r.amount_fen),
  kind: r.kind,
  reference: r.reference,
  idempotencyKey: r.idempotency_key,
  debitBalanceAfterFen: num(r.debit_balance_after_fen),
  creditBalanceAfterFen: num(r.credit_balance_after_fen),
  metadata: r.metadata,
  createdAt: new Date(r.created_at),
});

export interface WalletAccounts {
  availableId: string;
  frozenId: string;
}

export interface LedgerCheck {
  ok: boolean;
  /** Sum of every balance row: zero in a healthy ledger. */
  totalFen: number;
  accounts: number;
  transfers: number;
  /** Accounts whose balance differs from credits − debits of their transfers. */
  mismatches: { accountId: string; balanceFen: number; fromTransfersFen: number }[];
  negativeCustomerAccounts: string[];
}

/**
 * The double-entry ledger. `transfer` is the only code that changes a balance, always inside the
 * caller's transaction, so the transfer row and both balance changes commit together or not at all.
 */
export function createLedger({ db, random = Math.random }: { db: Db; random?: () => number }) {
  const platformIds = new Map<PlatformAccountKind, { id: string; shardCount: number }>();
  const shardCounts = new Map<string, number>();

  async function ensurePlatformAccounts(q: DbOrTx = db) {
    for (const kind of PLATFORM_ACCOUNT_KINDS) {
      await q
        .insert(ledgerAccounts)
        .values({ kind, allowNegative: true, shardCount: PLATFORM_SHARDS })
        .onConflictDoNothing({ target: ledgerAccounts.kind, where: isNull(ledgerAccounts.organisationId) });
    }
    const rows = await q.select().from(ledgerAccounts).where(isNull(ledgerAccounts.organisationId));
    for (const r of rows) {
      await q
        .insert(ledgerBalances)
        .values(Array.from({ length: r.shardCount }, (_, shard) => ({ accountId: r.id, shard, allowNegative: true })))
        .onConflictDoNothing();
      platformIds.set(r.kind as PlatformAccountKind, { id: r.id, shardCount: r.shardCount });
      shardCounts.set(r.id, r.shardCount);
    }
  }

  async function platformAccount(kind: PlatformAccountKind) {
    if (!platformIds.has(kind)) await ensurePlatformAccounts();
    return platformIds.get(kind)!.id;
  }

  async function shardCountOf(q: DbOrTx, accountId: string) {
    let n = shardCounts.get(accountId);
    if (n === undefined) {
      const [row] = await q.select({ n: ledgerAccounts.shardCount }).from(ledgerAccounts).where(eq(ledgerAccounts.id, accountId));
      if (!row) throw new AppError('NOT_FOUND', '账户不存在');
      n = row.n;
      shardCounts.set(accountId, n);
    }
    return n;
  }

  /** An organisation's wallet accounts never change once created: remember their ids. */
  const wallets = new Map<string, WalletAccounts>();

  /** Creates the organisation's available and frozen accounts on first use; returns their ids. */
  async function ensureWallet(q: DbOrTx, organisationId: string): Promise<WalletAccounts> {
    const known = wallets.get(organisationId);
    if (known) return known;
    const existing = await q.select().from(ledgerAccounts).where(eq(ledgerAccounts.organisationId, organisationId));
    if (existing.length < 2) {
      await q
        .insert(ledgerAccounts)
        .values([
          { kind: 'available', organisationId },
          { kind: 'frozen', organisationId },
        ])
        .onConflictDoNothing();
    }
    const rows = existing.length >= 2 ? existing : await q.select().from(ledgerAccounts).where(eq(ledgerAccounts.organisationId, organisationId));
    await q
      .insert(ledgerBalances)
      .values(rows.map((r) => ({ accountId: r.id, shard: 0, allowNegative: false })))
      .onConflictDoNothing();
    const w = { availableId: rows.find((r) => r.kind === 'available')!.id, frozenId: rows.find((r) => r.kind === 'frozen')!.id };
    // Inside a transaction the rows may still roll back: only remember ids that are committed.
    if (q === db) wallets.set(organisationId, w);
    return w;
  }

  /**
   * Moves `amountFen` from the debit to the credit account, inside `q` (the caller's transaction, or
   * on its own: the database function is atomic either way).
   * Errors: VALIDATION, INSUFFICIENT_FUNDS (a customer account would go negative; nothing moves),
   * IDEMPOTENCY_CONFLICT (the key was used for a different transfer).
   * Concurrency: a repeated key waits on the unique index for the first transaction and then returns
   * its transfer (`replayed: true`) without moving money; balance rows are locked in a fixed order
   * (account, shard), so opposite transfers cannot deadlock. One round trip (db/migrations/0002).
   */
  async function transfer(q: DbOrTx, req: TransferRequest): Promise<{ transfer: TransferRow; replayed: boolean }> {
    validateTransfer(req);
    const [debitShards, creditShards] = [await shardCountOf(q, req.debitAccountId), await shardCountOf(q, req.creditAccountId)];
    let result;
    try {
      result = await q.execute(sql`select * from ledger_transfer(
        ${req.debitAccountId}::uuid, ${req.creditAccountId}::uuid, ${req.amountFen}::bigint, ${req.kind}, ${req.reference},
        ${req.idempotencyKey}, ${req.metadata ? JSON.stringify(req.metadata) : null}::jsonb,
        ${pickShard(debitShards, random)}::smallint, ${pickShard(creditShards, random)}::smallint,
        ${debitShards === 1}, ${creditShards === 1})`);
    } catch (e) {
      const msg = String((e as { cause?: { message?: string } })?.cause?.message ?? (e as Error)?.message ?? '');
      if (msg.includes('INSUFFICIENT_FUNDS')) throw new AppError('INSUFFICIENT_FUNDS', '余额不足');
      if (msg.includes('ACCOUNT_NOT_FOUND')) throw new AppError('NOT_FOUND', '账户不存在');
      throw e;
    }
    const row = rowsOf(result)[0] as RawTransfer | undefined;
    if (!row) throw new AppError('INTERNAL', '转账失败');
    const t = toTransferRow(row);
    if (row.replayed && (t.debitAccountId !== req.debitAccountId || t.creditAccountId !== req.creditAccountId || t.amountFen !== req.amountFen)) {
      throw new AppError('IDEMPOTENCY_CONFLICT', '该幂等键已用于另一笔转账');
    }
    return { transfer: t, replayed: Boolean(row.replayed) };
  }

  async function balanceOf(q: DbOrTx, accountId: string) {
    const [row] = await q
      .select({ fen: sql<string>`coalesce(sum(${ledgerBalances.balanceFen}), 0)` })
      .from(ledgerBalances)
      .where(eq(ledgerBalances.accountId, accountId));
    return Number(row?.fen ?? 0);
  }

  /** The account a transfer credited, found by its idempotency key; undefined when there is none. */
  async function creditAccountOf(q: DbOrTx, idempotencyKey: string) {
    const [row] = await q.select({ id: ledgerTransfers.creditAccountId }).from(ledgerTransfers).where(eq(ledgerTransfers.idempotencyKey, idempotencyKey));
    return row?.id;
  }

  /** Credits − debits of one account over transfers of the given kinds. */
  async function netOfKinds(q: DbOrTx, accountId: string, kinds: string[]) {
    const [row] = await q
      .select({
        fen: sql<string>`coalesce(sum(case when ${ledgerTransfers.creditAccountId} = ${accountId} then ${ledgerTransfers.amountFen} else -${ledgerTransfers.amountFen} end), 0)`,
      })
      .from(ledgerTransfers)
      .where(and(inArray(ledgerTransfers.kind, kinds), or(eq(ledgerTransfers.creditAccountId, accountId), eq(ledgerTransfers.debitAccountId, accountId))));
    return Number(row?.fen ?? 0);
  }

  return {
    ensurePlatformAccounts,
    creditAccountOf,
    netOfKinds,
    platformAccount,
    ensureWallet,
    transfer,
    balanceOf,

    /** Available, frozen and total of an organisation's wallet. */
    async walletBalances(q: DbOrTx, organisationId: string) {
      const w = await ensureWallet(q, organisationId);
      const rows = await q
        .select({ accountId: ledgerBalances.accountId, fen: ledgerBalances.balanceFen })
        .from(ledgerBalances)
        .where(inArray(ledgerBalances.accountId, [w.availableId, w.frozenId]));
      const availableFen = rows.find((r) => r.accountId === w.availableId)?.fen ?? 0;
      const frozenFen = rows.find((r) => r.accountId === w.frozenId)?.fen ?? 0;
      return { ...w, availableFen, frozenFen, totalFen: availableFen + frozenFen };
    },

    /**
     * Verifies the ledger: balances sum to zero, every account's balance equals credits − debits of
     * its transfers, and no customer account is negative. Used by the admin page and the tests.
     */
    async check(q: DbOrTx = db): Promise<LedgerCheck> {
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
      const list = rowsOf(rows) as {
        account_id: string;
        allow_negative: boolean;
        balance: string;
        from_transfers: string;
      }[];
      const [{ n }] = (await q.select({ n: sql<string>`count(*)` }).from(ledgerTransfers)) as [{ n: string }];
      const totalFen = list.reduce((s, r) => s + Number(r.balance), 0);
      const mismatches = list
        .filter((r) => r.balance !== r.from_transfers)
        .map((r) => ({ accountId: r.account_id, balanceFen: Number(r.balance), fromTransfersFen: Number(r.from_transfers) }));
      const negativeCustomerAccounts = list.filter((r) => !r.allow_negative && Number(r.balance) < 0).map((r) => r.account_id);
      return {
        ok: totalFen === 0 && mismatches.length === 0 && negativeCustomerAccounts.length === 0,
        totalFen,
        accounts: list.length,
        transfers: Number(n),
        mismatches,
        negativeCustomerAccounts,
      };
    },
  };
}

export type Ledger = ReturnType<typeof createLedger>;
