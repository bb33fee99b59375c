import { error } from '@sveltejs/kit';
import { filtersOf, listWith } from '../../catalog.server';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, url, params }) => {
  const tree = await locals.services.catalog.categoryTree();
  const top = tree.find((t) => t.code === params.code || t.children.some((c) => c.code === params.code));
  if (!top) error(404, '商品分类不存在');
  const current = top.code === params.code ? null : top.children.find((c) => c.code === params.code)!;
  const f = filtersOf(url);
  const list = await listWith(
    f,
    (q) => locals.services.catalog.search(q),
    { category: params.code },
    (ids) => locals.services.reviews.ratingsOf(ids),
  );
  return { top, current, filters: { ...f, category: params.code }, ...list };
};
