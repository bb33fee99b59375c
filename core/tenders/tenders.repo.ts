import { and, asc, count, desc, eq, gte, ilike, inArray, lte, ne, or, sql, type SQL } from 'drizzle-orm';
import type { PgInsertValue, PgUpdateSetSource } from 'drizzle-orm/pg-core';
import { z } from 'zod';
import type { Db, DbOrTx } from '../../db/client';
import { agreements, invitations, organisations, proposals, requirementEvents, requirements, serviceCategories } from '../../db/schema';
import { AppError } from '../shared/app-error';
import { containsPattern } from '../shared/like';
import { searchQuery } from '../shared/search-text';
import type { RequirementState } from './requirements.machine';
import type { HallQuery } from './tenders.schema';

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
  const tree = tops.map((t) => ({
    code: t.code,
    name: t.name,
    children: rows.filter((r) => r.parentCode === t.code).map((r) => ({ code: r.code, name: r.name })),
  }));
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

// ── Proposals ─────────────────────────────────────────────────────────────────────────────────

/** An organisation's legal name (the bidder shown on a proposal), if it exists. */
export async function findOrganisationName(q: DbOrTx, id: string): Promise<{ fullName: string } | undefined> {
  const [row] = await q.select({ fullName: organisations.fullName }).from(organisations).where(eq(organisations.id, id));
  return row;
}

/** The provider's live (active) proposal on a requirement, locked for a change. */
export async function lockLiveProposal(q: DbOrTx, requirementId: string, providerId: string): Promise<ProposalRow | undefined> {
  const [row] = await q
    .select()
    .from(proposals)
    .where(and(eq(proposals.requirementId, requirementId), eq(proposals.providerId, providerId), eq(proposals.status, 'active')))
    .for('update');
  return row;
}

/** Inserts a proposal; undefined when the provider already has a live one (the partial unique index). */
export async function insertProposal(q: DbOrTx, values: typeof proposals.$inferInsert): Promise<ProposalRow | undefined> {
  const [row] = await q.insert(proposals).values(values).onConflictDoNothing().returning();
  return row;
}

export async function updateProposal(q: DbOrTx, id: string, patch: Partial<typeof proposals.$inferInsert>): Promise<ProposalRow> {
  const [row] = await q.update(proposals).set(patch).where(eq(proposals.id, id)).returning();
  return row!;
}

export async function findProposal(q: DbOrTx, id: string): Promise<ProposalRow | undefined> {
  if (!z.uuid().safeParse(id).success) return undefined;
  const [row] = await q.select().from(proposals).where(eq(proposals.id, id));
  return row;
}

/** The provider's latest proposal on a requirement, whatever its status. */
export async function findLatestProposalOf(q: DbOrTx, requirementId: string, providerId: string): Promise<ProposalRow | undefined> {
  const [row] = await q
    .select()
    .from(proposals)
    .where(and(eq(proposals.requirementId, requirementId), eq(proposals.providerId, providerId)))
    .orderBy(desc(proposals.updatedAt))
    .limit(1);
  return row;
}

/** The requirement if it exists (no lock, no error). */
export async function findRequirement(q: DbOrTx, id: string): Promise<RequirementRow | undefined> {
  const [row] = await q.select().from(requirements).where(eq(requirements.id, id));
  return row;
}

/** Live proposals (active, selected, not selected), cheapest first. */
export async function liveProposalsOf(q: DbOrTx, requirementId: string): Promise<ProposalRow[]> {
  return q
    .select()
    .from(proposals)
    .where(and(eq(proposals.requirementId, requirementId), inArray(proposals.status, ['active', 'selected', 'not_selected'])))
    .orderBy(proposals.priceFen, proposals.createdAt);
}

