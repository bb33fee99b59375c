import { redirect } from '@sveltejs/kit';
import { requireLogin } from '$lib/server/guard';
import { orError } from '$lib/server/session';
import type { PageServerLoad } from './$types';

/** The enterprise's bidding room (待标室 → 竞价室 → 二次竞价): the first render; the page then goes live over the socket. */
export const load: PageServerLoad = async ({ locals, params, url }) => {
  const actor = requireLogin(locals, url);
  const snapshot = await orError(() => locals.services.rooms.snapshot(actor, params.id));
  if (snapshot.role === 'provider') redirect(303, `/projects/${params.id}/room`);
  return { snapshot, serverNow: Date.now() };
};
