import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals }) => {
  const [home, categories] = await Promise.all([locals.services.catalog.home({ featured: 10, perCategory: 10 }), locals.services.catalog.categoryTree()]);
  return { home, categories, signedIn: Boolean(locals.actor) };
};
