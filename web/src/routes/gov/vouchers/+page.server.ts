import { orError } from '$lib/server/session';
import { pageFromQuery } from '$core/shared/paging';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, url }) => {
  const page = pageFromQuery(url.searchParams);
  const list = await orError(() => locals.services.voucherCampaigns.list(locals.actor, { page, pageSize: 20 }));
  return { list };
};
