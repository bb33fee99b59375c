/**
 * npm run bench:monitoring — purchase-record monitoring (消费扶贫监测) at province scale, PostgreSQL only.
 *
 * A scratch database (created, migrated, dropped) is filled with set-based SQL (insert … select
 * generate_series): the province, its 21 prefecture departments, 5,000 reporting units (markets, chains,
 * e-commerce platforms, enterprises, wholesalers, stores; every 50th block of 20 listed directly under the
 * province) and 1,000,000 records spread over the cities, 12 categories, the assisted counties of the
 * reference list, two periods and every status (80 % approved), plus 5,000 submitted records of Guangzhou for the
 * bulk approval. The fill time is printed.
 *
 * The timings run in a child process of their own (scripts/bench/monitoring-load.ts), each repeated
 * `--rounds` times, medians printed beside a baseline measured in the same run:
 * 1. a filtered list page (a city's approved 蔬菜 records, page 1 of 20) through the records service's list and
 *    through the roll-up's drill-down, beside a bare indexed SELECT of the same page (aim ≤ 2×);
 * 2. the provincial roll-up by city through the service beside a plain GROUP BY over the same approved rows
 *    (aim ≤ 1.5×), the sums checked equal; other group-bys for information;
 * 3. bulk approval of 5,000 submitted records through the records service's bulkApprove (aim ≤ 5 s).
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npm run bench:monitoring [-- --records 1000000 --reporters 5000 --rounds 5 --keep]
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import { openDb, rowsOf } from '../../db/client';
import { migrateDb } from '../../db/migrate';
import { CATEGORIES } from '../../core/monitoring/monitoring.schema';
import { freshDatabase, numberOption } from './support';

const RECORDS = numberOption('records', 1_000_000);
const REPORTERS = numberOption('reporters', 5_000);
/** --keep: leave the filled scratch database in place (to EXPLAIN a query against it). */
const KEEP = process.argv.includes('--keep');
export const BULK = 5_000;

/** Guangdong's 21 prefecture-level cities (GB/T 2260). */
export const GD_CITIES: [string, string][] = [
  ['440100', '广州市'],
  ['440200', '韶关市'],
  ['440300', '深圳市'],
  ['440400', '珠海市'],
  ['440500', '汕头市'],
  ['440600', '佛山市'],
  ['440700', '江门市'],
  ['440800', '湛江市'],
  ['440900', '茂名市'],
  ['441200', '肇庆市'],
  ['441300', '惠州市'],
  ['441400', '梅州市'],
  ['441500', '汕尾市'],
  ['441600', '河源市'],
  ['441700', '阳江市'],
  ['441800', '清远市'],
  ['441900', '东莞市'],
  ['442000', '中山市'],
  ['445100', '潮州市'],
  ['445200', '揭阳市'],
  ['445300', '云浮市'],
];

const arr = (xs: readonly string[]) => `array[${xs.map((x) => `'${x}'`).join(',')}]`;
const seconds = (t: number) => ((performance.now() - t) / 1000).toFixed(1);

