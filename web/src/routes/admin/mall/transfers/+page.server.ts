import { formatFen } from '$core/shared/money';
import { consoleAction } from '$lib/server/mall-console';
import { orError } from '$lib/server/session';
import type { Actions, PageServerLoad } from './$types';
import { pageFromQuery } from '$core/shared/paging';

const PAGE_SIZE = 10;

export const load: PageServerLoad = async ({ locals, url }) => {
  const all = await orError(() => locals.services.orders.pendingTransfers(locals.actor));
  const page = pageFromQuery(url.searchParams);
  return {
    transfers: all.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE),
    total: all.length,
    totalFen: all.reduce((s, t) => s + t.amountFen, 0),
    page,
    pageSize: PAGE_SIZE,
    account: locals.services.orders.receivingAccount(),
  };
};

export const actions: Actions = {
  confirm: ({ request, locals }) =>
    consoleAction(request, 'confirm', async (v) => {
      const p = await locals.services.orders.reviewTransfer(locals.actor, v.id ?? '', { decision: 'confirm' });
      return `已确认到账 ${formatFen(p.amountFen)}（${v.orderNo ?? p.paymentNo}），订单已付款，商家和买家会收到通知`;
    }),
  reject: ({ request, locals }) =>
    consoleAction(request, 'reject', async (v) => {
      await locals.services.orders.reviewTransfer(locals.actor, v.id ?? '', { decision: 'reject', reason: v.reason ?? '' });
      return `已驳回 ${v.orderNo ?? ''} 的转账凭证，买家会收到驳回原因，可以重新提交`;
    }),
};
