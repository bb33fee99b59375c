import { ORGANISATION_KIND_LABELS } from '$core/organisations/organisations.service';
import { formAction, formValues, orError } from '$lib/server/session';
import { adminQuery } from '$lib/server/admin';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, url }) => {
  const query = adminQuery(url, ['q', 'status', 'kind']);
  return orError(async () => ({
    query,
    kindLabels: ORGANISATION_KIND_LABELS,
    result: await locals.services.organisations.adminListOrganisations(locals.actor, query),
  }));
};

export const actions: Actions = {
  setStatus: async ({ request, locals }) => {
    const values = formValues(await request.formData());
    const r = await formAction(values, () =>
      locals.services.organisations.adminSetOrganisationStatus(locals.actor, values.id ?? '', { status: values.status }),
    );
    if (!r.ok) return r.failure;
    return { updated: r.data };
  },
};
