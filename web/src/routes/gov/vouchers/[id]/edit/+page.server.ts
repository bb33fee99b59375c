import { redirect } from '@sveltejs/kit';
import { fieldFailure, runAction, formValues } from '$lib/server/form-action';
import { orError } from '$lib/server/session';
import { campaignBody, CAMPAIGN_RENAME } from '../../campaign-form.server';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, params }) => {
  const campaign = await orError(() => locals.services.voucherCampaigns.get(locals.actor, params.id));
  return { campaign };
};

export const actions: Actions = {
  default: async ({ request, locals, params }) => {
    const values = formValues(await request.formData());
    const parsed = campaignBody(values);
    if (!parsed.ok) return fieldFailure(values, parsed.fields, { rename: CAMPAIGN_RENAME });
    const r = await runAction(values, () => locals.services.voucherCampaigns.update(locals.actor, params.id, parsed.body), { rename: CAMPAIGN_RENAME });
    if (!r.ok) return r.failure;
    redirect(303, `/gov/vouchers/${params.id}?saved=1`);
  },
};
