import { SHOWCASE_SORTS } from '$core/tenders/tenders.schema';
import { pageFromQuery } from '$core/shared/paging';
import { regionName } from '$core/shared/regions';
import { invitableFor, inviteAction } from '$lib/server/hall';
import { orError } from '$lib/server/session';
import type { Actions, PageServerLoad } from './$types';

/** 展示大厅: the filters come from the URL; a malformed one is ignored rather than refused. */
export const load: PageServerLoad = async ({ locals, url }) => {
  const p = url.searchParams;
  const q = (p.get('q') ?? '').trim().slice(0, 100);
  const category = (p.get('category') ?? '').slice(0, 40);
  const region = /^\d{2}(\d{2}){0,2}$/.test(p.get('region') ?? '') ? p.get('region')! : '';
  const sort = (SHOWCASE_SORTS as readonly string[]).includes(p.get('sort') ?? '') ? (p.get('sort') as (typeof SHOWCASE_SORTS)[number]) : 'rating';
  const page = pageFromQuery(p);
  const [result, tree, invitable] = await orError(() =>
    Promise.all([
      locals.services.storefronts.showcase({ q: q || undefined, category: category || undefined, region: region || undefined, sort, page, pageSize: 12 }),
      locals.services.requirements.categoryTree(),
      invitableFor(locals),
    ]),
  );
  return { filters: { q, category, region, regionLabel: region ? regionName(region) : '', sort }, result, tree, invitable };
};

export const actions: Actions = {
  invite: ({ locals, request }) => inviteAction(locals, request),
};
