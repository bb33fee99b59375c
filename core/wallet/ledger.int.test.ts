import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { organisations, ledgerTransfers } from '../../db/schema';
import { createTestPlatform } from '../testing/test-platform';
import type { Platform } from '../platform/platform';
import type { Ledger } from './ledger.service';

let p: Platform;
let ledger: Ledger;
beforeAll(async () => {
  p = await createTestPlatform();
  ledger = p.services.ledger;
});
afterAll(() => p?.close());

async function newWallet(name = `测试单位${randomUUID().slice(0, 6)}`) {
  const [org] = await p.db.insert(organisations).values({ kind: 'enterprise', fullName: name }).returning();
  return { orgId: org!.id, ...(await ledger.ensureWallet(p.db, org!.id)) };
}

const recharge = async (availableId: string, amountFen: number, key = randomUUID()) =>
  p.db.transaction(async (tx) =>
    ledger.transfer(tx, {
      debitAccountId: await ledger.platformAccount('gateway_clearing'),
      creditAccountId: availableId,
      amountFen,
      kind: 'recharge_online',
      reference: `R-${key.slice(0, 8)}`,
      idempotencyKey: `recharge:${key}`,
    }),
  );

describe('ledger transfers', () => {
  it('moves money between accounts and keeps a running balance for wallets', async () => {
    const w = await newWallet();
    const { transfer } = await recharge(w.availableId, 12_345);
    expect(transfer.creditBalanceAfterFen).toBe(12_345);
    expect(await ledger.walletBalances(p.db, w.orgId)).toMatchObject({ availableFen: 12_345, frozenFen: 0, totalFen: 12_345 });
    expect((await ledger.check()).ok).toBe(true);
  });

  it('a repeated idempotency key returns the first transfer and moves nothing', async () => {
    const w = await newWallet();
    const key = randomUUID();
    const first = await recharge(w.availableId, 500, key);
    const again = await recharge(w.availableId, 500, key);
    expect(again.replayed).toBe(true);
    expect(again.transfer.id).toBe(first.transfer.id);
    expect((await ledger.walletBalances(p.db, w.orgId)).availableFen).toBe(500);
    await expect(recharge(w.availableId, 600, key)).rejects.toMatchObject({ code: 'IDEMPOTENCY_CONFLICT' });
  });

  it('refuses to overdraw a customer account and leaves no trace', async () => {
    const w = await newWallet();
    await recharge(w.availableId, 100);
    const key = randomUUID();
    await expect(
      p.db.transaction(async (tx) =>
        ledger.transfer(tx, {
          debitAccountId: w.availableId,
          creditAccountId: w.frozenId,
          amountFen: 101,
          kind: 'withdrawal_freeze',
          reference: 'W',
          idempotencyKey: key,
        }),
      ),
    ).rejects.toMatchObject({ code: 'INSUFFICIENT_FUNDS' });
    expect(await p.db.select().from(ledgerTransfers).where(eq(ledgerTransfers.idempotencyKey, key))).toHaveLength(0);
    expect(await ledger.walletBalances(p.db, w.orgId)).toMatchObject({ availableFen: 100, frozenFen: 0 });
  });

  it.each([0, -1, 1.5])('refuses an amount of %s fen', async (amountFen) => {
    const w = await newWallet();
    await expect(
      p.db.transaction((tx) =>
        ledger.transfer(tx, {
          debitAccountId: w.availableId,
          creditAccountId: w.frozenId,
          amountFen,
          kind: 'adjustment',
          reference: 'x',
          idempotencyKey: randomUUID(),
        }),
      ),
    ).rejects.toMatchObject({ code: 'VALIDATION' });
  });

  it('100 concurrent withdrawals against a balance covering exactly 10: 10 frozen, 90 refused', async () => {
    const w = await newWallet();
    await recharge(w.availableId, 10 * 1_000);
    const results = await Promise.allSettled(
      Array.from({ length: 100 }, (_, i) =>
        p.db.transaction((tx) =>
          ledger.transfer(tx, {
            debitAccountId: w.availableId,
            creditAccountId: w.frozenId,
            amountFen: 1_000,
            kind: 'withdrawal_freeze',
            reference: `W${i}`,
            idempotencyKey: randomUUID(),
          }),
        ),
      ),
    );
    const refused = results.filter((r) => r.status === 'rejected') as PromiseRejectedResult[];
    expect(results.length - refused.length).toBe(10);
    expect(refused.every((r) => r.reason.code === 'INSUFFICIENT_FUNDS' && r.reason.message === '余额不足')).toBe(true);
    expect(await ledger.walletBalances(p.db, w.orgId)).toMatchObject({ availableFen: 0, frozenFen: 10_000 });
    expect((await ledger.check()).ok).toBe(true);
  });

  it('50 duplicate callbacks in parallel credit once', async () => {
    const w = await newWallet();
    const key = randomUUID();
    const results = await Promise.all(Array.from({ length: 50 }, () => recharge(w.availableId, 8_800, key)));
    expect(results.filter((r) => !r.replayed)).toHaveLength(1);
    expect(new Set(results.map((r) => r.transfer.id)).size).toBe(1);
    expect((await ledger.walletBalances(p.db, w.orgId)).availableFen).toBe(8_800);
  });

  it('many wallets paying into the hot escrow account at once all land, spread over its shards', async () => {
    const wallets = await Promise.all(Array.from({ length: 20 }, () => newWallet()));
    for (const w of wallets) await recharge(w.availableId, 1_000);
    const escrow = await ledger.platformAccount('escrow');
    const before = await ledger.balanceOf(p.db, escrow);
    await Promise.all(
      wallets.map((w, i) =>
        p.db.transaction((tx) =>
          ledger.transfer(tx, {
            debitAccountId: w.availableId,
            creditAccountId: escrow,
            amountFen: 1_000,
            kind: 'escrow_fund',
            reference: `E${i}`,
            idempotencyKey: randomUUID(),
          }),
        ),
      ),
    );
    expect((await ledger.balanceOf(p.db, escrow)) - before).toBe(20_000);
    expect((await ledger.check()).ok).toBe(true);
  });
});

