import type { Db, DbOrTx } from '../../db/client';
import { AppError } from '../shared/app-error';
import { ledgerRepo, type RawTransfer, type TransferRow } from './ledger.repo';
import {
  pickShard,
  PLATFORM_ACCOUNT_KINDS,
  PLATFORM_SHARDS,
  validateTransfer,
  type PlatformAccountKind,
  type SubjectAccountKind,
  type TransferRequest,
} from './ledger.rules';

export type { TransferRow } from './ledger.repo';

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
    for (const kind of PLATFORM_ACCOUNT_KINDS) await ledgerRepo.insertPlatformAccount(q, kind, PLATFORM_SHARDS);
    const rows = await ledgerRepo.listPlatformAccounts(q);
    for (const r of rows) {
      await ledgerRepo.insertBalanceShards(
        q,
        Array.from({ length: r.shardCount }, (_, shard) => ({ accountId: r.id, shard, allowNegative: true })),
      );
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
      n = await ledgerRepo.findShardCount(q, accountId);
      if (n === undefined) throw new AppError('NOT_FOUND', '账户不存在');
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
    const existing = await ledgerRepo.listOrganisationAccounts(q, organisationId);
    if (existing.length < 2) await ledgerRepo.insertWalletAccounts(q, organisationId);
    const rows = existing.length >= 2 ? existing : await ledgerRepo.listOrganisationAccounts(q, organisationId);
    await ledgerRepo.insertBalanceShards(
      q,
      rows.map((r) => ({ accountId: r.id, shard: 0, allowNegative: false })),
    );
    const w = { availableId: rows.find((r) => r.kind === 'available')!.id, frozenId: rows.find((r) => r.kind === 'frozen')!.id };
    // Inside a transaction the rows may still roll back: only remember ids that are committed.
    if (q === db) wallets.set(organisationId, w);
    return w;
  }

  /**
   * The accounts of one thing `organisationId` owns (a voucher campaign: pool, issued, payable), created
   * on first use; never negative. Returns their ids by kind.
   */
  async function ensureSubjectAccounts<K extends SubjectAccountKind>(
    q: DbOrTx,
    organisationId: string,
    subjectId: string,
    kinds: readonly K[],
  ): Promise<Record<K, string>> {
    let rows = await ledgerRepo.listSubjectAccounts(q, subjectId);
    if (kinds.some((k) => !rows.some((r) => r.kind === k))) {
      await ledgerRepo.insertSubjectAccounts(q, organisationId, subjectId, [...kinds]);
      rows = await ledgerRepo.listSubjectAccounts(q, subjectId);
      await ledgerRepo.insertBalanceShards(
        q,
        rows.map((r) => ({ accountId: r.id, shard: 0, allowNegative: false })),
      );
    }
    const ids = {} as Record<K, string>;
    for (const k of kinds) {
      const row = rows.find((r) => r.kind === k);
      if (!row) throw new AppError('NOT_FOUND', '账户不存在');
      if (row.organisationId !== organisationId) throw new AppError('FORBIDDEN', '无权使用该账户');
      ids[k] = row.id;
    }
    return ids;
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
    let row: RawTransfer | undefined;
    try {
      row = await ledgerRepo.callTransfer(q, {
        ...req,
        debitShard: pickShard(debitShards, random),
        creditShard: pickShard(creditShards, random),
        debitSingle: debitShards === 1,
        creditSingle: creditShards === 1,
      });
    } catch (e) {
      const msg = String((e as { cause?: { message?: string } })?.cause?.message ?? (e as Error)?.message ?? '');
      if (msg.includes('INSUFFICIENT_FUNDS')) throw new AppError('INSUFFICIENT_FUNDS', '余额不足');
      if (msg.includes('ACCOUNT_NOT_FOUND')) throw new AppError('NOT_FOUND', '账户不存在');
      throw e;
    }
    if (!row) throw new AppError('INTERNAL', '转账失败');
    const t = toTransferRow(row);
    if (row.replayed && (t.debitAccountId !== req.debitAccountId || t.creditAccountId !== req.creditAccountId || t.amountFen !== req.amountFen)) {
      throw new AppError('IDEMPOTENCY_CONFLICT', '该幂等键已用于另一笔转账');
    }
    return { transfer: t, replayed: Boolean(row.replayed) };
  }

  const balanceOf = (q: DbOrTx, accountId: string) => ledgerRepo.sumBalance(q, accountId);

  /** The account a transfer credited, found by its idempotency key; undefined when there is none. */
  const creditAccountOf = (q: DbOrTx, idempotencyKey: string) => ledgerRepo.findCreditAccountByKey(q, idempotencyKey);

  /** Credits − debits of one account over transfers of the given kinds. */
  const netOfKinds = (q: DbOrTx, accountId: string, kinds: string[]) => ledgerRepo.netOfKinds(q, accountId, kinds);

  return {
    ensurePlatformAccounts,
    creditAccountOf,
    netOfKinds,
    platformAccount,
    ensureWallet,
    ensureSubjectAccounts,
    transfer,
    balanceOf,

    /** Available, frozen and total of an organisation's wallet. */
    async walletBalances(q: DbOrTx, organisationId: string) {
      const w = await ensureWallet(q, organisationId);
      const rows = await ledgerRepo.listBalances(q, [w.availableId, w.frozenId]);
      const availableFen = rows.find((r) => r.accountId === w.availableId)?.fen ?? 0;
      const frozenFen = rows.find((r) => r.accountId === w.frozenId)?.fen ?? 0;
      return { ...w, availableFen, frozenFen, totalFen: availableFen + frozenFen };
    },

    /**
     * Verifies the ledger: balances sum to zero, every account's balance equals credits − debits of
     * its transfers, and no customer account is negative. Used by the admin page and the tests.
     */
    async check(q: DbOrTx = db): Promise<LedgerCheck> {
      const list = await ledgerRepo.checkRows(q);
      const n = await ledgerRepo.countTransfers(q);
      const totalFen = list.reduce((s, r) => s + Number(r.balance), 0);
      const mismatches = list
        .filter((r) => r.balance !== r.from_transfers)
        .map((r) => ({ accountId: r.account_id, balanceFen: Number(r.balance), fromTransfersFen: Number(r.from_transfers) }));
      const negativeCustomerAccounts = list.filter((r) => !r.allow_negative && Number(r.balance) < 0).map((r) => r.account_id);
      return {
        ok: totalFen === 0 && mismatches.length === 0 && negativeCustomerAccounts.length === 0,
        totalFen,
        accounts: list.length,
        transfers: n,
        mismatches,
        negativeCustomerAccounts,
      };
    },
  };
}

export type Ledger = ReturnType<typeof createLedger>;
