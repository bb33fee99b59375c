import { PRODUCT_STATUSES } from '$core/mall/catalog.machine';
import { consoleAction, requireMerchantConsole } from '$lib/server/mall-console';
import { orError } from '$lib/server/session';
import { takeFlash } from '$lib/server/requirements';
import type { Actions, PageServerLoad } from './$types';
import { pageFromQuery } from '$core/shared/paging';

export const load: PageServerLoad = async ({ locals, url, cookies }) => {
  const { actor } = requireMerchantConsole(locals, url);
  const s = url.searchParams.get('status') ?? '';
  const status = (PRODUCT_STATUSES as readonly string[]).includes(s) ? s : '';
  const q = url.searchParams.get('q')?.trim().slice(0, 60) ?? '';
  const page = pageFromQuery(url.searchParams);
  const list = await orError(() => locals.services.catalog.merchantProducts(actor, { page, pageSize: 20, ...(status ? { status } : {}), ...(q ? { q } : {}) }));
  return { list, status, q, flash: takeFlash(cookies) };
};

export const actions: Actions = {
  publish: ({ request, locals }) =>
    consoleAction(request, 'publish', async (v) => {
      const r = await locals.services.catalog.publish(locals.actor, v.id ?? '');
      return `「${v.name || '商品'}」已上架${r.status === 'listed' ? '，买家现在可以搜索和购买' : ''}`;
    }),
  unpublish: ({ request, locals }) =>
    consoleAction(request, 'unpublish', async (v) => {
      await locals.services.catalog.unpublish(locals.actor, v.id ?? '');
      return `「${v.name || '商品'}」已下架，买家暂时看不到它`;
    }),
};
