import { sql, type SQL } from 'drizzle-orm';
import { rowsOf, type DbOrTx } from '../../db/client';
import { startOfShanghaiDay, endOfShanghaiDay } from '../shared/time';
import type { MonitoringUnitKind } from './monitoring.schema';
import { NO_CITY, type RollupFilters, type RollupGroupBy } from './rollup.schema';

/**
 * SQL of the roll-up (汇总). Every statement reads approved records only, within a scope: the whole province,
 * one department's records (department_id), or a market's/chain's own and its sub-accounts' (parent_id or
 * reporter_id). The scope's columns lead the records' indexes (status, department, parent, reporter).
 */

export type RollupScope = { kind: 'province' } | { kind: 'city'; departmentId: string } | { kind: 'channel'; organisationId: string };

export interface DrillFilters extends RollupFilters {
  month?: string;
  reporterId?: string;
}

/**
 * The grouping key of each group-by over monitoring_records r (never null), grouped as is (no per-row casts or
 * formatting: 840,000 to_char calls cost more than the scan), and made text once per group (OUTER, over s.k).
 */
const KEY: Record<RollupGroupBy, SQL> = {
  city: sql`coalesce(r.city_code, ${NO_CITY})`,
  category: sql`r.category`,
  originProvince: sql`r.origin_province_code`,
  originCounty: sql`r.origin_county_code`,
  period: sql`r.period_id`,
  month: sql`date_trunc('month', r.approved_at at time zone 'Asia/Shanghai')`,
  reporterKind: sql`r.reporter_kind`,
  reporter: sql`r.reporter_id`,
};
const OUTER: Partial<Record<RollupGroupBy, SQL>> = {
  period: sql`s.k::text`,
  month: sql`coalesce(to_char(s.k, 'YYYY-MM'), '')`,
  reporterKind: sql`s.k::text`,
  reporter: sql`s.k::text`,
};

/** The where clause: approved, the scope, the filters. */
export function approvedWhere(scope: RollupScope, f: DrillFilters): SQL {
  const c: SQL[] = [sql`r.status = 'approved'`];
  if (scope.kind === 'city') c.push(sql`r.department_id = ${scope.departmentId}`);
  if (scope.kind === 'channel') c.push(sql`(r.parent_id = ${scope.organisationId} or r.reporter_id = ${scope.organisationId})`);
  if (f.periodId) c.push(sql`r.period_id = ${f.periodId}`);
  if (f.category) c.push(sql`r.category = ${f.category}`);
  if (f.originProvinceCode) c.push(sql`r.origin_province_code = ${f.originProvinceCode}`);
  if (f.originCountyCode) c.push(sql`r.origin_county_code = ${f.originCountyCode}`);
  if (f.cityCode) c.push(f.cityCode === NO_CITY ? sql`r.city_code is null` : sql`r.city_code = ${f.cityCode}`);
  if (f.reporterKind) c.push(sql`r.reporter_kind = ${f.reporterKind}`);
  if (f.reporterId) c.push(sql`r.reporter_id = ${f.reporterId}`);
  if (f.from) c.push(sql`r.approved_at >= ${startOfShanghaiDay(f.from).toISOString()}`);
  if (f.to) c.push(sql`r.approved_at < ${endOfShanghaiDay(f.to).toISOString()}`);
  if (f.month) {
    const start = `${f.month}-01`;
    const [y, m] = f.month.split('-').map(Number) as [number, number];
    const next = m === 12 ? `${y + 1}-01-01` : `${y}-${String(m + 1).padStart(2, '0')}-01`;
    c.push(sql`r.approved_at >= ${startOfShanghaiDay(start).toISOString()} and r.approved_at < ${startOfShanghaiDay(next).toISOString()}`);
  }
  return sql.join(c, sql` and `);
}

export interface GroupedRow {
  key: string;
  unit: string;
  amountFen: number;
  records: number;
  quantity: string;
}

