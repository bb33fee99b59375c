import { downloadHeaders } from '$core/shared/export';
import { orError } from '$lib/server/session';
import { requireLogin } from '$lib/server/guard';
import { recordListQuery } from '../../monitoring-ui';
import type { RequestHandler } from './$types';

/** 导出 XLSX: the list's current filters, every matching row (the service caps it and checks who may see what). */
export const GET: RequestHandler = async ({ locals, url }) => {
  const actor = requireLogin(locals, url);
  const { page: _page, ...query } = recordListQuery(url);
  void _page;
  const file = await orError(() => locals.services.monitoringRecords.exportXlsx(actor, query));
  return new Response(file.bytes, { headers: downloadHeaders(file) });
};
