import { orError } from '$lib/server/session';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, url }) => {
  if (locals.actor?.organisation?.kind !== 'provider') return { notProvider: true as const, now: Date.now() };
  const page = Math.max(1, Math.trunc(Number(url.searchParams.get('page'))) || 1);
  const list = await orError(() => locals.services.proposals.listMine(locals.actor, { page, pageSize: 10 }));
  return { notProvider: false as const, list, now: Date.now() };
};
