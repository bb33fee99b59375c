import { orError } from '$lib/server/session';
import type { PageServerLoad } from './$types';
import { pageFromQuery } from '$core/shared/paging';

export const load: PageServerLoad = async ({ locals, url }) => {
  if (locals.actor?.organisation?.kind !== 'provider') return { notProvider: true as const, now: Date.now() };
  const page = pageFromQuery(url.searchParams);
  const list = await orError(() => locals.services.proposals.listMine(locals.actor, { page, pageSize: 10 }));
  // Won projects: where the agreement is (or that it is still to be drafted).
  const won = list.items.filter((b) => b.status === 'selected' && ['awarded', 'in_progress', 'completed'].includes(b.requirement.state));
  const agreements = Object.fromEntries(
    await Promise.all(
      won.map(
        async (b) =>
          [
            b.requirement.id,
            await locals.services.escrow.draftBasis(locals.actor, b.requirement.id).then(
              (x) => x.agreementId,
              () => undefined,
            ),
          ] as const,
      ),
    ),
  ) as Record<string, string | null | undefined>;
  return { notProvider: false as const, list, agreements, now: Date.now() };
};
