import { logger } from '$core/shared/logger';
import { shanghaiDate } from '$core/shared/time';

type Services = App.Locals['services'];

/** How long the home page's market is served from memory: every visitor sees the same, a little late at most. */
const MARKET_TTL_MS = 30_000;

/**
 * What the home page shows every visitor alike: open requirements (soonest opening first), top-rated
 * providers, featured mall products, running voucher campaigns and three live figures. Each section is
 * read on its own, in one pass of a handful of queries; one that cannot be read is left empty (and the
 * whole is not kept), so the page still opens.
 */
async function readMarket(s: Services, now: Date) {
  let complete = true;
  const section = <T>(name: string, read: () => Promise<T>, empty: T): Promise<T> =>
    read().catch((err: unknown) => {
      complete = false;
      logger.warn({ err, section: name }, 'home: market section unavailable');
      return empty;
    });
  const [requirements, providers, mall, campaigns, publishedThisMonth, escrowHeldFen, mallPurchases] = await Promise.all([
    section('requirements', async () => (await s.requirements.hall({ status: 'open', mode: 'competitive', sort: 'opening', pageSize: 6 })).items, []),
    section('providers', async () => (await s.storefronts.showcase({ sort: 'rating', pageSize: 4 })).items, []),
    section('products', () => s.catalog.home({ featured: 6, perCategory: 2 }), { featured: [], sections: [], districts: [] }),
    section('campaigns', async () => (await s.voucherGrabs.activeCampaigns()).items.slice(0, 3), []),
    section('published', () => s.requirements.countPublishedThisMonth(), null),
    section('escrow', () => s.statements.escrowHeldFen(), null),
    section('purchases', () => s.statistics.mallPurchasesInYear(Number(shanghaiDate(now).slice(0, 4))), null),
  ]);
  // Operators' picks first; without enough of them, the newest of each category fills the row.
  const seen = new Set(mall.featured.map((p) => p.id));
  const products = [...mall.featured, ...mall.sections.flatMap((sec) => sec.items).filter((p) => !seen.has(p.id))].slice(0, 6);
  return {
    complete,
    value: {
      requirements,
      providers,
      products,
      campaigns,
      figures: { publishedThisMonth, escrowHeldFen, mallPurchases, year: Number(shanghaiDate(now).slice(0, 4)) },
    },
  };
}

export type Market = Awaited<ReturnType<typeof readMarket>>['value'];

const cache = new WeakMap<Services, { at: number; value: Promise<Market> }>();

/**
 * The market, from memory when it was read less than MARKET_TTL_MS ago. Requests arriving while it is
 * being read share that read; a read with a failed section or a failed read is not kept.
 */
export function market(s: Services, now: Date): Promise<Market> {
  const hit = cache.get(s);
  if (hit && Date.now() - hit.at < MARKET_TTL_MS) return hit.value;
  const read = readMarket(s, now);
  const entry = { at: Date.now(), value: read.then((r) => r.value) };
  cache.set(s, entry);
  read.then(
    (r) => {
      if (!r.complete && cache.get(s) === entry) cache.delete(s);
    },
    () => {
      if (cache.get(s) === entry) cache.delete(s);
    },
  );
  return entry.value;
}
