import { orError } from '$lib/server/session';
import { guangdongCities } from '$core/monitoring/accounts.schema';
import { GROUP_BYS, type RollupGroupBy } from '$core/monitoring/rollup.schema';
import { listWithFilters, loadReference, requireMonitor } from '../monitoring.server';
import { dashboardQuery, drillFilter } from './dashboard';
import type { PageServerLoad } from './$types';

/**
 * 汇总统计: the totals, charts (by city for the province, by category otherwise; by origin province and county;
 * by month) and the table of the chosen group-by, all over approved records with the same filters. Each chart
 * and the table is one grouped query of the roll-up service, run together. `?drill=<key>` opens the records
 * behind a row here when the records list cannot filter by that key (month, reporter, 单列, dates).
 */
export const load: PageServerLoad = async ({ locals, url, parent }) => {
  const { actor, me } = await requireMonitor(locals, url, parent);
  const s = locals.services.monitoringRollup;
  const asked = dashboardQuery(url);
  const { groupBy, drill, page, ...filters } = asked;
  const { list: table, query, filterError } = await listWithFilters({ ...filters, groupBy }, (q) => orError(() => s.rollup(actor, q)));
  const clean = Object.fromEntries(Object.entries(query).filter(([k]) => k !== 'groupBy')) as typeof filters;
  const chart = (by: RollupGroupBy) => (by === table.groupBy ? Promise.resolve(table) : orError(() => s.rollup(actor, { ...clean, groupBy: by })));
  const main: RollupGroupBy = me.kind === 'province' ? 'city' : 'category';
  const [byMain, byProvince, byCounty, byMonth, reference] = await Promise.all([
    chart(main),
    chart('originProvince'),
    chart('originCounty'),
    chart('month'),
    loadReference(locals, actor),
  ]);
  const drillKey = drill && table.rows.some((r) => r.key === drill) ? drill : null;
  const drilled = drillKey ? await orError(() => s.drill(actor, { ...clean, ...drillFilter(table.groupBy, drillKey), page, pageSize: 20 })) : null;
  return {
    table,
    charts: { main: byMain, byProvince, byCounty, byMonth },
    query: { ...clean, groupBy: table.groupBy },
    filterError,
    // The row's count is the drill's total (the drill itself does not count).
    drill: drilled
      ? {
          key: drillKey!,
          label: table.rows.find((r) => r.key === drillKey)!.label,
          records: table.rows.find((r) => r.key === drillKey)!.records,
          page: drilled,
        }
      : null,
    periods: reference.periods,
    originProvinces: reference.origins.map((p) => ({ code: p.code, name: p.name })),
    cities: me.kind === 'province' ? guangdongCities() : [],
    groupBys: GROUP_BYS.filter((g) => g !== 'city' || me.kind === 'province'),
  };
};
