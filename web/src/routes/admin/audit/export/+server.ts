import { auditDownload, auditQuery } from '$lib/server/audit';
import type { RequestHandler } from './$types';

/** The filtered trail as XLSX (operators). */
export const GET: RequestHandler = ({ locals, url }) => {
  const { page: _page, pageSize: _size, ...filters } = auditQuery(url);
  return auditDownload(() => locals.services.audit.export(locals.actor, filters));
};
