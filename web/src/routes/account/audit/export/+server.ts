import { auditDownload, auditQuery } from '$lib/server/audit';
import type { RequestHandler } from './$types';

/** The organisation's own trail as XLSX (its owner and admins). */
export const GET: RequestHandler = ({ locals, url }) => {
  const { page: _page, pageSize: _size, ...filters } = auditQuery(url);
  return auditDownload(() => locals.services.audit.exportOwn(locals.actor, filters));
};
