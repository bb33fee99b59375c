import { hallAction } from '$lib/server/hall';
import { formValues, orError } from '$lib/server/session';
import type { Actions, PageServerLoad } from './$types';
import { pageFromQuery } from '$core/shared/paging';

export const load: PageServerLoad = async ({ locals, url }) => {
  if (locals.actor?.organisation?.kind !== 'provider') return { notProvider: true as const };
  const page = pageFromQuery(url.searchParams);
  const list = await orError(() => locals.services.invitations.listMine(locals.actor, { page, pageSize: 10 }));
  // How other providers rated each inviting enterprise: worth knowing before accepting.
  const enterpriseIds = [...new Set(list.items.map((i) => i.enterpriseId))];
  const ratings = Object.fromEntries(
    await Promise.all(enterpriseIds.map(async (id) => [id, await locals.services.escrow.reviewsOf(id, { limit: 2 })] as const)),
  );
  return { notProvider: false as const, list, ratings, providerId: locals.actor.organisation.organisationId };
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
