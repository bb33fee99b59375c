import { orError } from '$lib/server/session';
import type { PageServerLoad } from './$types';

/**
 * 监测首页: visitors see what monitoring is; people without an account how to get one; members their
 * work by part: reporters their drafts, returned and pending records; reviewers their queue; departments
 * their accounts and (province) the roll-up.
 */
export const load: PageServerLoad = async ({ locals, parent }) => {
  const { me } = await parent();
  const actor = locals.actor;
  if (!actor || !me || me.switchTo) return { view: 'outside' as const };
  const records = locals.services.monitoringRecords;
  const [counts, returned, latest, reviewed, approvedTotal] = await Promise.all([
    orError(() => records.pendingCounts(actor)),
    me.can.report ? orError(() => records.list(actor, { tab: 'all', status: 'returned', pageSize: 5 })) : null,
    me.can.report ? orError(() => records.list(actor, { tab: 'all', pageSize: 5 })) : null,
    me.can.review ? orError(() => records.list(actor, { tab: 'reviewed', pageSize: 5 })) : null,
    me.kind === 'province' ? orError(async () => (await records.list(actor, { tab: 'all', status: 'approved', pageSize: 1 })).total) : null,
  ]);
  return { view: 'member' as const, counts, returned: returned?.items ?? [], latest: latest?.items ?? [], reviewed: reviewed?.items ?? [], approvedTotal };
};
