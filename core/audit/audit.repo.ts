import { and, count, desc, eq, gte, ilike, like, lt, sql, type SQL } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client';
import { auditLog, organisations, users } from '../../db/schema';
import { containsPattern, prefixPattern } from '../shared/like';
import { endOfShanghaiDay, startOfShanghaiDay } from '../shared/time';
import type { AuditRowView, AuditSearch } from './audit.schema';

/** [from 00:00, to + 1 day 00:00) in Asia/Shanghai. */

function whereOf(q: Omit<AuditSearch, 'page' | 'pageSize'>): SQL | undefined {
  const action = q.action
    ? q.action.includes('.') && !q.action.endsWith('.')
      ? eq(auditLog.action, q.action)
      : like(auditLog.action, prefixPattern(`${q.action.replace(/\.$/, '')}.`))
    : undefined;
  return and(
    q.from ? gte(auditLog.createdAt, startOfShanghaiDay(q.from)) : undefined,
    q.to ? lt(auditLog.createdAt, endOfShanghaiDay(q.to)) : undefined,
    action,
    q.actor ? sql`lower(${users.username}) = lower(${q.actor})` : undefined,
    q.organisationId ? eq(auditLog.organisationId, q.organisationId) : undefined,
    q.organisation ? ilike(organisations.fullName, containsPattern(q.organisation)) : undefined,
    q.targetType ? eq(auditLog.targetType, q.targetType) : undefined,
    q.targetId ? eq(auditLog.targetId, q.targetId) : undefined,
  );
}

const columns = {
  id: auditLog.id,
  createdAt: auditLog.createdAt,
  actorUserId: auditLog.actorUserId,
  actorUsername: users.username,
  action: auditLog.action,
  targetType: auditLog.targetType,
  targetId: auditLog.targetId,
  organisationId: auditLog.organisationId,
  organisationName: organisations.fullName,
  before: auditLog.before,
  after: auditLog.after,
  reason: auditLog.reason,
  ip: auditLog.ip,
  data: auditLog.data,
};

/** Rows newest first (created_at desc, id desc), with the actor's username and the organisation's name. */
export async function searchAudit(q: DbOrTx, filter: Omit<AuditSearch, 'page' | 'pageSize'>, limit: number, offset: number): Promise<AuditRowView[]> {
  return q
    .select(columns)
    .from(auditLog)
    .leftJoin(users, eq(users.id, auditLog.actorUserId))
    .leftJoin(organisations, eq(organisations.id, auditLog.organisationId))
    .where(whereOf(filter))
    .orderBy(desc(auditLog.createdAt), desc(auditLog.id))
    .limit(limit)
    .offset(offset);
}

export async function countAudit(q: DbOrTx, filter: Omit<AuditSearch, 'page' | 'pageSize'>): Promise<number> {
  const [row] = await q
    .select({ n: count() })
    .from(auditLog)
    .leftJoin(users, eq(users.id, auditLog.actorUserId))
    .leftJoin(organisations, eq(organisations.id, auditLog.organisationId))
    .where(whereOf(filter));
  return Number(row?.n ?? 0);
}

/** The distinct actions written so far, for the filter's choices. */
export async function listAuditActions(q: DbOrTx, organisationId?: string): Promise<string[]> {
  const rows = await q
    .selectDistinct({ action: auditLog.action })
    .from(auditLog)
    .where(organisationId ? eq(auditLog.organisationId, organisationId) : undefined)
    .orderBy(auditLog.action);
  return rows.map((r) => r.action);
}
