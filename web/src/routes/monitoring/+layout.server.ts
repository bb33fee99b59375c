import type { LayoutServerLoad } from './$types';

/**
 * Who the visitor is in monitoring: `me` (unit, part, what they may do) or null (a visitor, or a signed-in
 * person without a monitoring account). Never refuses: the home page shows the landing and the
 * register page is open to everyone; the other pages ask `requireMonitor`.
 */
export const load: LayoutServerLoad = async ({ locals }) => {
  if (!locals.actor) return { signedIn: false, me: null };
  const me = await locals.services.monitoringAccounts.me(locals.actor);
  return { signedIn: true, me };
};
