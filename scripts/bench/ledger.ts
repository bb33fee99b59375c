/**
 * npm run bench:ledger — transfers per second through the ledger (many wallets paying into the one
 * hot escrow account) next to a baseline of bare single-row INSERTs into a scratch table, both on
 * PostgreSQL in the same run with the same number of concurrent clients. Prints both and the ratio.
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npm run bench:ledger [-- --clients 16 --seconds 5]
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { openDb } from '../../db/client';
import { migrateDb } from '../../db/migrate';
import { organisations } from '../../db/schema';
import { createLedger } from '../../core/wallet/ledger.service';
import { freshDatabase, numberOption } from './support';

const CLIENTS = numberOption('clients', 16);
const SECONDS = numberOption('seconds', 5);
const WALLETS = numberOption('wallets', 1000);
const baseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

async function timed(label: string, work: (client: number) => Promise<void>) {
  let done = 0;
  let errors = 0;
  const deadline = Date.now() + SECONDS * 1000;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CLIENTS }, async (_, c) => {
      while (Date.now() < deadline) {
        try {
          await work(c);
          done++;
        } catch (e) {
          errors++;
          if (errors < 5) console.error(`${label}:`, (e as Error).message);
        }
      }
    }),
  );
  const perSecond = done / ((performance.now() - started) / 1000);
  console.log(`${label.padEnd(34)} ${perSecond.toFixed(0).padStart(7)} /s   (${done} ok, ${errors} errors)`);
  return { perSecond, errors };
}

async function main() {
  const fresh = await freshDatabase(baseUrl, 'bangfu_bench');
  const handle = await openDb({ databaseUrl: fresh.url, max: CLIENTS });
  try {
    await migrateDb(handle);
    const db = handle.db;
    const ledger = createLedger({ db });
    await ledger.ensurePlatformAccounts();
    const clearing = await ledger.platformAccount('gateway_clearing');
    const escrow = await ledger.platformAccount('escrow');
    console.log(`Preparing ${WALLETS} funded wallets…`);
    const orgs = await db
      .insert(organisations)
      .values(Array.from({ length: WALLETS }, (_, i) => ({ kind: 'enterprise' as const, fullName: `压测企业${i}` })))
      .returning({ id: organisations.id });
    const wallets: { availableId: string; frozenId: string }[] = [];
    for (const [i, o] of orgs.entries()) {
      const w = await ledger.ensureWallet(db, o.id);
      await db.transaction((tx) =>
        ledger.transfer(tx, {
          debitAccountId: clearing,
          creditAccountId: w.availableId,
          amountFen: 1e9,
          kind: 'recharge_online',
          reference: 'bench',
          idempotencyKey: randomUUID(),
        }),
      );
      wallets.push(w);
      if ((i + 1) % 250 === 0) console.log(`  ${i + 1}/${WALLETS}`);
    }
    await handle.db.execute(
      'create table bench_baseline (id uuid primary key, amount_fen bigint not null, created_at timestamptz not null default now())' as never,
    );

    console.log(`\n${CLIENTS} concurrent clients, ${SECONDS} s each, PostgreSQL`);
    const baseline = await timed('baseline: single-row INSERT', async () => {
      await db.execute(`insert into bench_baseline (id, amount_fen) values ('${randomUUID()}', 100)` as never);
    });
    let n = 0;
    const pay = (q: typeof db) => {
      const w = wallets[n++ % wallets.length]!;
      return ledger.transfer(q, {
        debitAccountId: w.availableId,
        creditAccountId: escrow,
        amountFen: 100,
        kind: 'escrow_fund',
        reference: 'bench',
        idempotencyKey: randomUUID(),
      });
    };
    // A transfer is atomic on its own (one statement); services usually wrap it with their own writes.
    const ledgerRun = await timed('ledger: wallet → hot escrow', async () => void (await pay(db)));
    const inTx = await timed('  (same, inside BEGIN … COMMIT)', async () => void (await db.transaction((tx) => pay(tx as never))));
    const check = await ledger.check();
    console.log(`ratio in a transaction  = ${(inTx.perSecond / baseline.perSecond).toFixed(3)}`);
    console.log(`\nratio ledger/baseline = ${(ledgerRun.perSecond / baseline.perSecond).toFixed(3)}  (aim ≥ 0.25)`);
    console.log(`ledger check: ${check.ok ? 'OK' : 'FAILED'} — ${check.transfers} transfers, total ${check.totalFen} fen, ${ledgerRun.errors} errors`);
    if (!check.ok || ledgerRun.errors || inTx.errors) process.exitCode = 1;
  } finally {
    await handle.close();
    await fresh.drop();
  }
}

void main();
