/**
 * bench:quotas, accounts part: a finance department imports a 10,000-row 《预算单位情况表》 through the
 * import engine (upload → parse job → preview → confirm job writing the units, their tree and audit), then
 * generates the 10,000 management accounts (users without a password hash, memberships, activation codes,
 * SMS rows in the outbox) as the job the page starts. Prints each step's time, the SMS rows written, and
 * beside them what hashing 10,000 passwords with argon2 would take on this machine (20 hashed, scaled).
 * Aim: confirm + generate ≤ 10 s.
 *
 * PostgreSQL when DATABASE_URL is set (a database of its own, dropped after), else PGlite in a temp dir.
 *
 *   DATABASE_URL=… npx tsx scripts/bench/quotas-accounts.ts [-- --accounts 10000]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { count, eq, sql } from 'drizzle-orm';
import ExcelJS from 'exceljs';
import { budgetUnits, outbox } from '../../db/schema';
import { hashPassword } from '../../core/accounts/passwords';
import { createPlatform, type Platform } from '../../core/platform/platform';
import { BUDGET_UNIT_SHEET } from '../../core/quotas/budget-units.schema';
import { loadConfig } from '../../core/shared/config';
import type { Actor } from '../../core/shared/actor';
import { usccCheckCharacter } from '../../core/shared/validators';
import { operator } from '../../core/testing/tenders-factories';
import { freshDatabase, numberOption } from './support';

const ACCOUNTS = numberOption('accounts', 10_000);

const uscc = (prefix: string, n: number) => {
  const s17 = `${prefix}${String(n).padStart(7, '0')}`;
  return s17 + usccCheckCharacter(s17);
};

/** n units under the uploader: 100 bureaus, the rest under them; every contact a different mobile. */
async function sheet(n: number) {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: false, useSharedStrings: true });
  const ws = wb.addWorksheet(BUDGET_UNIT_SHEET.name);
  ws.addRow(BUDGET_UNIT_SHEET.columns.map((c) => (c.required ? `${c.header}*` : c.header))).commit();
  for (let i = 0; i < n; i++) {
    const bureau = i < 100;
    ws.addRow([
      bureau ? `重庆市綦江区第${i}委员会` : `綦江区第${i}号预算单位`,
      bureau ? '' : `重庆市綦江区第${i % 100}委员会`,
      uscc('11500110MB', i),
      '张三',
      `139${String(i).padStart(8, '0')}`,
      '县',
      '县处级',
      '125000.50',
      '30',
    ]).commit();
  }
  ws.commit();
  await wb.commit();
  return Buffer.concat(chunks);
}

async function until<T>(p: Platform, read: () => Promise<T>, done: (v: T) => boolean): Promise<T> {
  for (;;) {
    await p.jobs.runDue();
    const v = await read();
    if (done(v)) return v;
    await new Promise((r) => setTimeout(r, 20));
  }
}

export async function benchAccounts() {
  const url = process.env.DATABASE_URL;
  const fresh = url ? await freshDatabase(url, 'bangfu_bench_accounts') : undefined;
  const dir = mkdtempSync(join(tmpdir(), 'bangfu-bench-accounts-'));
  console.log(
    `\nConfirm and generate: ${ACCOUNTS.toLocaleString()} budget units through the import engine, then their management accounts (${fresh ? 'PostgreSQL' : 'PGlite'}):`,
  );
  const config = loadConfig({
    ...(fresh ? { DATABASE_URL: fresh.url } : { DATA_DIR: dir }),
    NODE_ENV: 'test',
    APP_SECRET: 'bench-secret-0123456789',
    SEED_DEMO: 'false',
  });
  const p = await createPlatform(config);
  try {
    const ops = await operator(p);
    const dept = await p.services.budgetUnits.createPreset(ops, {
      fullName: '重庆市綦江区财政局',
      uscc: uscc('11500110MA', 1),
      role: 'finance_dept',
      budgetLevel: '县',
      contactName: '经办人',
      mobile: '13700000001',
    });
    const [row] = await p.db.select().from(budgetUnits).where(eq(budgetUnits.organisationId, dept.id));
    const base = await p.services.accounts.actorForUser(row!.accountUserId!);
    const actor: Actor = { ...base, organisation: base.memberships.find((m) => m.organisationId === dept.id) };

    const bytes = await sheet(ACCOUNTS);
    let t = performance.now();
    const batch = await p.services.imports.upload(actor, { kind: 'quotas.budget_units', organisationId: dept.id, filename: 'units.xlsx', bytes });
    const ready = await until(
      p,
      () => p.services.imports.get(actor, batch.id),
      (b) => b.status !== 'parsing',
    );
    const parseMs = performance.now() - t;
    if (ready.status !== 'ready' || ready.counts.valid !== ACCOUNTS) throw new Error(`preview: ${JSON.stringify(ready)}`);
    t = performance.now();
    await p.services.imports.confirm(actor, batch.id);
    const done = await until(
      p,
      () => p.services.imports.get(actor, batch.id),
      (b) => b.status === 'done' || b.status === 'failed',
    );
    const confirmMs = performance.now() - t;
    if (done.status !== 'done') throw new Error(`confirm: ${JSON.stringify(done)}`);
    const before = (await p.db.select({ n: count() }).from(outbox))[0]!.n;
    t = performance.now();
    const run = await p.services.budgetUnits.generateAccounts(actor, {});
    const finished = await until(
      p,
      () => p.services.budgetUnits.run(actor, run.id),
      (r) => r.state === 'done' || r.state === 'failed',
    );
    const generateMs = performance.now() - t;
    const sms = (await p.db.select({ n: count() }).from(outbox))[0]!.n - before;
    const units = (
      await p.db
        .select({ n: count() })
        .from(budgetUnits)
        .where(sql`${budgetUnits.accountUserId} is not null`)
    )[0]!.n;

    t = performance.now();
    for (let i = 0; i < 20; i++) await hashPassword(`Bench${i}pass`);
    const argonMs = ((performance.now() - t) / 20) * ACCOUNTS;

    console.log(`  upload + parse + checks (preview ready)  ${(parseMs / 1000).toFixed(1).padStart(6)} s`);
    console.log(`  confirm (units, tree, audit written)     ${(confirmMs / 1000).toFixed(1).padStart(6)} s`);
    console.log(
      `  generate accounts (${finished.state}, ${finished.done}/${finished.total})    ${(generateMs / 1000).toFixed(1).padStart(6)} s   SMS rows ${sms}, units with an account ${units - 1}`,
    );
    console.log(`  confirm + generate                       ${((confirmMs + generateMs) / 1000).toFixed(1).padStart(6)} s   (aim ≤ 10 s)`);
    console.log(`  baseline: argon2 for ${ACCOUNTS.toLocaleString()} passwords would take ${(argonMs / 1000).toFixed(0)} s here (20 hashed, scaled)`);
  } finally {
    await p.close();
    await fresh?.drop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url))
  benchAccounts().catch((e) => {
    console.error(e);
    process.exit(1);
  });
