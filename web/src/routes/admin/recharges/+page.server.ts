import { formValues } from '$lib/server/session';
import { orError, walletAction } from '$lib/server/wallet';
import type { Actions, PageServerLoad } from './$types';
import { pageFromQuery } from '$core/shared/paging';

export const load: PageServerLoad = async ({ locals, url }) => {
  const page = pageFromQuery(url.searchParams);
  const result = await orError(() => locals.services.recharges.listPendingOffline(locals.actor, { page, pageSize: 20 }));
  return { result };
};

export const actions: Actions = {
  review: async ({ request, locals }) => {
    const values = formValues(await request.formData());
    const decision = values.decision === 'reject' ? { decision: 'reject', reason: values.reason } : { decision: 'confirm' };
    const r = await walletAction('review', values, {}, () => locals.services.recharges.reviewOffline(locals.actor, values.orderNo ?? '', decision));
    if (!r.ok) return r.failure;
    return { reviewed: { orderNo: r.data.orderNo, status: r.data.status } };
  },
};
