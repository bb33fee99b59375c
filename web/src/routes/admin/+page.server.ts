import type { AdminQueue } from '$lib/admin-sections';
import type { PageServerLoad } from './$types';

/**
 * The console home: how much waits in each queue. Each count is read on its own; one that cannot be read
 * shows as unknown instead of taking the page down (the section itself still opens and says why).
 */
export const load: PageServerLoad = async ({ locals }) => {
  const { services: s, actor } = locals;
  const counts: Record<AdminQueue, () => Promise<number>> = {
    requirements: async () => (await s.requirements.adminList(actor, { state: 'pending_review', pageSize: 1 })).total,
    recharges: async () => (await s.recharges.listPendingOffline(actor, { pageSize: 1 })).total,
    withdrawals: async () => (await s.withdrawals.listPendingWithdrawals(actor)).length,
    reminders: async () => (await s.escrow.reminderQueue(actor)).length,
    afterSales: async () => (await s.escrow.caseQueue(actor)).length,
    transfers: async () => (await s.orders.pendingTransfers(actor)).length,
    failedJobs: async () => (await s.jobs.stats(actor)).byStatus.failed,
  };
  const entries = await Promise.all(Object.entries(counts).map(async ([queue, count]) => [queue, await count().catch(() => null)] as const));
  return { waiting: Object.fromEntries(entries) as Record<AdminQueue, number | null> };
};
