/** The dashboard's address: filters, group-by, the row drilled into; and where a row's records are listed. */
import { GROUP_BYS, NO_CITY, type RollupGroupBy } from '$core/monitoring/rollup.schema';
import { pageFromQuery } from '$core/shared/paging';

export const FILTER_KEYS = ['periodId', 'category', 'originProvinceCode', 'originCountyCode', 'cityCode', 'reporterKind', 'from', 'to'] as const;
export type FilterKey = (typeof FILTER_KEYS)[number];
export type DashboardFilters = Partial<Record<FilterKey, string>>;

export function dashboardQuery(url: URL): DashboardFilters & { groupBy: RollupGroupBy | undefined; drill: string | null; page: number } {
  const out: DashboardFilters = {};
  for (const k of FILTER_KEYS) {
    const v = url.searchParams.get(k)?.trim();
    if (v) out[k] = v;
  }
  const g = url.searchParams.get('groupBy');
  return {
    ...out,
    groupBy: (GROUP_BYS as readonly string[]).includes(g ?? '') ? (g as RollupGroupBy) : undefined,
    drill: url.searchParams.get('drill'),
    page: pageFromQuery(url.searchParams),
  };
}

/** The filter a row's key stands for (the drill-down adds it to the roll-up's filters). */
export function drillFilter(groupBy: RollupGroupBy, key: string): Record<string, string> {
  const name = {
    city: 'cityCode',
    category: 'category',
    originProvince: 'originProvinceCode',
    originCounty: 'originCountyCode',
    period: 'periodId',
    month: 'month',
    reporterKind: 'reporterKind',
    reporter: 'reporterId',
  }[groupBy];
  return { [name]: key };
}

/**
 * The records list (/monitoring/records) showing a row's approved records, when it can filter by everything
 * asked (not by month, reporter, 单列 or approval dates); null when the row opens here instead.
 */
export function recordsHref(groupBy: RollupGroupBy, key: string, filters: DashboardFilters): string | null {
  if (groupBy === 'month' || groupBy === 'reporter' || filters.from || filters.to) return null;
  const f = { ...filters, ...drillFilter(groupBy, key) };
  if (f.cityCode === NO_CITY) return null;
  const u = new URLSearchParams({ tab: 'all', status: 'approved' });
  for (const k of ['periodId', 'category', 'originProvinceCode', 'originCountyCode', 'cityCode', 'reporterKind'] as const) if (f[k]) u.set(k, f[k]!);
  return `/monitoring/records?${u}`;
}

/** The dashboard's address with some parameters changed (null removes one); drill and page reset unless given. */
export function dashboardHref(url: URL, change: Record<string, string | null>, path = '/monitoring/dashboard') {
  const u = new URL(path, url);
  for (const k of [...FILTER_KEYS, 'groupBy', 'drill', 'page']) {
    const keep = k === 'drill' || k === 'page' ? undefined : url.searchParams.get(k);
    const v = k in change ? change[k] : keep;
    if (v) u.searchParams.set(k, v);
  }
  return `${u.pathname}${u.search}`;
}

/** Quantity text of a row: its main unit, "等" when other units are there too (never added together). */
export function quantityText(r: { quantity: { unit: string; quantity: string } | null; mixedUnits: boolean }) {
  if (!r.quantity) return '—';
  const n = Number(r.quantity.quantity).toLocaleString('zh-CN', { maximumFractionDigits: 3 });
  return `${n} ${r.quantity.unit}${r.mixedUnits ? ' 等' : ''}`;
}
