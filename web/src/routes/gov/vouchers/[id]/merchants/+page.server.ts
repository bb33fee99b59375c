import { pageFromQuery } from '$core/shared/paging';
import { requireLogin } from '$lib/server/guard';
import { formValues, orError } from '$lib/server/session';
import { runAction } from '$lib/server/form-action';
import type { Actions, PageServerLoad } from './$types';

const STATUSES = ['pending', 'approved', 'rejected'];

/** The bureau's merchant review list of a campaign, and its settlement. */
export const load: PageServerLoad = async ({ locals, url, params }) => {
  const actor = requireLogin(locals, url);
  const s = locals.services;
  const status = url.searchParams.get('status') ?? 'pending';
  const keyword = url.searchParams.get('keyword')?.trim().slice(0, 40) ?? '';
  const list = await orError(() =>
    s.voucherMerchants.listForReview(actor, params.id, {
      status: STATUSES.includes(status) ? status : undefined,
      keyword,
      page: pageFromQuery(url.searchParams),
      pageSize: 20,
    }),
  );
  const settlement = await orError(() => s.voucherRedemptions.settlement(actor, params.id));
  return { list, status: STATUSES.includes(status) ? status : '', keyword, settlement, campaignId: params.id };
};

export const actions: Actions = {
  approve: async ({ locals, url, request }) => {
    const actor = requireLogin(locals, url);
    const values = formValues(await request.formData());
    const r = await runAction(values, () => locals.services.voucherMerchants.approve(actor, values.id ?? ''), { action: 'approve' });
    if (!r.ok) return r.failure;
    return { done: { id: values.id, message: `已通过「${r.data.name}」，已站内信通知商户` } };
  },
  reject: async ({ locals, url, request }) => {
    const actor = requireLogin(locals, url);
    const values = formValues(await request.formData());
    const r = await runAction(values, () => locals.services.voucherMerchants.reject(actor, values.id ?? '', { reason: values.reason }), { action: 'reject' });
    if (!r.ok) return r.failure;
    return { done: { id: values.id, message: `已驳回「${r.data.name}」，已站内信通知商户` } };
  },
  settle: async ({ locals, url, params, request }) => {
    const actor = requireLogin(locals, url);
    const values = formValues(await request.formData());
    const r = await runAction(values, () => locals.services.voucherRedemptions.settle(actor, params.id), { action: 'settle' });
    if (!r.ok) return r.failure;
    return { done: { id: 'settle', message: `结算完成：${r.data.lines.length} 家商户，消费券抵扣合计 ${(r.data.totals.discountFen / 100).toFixed(2)} 元` } };
  },
};