export const rollupRepo = {
  /**
   * ONE grouped scan per (key, unit of measure): the totals are the sums of these rows (exact: money in fen as
   * bigint sums, quantities as numeric text), so no second pass and no grouping sets (which PostgreSQL does not
   * run in parallel).
   */
  async grouped(q: DbOrTx, scope: RollupScope, groupBy: RollupGroupBy, f: RollupFilters): Promise<GroupedRow[]> {
    const rows = rowsOf<{ k: string | null; unit: string; amount: string | number; n: string | number; qty: string }>(
      await q.execute(sql`
        select ${OUTER[groupBy] ?? sql`s.k`} as k, s.unit, sum(s.amount_fen)::bigint as amount, count(*)::int as n, sum(s.quantity)::text as qty
        from (select ${KEY[groupBy]} as k, r.unit, r.amount_fen, r.quantity from monitoring_records r where ${approvedWhere(scope, f)}) s
        group by s.k, s.unit`),
    );
    return rows.map((r) => ({ key: r.k ?? '', unit: r.unit, amountFen: Number(r.amount), records: Number(r.n), quantity: r.qty }));
  },

  async countyNames(q: DbOrTx, codes: string[]): Promise<Map<string, { name: string; provinceName: string; cityName: string }>> {
    if (codes.length === 0) return new Map();
    const rows = rowsOf<{ code: string; name: string; province_name: string; city_name: string }>(
      await q.execute(sql`select code, name, province_name, city_name from monitoring_counties where code = any(string_to_array(${codes.join(',')}, ','))`),
    );
    return new Map(rows.map((r) => [r.code, { name: r.name, provinceName: r.province_name, cityName: r.city_name }]));
  },

  async periodNames(q: DbOrTx, ids: string[]): Promise<Map<string, { name: string; startsOn: string }>> {
    if (ids.length === 0) return new Map();
    const rows = rowsOf<{ id: string; name: string; starts_on: string | Date }>(
      await q.execute(sql`select id::text, name, starts_on from monitoring_periods where id = any(string_to_array(${ids.join(',')}, ',')::uuid[])`),
    );
    return new Map(rows.map((r) => [r.id, { name: r.name, startsOn: String(r.starts_on instanceof Date ? r.starts_on.toISOString() : r.starts_on) }]));
  },

  async organisationNames(q: DbOrTx, ids: string[]): Promise<Map<string, string>> {
    if (ids.length === 0) return new Map();
    const rows = rowsOf<{ id: string; full_name: string }>(
      await q.execute(sql`select id::text, full_name from organisations where id = any(string_to_array(${ids.join(',')}, ',')::uuid[])`),
    );
    return new Map(rows.map((r) => [r.id, r.full_name]));
  },

  /**
   * A page of approved records, newest change first (the scope's index gives the order), with the names people
   * read (primary-key subselects for the page's rows: nothing to plan but the page), and whether there is more
   * (one row past the page). No count: counting a department's filtered rows
   * visits most of the table's pages; the roll-up row the page drills into already says how many there are.
   */
  async drill(q: DbOrTx, scope: RollupScope, f: DrillFilters, page: { page: number; pageSize: number }) {
    const where = approvedWhere(scope, f);
    const items = await q.execute(sql`
        select r.id::text, (select o.full_name from organisations o where o.id = r.reporter_id) as reporter_name, r.reporter_kind::text, r.city_code,
          (select p.name from monitoring_periods p where p.id = r.period_id) as period_name, r.category, r.product_name,
          r.origin_province_code, r.origin_county_code, c.province_name, c.city_name, c.name as county_name, r.unit, r.quantity::text, r.amount_fen, r.approved_at
        from (select * from monitoring_records r where ${where} order by r.updated_at desc, r.id desc limit ${page.pageSize + 1} offset ${(page.page - 1) * page.pageSize}) r
        left join monitoring_counties c on c.code = r.origin_county_code
        order by r.updated_at desc, r.id desc`);
    return {
      items: rowsOf<{
        id: string;
        reporter_name: string;
        reporter_kind: MonitoringUnitKind;
        city_code: string | null;
        period_name: string;
        category: string;
        product_name: string;
        origin_province_code: string;
        origin_county_code: string;
        province_name: string | null;
        city_name: string | null;
        county_name: string | null;
        unit: string;
        quantity: string;
        amount_fen: string | number;
        approved_at: string | Date | null;
      }>(items),
    };
  },
};
