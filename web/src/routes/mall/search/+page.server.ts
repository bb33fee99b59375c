import { filtersOf, listWith } from '../catalog.server';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, url }) => {
  const f = filtersOf(url);
  const [list, categories] = await Promise.all([
    listWith(
      f,
      (q) => locals.services.catalog.search(q),
      {},
      (ids) => locals.services.reviews.ratingsOf(ids),
    ),
    locals.services.catalog.categoryTree(),
  ]);
  return { filters: f, ...list, categories };
};
