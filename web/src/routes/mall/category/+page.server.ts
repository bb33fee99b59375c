import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals }) => ({ categories: await locals.services.catalog.categoryTree() });
