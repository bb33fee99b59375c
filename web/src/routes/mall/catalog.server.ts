import type { ProductCard } from '$core/mall/catalog.service';
import { isAppError } from '$core/shared/app-error';
import { yuanToFen } from '$core/shared/money';
import type { CardItem } from './mall-ui';

/**
 * What a product card shows, and no more: page data is serialised into every page and again on each
 * client navigation, so the card's other fields (merchant, category, codes, dates) would be sent for nothing.
 */
export const cardItem = (p: ProductCard, ratings?: Ratings): CardItem => ({
  ...(ratings?.has(p.id) ? { rating: ratings.get(p.id) } : {}),
  id: p.id,
  name: p.name,
  priceFen: p.priceFen,
  unit: p.unit,
  stock: p.stock,
  sold: p.sold,
  originName: p.originName,
  imageUrl: p.imageUrl,
});

/** Products' average stars and review counts (reviews.ratingsOf). */
export type Ratings = Map<string, { average: number; count: number }>;

/** Product cards with their ratings, for a list of the catalog's cards. */
export async function ratedCards(locals: App.Locals, items: ProductCard[]): Promise<CardItem[]> {
  const ratings = await locals.services.reviews.ratingsOf(items.map((p) => p.id));
  return items.map((p) => cardItem(p, ratings));
}

/** The URL's product filters: prices in yuan (as people type them), the rest as the catalog takes them. */
export function filtersOf(url: URL) {
  const get = (k: string) => url.searchParams.get(k)?.trim() ?? '';
  return { q: get('q'), category: get('category'), origin: get('origin'), min: get('min'), max: get('max'), sort: get('sort'), page: get('page') };
}
export type Filters = ReturnType<typeof filtersOf>;

/**
 * Runs a catalog listing with the URL's filters; a bad filter (a price that is not a number, a
 * minimum above the maximum, an unknown category) becomes a message on the page, not an error page.
 */
export async function listWith<T extends { items: ProductCard[]; total: number; page: number; pageSize: number; sort: string }>(
  f: Filters,
  run: (query: Record<string, unknown>) => Promise<T>,
  fixed: Record<string, unknown> = {},
  ratingsOf?: (ids: string[]) => Promise<Ratings>,
): Promise<{ result: (Omit<T, 'items'> & { items: CardItem[] }) | null; problem: string | null; fields: Record<string, string> }> {
  const fields: Record<string, string> = {};
  const priceMin = f.min ? yuanToFen(f.min) : undefined;
  const priceMax = f.max ? yuanToFen(f.max) : undefined;
  if (f.min && priceMin === undefined) fields.min = '最低价须为数字';
  if (f.max && priceMax === undefined) fields.max = '最高价须为数字';
  if (Object.keys(fields).length) return { result: null, problem: '价格区间格式不正确', fields };
  try {
    const result = await run({
      q: f.q,
      category: f.category,
      origin: f.origin,
      priceMin,
      priceMax,
      sort: f.sort,
      page: f.page || 1,
      pageSize: 20,
      ...fixed,
    });
    const ratings = ratingsOf ? await ratingsOf(result.items.map((p) => p.id)) : undefined;
    return { result: { ...result, items: result.items.map((p) => cardItem(p, ratings)) }, problem: null, fields };
  } catch (e) {
    if (!isAppError(e) || e.code !== 'VALIDATION') throw e;
    const fx = e.fields ?? {};
    return { result: null, problem: e.message, fields: { ...(fx.priceMax ? { max: fx.priceMax } : {}), ...(fx.priceMin ? { min: fx.priceMin } : {}), ...fx } };
  }
}
