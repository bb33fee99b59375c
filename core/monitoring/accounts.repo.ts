import { and, asc, count, desc, eq, ilike, inArray, or, sql, type SQL } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { DbOrTx, Tx } from '../../db/client';
import { monitoringMembers, monitoringRecords, monitoringUnits, organisations, users } from '../../db/schema';
import { containsPattern } from '../shared/like';
import type { MonitoringRole, MonitoringUnitKind } from './monitoring.schema';

/** Every SQL statement of monitoring accounts (units, members); no rules. */

const department = alias(organisations, 'department_org');
const parent = alias(organisations, 'parent_org');

export type NewUnit = typeof monitoringUnits.$inferInsert;
export type NewMember = typeof monitoringMembers.$inferInsert;

export const accountsRepo = {
  /** The person's monitoring account with its unit, the unit's name and its department's and parent's names. */
  async findMe(q: DbOrTx, userId: string) {
    const [row] = await q
      .select({
        userId: monitoringMembers.userId,
        organisationId: monitoringMembers.organisationId,
        role: monitoringMembers.role,
        kind: monitoringUnits.kind,
        cityCode: monitoringUnits.cityCode,
        departmentId: monitoringUnits.departmentId,
        parentId: monitoringUnits.parentId,
        unitName: organisations.fullName,
        departmentName: department.fullName,
        parentName: parent.fullName,
      })
      .from(monitoringMembers)
      .innerJoin(monitoringUnits, eq(monitoringUnits.organisationId, monitoringMembers.organisationId))
      .innerJoin(organisations, eq(organisations.id, monitoringMembers.organisationId))
      .leftJoin(department, eq(department.id, monitoringUnits.departmentId))
      .leftJoin(parent, eq(parent.id, monitoringUnits.parentId))
      .where(eq(monitoringMembers.userId, userId));
    return row;
  },

  /**
   * One opening of departments at a time (one province, one department per city): the check and the
   * insert under one transaction lock, so two openings at once cannot both find none.
   */
  lockDepartments: (tx: Tx) => tx.execute(sql`select pg_advisory_xact_lock(7264338170)`),

  async findUnitsOfKind(q: DbOrTx, kind: MonitoringUnitKind, cityCode?: string) {
    return q
      .select({ organisationId: monitoringUnits.organisationId, cityCode: monitoringUnits.cityCode, fullName: organisations.fullName })
      .from(monitoringUnits)
      .innerJoin(organisations, eq(organisations.id, monitoringUnits.organisationId))
      .where(and(eq(monitoringUnits.kind, kind), cityCode ? eq(monitoringUnits.cityCode, cityCode) : undefined));
  },

  async findUnit(q: DbOrTx, organisationId: string) {
    const [row] = await q
      .select({ organisationId: monitoringUnits.organisationId })
      .from(monitoringUnits)
      .where(eq(monitoringUnits.organisationId, organisationId));
    return row;
  },

  /** The person's mobile (the accounts context's users table, read-only): the contact of an organisation registering itself. */
  async userMobile(q: DbOrTx, userId: string) {
    const [row] = await q.select({ mobile: users.mobile }).from(users).where(eq(users.id, userId));
    return row?.mobile ?? null;
  },

  async insertUnit(tx: DbOrTx, values: NewUnit) {
    await tx.insert(monitoringUnits).values(values);
  },

  /** The member row, or nothing when the person already has a monitoring account (the primary key: one mobile, one account). */
  async insertMember(tx: DbOrTx, values: NewMember) {
    return tx
      .insert(monitoringMembers)
      .values(values)
      .onConflictDoNothing({ target: monitoringMembers.userId })
      .returning({ userId: monitoringMembers.userId });
  },

  /**
   * Administrators and auditors of a department, for its 账号管理 list. Their mobiles come from the
   * accounts context's users table: a read-only join, as the members list shows each person's contact.
   */
  async listMembers(q: DbOrTx, organisationId: string, filter: { role?: MonitoringRole; q?: string }) {
    const where: SQL[] = [eq(monitoringMembers.organisationId, organisationId), inArray(monitoringMembers.role, ['admin', 'auditor'])];
    if (filter.role) where.push(eq(monitoringMembers.role, filter.role));
    if (filter.q) where.push(or(ilike(monitoringMembers.contactName, containsPattern(filter.q)), ilike(users.mobile, containsPattern(filter.q)))!);
    return q
      .select({
        userId: monitoringMembers.userId,
        role: monitoringMembers.role,
        contactName: monitoringMembers.contactName,
        mobile: users.mobile,
        createdAt: monitoringMembers.createdAt,
      })
      .from(monitoringMembers)
      .innerJoin(users, eq(users.id, monitoringMembers.userId))
      .where(and(...where))
      .orderBy(asc(monitoringMembers.createdAt), asc(monitoringMembers.userId));
  },

  /** Units under a manager: by department (departments) or parent (markets, chains); one page, newest first, with its records count. */
  async listUnits(
    q: DbOrTx,
    scope: { departmentId?: string; parentId?: string; kinds?: readonly MonitoringUnitKind[] },
    filter: { q?: string },
    page: { limit: number; offset: number },
  ) {
    const where: SQL[] = [];
    if (scope.departmentId) where.push(eq(monitoringUnits.departmentId, scope.departmentId));
    if (scope.parentId) where.push(eq(monitoringUnits.parentId, scope.parentId));
    if (scope.kinds) where.push(inArray(monitoringUnits.kind, [...scope.kinds]));
    if (filter.q)
      where.push(
        or(
          ilike(organisations.fullName, containsPattern(filter.q)),
          ilike(monitoringUnits.contactName, containsPattern(filter.q)),
          ilike(monitoringUnits.contactMobile, containsPattern(filter.q)),
        )!,
      );
    const cond = and(...where);
    const [total] = await q
      .select({ n: count() })
      .from(monitoringUnits)
      .innerJoin(organisations, eq(organisations.id, monitoringUnits.organisationId))
      .where(cond);
    const rows =
      page.limit > 0
        ? await q
            .select({
              organisationId: monitoringUnits.organisationId,
              kind: monitoringUnits.kind,
              cityCode: monitoringUnits.cityCode,
              name: organisations.fullName,
              contactName: monitoringUnits.contactName,
              contactMobile: monitoringUnits.contactMobile,
              createdAt: monitoringUnits.createdAt,
              records: sql<number>`(select count(*)::int from ${monitoringRecords} where ${monitoringRecords.reporterId} = ${monitoringUnits.organisationId})`,
            })
            .from(monitoringUnits)
            .innerJoin(organisations, eq(organisations.id, monitoringUnits.organisationId))
            .where(cond)
            .orderBy(desc(monitoringUnits.createdAt), asc(monitoringUnits.organisationId))
            .limit(page.limit)
            .offset(page.offset)
        : [];
    return { total: total?.n ?? 0, rows };
  },
};
