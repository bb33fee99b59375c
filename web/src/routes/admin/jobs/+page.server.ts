import { formAction, formValues, orError } from '$lib/server/session';
import { adminQuery } from '$lib/server/admin';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, url }) => {
  const query = adminQuery(url, ['status', 'kind']);
  return orError(async () => ({
    query,
    result: await locals.services.jobs.list(locals.actor, query),
    stats: await locals.services.jobs.stats(locals.actor),
  }));
};

export const actions: Actions = {
  retry: async ({ request, locals }) => {
    const values = formValues(await request.formData());
    const r = await formAction(values, () => locals.services.jobs.retry(locals.actor, values.id ?? ''));
    if (!r.ok) return r.failure;
    return { retried: r.data };
  },
};
