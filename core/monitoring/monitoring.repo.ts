import { eq } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client';
import { monitoringMembers, monitoringUnits, organisations } from '../../db/schema';

/**
 * The statements every monitoring service shares: who a person is in monitoring. Each service keeps its
 * own repo for its aggregate (accounts.repo.ts, records.repo.ts, rollup.repo.ts, reference.repo.ts).
 */

export type MonitoringUnitRow = typeof monitoringUnits.$inferSelect & { fullName: string };
export type MonitoringMemberRow = typeof monitoringMembers.$inferSelect;

const unitColumns = {
  organisationId: monitoringUnits.organisationId,
  kind: monitoringUnits.kind,
  parentId: monitoringUnits.parentId,
  departmentId: monitoringUnits.departmentId,
  cityCode: monitoringUnits.cityCode,
  contactName: monitoringUnits.contactName,
  contactMobile: monitoringUnits.contactMobile,
  createdBy: monitoringUnits.createdBy,
  createdAt: monitoringUnits.createdAt,
  fullName: organisations.fullName,
};

export const monitoringRepo = {
  /**
   * A person's monitoring account and its unit in one statement (every monitoring call starts here): the
   * member row, or undefined; its unit, or null when the organisation is not (or no longer) a monitoring unit.
   */
  async findMemberAndUnit(q: DbOrTx, userId: string): Promise<{ member: MonitoringMemberRow; unit: MonitoringUnitRow | null } | undefined> {
    const [row] = await q
      .select({ member: monitoringMembers, unit: unitColumns })
      .from(monitoringMembers)
      .leftJoin(monitoringUnits, eq(monitoringUnits.organisationId, monitoringMembers.organisationId))
      .leftJoin(organisations, eq(organisations.id, monitoringUnits.organisationId))
      .where(eq(monitoringMembers.userId, userId));
    if (!row) return undefined;
    return { member: row.member, unit: row.unit?.organisationId && row.unit.fullName !== null ? (row.unit as MonitoringUnitRow) : null };
  },
};
