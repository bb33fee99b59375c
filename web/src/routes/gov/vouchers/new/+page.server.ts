import { redirect } from '@sveltejs/kit';
import { fieldFailure, runAction, formValues } from '$lib/server/form-action';
import { campaignBody, CAMPAIGN_RENAME } from '../campaign-form.server';
import type { Actions } from './$types';

export const actions: Actions = {
  default: async ({ request, locals }) => {
    const values = formValues(await request.formData());
    const parsed = campaignBody(values);
    if (!parsed.ok) return fieldFailure(values, parsed.fields, { rename: CAMPAIGN_RENAME });
    const r = await runAction(values, () => locals.services.voucherCampaigns.create(locals.actor, parsed.body), { rename: CAMPAIGN_RENAME });
    if (!r.ok) return r.failure;
    redirect(303, `/gov/vouchers/${r.data.id}`);
  },
};
