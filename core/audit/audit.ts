import { auditLog } from '../../db/schema';
import type { DbOrTx } from '../../db/client';

/** One row of the audit trail: who did what, to which thing, for which organisation, and why. */
export interface AuditEntry {
  /** The user who acted; null for the platform itself (jobs, callbacks). */
  actorUserId: string | null;
  /** Dotted verb, e.g. `wallet.withdrawal_approved`, `mall.transfer_confirmed`. */
  action: string;
  targetType: string;
  targetId: string;
  /** The organisation the action concerns; its admins see the row. */
  organisationId?: string | null;
  before?: unknown;
  after?: unknown;
  reason?: string | null;
  ip?: string | null;
  data?: unknown;
}

/**
 * Writes one audit row. Call it with the transaction that makes the change, so the row exists
 * exactly when the change does.
 */
export async function recordAudit(q: DbOrTx, entry: AuditEntry): Promise<void> {
  await q.insert(auditLog).values({
    actorUserId: entry.actorUserId,
    action: entry.action,
    targetType: entry.targetType,
    targetId: entry.targetId,
    organisationId: entry.organisationId ?? null,
    before: (entry.before ?? null) as never,
    after: (entry.after ?? null) as never,
    reason: entry.reason ?? null,
    ip: entry.ip ?? null,
    data: (entry.data ?? null) as never,
  });
}