type Op =
  | { t: 'recharge'; w: number; fen: number; dup: boolean }
  | { t: 'withdraw'; w: number; fen: number }
  | { t: 'approve'; w: number; fen: number }
  | { t: 'reject'; w: number; fen: number }
  | { t: 'escrow'; w: number; fen: number }
  | { t: 'release'; w: number; fen: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ t: fc.constant('recharge' as const), w: fc.nat(2), fen: fc.integer({ min: 1, max: 50_000 }), dup: fc.boolean() }),
  fc.record({ t: fc.constant('withdraw' as const), w: fc.nat(2), fen: fc.integer({ min: 1, max: 60_000 }) }),
  fc.record({ t: fc.constant('approve' as const), w: fc.nat(2), fen: fc.integer({ min: 1, max: 60_000 }) }),
  fc.record({ t: fc.constant('reject' as const), w: fc.nat(2), fen: fc.integer({ min: 1, max: 60_000 }) }),
  fc.record({ t: fc.constant('escrow' as const), w: fc.nat(2), fen: fc.integer({ min: 1, max: 60_000 }) }),
  fc.record({ t: fc.constant('release' as const), w: fc.nat(2), fen: fc.integer({ min: 1, max: 60_000 }) }),
);

describe('ledger properties', () => {
  it('random recharges, withdrawals, approvals, rejections, duplicate callbacks and concurrent batches keep the invariant and never overdraw', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(opArb, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 6 }), async (batches) => {
        const ws = await Promise.all([newWallet(), newWallet(), newWallet()]);
        const [clearing, payout, escrow] = await Promise.all([
          ledger.platformAccount('gateway_clearing'),
          ledger.platformAccount('payout_clearing'),
          ledger.platformAccount('escrow'),
        ]);
        let lastRechargeKey: string | undefined;
        const run = (op: Op) => {
          const w = ws[op.w]!;
          let key: string = randomUUID();
          if (op.t === 'recharge' && op.dup && lastRechargeKey) key = lastRechargeKey; // a gateway calling back twice
          if (op.t === 'recharge') lastRechargeKey = key;
          const legs = {
            recharge: [clearing, w.availableId],
            withdraw: [w.availableId, w.frozenId],
            approve: [w.frozenId, payout],
            reject: [w.frozenId, w.availableId],
            escrow: [w.availableId, escrow],
            release: [escrow, w.availableId],
          }[op.t];
          return p.db.transaction((tx) =>
            ledger.transfer(tx, {
              debitAccountId: legs[0]!,
              creditAccountId: legs[1]!,
              amountFen: op.fen,
              kind: 'adjustment',
              reference: op.t,
              idempotencyKey: key,
            }),
          );
        };
        for (const batch of batches) {
          const settled = await Promise.allSettled(batch.map(run)); // each batch runs concurrently
          for (const s of settled) {
            if (s.status === 'rejected' && !['INSUFFICIENT_FUNDS', 'IDEMPOTENCY_CONFLICT'].includes(s.reason?.code)) throw s.reason;
          }
          const check = await ledger.check();
          expect(check.negativeCustomerAccounts).toEqual([]);
          expect(check.totalFen).toBe(0);
          expect(check.mismatches).toEqual([]);
        }
      }),
      { numRuns: 12 },
    );
  });
});
