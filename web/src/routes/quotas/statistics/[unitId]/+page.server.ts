import { error } from '@sveltejs/kit';
import { orError } from '$lib/server/session';
import { requireBudgetUnit } from '../../quotas.server';
import { reportQuery } from '../query';
import type { PageServerLoad } from './$types';

/** One unit of the caller's subtree: its figures by month and the orders counted in the year. */
export const load: PageServerLoad = async ({ locals, url, params }) => {
  const { actor, org } = requireBudgetUnit(locals, url);
  if (!/^[0-9a-f-]{36}$/i.test(params.unitId)) error(404, '没有找到该预算单位');
  const s = locals.services.quotaStatistics;
  const q = reportQuery(url);
  const unit = await orError(() => s.unit(actor, { unitId: params.unitId, year: q.year }));
  const orders = await orError(() => s.orders(actor, { unitId: params.unitId, year: unit.year, page: q.page, pageSize: 20 }));
  return { unit, orders: orders.orders, ownName: org.fullName };
};
