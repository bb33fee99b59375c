import { hallAction } from '$lib/server/hall';
import { formValues, orError } from '$lib/server/session';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, url }) => {
  if (locals.actor?.organisation?.kind !== 'provider') return { notProvider: true as const };
  const page = Math.max(1, Math.trunc(Number(url.searchParams.get('page'))) || 1);
  const list = await orError(() => locals.services.invitations.listMine(locals.actor, { page, pageSize: 10 }));
  return { notProvider: false as const, list, providerId: locals.actor.organisation.organisationId };
};

export const actions: Actions = {
  /** 接受 / 拒绝 a pending invitation. */
  respond: async ({ request, locals }) => {
    const values = formValues(await request.formData());
    const r = await hallAction('respond', values, {}, () => locals.services.invitations.respond(locals.actor, values.id ?? '', { decision: values.decision }));
    if (!r.ok) return r.failure;
    return { responded: { id: r.data.id, status: r.data.status, title: r.data.requirement.title } };
  },
};
