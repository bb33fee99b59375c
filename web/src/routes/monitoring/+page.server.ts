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
  const total = (status: 'filed' | 'submitted' | 'approved') => orError(async () => (await records.list(actor, { tab: 'all', status, pageSize: 1 })).total);
  /** A reporter's records with its reviewers: 已填报 (with the market or chain) and 已提交 (with the department). */
  const hasParent = me.kind === 'wholesaler' || me.kind === 'store';
  /** "最近审核": the states a decision at the viewer's level leads to (filed records of others only pass by). */
  const decided: string[] = me.kind === 'province' || me.kind === 'city' ? ['approved', 'returned'] : ['submitted', 'approved', 'returned'];
  // Returned records: only the unit's own (a market or chain also sees those it returned to its wholesalers or stores, which it cannot edit).
  const [counts, returned, latest, reviewed, approvedTotal, inReview] = await Promise.all([
    orError(() => records.pendingCounts(actor)),
    me.can.report ? orError(() => records.list(actor, { tab: 'all', status: 'returned', mine: true, pageSize: 5 })) : null,
    me.can.report ? orError(() => records.list(actor, { tab: 'all', pageSize: 5 })) : null,
    me.can.review ? orError(() => records.list(actor, { tab: 'reviewed', pageSize: 30 })) : null,
    me.kind === 'province' ? total('approved') : null,
    me.can.report && !me.can.review ? Promise.all([hasParent ? total('filed') : 0, total('submitted')]).then(([a, b]) => a + b) : null,
  ]);
  return {
    view: 'member' as const,
    counts,
    returned: returned?.items ?? [],
    latest: latest?.items ?? [],
    reviewed: (reviewed?.items ?? []).filter((r) => decided.includes(r.status)).slice(0, 5),
    approvedTotal,
    inReview,
    inReviewStatus: hasParent ? 'filed' : 'submitted',
  };
};
