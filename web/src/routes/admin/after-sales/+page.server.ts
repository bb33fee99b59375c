import { orError } from '$lib/server/session';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals }) => {
  const queue = await orError(() => locals.services.escrow.caseQueue(locals.actor));
  // The parties and what is held, for each open case (the queue is short: cases still open).
  const agreements = new Map(
    await Promise.all(
      [...new Set(queue.map((c) => c.agreementId))].map(async (id) => {
        const ag = await locals.services.escrow.get(locals.actor, id);
        return [
          id,
          { title: ag.requirement.title, enterprise: ag.enterprise.fullName, provider: ag.provider.fullName, heldFen: ag.escrow.inEscrowFen },
        ] as const;
      }),
    ),
  );
  return {
    queue: queue.map((c) => ({
      id: c.id,
      caseNo: c.caseNo,
      agreementNo: c.agreementNo,
      status: c.status,
      statusLabel: c.statusLabel,
      reason: c.reason,
      createdAt: c.createdAt,
      updatedAt: c.updatedAt,
      agreement: agreements.get(c.agreementId)!,
    })),
  };
};
