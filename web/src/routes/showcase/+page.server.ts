import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, url }) => {
  const q = url.searchParams.get('q')?.trim() || undefined;
  const page = Math.max(1, Number(url.searchParams.get('page')) || 1);
  return { q: q ?? '', result: await locals.services.organisations.listProviders({ q, page, pageSize: 12 }) };
};
