import { market } from '$lib/server/market';
import { roleHome } from '$lib/server/role-home';
import type { PageServerLoad } from './$types';

/**
 * 首页: visitors see the market (the same for everyone, kept in memory for a few seconds); a signed-in
 * person sees the home of the organisation acted for now, with the market below it.
 */
export const load: PageServerLoad = async ({ locals }) => {
  const now = locals.platform.clock.now();
  const [home, m] = await Promise.all([roleHome(locals), market(locals.services, now)]);
  return { home, market: m, now: now.getTime() };
};
