import { loadAuditPage } from '$lib/server/audit';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, url }) => {
  const [page, actions] = await Promise.all([
    loadAuditPage(url, (q) => locals.services.audit.search(locals.actor, q)),
    locals.services.audit.actions(locals.actor, 'platform'),
  ]);
  return { ...page, actions };
};
