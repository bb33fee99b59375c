import { eq } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client';
import { monitoringMembers, monitoringUnits, organisations } from '../../db/schema';

/**
 * The statements every monitoring service shares: who a person is in monitoring. Each service keeps its
 * own repo for its aggregate (accounts.repo.ts, records.repo.ts, rollup.repo.ts, reference.repo.ts).
 */

export type MonitoringUnitRow = typeof monitoringUnits.$inferSelect & { fullName: string };
export type MonitoringMemberRow = typeof monitoringMembers.$inferSelect;

export const monitoringRepo = {
  async findUnit(q: DbOrTx, organisationId: string): Promise<MonitoringUnitRow | undefined> {
    const [row] = await q
      .select({
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
      })
      .from(monitoringUnits)
      .innerJoin(organisations, eq(organisations.id, monitoringUnits.organisationId))
      .where(eq(monitoringUnits.organisationId, organisationId));
    return row;
  },

  async findMember(q: DbOrTx, userId: string): Promise<MonitoringMemberRow | undefined> {
    const [row] = await q.select().from(monitoringMembers).where(eq(monitoringMembers.userId, userId));
    return row;
  },
};
