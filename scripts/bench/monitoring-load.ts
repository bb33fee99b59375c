/**
 * bench:monitoring, the load process (forked by scripts/bench/monitoring.ts with BENCH_MONITORING_URL set to the
 * filled scratch database): the timings, each the median of `--rounds`, beside baselines measured here too.
 */
import { createHash, randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { rowsOf } from '../../db/client';
import { actingMonitor } from '../../core/monitoring/monitoring.acting';
import { createPlatform } from '../../core/platform/platform';
import { loadConfig } from '../../core/shared/config';
import type { Actor } from '../../core/shared/actor';
import { numberOption } from './support';

const ROUNDS = numberOption('rounds', 5);
const BULK = 5_000;

/** PostgreSQL's md5(text)::uuid, in JS. */
const md5Uuid = (text: string) =>
  createHash('md5')
    .update(text)
    .digest('hex')
    .replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, '$1-$2-$3-$4-$5');

function actorOf(userId: string, organisationId: string, kind: 'government' | 'enterprise', role: 'admin' | 'owner', name: string): Actor {
  const m = { organisationId, kind, fullName: name, uscc: null, status: 'active' as const, role };
  return { userId, username: 'bench', sessionId: randomUUID(), memberships: [m], organisation: m, isOperator: false };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

/** Median of `rounds` timings of fn (after one warm-up call), and its last result. */
async function timed<T>(fn: () => Promise<T>, rounds = ROUNDS) {
  let out = await fn();
  const ms: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const t = performance.now();
    out = await fn();
    ms.push(performance.now() - t);
  }
  return { ms: median(ms), out };
}

/**
 * Medians of fns run in turn, `rounds` times after `warm` turns: a list page and its bare query measured side by
 * side (the machine's noise falls on both), each statement warm on every connection of the pool first (a
 * connection prepares and plans a statement the first times it runs it; a server runs its list pages many times).
 */
async function paired<K extends string>(fns: Record<K, () => Promise<unknown>>, rounds = Math.max(ROUNDS, 5) * 10, warm = 40) {
  const ms = Object.fromEntries(Object.keys(fns).map((k) => [k, [] as number[]])) as Record<K, number[]>;
  const out = {} as Record<K, unknown>;
  for (let i = 0; i < warm + rounds; i++)
    for (const k of Object.keys(fns) as K[]) {
      const t = performance.now();
      out[k] = await fns[k]();
      if (i >= warm) ms[k].push(performance.now() - t);
    }
  return Object.fromEntries(Object.keys(fns).map((k) => [k, { ms: median(ms[k as K]), out: out[k as K] }])) as Record<K, { ms: number; out: unknown }>;
}

const line = (label: string, ms: number, base?: number, aim?: number) =>
  console.log(
    `${label.padEnd(78)} ${ms.toFixed(1).padStart(8)} ms${base === undefined ? '' : `   ratio ${(ms / base).toFixed(2)}×${aim ? ` (aim ≤ ${aim}×)` : ''}`}`,
  );

