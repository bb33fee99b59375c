import { redirect } from '@sveltejs/kit';
import { formAction, formValues, orError } from '$lib/server/session';
import { listWithFilters, requireUnitManager, unitListQuery } from '../quotas.server';
import type { Actions, PageServerLoad } from './$types';

const PAGE_SIZE = 20;

/** 预算单位管理: the subtree's units, filtered and paged; a generation run's progress when `run` is in the address. */
export const load: PageServerLoad = async ({ locals, url }) => {
  const { actor, org } = requireUnitManager(locals, url);
  const s = locals.services.budgetUnits;
  const runId = url.searchParams.get('run');
  // A run that is unknown or not ours is simply not shown (an old link). Read before the list, so a run
  // seen as done has its accounts in the list too.
  const run = runId ? await s.run(actor, runId).catch(() => null) : null;
  const { list, query, filterError } = await orError(() => listWithFilters(unitListQuery(url), (q) => s.list(actor, { ...q, pageSize: PAGE_SIZE })));
  const superiorName =
    query.superiorId === org.organisationId
      ? org.fullName
      : query.superiorId
        ? ((await s.get(actor, query.superiorId).catch(() => null))?.fullName ?? null)
        : null;
  return { list, query, filterError, run, ownId: org.organisationId, unitName: org.fullName, superiorName };
};

export const actions: Actions = {
  /** Starts generating management accounts for every unit without one; the page then follows the run. */
  generate: async ({ request, locals, url }) => {
    const values = formValues(await request.formData());
    const r = await formAction(values, () => locals.services.budgetUnits.generateAccounts(locals.actor, {}));
    if (!r.ok) return r.failure;
    // Keep the list's filters; drop the action's own key (?/generate) and the page.
    const next = new URLSearchParams([...url.searchParams].filter(([k]) => !k.startsWith('/') && k !== 'page' && k !== 'run'));
    next.set('run', r.data.id);
    redirect(303, `/quotas/units?${next}`);
  },
};
