import { requireLogin } from '$lib/server/guard';
import { formValues, orError } from '$lib/server/session';
import { runAction } from '$lib/server/form-action';
import { AppError } from '$core/shared/app-error';
import type { Actions, PageServerLoad } from './$types';

/** 商户报名: a merchant organisation fills in its shop, township, category, number, photo, contact and settlement card. */
export const load: PageServerLoad = async ({ locals, url, params }) => {
  const actor = requireLogin(locals, url);
  const s = locals.services;
  const isMerchant = actor.organisation?.kind === 'merchant';
  const cards = isMerchant ? (await orError(() => s.withdrawals.listCards(actor))).filter((c) => c.status === 'verified') : [];
  const mine = isMerchant ? (await s.voucherMerchants.mine(actor)).find((m) => m.campaignId === params.campaignId) : undefined;
  return {
    isMerchant,
    organisation: actor.organisation?.fullName ?? '',
    cards,
    mine: mine ?? null,
    options: s.voucherMerchants.options(),
    campaignId: params.campaignId,
  };
};

export const actions: Actions = {
  enrol: async ({ locals, url, params, request }) => {
    const actor = requireLogin(locals, url);
    const values = formValues(await request.formData());
    const r = await runAction(values, () => locals.services.voucherMerchants.enrol(actor, params.campaignId, values));
    if (!r.ok) return r.failure;
    return { done: true };
  },
  /** 更换门头照片 of the enrolment the organisation already has. */
  photo: async ({ locals, url, params, request }) => {
    const actor = requireLogin(locals, url);
    const values = formValues(await request.formData());
    const mine = (await locals.services.voucherMerchants.mine(actor)).find((m) => m.campaignId === params.campaignId);
    const r = await runAction(values, () => {
      if (!mine) throw new AppError('NOT_FOUND', '您还没有报名本活动');
      return locals.services.voucherMerchants.setPhoto(actor, mine.id, values);
    });
    if (!r.ok) return r.failure;
    return { photoSaved: true };
  },
};