async function fill(url: string) {
  const handle = await openDb({ databaseUrl: url, max: 1 });
  const run = (text: string) => handle.db.execute(sql.raw(text));
  try {
    let t = performance.now();
    await migrateDb(handle);
    console.log(`  migrated in ${seconds(t)} s`);
    t = performance.now();
    const t0 = t;
    // People: one for the records' created_by, one member per acting unit of the timings.
    await run(`insert into users (id, username, mobile, password_hash) values
      (md5('mon-user-filer')::uuid, 'benchfiler', '13900009000', 'x'), (md5('mon-user-province')::uuid, 'benchprovince', '13900009001', 'x'),
      (md5('mon-user-gz')::uuid, 'benchgz', '13900009002', 'x'), (md5('mon-user-market')::uuid, 'benchmarket', '13900009003', 'x')`);
    await run(`insert into organisations (id, kind, full_name) values (md5('mon-province')::uuid, 'government', '广东省乡村振兴局')`);
    await run(
      `insert into monitoring_units (organisation_id, kind, contact_name, contact_mobile) values (md5('mon-province')::uuid, 'province', '联系人', '13800000000')`,
    );
    const codes = arr(GD_CITIES.map((c) => c[0]));
    const names = arr(GD_CITIES.map((c) => c[1]));
    await run(
      `insert into organisations (id, kind, full_name) select md5('mon-city-' || c)::uuid, 'government', n || '乡村振兴局' from unnest(${codes}, ${names}) t(c, n)`,
    );
    await run(`insert into monitoring_units (organisation_id, kind, parent_id, department_id, city_code, contact_name, contact_mobile)
      select md5('mon-city-' || c)::uuid, 'city', md5('mon-province')::uuid, md5('mon-province')::uuid, c, '联系人', '13800000000' from unnest(${codes}) c`);
    // Reporters in blocks of 20 (a market, a chain, an e-commerce platform, 5 enterprises, 7 wholesalers under the
    // block's market, 5 stores under its chain), block b in city b % 21; every 50th block listed under the province.
    await run(`create unlogged table bench_mon_units as
      select g as n, md5('mon-unit-' || g)::uuid as id,
        (case when g % 20 = 0 then 'market' when g % 20 = 1 then 'chain' when g % 20 = 2 then 'ecommerce' when g % 20 < 8 then 'enterprise'
              when g % 20 < 15 then 'wholesaler' else 'store' end)::monitoring_unit_kind as kind,
        case when g % 20 between 8 and 14 then md5('mon-unit-' || (g / 20 * 20))::uuid when g % 20 >= 15 then md5('mon-unit-' || (g / 20 * 20 + 1))::uuid end as first_level,
        case when (g / 20) % 50 = 49 then null else (${codes})[1 + (g / 20) % 21] end as city_code
      from generate_series(0, ${REPORTERS - 1}) g`);
    await run(`alter table bench_mon_units add primary key (n)`);
    await run(
      `update bench_mon_units set first_level = null where first_level is not null and not exists (select 1 from bench_mon_units m where m.id = first_level)`,
    );
    await run(`insert into organisations (id, kind, full_name) select id, 'enterprise', '压测采购单位' || n from bench_mon_units`);
    await run(`insert into monitoring_units (organisation_id, kind, parent_id, department_id, city_code, contact_name, contact_mobile)
      select id, kind, coalesce(first_level, coalesce(md5('mon-city-' || city_code)::uuid, md5('mon-province')::uuid)),
        coalesce(md5('mon-city-' || city_code)::uuid, md5('mon-province')::uuid), city_code, '联系人', '13800000000'
      from bench_mon_units order by n`);
    await run(`insert into monitoring_members (user_id, organisation_id, role, contact_name) values
      (md5('mon-user-province')::uuid, md5('mon-province')::uuid, 'admin', '省管理员'), (md5('mon-user-gz')::uuid, md5('mon-city-440100')::uuid, 'admin', '广州管理员'),
      (md5('mon-user-market')::uuid, md5('mon-unit-0')::uuid, 'reporter', '市场账号')`);
    await run(`insert into monitoring_periods (id, filing_type, name, starts_on, ends_on) values
      (md5('mon-period-1')::uuid, 'backfill', '压测2026年上半年补登', '2026-01-01', '2026-06-30'),
      (md5('mon-period-2')::uuid, 'regular', '压测2026年7月起登记', '2026-07-01', '2026-12-31')`);
    const [{ n: counties } = { n: 0 }] = rowsOf<{ n: number }>(await run(`select count(*)::int as n from monitoring_counties where active`));
    if (!counties)
      await run(`insert into monitoring_counties (code, province_code, province_name, city_code, city_name, name) values
        ('522601', '520000', '贵州省', '522600', '黔东南苗族侗族自治州', '凯里市'), ('451225', '450000', '广西壮族自治区', '451200', '河池市', '罗城仫佬族自治县')`);
    await run(`create unlogged table bench_mon_counties as
      select (row_number() over (order by code) - 1)::int as n, code, province_code, city_code from monitoring_counties where active`);
    await run(`alter table bench_mon_counties add primary key (n)`);
    const [{ n: nc } = { n: 0 }] = rowsOf<{ n: number }>(await run(`select count(*)::int as n from bench_mon_counties`));
    console.log(`  the province, 21 cities, ${REPORTERS.toLocaleString()} reporting units, ${nc} counties in ${seconds(t)} s`);

    // Records: 80 % approved, 4 % each draft / filed (with a market or chain) / submitted / returned; categories
    // skewed (vegetables and fruit most); most in 公斤; approval times over 2026-01-01 … 2026-11-26.
    t = performance.now();
    const cats = arr(CATEGORIES);
    const insert = (from: number, to: number, status: string, reporter: string) => `
      insert into monitoring_records (reporter_id, reporter_kind, parent_id, department_id, city_code, filing_type, period_id, direct_from_origin,
        origin_province_code, origin_city_code, origin_county_code, category, product_name, unit, quantity, amount_fen, status, seq,
        created_by, created_at, updated_at, filed_at, submitted_at, approved_at)
      select u.id, u.kind, u.first_level, coalesce(md5('mon-city-' || u.city_code)::uuid, md5('mon-province')::uuid), u.city_code,
        (case when at < '2026-07-01 00:00+08' then 'backfill' else 'regular' end)::monitoring_filing_type,
        case when at < '2026-07-01 00:00+08' then md5('mon-period-1')::uuid else md5('mon-period-2')::uuid end,
        g % 3 <> 0, c.province_code, c.city_code, c.code,
        (${cats})[1 + least(11, ((g::bigint * 48271) % 1000) / 60)], '压测产品' || (g % 97), (array['公斤','公斤','公斤','吨','箱'])[1 + g % 5],
        ((g % 9973) + 1)::numeric / 10, 100 + (g::bigint * 7919) % 5000000, st, case when st = 'draft' then 0 else 3 end,
        md5('mon-user-filer')::uuid, at - interval '3 days', at, at - interval '2 days', case when st in ('submitted', 'approved', 'returned') then at - interval '1 day' end,
        case when st = 'approved' then at end
      from generate_series(${from}, ${to}) g
      join bench_mon_units u on u.n = ${reporter}
      join bench_mon_counties c on c.n = (g::bigint * 40503) % ${nc}
      cross join lateral (select timestamptz '2026-01-01 00:00+08' + (g % 330) * interval '1 day' + (g % 86400) * interval '1 second' as at) a
      cross join lateral (select (${status})::monitoring_status as st) s`;
    const statusOf = `case when g % 25 < 20 then 'approved' when g % 25 = 20 then 'draft' when g % 25 = 21 and u.first_level is not null then 'filed'
      when g % 25 = 22 or g % 25 = 21 then 'submitted' when g % 25 = 23 then 'returned' else 'approved' end`;
    // Bulk-load style: the secondary indexes are dropped and built once afterwards, and the foreign-key triggers
    // are skipped for this session (the rows reference what was just written); the definitions come back as they were.
    const indexes = rowsOf<{ name: string; def: string }>(
      await run(`select indexname as name, indexdef as def from pg_indexes where tablename = 'monitoring_records' and indexname <> 'monitoring_records_pkey'`),
    );
    for (const i of indexes) await run(`drop index ${i.name}`);
    await run(`set session_replication_role = replica`);
    const step = 250_000;
    for (let from = 0; from < RECORDS; from += step) {
      await run(insert(from, Math.min(RECORDS, from + step) - 1, statusOf, `(g::bigint * 2654435761) % ${REPORTERS}`));
      process.stdout.write(`  records ${Math.min(RECORDS, from + step).toLocaleString()} (${seconds(t)} s)\r`);
    }
    // The bulk approval's records: 5,000 submitted records of Guangzhou's units (block b with b % 21 = 0), newest.
    const gzBlocks = Math.ceil(REPORTERS / 20 / 21);
    await run(
      insert(RECORDS, RECORDS + BULK - 1, `'submitted'`, `((g % ${gzBlocks}) * 21 * 20 + (g % 20)) % ${REPORTERS}`).replace(
        "timestamptz '2026-01-01 00:00+08' + (g % 330) * interval '1 day'",
        "timestamptz '2026-11-27 00:00+08' + (g % 3) * interval '1 day'",
      ),
    );
    await run(`set session_replication_role = origin`);
    const loaded = seconds(t);
    const ti = performance.now();
    for (const i of indexes) await run(i.def);
    console.log(`  ${(RECORDS + BULK).toLocaleString()} records in ${loaded} s, their ${indexes.length} indexes built in ${seconds(ti)} s`);
    t = performance.now();
    await run(`drop table bench_mon_units`);
    await run(`drop table bench_mon_counties`);
    await run(`vacuum analyze monitoring_records`);
    await run(`analyze`);
    console.log(`  vacuum analyze in ${seconds(t)} s; fill time in all ${seconds(t0)} s`);
  } finally {
    await handle.close();
  }
}

