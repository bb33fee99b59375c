import { error } from '@sveltejs/kit';
import { loadAuditPage } from '$lib/server/audit';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, url }) => {
  const org = locals.actor?.organisation;
  if (!org || (org.role !== 'owner' && org.role !== 'admin')) error(403, '只有组织的管理员可以查看本组织的操作记录');
  const [page, actions] = await Promise.all([
    loadAuditPage(url, (q) => locals.services.audit.searchOwn(locals.actor, q)),
    locals.services.audit.actions(locals.actor, 'organisation'),
  ]);
  return { ...page, actions, organisationName: org.fullName };
};
