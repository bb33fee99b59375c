import { requireEnterprise, requirementFormActions, requirementFormContext } from '$lib/server/requirements';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, url }) => {
  const { org } = requireEnterprise(locals, url);
  return {
    ...(await requirementFormContext(locals, org.organisationId)),
    requirement: null,
    initial: {
      invoiceName: org.fullName,
      mode: url.searchParams.get('mode') === 'invitation' ? 'invitation' : 'competitive',
      paymentMode: 'full_escrow',
      minBidders: '3',
    } as Record<string, string>,
    attachments: [],
    flash: null,
  };
};

export const actions: Actions = requirementFormActions(() => undefined);