/** One page of a provider's proposals, newest change first, with their requirements; and the total. */
export async function proposalsOfProvider(q: DbOrTx, providerId: string, page: { page: number; pageSize: number }) {
  const where = eq(proposals.providerId, providerId);
  const [rows, [total]] = await Promise.all([
    q
      .select({
        p: proposals,
        r: {
          id: requirements.id,
          title: requirements.title,
          state: requirements.state,
          openingAt: requirements.openingAt,
          requirementNo: requirements.requirementNo,
        },
      })
      .from(proposals)
      .innerJoin(requirements, eq(requirements.id, proposals.requirementId))
      .where(where)
      .orderBy(desc(proposals.updatedAt), desc(proposals.id))
      .limit(page.pageSize)
      .offset((page.page - 1) * page.pageSize),
    q.select({ n: count() }).from(proposals).where(where),
  ]);
  return { rows, total: Number(total?.n ?? 0) };
}

// ── reads and writes the escrow context asks for through the tenders services ─────────────────

/** Titles of requirements by id. */
export async function requirementTitles(q: DbOrTx, ids: string[]): Promise<Map<string, string>> {
  const rows = ids.length ? await q.select({ id: requirements.id, title: requirements.title }).from(requirements).where(inArray(requirements.id, ids)) : [];
  return new Map(rows.map((r) => [r.id, r.title]));
}

/**
 * Awarded requirements where the organisation is either party and no live agreement exists yet,
 * newest first. The agreement is the award's continuation, so its table is read here only as an
 * existence check; filtering afterwards would break the limit.
 */
export async function awardedWithoutAgreement(q: DbOrTx, organisationId: string, limit: number) {
  return q
    .select({
      id: requirements.id,
      requirementNo: requirements.requirementNo,
      title: requirements.title,
      enterpriseId: requirements.organisationId,
      providerId: requirements.selectedProviderId,
      deliveryDate: requirements.deliveryDate,
      updatedAt: requirements.updatedAt,
    })
    .from(requirements)
    .where(
      and(
        eq(requirements.state, 'awarded'),
        or(eq(requirements.organisationId, organisationId), eq(requirements.selectedProviderId, organisationId)),
        sql`not exists (select 1 from ${agreements} where ${agreements.requirementId} = ${requirements.id} and ${agreements.status} <> 'terminated')`,
      ),
    )
    .orderBy(desc(requirements.updatedAt))
    .limit(limit);
}

// ── Requirements: drafts, the lifecycle's side writes, lists ──────────────────────────────────

type ListPage = { page: number; pageSize: number };
const pageOf = ({ page, pageSize }: ListPage) => ({ limit: pageSize, offset: (page - 1) * pageSize });

/** Values may hold SQL (the search vector is computed by the database). */
export async function insertRequirement(q: DbOrTx, values: PgInsertValue<typeof requirements>): Promise<RequirementRow> {
  const [row] = await q.insert(requirements).values(values).returning();
  return row!;
}

/** Updates a draft or rejected requirement; undefined when it is neither any more. */
export async function updateDraft(q: DbOrTx, id: string, patch: PgUpdateSetSource<typeof requirements>): Promise<RequirementRow | undefined> {
  const [row] = await q
    .update(requirements)
    .set(patch)
    .where(and(eq(requirements.id, id), inArray(requirements.state, ['draft', 'rejected'])))
    .returning();
  return row;
}

/** Deletes a requirement with its history (a draft never published). */
export async function deleteRequirement(q: DbOrTx, id: string) {
  await q.delete(requirementEvents).where(eq(requirementEvents.requirementId, id));
  await q.delete(requirements).where(eq(requirements.id, id));
}

/** The deposit went back in full (outside a state change). */
export async function markDepositRefunded(q: DbOrTx, id: string, now: Date) {
  await q.update(requirements).set({ depositStatus: 'refunded', updatedAt: now }).where(eq(requirements.id, id));
}

/** The requirement's history, oldest first. */
export async function eventsOf(q: DbOrTx, requirementId: string) {
  return q.select().from(requirementEvents).where(eq(requirementEvents.requirementId, requirementId)).orderBy(requirementEvents.createdAt);
}

/** Active proposals become not selected (all but `exceptProviderId`'s). */
export async function closeActiveProposals(q: DbOrTx, requirementId: string, now: Date, exceptProviderId?: string) {
  await q
    .update(proposals)
    .set({ status: 'not_selected', updatedAt: now })
    .where(
      and(
        eq(proposals.requirementId, requirementId),
        eq(proposals.status, 'active'),
        exceptProviderId ? sql`${proposals.providerId} <> ${exceptProviderId}` : undefined,
      ),
    );
}

