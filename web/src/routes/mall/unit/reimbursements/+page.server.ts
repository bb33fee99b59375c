import { allReimbursements, reimbursementFilters, reimbursementPage, requireUnitAdmin } from '$lib/server/mall-console';
import { orError } from '$lib/server/session';
import type { PageServerLoad } from './$types';
import { pageFromQuery } from '$core/shared/paging';

export const load: PageServerLoad = async ({ locals, url }) => {
  requireUnitAdmin(locals, url);
  const filters = reimbursementFilters(url);
  const page = pageFromQuery(url.searchParams);
  const [list, all] = await orError(() => Promise.all([reimbursementPage(locals, filters, page), allReimbursements(locals, filters)]));
  return {
    filters,
    list,
    summary: { count: all.length, totalFen: all.reduce((s, o) => s + o.totalFen, 0), employees: new Set(all.map((o) => o.buyerUsername)).size },
  };
};
