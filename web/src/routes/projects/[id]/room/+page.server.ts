import { redirect } from '@sveltejs/kit';
import { requireLogin } from '$lib/server/guard';
import { orError } from '$lib/server/session';
import type { PageServerLoad } from './$types';

type RoundClosed = { roundId: string; number: number; rank: number | null; participantCount: number; finalPriceFen: number | null };

/** A bidder's room: its own proposal, its own offers and rank; nothing about rivals beyond counts. */
export const load: PageServerLoad = async ({ locals, params, url }) => {
  const actor = requireLogin(locals, url);
  const snapshot = await orError(() => locals.services.rooms.snapshot(actor, params.id));
  if (snapshot.role !== 'provider') redirect(303, `/account/projects/${params.id}/room`);
  // How the bidder's last closed round of this tender round ended, and its recent activity (its own events only).
  let lastClosed: RoundClosed | null = null;
  let recent: Awaited<ReturnType<typeof locals.services.rooms.eventsSince>> = [];
  for (let after = 0; ;) {
    const events = await locals.services.rooms.eventsSince(actor, params.id, after);
    recent = [...recent, ...events].slice(-50);
    for (const e of events) {
      if (e.type === 'room:retendered') lastClosed = null;
      else if (e.type === 'round:closed') lastClosed = e.payload as RoundClosed;
    }
    if (events.length < 500) break;
    after = events[events.length - 1]!.seq;
  }
  // The selected provider's next step is its agreement: drafted already, or still to draft.
  const agreementId =
    snapshot.mine?.result === 'selected'
      ? await locals.services.escrow.draftBasis(actor, params.id).then(
          (b) => b.agreementId,
          () => null,
        )
      : null;
  return {
    snapshot,
    agreementId,
    providerId: actor.organisation!.organisationId,
    lastClosed,
    /** The bidder's own recent room activity, newest first. */
    recent: recent.reverse(),
    serverNow: Date.now(),
  };
};
