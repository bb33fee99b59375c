import { COMPLETION_BANDS, type CompletionBand } from '$core/quotas/statistics.machine';
import { pageFromQuery } from '$core/shared/paging';

/** The report's query from the address: anything unreadable falls back (a hand-edited address never fails). */
export function reportQuery(url: URL) {
  const p = url.searchParams;
  const y = Number(p.get('year'));
  const year = Number.isInteger(y) && y >= 2000 && y <= 2100 ? y : undefined;
  const g = p.get('groupBy');
  const groupBy = g === 'level' || g === 'region' ? g : ('unit' as const);
  const b = p.get('band');
  const band = COMPLETION_BANDS.some((k) => k.key === b) ? (b as CompletionBand) : undefined;
  const u = p.get('unitId') ?? '';
  const unitId = /^[0-9a-f-]{36}$/i.test(u) ? u : undefined;
  return { year, groupBy, band, unitId, page: pageFromQuery(p) };
}
