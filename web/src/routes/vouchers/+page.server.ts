import { orError } from '$lib/server/session';
import type { PageServerLoad } from './$types';

/** 消费券: the running campaigns (public). */
export const load: PageServerLoad = async ({ locals }) => {
  const list = await orError(() => locals.services.voucherGrabs.activeCampaigns());
  return { list, signedIn: Boolean(locals.actor) };
};
