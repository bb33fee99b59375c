import type { CompletionBand } from '$core/quotas/statistics.machine';

/** Shared by the report's pages: band colours, the completion text, links that keep the query. */

export const BAND_COLORS: Record<CompletionBand, string> = { none: '#b91c1c', low: '#d97706', mid: '#2563eb', done: '#059669', unset: '#9ca3af' };
export const BAND_TONES: Record<CompletionBand, string> = {
  none: 'bg-red-50 text-red-700 ring-red-200',
  low: 'bg-amber-50 text-amber-800 ring-amber-200',
  mid: 'bg-blue-50 text-blue-700 ring-blue-200',
  done: 'bg-emerald-50 text-emerald-700 ring-emerald-200',
  unset: 'bg-gray-50 text-gray-600 ring-gray-200',
};
export const SHORT_BAND: Record<CompletionBand, string> = { none: '未采购', low: '低于50%', mid: '50%–100%', done: '已完成', unset: '未设预留' };

/** 73.33%, or — when nothing is reserved. */
export const completionText = (bp: number | null) => (bp === null ? '—' : `${(bp / 100).toFixed(2)}%`);

/** The address of the report with some of its query changed (the page number is dropped unless given). */
export function reportHref(base: string, query: Record<string, string | number | undefined | null>, over: Record<string, string | number | undefined | null>) {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries({ ...query, page: undefined, ...over }))
    if (v !== undefined && v !== null && v !== '' && !(k === 'page' && v === 1)) p.set(k, String(v));
  const s = p.toString();
  return s ? `${base}?${s}` : base;
}

/** The twelve months of a year as period labels (YYYY-MM) for the period chart. */
export const yearMonths = (year: number) => Array.from({ length: 12 }, (_, i) => `${year}-${String(i + 1).padStart(2, '0')}`);
