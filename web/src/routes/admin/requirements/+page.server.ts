import { REQUIREMENT_STATES } from '$core/tenders/requirements.machine';
import { orError } from '$lib/server/session';
import type { PageServerLoad } from './$types';
import { pageFromQuery } from '$core/shared/paging';

export const load: PageServerLoad = async ({ locals, url }) => {
  const q = url.searchParams.get('q')?.trim() ?? '';
  const s = url.searchParams.get('state') ?? '';
  const state = (REQUIREMENT_STATES as readonly string[]).includes(s) ? s : '';
  const page = pageFromQuery(url.searchParams);
  const list = await orError(() =>
    locals.services.requirements.adminList(locals.actor, { page, pageSize: 20, ...(q ? { q } : {}), ...(state ? { state } : {}) }),
  );
  // The queue's size whatever the filter shows.
  const pending =
    state === 'pending_review' && !q
      ? list.total
      : (await locals.services.requirements.adminList(locals.actor, { state: 'pending_review', pageSize: 1 })).total;
  return { list, q, state, pending };
};
