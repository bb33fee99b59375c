import { requireUnitAdmin } from '$lib/server/mall-console';
import { orError } from '$lib/server/session';
import { statsRange } from '$lib/mall-console';
import type { PageServerLoad } from './$types';
import { pageFromQuery } from '$core/shared/paging';

const PAGE_SIZE = 20;

export const load: PageServerLoad = async ({ locals, url }) => {
  const { actor } = requireUnitAdmin(locals, url);
  const { switchedToMonth, ...query } = statsRange(url);
  const stats = await orError(() => locals.services.statistics.unit(actor, query));
  const page = pageFromQuery(url.searchParams);
  return {
    query,
    switchedToMonth,
    totals: stats.totals,
    unitOwn: stats.unitOwn,
    periods: stats.periods,
    employeeCount: stats.employees.length,
    // The table pages through the employees (largest first); the ranks stay overall.
    employees: stats.employees.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE).map((e, i) => ({ ...e, rank: (page - 1) * PAGE_SIZE + i + 1 })),
    page,
    pageSize: PAGE_SIZE,
  };
};