/** The provider's active proposal becomes selected; undefined when it has none. */
export async function selectProposal(q: DbOrTx, requirementId: string, providerId: string, now: Date): Promise<ProposalRow | undefined> {
  const [row] = await q
    .update(proposals)
    .set({ status: 'selected', updatedAt: now })
    .where(and(eq(proposals.requirementId, requirementId), eq(proposals.providerId, providerId), eq(proposals.status, 'active')))
    .returning();
  return row;
}

/** Whether the organisation bid on (any proposal) or was invited to (any invitation) the requirement. */
export async function isInvolved(q: DbOrTx, requirementId: string, orgId: string): Promise<boolean> {
  const bid = await q
    .select({ id: proposals.id })
    .from(proposals)
    .where(and(eq(proposals.requirementId, requirementId), eq(proposals.providerId, orgId)))
    .limit(1);
  if (bid.length > 0) return true;
  const invited = await q
    .select({ id: invitations.id })
    .from(invitations)
    .where(and(eq(invitations.requirementId, requirementId), eq(invitations.providerId, orgId)))
    .limit(1);
  return invited.length > 0;
}

/** One page of rows with the total under the same condition. */
async function pageRequirements(q: DbOrTx, where: SQL | undefined, order: SQL[], page: ListPage) {
  const { limit, offset } = pageOf(page);
  const [rows, [total]] = await Promise.all([
    q
      .select()
      .from(requirements)
      .where(where)
      .orderBy(...order)
      .limit(limit)
      .offset(offset),
    q.select({ n: count() }).from(requirements).where(where),
  ]);
  return { rows, total: Number(total?.n ?? 0) };
}

export type HallFilter = z.output<typeof HallQuery>;

/**
 * 项目大厅: requirements in `publicStates` (or the open/opened subset), filtered, searched (Chinese
 * bigrams through the search vector; a title match when the text makes no query), sorted and paged.
 */
export async function hallPage(q: DbOrTx, f: HallFilter, publicStates: RequirementState[], now: Date) {
  const tsq = f.q ? searchQuery(f.q) : undefined;
  const where = and(
    f.status === 'opened'
      ? and(eq(requirements.state, 'open'), sql`${requirements.openingAt} <= ${now.toISOString()}::timestamptz`)
      : f.status === 'open'
        ? and(eq(requirements.state, 'open'), or(sql`${requirements.openingAt} is null`, sql`${requirements.openingAt} > ${now.toISOString()}::timestamptz`))
        : inArray(requirements.state, publicStates),
    f.mode ? eq(requirements.mode, f.mode) : undefined,
    f.category ? categoryMatches(requirements.categoryCode, f.category) : undefined,
    f.region ? sql`${requirements.regionCode} like ${`${f.region}%`}` : undefined,
    f.budgetMinFen !== undefined ? gte(requirements.budgetMaxFen, f.budgetMinFen) : undefined,
    f.budgetMaxFen !== undefined ? lte(requirements.budgetMinFen, f.budgetMaxFen) : undefined,
    tsq ? sql`${requirements.searchVector} @@ to_tsquery('simple', ${tsq})` : f.q ? ilike(requirements.title, containsPattern(f.q)) : undefined,
  );
  const order =
    f.sort === 'opening'
      ? [sql`${requirements.openingAt} asc nulls last`, desc(requirements.submittedAt)]
      : f.sort === 'budget_desc'
        ? [desc(requirements.budgetMaxFen), desc(requirements.submittedAt)]
        : f.sort === 'budget_asc'
          ? [asc(requirements.budgetMinFen), desc(requirements.submittedAt)]
          : f.sort === 'relevance' && tsq
            ? [sql`ts_rank(${requirements.searchVector}, to_tsquery('simple', ${tsq})) desc`, desc(requirements.submittedAt)]
            : [desc(requirements.reviewedAt), desc(requirements.id)];
  return pageRequirements(q, where, [...order, desc(requirements.id)], f);
}

