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

/** The grouping key of each group-by, as SQL over monitoring_records r (never null). */
const KEY: Record<RollupGroupBy, SQL> = {
  city: sql`coalesce(r.city_code, ${NO_CITY})`,
  category: sql`r.category`,
  originProvince: sql`r.origin_province_code`,
  originCounty: sql`r.origin_county_code`,
  period: sql`r.period_id::text`,
  month: sql`coalesce(to_char(r.approved_at at time zone 'Asia/Shanghai', 'YYYY-MM'), '')`,
  reporterKind: sql`r.reporter_kind::text`,
  reporter: sql`r.reporter_id::text`,
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
  /** null on the totals rows (one per unit of measure). */
  key: string | null;
  unit: string;
  amountFen: number;
  records: number;
  quantity: string;
}

/** The totals cap of a drill's count: past it the page says "more than" (counting a million rows costs more than the page). */
export const DRILL_COUNT_CAP = 10_000;

export const rollupRepo = {
  /**
   * ONE grouped scan: per (key, unit of measure) and per unit of measure over all keys (the totals), as
   * grouping sets. Money stays in fen (bigint sums), quantities as exact numeric text.
   */
  async grouped(q: DbOrTx, scope: RollupScope, groupBy: RollupGroupBy, f: RollupFilters): Promise<GroupedRow[]> {
    const rows = rowsOf<{ k: string | null; unit: string; amount: string | number; n: string | number; qty: string; g: number }>(
      await q.execute(sql`
        select k, unit, sum(amount_fen)::bigint as amount, count(*)::int as n, sum(quantity)::text as qty, grouping(k) as g
        from (select ${KEY[groupBy]} as k, r.unit, r.amount_fen, r.quantity from monitoring_records r where ${approvedWhere(scope, f)}) s
        group by grouping sets ((k, unit), (unit))`),
    );
    return rows.map((r) => ({
      key: Number(r.g) === 1 ? null : (r.k ?? ''),
      unit: r.unit,
      amountFen: Number(r.amount),
      records: Number(r.n),
      quantity: r.qty,
    }));
  },

  async countyNames(q: DbOrTx, codes: string[]): Promise<Map<string, { name: string; provinceName: string; cityName: string }>> {
    if (codes.length === 0) return new Map();
    const rows = rowsOf<{ code: string; name: string; province_name: string; city_name: string }>(
      await q.execute(
        sql`select code, name, province_name, city_name from monitoring_counties where code = any(string_to_array(${codes.join(',')}, ','))`,
      ),
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
   * A page of approved records, newest change first (the scope's index gives the order), with the names
   * people read; the total counted up to DRILL_COUNT_CAP + 1 rows, beside the page.
   */
  async drill(q: DbOrTx, scope: RollupScope, f: DrillFilters, page: { page: number; pageSize: number }) {
    const where = approvedWhere(scope, f);
    const [items, counted] = await Promise.all([
      q.execute(sql`
        select r.id::text, o.full_name as reporter_name, r.reporter_kind::text, r.city_code, p.name as period_name, r.category, r.product_name,
          r.origin_province_code, r.origin_county_code, c.province_name, c.city_name, c.name as county_name, r.unit, r.quantity::text, r.amount_fen, r.approved_at
        from (select * from monitoring_records r where ${where} order by r.updated_at desc, r.id desc limit ${page.pageSize} offset ${(page.page - 1) * page.pageSize}) r
        join organisations o on o.id = r.reporter_id
        join monitoring_periods p on p.id = r.period_id
        left join monitoring_counties c on c.code = r.origin_county_code
        order by r.updated_at desc, r.id desc`),
      q.execute(sql`select count(*)::int as n from (select 1 from monitoring_records r where ${where} limit ${DRILL_COUNT_CAP + 1}) s`),
    ]);
    const n = Number(rowsOf<{ n: number | string }>(counted)[0]?.n ?? 0);
    return {
      total: Math.min(n, DRILL_COUNT_CAP),
      capped: n > DRILL_COUNT_CAP,
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
