import { regionChildren, regionName } from '$core/shared/regions';
import { requireRegionViewer } from '$lib/server/mall-console';
import { orError } from '$lib/server/session';
import { regionLabel, statsRange } from '$lib/mall-console';
import type { PageServerLoad } from './$types';
import { pageFromQuery } from '$core/shared/paging';

const TOWNSHIP_PAGE = 15;
/** Operators start from Chongqing, the mall's own province (manual 000). */
const OPERATOR_DEFAULT_REGION = '50';

export const load: PageServerLoad = async ({ locals, url }) => {
  const { actor, org, operator } = requireRegionViewer(locals, url);
  const stats = locals.services.statistics;
  const scope = await orError(() => stats.regionScope(actor));
  const asked = url.searchParams.get('region')?.trim() ?? '';
  const valid = /^\d{2,9}$/.test(asked) && regionName(asked) !== '';
  // A department sees its own region and anything below it; anything else falls back to its own.
  const region = scope.anyRegion ? (valid ? asked : OPERATOR_DEFAULT_REGION) : valid && asked.startsWith(scope.code) ? asked : scope.code;
  const { switchedToMonth, ...range } = statsRange(url);
  const query = { ...range, region };
  const s = await orError(() => stats.region(actor, query));

  // A department narrows down one level at a time: its own region, the one below it, and where it is now.
  const regionOptions = scope.anyRegion
    ? []
    : [
        { code: scope.code, name: `全部（${regionLabel(regionName(scope.code))}）` },
        ...(regionChildren(scope.code) ?? []).map((c) => ({ code: c.code, name: c.name })),
        ...(region !== scope.code && !(regionChildren(scope.code) ?? []).some((c) => c.code === region)
          ? [{ code: region, name: regionName(region).split(' ').slice(-2).join(' ') }]
          : []),
      ];

  const page = pageFromQuery(url.searchParams);
  return {
    viewer: { operator, name: org?.fullName ?? '平台运营', scopeName: scope.name },
    query,
    switchedToMonth,
    region: s.region,
    totals: { ...s.totals, quantity: s.categories.reduce((n, c) => n + c.quantity, 0) },
    districts: s.districts,
    categories: s.categories,
    periods: s.periods,
    townshipCount: s.townships.length,
    // Within one district a township's own name is enough; across districts it needs its district.
    townshipTop: s.townships.slice(0, 12).map((t) => ({ name: regionLabel(t.name, region.length >= 6 ? 1 : 2), fen: t.amountFen })),
    townships: s.townships
      .slice((page - 1) * TOWNSHIP_PAGE, page * TOWNSHIP_PAGE)
      .map((t, i) => ({ ...t, label: regionLabel(t.name, region.length >= 6 ? 1 : 2), rank: (page - 1) * TOWNSHIP_PAGE + i + 1 })),
    page,
    pageSize: TOWNSHIP_PAGE,
    regionOptions,
  };
};
