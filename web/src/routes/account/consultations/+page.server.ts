import { pageFromQuery } from '$core/shared/paging';
import { orError } from '$lib/server/session';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, url }) => {
  const list = await orError(() => locals.services.consultations.listMine(locals.actor, { page: pageFromQuery(url.searchParams), pageSize: 20 }));
  return { list, kind: locals.actor?.organisation?.kind };
};
