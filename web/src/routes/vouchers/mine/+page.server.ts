import { requireLogin } from '$lib/server/guard';
import { orError } from '$lib/server/session';
import type { PageServerLoad } from './$types';

/** 我的票券: the signed-in resident's coupons. */
export const load: PageServerLoad = async ({ locals, url }) => {
  const actor = requireLogin(locals, url);
  const mine = await orError(() => locals.services.voucherGrabs.mine(actor));
  return { mine };
};
