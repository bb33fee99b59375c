import { PRODUCT_STATUSES } from '$core/mall/catalog.machine';
import { consoleAction } from '$lib/server/mall-console';
import { orError } from '$lib/server/session';
import type { Actions, PageServerLoad } from './$types';
import { pageFromQuery } from '$core/shared/paging';

export const load: PageServerLoad = async ({ locals, url }) => {
  const s = url.searchParams.get('status') ?? '';
  const status = (PRODUCT_STATUSES as readonly string[]).includes(s) ? s : '';
  const q = url.searchParams.get('q')?.trim().slice(0, 60) ?? '';
  const m = url.searchParams.get('merchant') ?? '';
  const merchantId = /^[0-9a-f-]{36}$/i.test(m) ? m : '';
  const page = pageFromQuery(url.searchParams);
  const list = await orError(() =>
    locals.services.catalog.adminProducts(locals.actor, {
      page,
      pageSize: 20,
      ...(status ? { status } : {}),
      ...(q ? { q } : {}),
      ...(merchantId ? { merchantId } : {}),
    }),
  );
  const merchantName = merchantId ? (list.items[0]?.merchantName ?? null) : null;
  return { list, status, q, merchantId, merchantName };
};

export const actions: Actions = {
  takeDown: ({ request, locals }) =>
    consoleAction(request, 'takeDown', async (v) => {
      await locals.services.catalog.takeDown(locals.actor, v.id ?? '', { reason: v.reason ?? '' });
      return `「${v.name ?? ''}」已平台下架，商家会收到站内信和下架原因`;
    }),
  restore: ({ request, locals }) =>
    consoleAction(request, 'restore', async (v) => {
      await locals.services.catalog.restore(locals.actor, v.id ?? '');
      return `「${v.name ?? ''}」已恢复为“已下架”，商家可以重新上架`;
    }),
  feature: ({ request, locals }) =>
    consoleAction(request, 'feature', async (v) => {
      const featured = v.featured === 'true';
      await locals.services.catalog.setFeatured(locals.actor, v.id ?? '', featured);
      return featured ? `「${v.name ?? ''}」已设为首页推荐` : `已取消「${v.name ?? ''}」的推荐`;
    }),
};
