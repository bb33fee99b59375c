import { orError } from '$lib/server/session';
import { requireTrader } from '$lib/server/agreements';
import type { PageServerLoad } from './$types';
import { pageFromQuery } from '$core/shared/paging';

export const load: PageServerLoad = async ({ locals, url }) => {
  const { actor, trades } = requireTrader(locals, url);
  if (!trades) return { trades: false as const };
  const page = pageFromQuery(url.searchParams);
  const [list, awaiting] = await Promise.all([
    orError(() => locals.services.escrow.listMine(actor, { page, pageSize: 10 })),
    page === 1 ? locals.services.escrow.awaitingAgreement(actor) : Promise.resolve([]),
  ]);
  return { trades: true as const, list, awaiting };
};
