import { orError } from '$lib/server/session';
import { requireBudgetUnit } from '../quotas.server';
import { reportQuery } from './query';
import type { PageServerLoad } from './$types';

const PAGE_SIZE = 20;

/** 统计报表: a unit's own year; a department (or a unit with units below it) also its subtree's table. */
export const load: PageServerLoad = async ({ locals, url }) => {
  const { actor, org } = requireBudgetUnit(locals, url);
  const s = locals.services.quotaStatistics;
  const q = reportQuery(url);
  const unit = await orError(() => s.unit(actor, { unitId: q.unitId, year: q.year }));
  const subtree = unit.subtree
    ? await orError(() => s.subtree(actor, { unitId: q.unitId, year: unit.year, groupBy: q.groupBy, band: q.band, page: q.page, pageSize: PAGE_SIZE }))
    : null;
  return { unit, subtree, query: { ...q, year: unit.year }, ownName: org.fullName };
};