/**
 * 我的项目: one page of the organisation's requirements (in `states`/`mode` when given), newest change
 * first, and the count of every (state, mode) it has.
 */
export async function requirementsOfOrganisation(
  q: DbOrTx,
  organisationId: string,
  filter: { states?: RequirementState[]; mode?: RequirementRow['mode'] },
  page: ListPage,
) {
  const mine = eq(requirements.organisationId, organisationId);
  const where = filter.states ? and(mine, inArray(requirements.state, filter.states), filter.mode ? eq(requirements.mode, filter.mode) : undefined) : mine;
  const [list, groups] = await Promise.all([
    pageRequirements(q, where, [desc(requirements.updatedAt), desc(requirements.id)], page),
    q.select({ state: requirements.state, mode: requirements.mode, n: count() }).from(requirements).where(mine).groupBy(requirements.state, requirements.mode),
  ]);
  return { ...list, groups };
}

/** The operators' list: pending review first (oldest submission first), then newest; by state and text. */
export async function adminRequirementsPage(q: DbOrTx, f: { state?: RequirementState; q?: string } & ListPage) {
  const where = and(
    f.state ? eq(requirements.state, f.state) : undefined,
    f.q
      ? or(
          ilike(requirements.title, containsPattern(f.q)),
          ilike(requirements.requirementNo, containsPattern(f.q)),
          ilike(requirements.invoiceName, containsPattern(f.q)),
        )
      : undefined,
  );
  return pageRequirements(
    q,
    where,
    [
      sql`case when ${requirements.state} = 'pending_review' then 0 else 1 end`,
      asc(requirements.submittedAt),
      desc(requirements.createdAt),
      desc(requirements.id),
    ],
    f,
  );
}

/** The enterprise's open invitation requirements whose delivery date is not past (`today`, YYYY-MM-DD). */
export async function invitableRequirements(q: DbOrTx, organisationId: string, today: string) {
  return q
    .select({ id: requirements.id, title: requirements.title, requirementNo: requirements.requirementNo, deliveryDate: requirements.deliveryDate })
    .from(requirements)
    .where(
      and(
        eq(requirements.organisationId, organisationId),
        eq(requirements.mode, 'invitation'),
        eq(requirements.state, 'open'),
        sql`${requirements.deliveryDate} >= ${today}`,
      ),
    )
    .orderBy(desc(requirements.updatedAt));
}

// ── reads the bidding room (rooms context) asks for through room-reads.service.ts ────────────

/** Whether the provider has a proposal (not withdrawn) or an invitation (not cancelled) for the requirement. */
export async function isProviderOfRequirement(q: DbOrTx, requirementId: string, orgId: string): Promise<boolean> {
  const [bid] = await q
    .select({ id: proposals.id })
    .from(proposals)
    .where(and(eq(proposals.requirementId, requirementId), eq(proposals.providerId, orgId), ne(proposals.status, 'withdrawn')))
    .limit(1);
  if (bid) return true;
  const [inv] = await q
    .select({ id: invitations.id })
    .from(invitations)
    .where(and(eq(invitations.requirementId, requirementId), eq(invitations.providerId, orgId), ne(invitations.status, 'cancelled')))
    .limit(1);
  return Boolean(inv);
}

/** The provider's latest proposal on a requirement that is not withdrawn. */
export async function findLatestStandingProposalOf(q: DbOrTx, requirementId: string, providerId: string): Promise<ProposalRow | undefined> {
  const [row] = await q
    .select()
    .from(proposals)
    .where(and(eq(proposals.requirementId, requirementId), eq(proposals.providerId, providerId), ne(proposals.status, 'withdrawn')))
    .orderBy(desc(proposals.updatedAt))
    .limit(1);
  return row;
}

/** Requirements approved into the hall at or after `since` (whatever became of them since; rejected ones never count). */
export async function countPublishedSince(q: DbOrTx, since: Date): Promise<number> {
  const [row] = await q
    .select({ n: count() })
    .from(requirements)
    .where(and(gte(requirements.reviewedAt, since), sql`${requirements.state} not in ('draft', 'pending_review', 'rejected')`));
  return Number(row?.n ?? 0);
}