async function main() {
  const url = process.env.BENCH_MONITORING_URL!;
  const config = loadConfig({ DATABASE_URL: url, NODE_ENV: 'test', APP_SECRET: 'bench-secret-0123456789', SEED_DEMO: 'false' });
  const p = await createPlatform(config);
  const db = p.db;
  try {
    const province = actorOf(md5Uuid('mon-user-province'), md5Uuid('mon-province'), 'government', 'admin', '广东省乡村振兴局');
    const gzId = md5Uuid('mon-city-440100');
    const gz = actorOf(md5Uuid('mon-user-gz'), gzId, 'government', 'admin', '广州市乡村振兴局');
    const rollup = p.services.monitoringRollup;
    const records = p.services.monitoringRecords as unknown as Record<string, unknown>;

    console.log(`\nTimings in a process of their own, medians of ${ROUNDS} (after one warm-up):`);
    // 1. A filtered list page: Guangzhou's approved 蔬菜 records, newest first, page 1 of 20.
    const bare = sql`select * from monitoring_records where department_id = ${gzId} and status = 'approved' and category = '蔬菜'
      order by updated_at desc, id desc limit 20`;
    const query = { tab: 'all', status: 'approved', category: '蔬菜', page: 1, pageSize: 20 };
    const listPage = p.services.monitoringRecords.listPage;
    const drillPage = () => rollup.drill(gz, { category: '蔬菜', page: 1, pageSize: 20 });
    const pair = await paired({ bare: () => db.execute(bare), page: () => listPage(gz, query), drill: drillPage });
    const base1 = pair.bare;
    const page = pair.page as { ms: number; out: Awaited<ReturnType<typeof listPage>> };
    const [{ n: matching } = { n: 0 }] = rowsOf<{ n: number }>(
      await db.execute(sql`select count(*)::int as n from monitoring_records where department_id = ${gzId} and status = 'approved' and category = '蔬菜'`),
    );
    console.log(`1. a filtered list page: 广州市's approved 蔬菜 records (${matching.toLocaleString()}), newest first, page 1 of 20`);
    console.log(`   (the bare query, the list page and the drill-down in turn, medians of ${Math.max(ROUNDS, 5) * 10} after 40 warm-up turns)`);
    line('   bare indexed SELECT of the page (department_id, status, updated_at index)', base1.ms);
    line(
      `   records list page as /monitoring/records renders it (${page.out.items.length} rows, more: ${page.out.hasMore ? 'yes' : 'no'})`,
      page.ms,
      base1.ms,
      2,
    );
    const counted = await timed(() => p.services.monitoringRecords.count(gz, query), Math.min(3, ROUNDS));
    line(`   its total, streamed to the page afterwards (${counted.out.total.toLocaleString()}${counted.out.capped ? '+' : ''})`, counted.ms, base1.ms);
    if (typeof records.list === 'function') {
      const list = records.list as (a: Actor, q: Record<string, unknown>) => Promise<{ items: unknown[]; total: number }>;
      const r = await timed(() => list(gz, query), Math.min(3, ROUNDS));
      line(`   records service list (the page + its total ${r.out.total.toLocaleString()} in one call, the API's answer)`, r.ms, base1.ms);
    }
    const acting = await timed(() => actingMonitor(db, gz));
    line('   the acting member and unit alone (one statement every monitoring call makes)', acting.ms, base1.ms);
    const drill = pair.drill as { ms: number; out: Awaited<ReturnType<typeof drillPage>> };
    line(`   roll-up drill-down (the page and whether there is more; ${drill.out.items.length} rows)`, drill.ms, base1.ms, 2);

    // 2. The provincial roll-up by city beside a plain GROUP BY of the same approved rows.
    const plainSql = sql`select coalesce(city_code, 'none') as k, sum(amount_fen)::bigint as amount, count(*)::int as n
      from monitoring_records where status = 'approved' group by 1`;
    const plain = await timed(() => db.execute(plainSql));
    const svc = await timed(() => rollup.rollup(province, { groupBy: 'city' }));
    console.log(`2. the provincial roll-up of ${svc.out.totals.records.toLocaleString()} approved records by city`);
    line('   plain SELECT city_code, sum(amount_fen), count(*) … GROUP BY city_code', plain.ms);
    line('   roll-up service (one GROUP BY city, unit of measure; labels; totals)', svc.ms, plain.ms, 1.5);
    const want = new Map(rowsOf<{ k: string; amount: string | number; n: number }>(plain.out).map((r) => [r.k, `${Number(r.amount)}/${Number(r.n)}`]));
    const got = new Map(svc.out.rows.map((r) => [r.key, `${r.amountFen}/${r.records}`]));
    const equal = want.size === got.size && [...want].every(([k, v]) => got.get(k) === v);
    console.log(`   sums equal to the plain GROUP BY: ${equal ? 'yes' : 'NO'} (${got.size} groups, ¥${(svc.out.totals.amountFen / 100).toLocaleString()})`);
    if (!equal) process.exitCode = 1;
    for (const groupBy of ['category', 'originCounty', 'month', 'reporter'] as const) {
      const r = await timed(() => rollup.rollup(province, { groupBy }), Math.min(3, ROUNDS));
      line(`   roll-up service by ${groupBy} (${r.out.rows.length} rows)`, r.ms, plain.ms);
    }
    const city = await timed(() => rollup.rollup(gz, { groupBy: 'category' }));
    line(`   a city's roll-up (广州市, by category, ${city.out.totals.records.toLocaleString()} records)`, city.ms);

    // 3. Bulk approval of 5,000 submitted records of Guangzhou.
    if (typeof records.bulkApprove === 'function') {
      const bulkApprove = records.bulkApprove as (a: Actor, i: { ids: string[] }) => Promise<{ approved: number; refused: number }>;
      const ids = rowsOf<{ id: string }>(
        await db.execute(
          sql`select id::text from monitoring_records where department_id = ${gzId} and status = 'submitted' order by updated_at desc limit ${BULK}`,
        ),
      ).map((r) => r.id);
      const list = sql.raw(`'{${ids.join(',')}}'::uuid[]`);
      const seqs = rowsOf<{ id: string; seq: number }>(await db.execute(sql`select id::text, seq from monitoring_records where id = any(${list})`));
      const ms: number[] = [];
      let last = { approved: 0, refused: 0 };
      for (let i = 0; i < Math.min(3, ROUNDS); i++) {
        if (i > 0) {
          // Back to submitted, as they stood (the events and approvals of the previous round removed).
          await db.execute(sql`delete from monitoring_record_events where record_id = any(${list})`);
          await db.execute(sql`update monitoring_records r set status = 'submitted', approved_at = null, seq = s.seq
            from (select * from jsonb_to_recordset(${JSON.stringify(seqs)}::jsonb) as x(id uuid, seq int)) s where r.id = s.id`);
        }
        const t = performance.now();
        try {
          last = await bulkApprove(gz, { ids });
        } catch (e) {
          const err = e as { message?: string; cause?: { message?: string } };
          console.log(`3. bulk approve: failed — ${(err.cause?.message ?? err.message ?? String(e)).slice(0, 200)}`);
          return;
        }
        ms.push(performance.now() - t);
      }
      console.log(`3. bulk approval of ${ids.length.toLocaleString()} submitted records (广州市), ${ms.length} rounds`);
      line(`   records service bulkApprove (approved ${last.approved.toLocaleString()}, refused ${last.refused})`, median(ms));
      console.log(`   aim ≤ 5 s: ${median(ms) <= 5000 ? 'yes' : 'NO'}`);
    } else console.log('3. bulk approve: not yet available');
  } finally {
    await p.close();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
