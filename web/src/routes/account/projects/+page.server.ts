import { PROJECT_GROUPS } from '$core/tenders/requirements.machine';
import { requireEnterprise, takeFlash } from '$lib/server/requirements';
import { orError } from '$lib/server/session';
import type { PageServerLoad } from './$types';
import { pageFromQuery } from '$core/shared/paging';

export const load: PageServerLoad = async ({ locals, url, cookies }) => {
  const { actor } = requireEnterprise(locals, url);
  const g = url.searchParams.get('group');
  const group = (PROJECT_GROUPS as readonly string[]).includes(g ?? '') ? (g as (typeof PROJECT_GROUPS)[number]) : undefined;
  const page = pageFromQuery(url.searchParams);
  const list = await orError(() => locals.services.requirements.listMine(actor, { group, page, pageSize: 10 }));
  const total = Object.values(list.groups).reduce((s, n) => s + n, 0);
  return { group: group ?? null, list, all: total, serverNow: Date.now(), flash: takeFlash(cookies) };
};
