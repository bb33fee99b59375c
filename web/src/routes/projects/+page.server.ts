import { HALL_SORTS } from '$core/tenders/tenders.schema';
import { yuanToFen } from '$core/shared/money';
import { pageFromQuery } from '$core/shared/paging';
import { regionName } from '$core/shared/regions';
import { orError } from '$lib/server/session';
import type { PageServerLoad } from './$types';

const pick = <T extends string>(v: string | null, allowed: readonly T[]): T | undefined =>
  (allowed as readonly string[]).includes(v ?? '') ? (v as T) : undefined;

/** The hall's filters come from the URL; a malformed one is ignored rather than refused. */
export const load: PageServerLoad = async ({ locals, url }) => {
  const p = url.searchParams;
  const q = (p.get('q') ?? '').trim().slice(0, 100);
  const category = (p.get('category') ?? '').slice(0, 40);
  const region = /^\d{2}(\d{2}){0,2}$/.test(p.get('region') ?? '') ? p.get('region')! : '';
  const mode = pick(p.get('mode'), ['competitive', 'invitation'] as const);
  const status = pick(p.get('status'), ['open', 'opened'] as const);
  const budgetMin = (p.get('budgetMin') ?? '').trim();
  const budgetMax = (p.get('budgetMax') ?? '').trim();
  const budgetMinFen = budgetMin ? yuanToFen(budgetMin) : undefined;
  const budgetMaxFen = budgetMax ? yuanToFen(budgetMax) : undefined;
  // Searching ranks by relevance unless another order was chosen; relevance needs a search.
  const sort =
    pick(
      p.get('sort'),
      HALL_SORTS.filter((s) => q || s !== 'relevance'),
    ) ?? (q ? 'relevance' : 'newest');
  const page = pageFromQuery(p);

  const [result, tree] = await orError(() =>
    Promise.all([
      locals.services.requirements.hall({
        q: q || undefined,
        category: category || undefined,
        region: region || undefined,
        mode,
        status,
        budgetMinFen,
        budgetMaxFen,
        sort,
        page,
        pageSize: 10,
      }),
      locals.services.requirements.categoryTree(),
    ]),
  );
  return {
    filters: {
      q,
      category,
      region,
      regionLabel: region ? regionName(region) : '',
      mode: mode ?? '',
      status: status ?? '',
      budgetMin: budgetMinFen === undefined ? '' : budgetMin,
      budgetMax: budgetMaxFen === undefined ? '' : budgetMax,
      sort,
    },
    budgetInvalid: (budgetMin && budgetMinFen === undefined) || (budgetMax && budgetMaxFen === undefined),
    result,
    tree,
    now: Date.now(),
    canPublish: locals.actor?.organisation?.kind === 'enterprise',
  };
};
