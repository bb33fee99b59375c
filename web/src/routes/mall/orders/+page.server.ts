import { requireLogin } from '$lib/server/guard';
import { orError } from '$lib/server/session';
import { ORDER_TABS } from '../mall-ui';
import type { PageServerLoad } from './$types';
import { pageFromQuery } from '$core/shared/paging';

export const load: PageServerLoad = async ({ locals, url }) => {
  const actor = requireLogin(locals, url);
  const raw = url.searchParams.get('status') ?? '';
  const tab = ORDER_TABS.some((t) => t.key === raw) ? raw : '';
  const page = pageFromQuery(url.searchParams);
  const list = await orError(() =>
    locals.services.orders.listMine(actor, {
      ...(tab === 'refund' ? { refund: 'requested' } : tab ? { status: tab } : {}),
      page,
      pageSize: 10,
    }),
  );
  return { tab, list };
};
