import { redirect } from '@sveltejs/kit';
import { requireLogin } from '$lib/server/guard';
import { orError } from '$lib/server/session';
import type { PageServerLoad } from './$types';

/** The enterprise's bidding room (待标室 → 竞价室 → 二次竞价): the first render; the page then goes live over the socket. */
export const load: PageServerLoad = async ({ locals, params, url }) => {
  const actor = requireLogin(locals, url);
  const snapshot = await orError(() => locals.services.rooms.snapshot(actor, params.id));
  if (snapshot.role === 'provider') redirect(303, `/projects/${params.id}/room`);
  // The room's recent activity for the list beside it (newest first); live events are added on top.
  let recent: Awaited<ReturnType<typeof locals.services.rooms.eventsSince>> = [];
  for (let after = 0; ;) {
    const events = await locals.services.rooms.eventsSince(actor, params.id, after);
    recent = [...recent, ...events].slice(-50);
    if (events.length < 500) break;
    after = events[events.length - 1]!.seq;
  }
  return { snapshot, recent: recent.reverse(), serverNow: Date.now() };
};