/** The timings in a child process (the load generator), its figures printed as they come. */
function load(url: string) {
  return new Promise<void>((resolve, reject) => {
    const child = fork(fileURLToPath(new URL('./monitoring-load.ts', import.meta.url)), process.argv.slice(2), {
      execArgv: process.execArgv,
      env: { ...process.env, BENCH_MONITORING_URL: url },
    });
    child.once('error', reject);
    child.once('exit', (code) => (code ? reject(new Error(`the load process exited ${code}`)) : resolve()));
  });
}

async function main() {
  const url = process.env.DATABASE_URL;
  if (!url) {
    console.error('bench:monitoring needs PostgreSQL: DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npm run bench:monitoring');
    process.exit(64);
  }
  const t = performance.now();
  const fresh = await freshDatabase(url, 'bangfu_bench_monitoring');
  console.log(`Monitoring: ${REPORTERS.toLocaleString()} reporting units, ${RECORDS.toLocaleString()} records (PostgreSQL, scratch database ${fresh.name}):`);
  try {
    await fill(fresh.url);
    await load(fresh.url);
  } finally {
    if (KEEP) {
      await fresh.keep();
      console.log(`  --keep: the scratch database ${fresh.name} stays (drop it with: dropdb ${fresh.name})`);
    } else await fresh.drop();
  }
  console.log(`\nbench:monitoring done in ${seconds(t)} s`);
}

if (process.argv[1] === fileURLToPath(import.meta.url))
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
