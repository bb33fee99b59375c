import { invitableFor, inviteAction } from '$lib/server/hall';
import { orError } from '$lib/server/session';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, params }) => {
  const [storefront, invitable] = await orError(() => Promise.all([locals.services.storefronts.get(locals.actor, params.id), invitableFor(locals)]));
  return { storefront, invitable };
};

export const actions: Actions = {
  invite: ({ locals, request }) => inviteAction(locals, request),
};
