import { isAppError } from '$core/shared/app-error';
import { pageFromQuery } from '$core/shared/paging';
import { requireLogin } from '$lib/server/guard';
import { formValues } from '$lib/server/session';
import { runAction } from '$lib/server/form-action';
import type { Actions, PageServerLoad } from './$types';

/** 商户收银台: the acting merchant's enrolments, recent redemptions and statements. */
export const load: PageServerLoad = async ({ locals, url }) => {
  const actor = requireLogin(locals, url);
  const s = locals.services;
  if (actor.organisation?.kind !== 'merchant') return { merchant: false as const };
  const enrolments = await s.voucherMerchants.mine(actor);
  const approved = enrolments.filter((e) => e.status === 'approved');
  const page = pageFromQuery(url.searchParams);
  const redemptions = approved.length
    ? await s.voucherRedemptions.listForMerchant(actor, { page, pageSize: 20 })
    : { items: [], total: 0, page: 1, pageSize: 20 };
  const statements = [];
  for (const e of approved) {
    try {
      statements.push(await s.voucherRedemptions.statement(actor, { campaignId: e.campaignId }));
    } catch (err) {
      if (!isAppError(err)) throw err;
    }
  }
  return { merchant: true as const, organisation: actor.organisation.fullName, enrolments, redemptions, statements };
};

export const actions: Actions = {
  refund: async ({ locals, url, request }) => {
    const actor = requireLogin(locals, url);
    const values = formValues(await request.formData());
    const r = await runAction(values, () => locals.services.voucherRedemptions.refund(actor, values.id ?? ''), { action: 'refund' });
    if (!r.ok) return r.failure;
    return { done: { action: 'refund', id: values.id, message: `已退款 ${(r.data.payFen / 100).toFixed(2)} 元，消费券不退回` } };
  },
};
