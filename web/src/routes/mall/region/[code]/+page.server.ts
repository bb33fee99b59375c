import { error } from '@sveltejs/kit';
import { isAppError } from '$core/shared/app-error';
import { filtersOf, listWith } from '../../catalog.server';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, url, params }) => {
  const code = params.code;
  if (!/^\d{6}(\d{3})?$/.test(code)) error(404, '请从区县或乡镇进入帮扶页面');
  const f = filtersOf(url);
  const catalog = locals.services.catalog;
  let page: Awaited<ReturnType<typeof catalog.regionPage>> | undefined;
  const list = await listWith(
    f,
    async (q) => {
      page = await catalog.regionPage(code, q).catch((e) => {
        if (isAppError(e) && e.code === 'NOT_FOUND') error(404, '地区不存在');
        throw e;
      });
      return page.products;
    },
    {},
    (ids) => locals.services.reviews.ratingsOf(ids),
  );
  const region = page?.region ?? (await catalog.regionPage(code, { pageSize: 1 })).region!;
  const district = code.length === 9 ? await catalog.regionPage(code.slice(0, 6), { pageSize: 1 }) : page;
  return {
    region,
    isTownship: code.length === 9,
    district: district ? { code: code.slice(0, 6), name: district.region?.name ?? '', fullName: district.region?.fullName ?? '' } : null,
    townships: district?.townships ?? [],
    categories: await catalog.categoryTree(),
    filters: { ...f, origin: code },
    ...list,
  };
};
