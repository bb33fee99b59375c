import { redirect } from '@sveltejs/kit';
import { requireLogin } from '$lib/server/guard';
import { formValues, orError } from '$lib/server/session';
import { runAction } from '$lib/server/form-action';
import type { Actions, PageServerLoad } from './$types';

/** The resident's side of one redemption: confirm and pay, or decline; after the payment page, its outcome. */
export const load: PageServerLoad = async ({ locals, url, params }) => {
  const actor = requireLogin(locals, url);
  const redemption = await orError(() => locals.services.voucherRedemptions.get(actor, params.id));
  return { redemption };
};

export const actions: Actions = {
  pay: async ({ locals, url, params, request }) => {
    const actor = requireLogin(locals, url);
    const r = await runAction(formValues(await request.formData()), () => locals.services.voucherRedemptions.pay(actor, params.id, { origin: url.origin }), {
      action: 'pay',
    });
    if (!r.ok) return r.failure;
    redirect(303, r.data.redirectUrl);
  },
  cancel: async ({ locals, url, params, request }) => {
    const actor = requireLogin(locals, url);
    const r = await runAction(formValues(await request.formData()), () => locals.services.voucherRedemptions.cancel(actor, params.id), { action: 'cancel' });
    if (!r.ok) return r.failure;
    return { done: { action: 'cancel', message: '已取消，消费券未使用' } };
  },
};
