import { orError } from '$lib/server/session';
import type { PageServerLoad } from './$types';

/** 抢券: the campaign's schedule and tiers with remaining counts (public; signed in, the tiers already claimed). */
export const load: PageServerLoad = async ({ locals, params }) => {
  const campaign = await orError(() => locals.services.voucherGrabs.grabPage(params.campaignId, locals.actor));
  return { campaign, signedIn: Boolean(locals.actor) };
};
