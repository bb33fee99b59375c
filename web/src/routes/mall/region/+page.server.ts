import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals }) => {
  const page = await locals.services.catalog.regionPage(null, { pageSize: 1 });
  // Grouped by province (重庆市 first: the mall's home), then by how much is on sale.
  const groups = new Map<string, typeof page.districts>();
  for (const d of page.districts) {
    const province = d.fullName.split(' ')[0] ?? '';
    groups.set(province, [...(groups.get(province) ?? []), d]);
  }
  const provinces = [...groups.entries()]
    .map(([name, districts]) => ({ name, districts, count: districts.reduce((s, d) => s + d.count, 0) }))
    .sort((a, b) => (a.name === '重庆市' ? -1 : b.name === '重庆市' ? 1 : b.count - a.count));
  return { provinces, total: page.products.total };
};
