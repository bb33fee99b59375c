import { and, asc, count, eq, inArray, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Db, DbOrTx } from '../../db/client';
import { invitations, proposals, requirementEvents, requirements, serviceCategories } from '../../db/schema';
import { AppError } from '../shared/app-error';
import type { RequirementState } from './requirements.machine';

export type RequirementRow = typeof requirements.$inferSelect;
export type ProposalRow = typeof proposals.$inferSelect;
export type InvitationRow = typeof invitations.$inferSelect;

/** drizzle queries of the tenders context; no rules here. */

/** The requirement, locked for a decision (`update`) or against one (`share`), or NOT_FOUND. */
export async function getRequirement(q: DbOrTx, id: string, lock?: 'update' | 'share'): Promise<RequirementRow> {
  if (!z.uuid().safeParse(id).success) throw new AppError('NOT_FOUND', '项目不存在');
  const query = q.select().from(requirements).where(eq(requirements.id, id));
  const [row] = await (lock ? query.for(lock) : query);
  if (!row) throw new AppError('NOT_FOUND', '项目不存在');
  return row;
}

/** Active proposals (the bidder count shown in the hall). */
export async function countBidders(q: DbOrTx, requirementId: string): Promise<number> {
  const [row] = await q
    .select({ n: count() })
    .from(proposals)
    .where(and(eq(proposals.requirementId, requirementId), eq(proposals.status, 'active')));
  return Number(row?.n ?? 0);
}

export async function bidderCounts(q: DbOrTx, requirementIds: string[]): Promise<Map<string, number>> {
  if (!requirementIds.length) return new Map();
  const rows = await q
    .select({ id: proposals.requirementId, n: count() })
    .from(proposals)
    .where(and(inArray(proposals.requirementId, requirementIds), eq(proposals.status, 'active')))
    .groupBy(proposals.requirementId);
  return new Map(rows.map((r) => [r.id, Number(r.n)]));
}

export async function activeBidderIds(q: DbOrTx, requirementId: string): Promise<string[]> {
  const rows = await q
    .select({ id: proposals.providerId })
    .from(proposals)
    .where(and(eq(proposals.requirementId, requirementId), eq(proposals.status, 'active')));
  return rows.map((r) => r.id);
}

/** Moves the requirement to `to` only if it is still in `from` (the transition is checked by the caller). */
export async function setState(
  tx: DbOrTx,
  r: RequirementRow,
  to: RequirementState,
  event: string,
  actorUserId: string | null,
  patch: Partial<typeof requirements.$inferInsert> = {},
  detail?: Record<string, unknown>,
): Promise<RequirementRow> {
  const [row] = await tx
    .update(requirements)
    .set({ ...patch, state: to, updatedAt: new Date() })
    .where(and(eq(requirements.id, r.id), eq(requirements.state, r.state)))
    .returning();
  if (!row) throw new AppError('CONFLICT', '项目状态已变化，请刷新后重试');
  await tx.insert(requirementEvents).values({ requirementId: r.id, actorUserId, event, fromState: r.state, toState: to, detail });
  return row;
}

export async function logEvent(tx: DbOrTx, requirementId: string, actorUserId: string | null, event: string, detail?: Record<string, unknown>) {
  await tx.insert(requirementEvents).values({ requirementId, actorUserId, event, detail });
}

export type CategoryNode = { code: string; name: string; children: { code: string; name: string }[] };

/** The category tree never changes at run time (migration-seeded): read once per process. */
let categoryCache: { tree: CategoryNode[]; names: Map<string, { name: string; parentName?: string; parentCode?: string }> } | undefined;

export async function categories(db: Db) {
  if (categoryCache) return categoryCache;
  const rows = await db.select().from(serviceCategories).orderBy(asc(serviceCategories.sort), asc(serviceCategories.code));
  const tops = rows.filter((r) => !r.parentCode);
  const tree = tops.map((t) => ({ code: t.code, name: t.name, children: rows.filter((r) => r.parentCode === t.code).map((r) => ({ code: r.code, name: r.name })) }));
  const names = new Map<string, { name: string; parentName?: string; parentCode?: string }>();
  for (const t of tree) {
    names.set(t.code, { name: t.name });
    for (const c of t.children) names.set(c.code, { name: c.name, parentName: t.name, parentCode: t.code });
  }
  categoryCache = { tree, names };
  return categoryCache;
}

/** SQL condition: the column holds `code` or (for a top-level code) one of its children. */
export const categoryMatches = (column: typeof requirements.categoryCode, code: string) =>
  code.includes('.') ? eq(column, code) : sql`(${column} = ${code} or ${column} like ${`${code}.%`})`;
