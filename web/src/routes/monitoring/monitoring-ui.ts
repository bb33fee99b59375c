/** Labels, tones and list-address helpers shared by the monitoring pages (no rules: those live in core/monitoring). */
import type { RecordStatus } from '$core/monitoring/monitoring.schema';

type Tone = 'success' | 'warning' | 'danger' | 'neutral' | 'info';

/** The badge colour of each record state (the labels come from RECORD_STATUS_LABELS). */
export const STATUS_TONES: Record<RecordStatus, Tone> = {
  draft: 'neutral',
  filed: 'info',
  submitted: 'warning',
  approved: 'success',
  returned: 'danger',
};

/** Reviewers' tabs (manual: 待审核 / 已审核). */
export const REVIEWER_TABS = [
  { key: 'pending', label: '待审核' },
  { key: 'reviewed', label: '已审核' },
  { key: 'all', label: '全部' },
] as const;

/** The list filters as they travel in the address (the service's zod schema checks them). */
export const LIST_FILTER_KEYS = [
  'tab',
  'status',
  'category',
  'originProvinceCode',
  'originCountyCode',
  'reporterKind',
  'filingType',
  'periodId',
  'cityCode',
  'mine',
  'q',
  'page',
] as const;
export type ListFilterKey = (typeof LIST_FILTER_KEYS)[number];

/** The list query from the address: only the keys the service knows, empty ones dropped. */
export function recordListQuery(url: URL): Partial<Record<ListFilterKey, string>> {
  const out: Partial<Record<ListFilterKey, string>> = {};
  for (const k of LIST_FILTER_KEYS) {
    const v = url.searchParams.get(k)?.trim();
    if (v) out[k] = v;
  }
  return out;
}

/** A list address with some filters changed (null removes one); the page goes back to 1. */
export function listHref(url: URL, change: Partial<Record<ListFilterKey, string | null>>, path = '/monitoring/records') {
  const u = new URL(path, url);
  for (const k of LIST_FILTER_KEYS) {
    const v = k in change ? change[k] : url.searchParams.get(k);
    if (v && !(k === 'page' && !('page' in change))) u.searchParams.set(k, v);
  }
  return `${u.pathname}${u.search}`;
}

/** "1234.5" yuan shown from fen: ¥ with thousands separators and two decimals. */
export const formatYuan = (fen: number) => `¥${(fen / 100).toLocaleString('zh-CN', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;

/** A quantity string without trailing zeros ("12.500" → "12.5"). */
export const formatQuantity = (q: string) => (q.includes('.') ? q.replace(/\.?0+$/, '') : q);

/** Human file size. */
export const formatSize = (n: number) => (n < 1024 * 1024 ? `${Math.max(1, Math.round(n / 1024))} KB` : `${(n / 1024 / 1024).toFixed(1)} MB`);

export const isImage = (contentType: string) => contentType.startsWith('image/');
