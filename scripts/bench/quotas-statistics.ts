/**
 * bench:quotas, statistics part: 50,000 budget units in a 5-level tree and 1,000,000 mall orders, written
 * with SQL (generate_series) into a scratch database; the quota statistics service's subtree roll-up for
 * the root (the tree from the closure table, the mall's grouped read of the units' purchases, the roll-up
 * and the sorted table in memory) beside a plain `select unit_id, sum(total_fen) … group by unit_id` of the
 * same rows, best of `--rounds`, printed as a ratio.
 *
 * PostgreSQL when DATABASE_URL is set (a database of its own is created and dropped: tests are not
 * touched), else an in-memory PGlite (slow at full size: pass smaller --units / --orders).
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npm run bench:quotas [-- --units 50000 --orders 1000000 --rounds 3]
 *   DATABASE_URL=… npx tsx scripts/bench/quotas-statistics.ts [same options]   (this part alone)
 */
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import { openDb, type DbHandle } from '../../db/client';
import { migrateDb } from '../../db/migrate';
import { createStatisticsService } from '../../core/mall/statistics.service';
import { actorFor } from '../../core/quotas/statistics.fixtures';
import { statisticsRepo } from '../../core/quotas/statistics.repo';
import { createQuotaStatisticsService } from '../../core/quotas/statistics.service';
import { freshDatabase, numberOption } from './support';

const UNITS = numberOption('units', 50_000);
const ORDERS = numberOption('orders', 1_000_000);
const ROUNDS = numberOption('rounds', 3);
const YEAR = 2026;

/** Level sizes of the 5-level tree: a province's finance department, 20 city/county bureaus, then units. */
function levels(n: number) {
  const sizes = [1, Math.min(20, n - 1)];
  let left = n - 1 - sizes[1]!;
  for (const share of [0.02, 0.18]) {
    const k = Math.min(left, Math.max(1, Math.round(n * share)));
    sizes.push(k);
    left -= k;
  }
  sizes.push(left);
  return sizes.filter((s) => s > 0);
}

const uuidOf = (expr: string) => `md5('bench-unit-' || (${expr}))::uuid`;

async function populate(handle: DbHandle) {
  const db = handle.db;
  const sizes = levels(UNITS);
  console.log(`  tree levels ${sizes.map((s) => s.toLocaleString()).join(' / ')}`);
  let t = performance.now();
  let start = 0;
  await db.execute(
    sql.raw(
      `insert into organisations (id, kind, full_name) select ${uuidOf('g')}, 'budget_unit', '压测预算单位' || g from generate_series(0, ${UNITS - 1}) g`,
    ),
  );
  const LEVEL_NAMES = ['省', '市', '县', '县', '乡'];
  for (const [k, size] of sizes.entries()) {
    const parentStart = k === 0 ? 0 : start - sizes[k - 1]!;
    const parent = k === 0 ? 'null' : uuidOf(`${parentStart} + (g - ${start}) % ${sizes[k - 1]}`);
    await db.execute(
      sql.raw(`insert into budget_units (organisation_id, role, superior_id, contact_name, contact_mobile, budget_level, annual_fen, ratio_bp)
        select ${uuidOf('g')}, '${k < 2 ? 'finance_dept' : 'unit'}', ${parent}, '联系人', '13800000000', '${LEVEL_NAMES[k]}',
          ${k < 2 ? '0' : '(g * 7919 % 200000) * 1000'}, ${k < 2 ? '0' : '500 + g % 1500'}
        from generate_series(${start}, ${start + size - 1}) g`),
    );
    start += size;
  }
  await db.execute(
    sql.raw(`insert into budget_unit_tree (ancestor_id, descendant_id, depth)
      with recursive up(descendant_id, ancestor_id, depth) as (
        select organisation_id, organisation_id, 0 from budget_units
        union all
        select up.descendant_id, b.superior_id, up.depth + 1 from up join budget_units b on b.organisation_id = up.ancestor_id where b.superior_id is not null
      ) select ancestor_id, descendant_id, depth from up`),
  );
  console.log(`  ${UNITS.toLocaleString()} units and their closure rows in ${((performance.now() - t) / 1000).toFixed(1)} s`);

  t = performance.now();
  await db.execute(sql.raw(`insert into users (id, username, mobile, password_hash) values (md5('bench-buyer')::uuid, 'benchbuyer', '13900000000', 'x')`));
  await db.execute(
    sql.raw(`insert into organisations (id, kind, full_name, region_code) values (md5('bench-shop')::uuid, 'merchant', '压测合作社', '500242')`),
  );
  // 80 % of the units of the lower three levels buy (the others show as laggards); 70 % completed, 15 % paid/shipped/received, 10 % refunded, 5 % cancelled.
  const buyers = UNITS - 1 - (sizes[1] ?? 0);
  const step = 200_000;
  for (let from = 0; from < ORDERS; from += step) {
    const to = Math.min(ORDERS, from + step) - 1;
    await db.execute(
      sql.raw(`insert into mall_orders (order_no, checkout_id, buyer_user_id, buyer_kind, unit_id, merchant_id, status, total_fen, address, paid_at, completed_at, created_at, updated_at)
        select 'MB' || g, md5('bench-checkout-' || g)::uuid, md5('bench-buyer')::uuid, 'unit',
          ${uuidOf(`${UNITS - buyers} + g::bigint * 2654435761 % ${Math.max(1, Math.floor(buyers * 0.8))}`)},
          md5('bench-shop')::uuid, s.status::mall_order_status, 100 + g::bigint * 7919 % 500000,
          '{"recipient":"张三","mobile":"13800000000","regionCode":"500242","regionName":"酉阳县","detail":"桃花源街道"}'::jsonb,
          case when s.status = 'cancelled' then null else p.paid end,
          case when s.status = 'completed' then p.paid + interval '7 days' end,
          p.paid, p.paid
        from generate_series(${from}, ${to}) g,
          lateral (select timestamptz '${YEAR - 1}-11-01 00:00+08' + (g % 425) * interval '1 day' + (g % 86400) * interval '1 second' as paid) p,
          lateral (select case when g % 20 < 14 then 'completed' when g % 20 = 14 then 'paid' when g % 20 = 15 then 'shipped' when g % 20 = 16 then 'received'
                               when g % 20 < 19 then 'refunded' else 'cancelled' end as status) s`),
    );
  }
  await db.execute(sql.raw('analyze'));
  console.log(`  ${ORDERS.toLocaleString()} orders in ${((performance.now() - t) / 1000).toFixed(1)} s`);
}

