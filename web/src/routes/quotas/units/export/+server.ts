import { downloadHeaders } from '$core/shared/export';
import { orError } from '$lib/server/session';
import { requireUnitManager, unitListQuery } from '../../quotas.server';
import type { RequestHandler } from './$types';

/** 导出 XLSX: the list's current filter, every row (the service caps it). */
export const GET: RequestHandler = async ({ locals, url }) => {
  const { actor } = requireUnitManager(locals, url);
  const file = await orError(() => locals.services.budgetUnits.exportXlsx(actor, { ...unitListQuery(url), page: 1 }));
  return new Response(file.bytes, { headers: downloadHeaders(file) });
};
