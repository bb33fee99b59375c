import { downloadHeaders } from '$core/shared/export';
import { orError } from '$lib/server/session';
import { requireLogin } from '$lib/server/guard';
import { dashboardQuery } from '../dashboard';
import type { RequestHandler } from './$types';

/** 导出 XLSX: the roll-up with the dashboard's group-by and filters (the service checks who may see what). */
export const GET: RequestHandler = async ({ locals, url }) => {
  const actor = requireLogin(locals, url);
  const { drill: _drill, page: _page, ...query } = dashboardQuery(url);
  void _drill;
  void _page;
  const file = await orError(() => locals.services.monitoringRollup.exportXlsx(actor, query));
  return new Response(file.bytes, { headers: downloadHeaders(file) });
};