/** PostgreSQL's md5(text)::uuid, in JS. */
const md5Uuid = (text: string) =>
  createHash('md5')
    .update(text)
    .digest('hex')
    .replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, '$1-$2-$3-$4-$5');

async function best<T>(fn: () => Promise<T>) {
  let ms = Infinity;
  let out: T | undefined;
  for (let i = 0; i < ROUNDS; i++) {
    const t = performance.now();
    out = await fn();
    ms = Math.min(ms, performance.now() - t);
  }
  return { ms, out: out! };
}

export async function benchStatistics() {
  const url = process.env.DATABASE_URL;
  console.log(
    `\nStatistics: ${UNITS.toLocaleString()} budget units in a 5-level tree, ${ORDERS.toLocaleString()} orders (${url ? 'PostgreSQL, scratch database' : 'PGlite in memory'}):`,
  );
  const fresh = url ? await freshDatabase(url, 'bangfu_bench_quotas') : undefined;
  const handle = await openDb(fresh ? { databaseUrl: fresh.url, max: 4 } : {});
  try {
    await migrateDb(handle);
    await populate(handle);
    const db = handle.db;
    const clock = { now: () => new Date(`${YEAR}-11-23T02:00:00Z`) };
    const purchases = createStatisticsService({ db });
    const service = createQuotaStatisticsService({ db, clock, purchases });
    const rootId = md5Uuid('bench-unit-0');
    const actor = actorFor(rootId, 'admin', '压测财政厅');

    const plainSql = sql.raw(`select unit_id, sum(total_fen) from mall_orders
      where buyer_kind = 'unit' and unit_id is not null and ((status = 'completed' and completed_at >= '${YEAR}-01-01T00:00:00+08' and completed_at < '${YEAR + 1}-01-01T00:00:00+08')
        or (status in ('paid', 'shipped', 'received') and paid_at >= '${YEAR}-01-01T00:00:00+08' and paid_at < '${YEAR + 1}-01-01T00:00:00+08'))
      group by unit_id`);
    // Warm both once (caches, JIT), then alternate rounds.
    await db.execute(plainSql);
    await service.subtree(actor, { year: YEAR });
    const plain = await best(() => db.execute(plainSql));
    const rolled = await best(() => service.subtree(actor, { year: YEAR, groupBy: 'unit' }));
    const purchasesOnly = await best(() => purchases.purchasesByUnit({ year: YEAR, byMonth: false }));
    const byRegion = await best(() => service.subtree(actor, { year: YEAR, groupBy: 'region' }));
    const deep = await best(() => service.unit(actor, { year: YEAR }));
    const ids = (await statisticsRepo.subtree(db, rootId)).map((u) => u.id);
    const tree = await best(() => statisticsRepo.subtree(db, rootId));
    const withIds = await best(() => purchases.purchasesByUnit({ year: YEAR, unitIds: ids, byMonth: false }));
    const v = rolled.out;
    console.log(`plain select unit_id, sum(total_fen) … group by unit_id      ${plain.ms.toFixed(0).padStart(6)} ms`);
    console.log(`  the mall's grouped read alone (all units, no id list)     ${purchasesOnly.ms.toFixed(0).padStart(6)} ms`);
    console.log(`  the subtree's units from the closure table                ${tree.ms.toFixed(0).padStart(6)} ms`);
    console.log(`  the mall's grouped read of those ${ids.length.toLocaleString()} units              ${withIds.ms.toFixed(0).padStart(6)} ms`);
    console.log(
      `service subtree for the root, by unit (tree + read + roll-up) ${rolled.ms.toFixed(0).padStart(6)} ms   ratio ${(rolled.ms / plain.ms).toFixed(2)}×`,
    );
    console.log(
      `service subtree for the root, by region                      ${byRegion.ms.toFixed(0).padStart(6)} ms   ratio ${(byRegion.ms / plain.ms).toFixed(2)}×`,
    );
    console.log(`service unit view of the root (12 months + subtree)          ${deep.ms.toFixed(0).padStart(6)} ms`);
    console.log(
      `  root: ${v.totals.units.toLocaleString()} units, reserved ¥${(v.totals.reservedFen / 100).toLocaleString()}, actual ¥${(v.totals.actualFen / 100).toLocaleString()}, ` +
        `pending ¥${(v.totals.pendingFen / 100).toLocaleString()}, completion ${((v.totals.completionBp ?? 0) / 100).toFixed(2)} %; bands ${v.bands.map((b) => `${b.label} ${b.units}`).join(', ')}`,
    );
  } finally {
    await handle.close();
    await fresh?.drop();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url))
  benchStatistics().catch((e) => {
    console.error(e);
    process.exit(1);
  });
