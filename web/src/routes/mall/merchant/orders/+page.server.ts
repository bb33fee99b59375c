import { requireMerchantConsole } from '$lib/server/mall-console';
import { orError } from '$lib/server/session';
import type { PageServerLoad } from './$types';
import { pageFromQuery } from '$core/shared/paging';

const STATUSES = ['pending_payment', 'paid', 'shipped', 'received', 'completed', 'cancelled', 'refunded'];
const isoDate = (v: string | null) => (v && /^\d{4}-\d{2}-\d{2}$/.test(v) && !Number.isNaN(Date.parse(v)) ? v : '');

export const load: PageServerLoad = async ({ locals, url }) => {
  const { actor } = requireMerchantConsole(locals, url);
  const s = url.searchParams.get('status') ?? '';
  // 退款申请中 is a filter of its own (an order keeps its status while the refund is asked for).
  const status = s === 'refund' || STATUSES.includes(s) ? s : '';
  const q = url.searchParams.get('q')?.trim().slice(0, 60) ?? '';
  let from = isoDate(url.searchParams.get('from'));
  let to = isoDate(url.searchParams.get('to'));
  if (from && to && from > to) [from, to] = [to, from];
  const page = pageFromQuery(url.searchParams);
  const orders = locals.services.orders;
  const [list, toShip, refunds, unpaid] = await orError(() =>
    Promise.all([
      orders.listForMerchant(actor, {
        page,
        pageSize: 15,
        ...(status === 'refund' ? { refund: 'requested' } : status ? { status } : {}),
        ...(q ? { q } : {}),
        ...(from ? { from } : {}),
        ...(to ? { to } : {}),
      }),
      orders.listForMerchant(actor, { status: 'paid', pageSize: 1 }),
      orders.listForMerchant(actor, { refund: 'requested', pageSize: 1 }),
      orders.listForMerchant(actor, { status: 'pending_payment', pageSize: 50 }),
    ]),
  );
  return {
    list,
    filters: { status, q, from, to },
    todo: { toShip: toShip.total, refunds: refunds.total, reprice: unpaid.items.filter((o) => o.bulk).length },
  };
};
