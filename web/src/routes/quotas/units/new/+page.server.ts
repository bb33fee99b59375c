import { redirect } from '@sveltejs/kit';
import { formAction, formValues } from '$lib/server/session';
import { requireUnitManager } from '../../quotas.server';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = ({ locals, url }) => {
  const { org } = requireUnitManager(locals, url);
  return { ownName: org.fullName };
};

export const actions: Actions = {
  /** The sheet's rules for one unit typed by hand; every field's message at once. */
  default: async ({ request, locals }) => {
    const values = formValues(await request.formData());
    const r = await formAction(values, () => locals.services.budgetUnits.add(locals.actor, values));
    if (!r.ok) return r.failure;
    redirect(303, `/quotas/units/${r.data.id}?added=1`);
  },
};
