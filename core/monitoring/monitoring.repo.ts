import { sql } from 'drizzle-orm';
import { rowsOf, type DbOrTx } from '../../db/client';
import { prefixedColumns, tableRow } from '../../db/table-rows';
import { monitoringMembers, monitoringUnits } from '../../db/schema';

/**
 * The statements every monitoring service shares: who a person is in monitoring. Each service keeps its
 * own repo for its aggregate (accounts.repo.ts, records.repo.ts, rollup.repo.ts, reference.repo.ts).
 */

export type MonitoringUnitRow = typeof monitoringUnits.$inferSelect & { fullName: string };
export type MonitoringMemberRow = typeof monitoringMembers.$inferSelect;

const UNIT_COLUMNS = prefixedColumns(monitoringUnits, 'u', 'unit_');

export const monitoringRepo = {
  /**
   * A person's monitoring account and its unit in one statement (every monitoring call starts here): the
   * member row, or undefined; its unit, or null when the organisation is not (or no longer) a monitoring unit.
   * Written out rather than built (see db/table-rows.ts): it runs before every list page.
   */
  async findMemberAndUnit(q: DbOrTx, userId: string): Promise<{ member: MonitoringMemberRow; unit: MonitoringUnitRow | null } | undefined> {
    const [raw] = rowsOf<Record<string, unknown>>(
      await q.execute(sql`select m.*, ${UNIT_COLUMNS}, o.full_name as unit_full_name
        from monitoring_members m
        left join monitoring_units u on u.organisation_id = m.organisation_id
        left join organisations o on o.id = u.organisation_id
        where m.user_id = ${userId}`),
    );
    if (!raw) return undefined;
    const unit =
      raw.unit_organisation_id === null || raw.unit_full_name === null
        ? null
        : { ...tableRow(monitoringUnits, raw, 'unit_'), fullName: String(raw.unit_full_name) };
    return { member: tableRow(monitoringMembers, raw), unit };
  },
};
