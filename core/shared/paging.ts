import { z } from 'zod';
import './zod-messages';

/** The highest page number a list answers: deeper pages are refused instead of asking the database for a huge offset. */
const MAX_PAGE = 10_000;

/** A page number from a query string or a form: an integer 1–10000, 1 when absent. */
export const PageNumber = z.coerce.number({ message: '页码无效' }).int('页码无效').min(1, '页码无效').max(MAX_PAGE, `页码不超过 ${MAX_PAGE}`).default(1);

/**
 * A page size from a query string: an integer 1–`max` (never above 100), `fallback` when absent.
 * `rangeMessage` replaces the bounds' messages where a page states the range (每页 1–60 条).
 */
export const PageSize = (max = 100, fallback = 20, rangeMessage?: string) => {
  const limit = Math.min(max, 100);
  return z.coerce
    .number({ message: '每页条数无效' })
    .int('每页条数无效')
    .min(1, rangeMessage ?? '每页条数无效')
    .max(limit, rangeMessage ?? `每页最多 ${limit} 条`)
    .default(fallback);
};

/** `page` and `pageSize` of every list: one shape, one set of messages. */
export const Paging = (max = 100, fallback = 20) => z.object({ page: PageNumber, pageSize: PageSize(max, fallback) });

/** The offset of a page (page and size already validated). */
export const pageOffset = (q: { page: number; pageSize: number }) => (q.page - 1) * q.pageSize;

/**
 * The page number a page shows for its `?page=`: a valid one as given, anything else (1.5, 1e309,
 * text) page 1, and past the last allowed page the last allowed page, so a hand-edited address
 * never makes a list fail.
 */
export function pageFromQuery(params: URLSearchParams, name = 'page'): number {
  const raw = params.get(name);
  const n = Number(raw);
  if (raw === null || raw.trim() === '' || !Number.isFinite(n)) return 1;
  return Math.min(MAX_PAGE, Math.max(1, Math.trunc(n)));
}

/** The one shape of a page of results every list returns and publishes: items, the total, which page, its size. */
export const PageOf = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), total: z.number().int(), page: z.number().int(), pageSize: z.number().int() });
