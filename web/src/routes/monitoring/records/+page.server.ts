import { guangdongCities } from '$core/monitoring/accounts.schema';
import { runAction } from '$lib/server/form-action';
import { orError } from '$lib/server/session';
import { listWithFilters, loadReference, requireMonitor } from '../monitoring.server';
import { recordListQuery } from '../monitoring-ui';
import type { Actions, PageServerLoad } from './$types';

/** 购销记录: reviewers' 待审核 / 已审核 queue, reporters' records by state; filters in the address. */
export const load: PageServerLoad = async ({ locals, url, parent }) => {
  const { actor, me } = await requireMonitor(locals, url, parent);
  const asked = recordListQuery(url);
  // A reviewer's default is 待审核, but an address that already says what to look for (status, search, …)
  // without a tab means all records: /records?status=approved must not look empty.
  const filtered = Object.keys(asked).some((k) => k !== 'tab' && k !== 'page');
  const tab = asked.tab ?? (me.can.review && !filtered ? 'pending' : 'all');
  const records = locals.services.monitoringRecords;
  // The page renders with its rows at once (one indexed query); the total is counted beside it and streamed in:
  // an exact count of a selective filter over a city's records costs many times the page.
  const [{ list, query, filterError }, reference] = await Promise.all([
    listWithFilters({ ...asked, tab }, (q) => orError(() => records.listPage(actor, q))),
    loadReference(locals, actor),
  ]);
  const total = records.count(actor, query).catch(() => null);
  return { list, total, query, filterError, ...reference, cities: me.kind === 'province' ? guangdongCities() : [] };
};

export const actions: Actions = {
  /** 批量审核通过: the checked records; each one's outcome is reported (changed meanwhile, not yours, wrong state). */
  bulkApprove: async ({ request, locals }) => {
    const data = await request.formData();
    const ids = data.getAll('ids').filter((v): v is string => typeof v === 'string');
    const r = await runAction({}, () => locals.services.monitoringRecords.bulkApprove(locals.actor, { ids }), { form: 'bulk' });
    if (!r.ok) return r.failure;
    return { bulk: r.data };
  },
};
