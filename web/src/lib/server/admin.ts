import type { AdminQueue } from '$lib/admin-sections';
import { pageFromQuery } from '$core/shared/paging';

/** Reads the operator lists' query string: empty filters are left out so the schema's defaults apply. */
export function adminQuery(url: URL, keys: ('q' | 'status' | 'kind')[]) {
  const out: Record<string, string | number> = { page: pageFromQuery(url.searchParams), pageSize: 20 };
  for (const k of keys) {
    const v = url.searchParams.get(k)?.trim();
    if (v) out[k] = v;
  }
  return out;
}

/**
 * How much waits in each of the console's queues (its home and the operator's home page show these).
 * Each count is read on its own; one that cannot be read shows as unknown (null) instead of taking the
 * page down (the section itself still opens and says why).
 */
export async function adminWaiting(locals: App.Locals): Promise<Record<AdminQueue, number | null>> {
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
  return Object.fromEntries(entries) as Record<AdminQueue, number | null>;
}
