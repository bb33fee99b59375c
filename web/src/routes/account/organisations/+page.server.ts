import { ORGANISATION_KIND_LABELS } from '$core/organisations/organisations.service';
import { formAction, formValues } from '$lib/server/session';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = ({ locals }) => ({
  kindLabels: ORGANISATION_KIND_LABELS,
  memberships: locals.actor?.memberships ?? [],
  activeId: locals.actor?.organisation?.organisationId ?? null,
});

export const actions: Actions = {
  switch: async ({ request, locals }) => {
    const values = formValues(await request.formData());
    const r = await formAction(values, () => locals.services.accounts.switchOrganisation(locals.actor, { organisationId: values.organisationId }));
    if (!r.ok) return r.failure;
    return { switched: r.data.fullName };
  },
};
