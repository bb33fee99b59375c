import { requireLogin } from '$lib/server/guard';
import type { PageServerLoad } from './$types';

/** 付款码: any signed-in resident; the code itself is fetched (and refreshed) by the page. */
export const load: PageServerLoad = async ({ locals, url }) => {
  const actor = requireLogin(locals, url);
  return { username: actor.username };
};
