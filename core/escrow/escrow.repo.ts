import { and, asc, count, desc, eq, inArray, isNotNull, lte, or, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client';
import {
  afterSalesCases,
  agreements,
  agreementVersions,
  caseEvents,
  milestoneEvents,
  milestones,
  reviews,
  terminations,
  type AgreementRow,
  type CaseRow,
  type MilestoneRow,
} from '../../db/schema';
import { AppError } from '../shared/app-error';
import type { CaseStatus, MilestoneStatus } from './escrow.machine';

/**
 * drizzle queries of the escrow context (agreements, milestones, after-sales, terminations, reviews);
 * no rules here. Functions take the database or the caller's transaction first.
 */

export type { AgreementRow, CaseRow, MilestoneRow };
export type TerminationRow = typeof terminations.$inferSelect;
export type ReviewRow = typeof reviews.$inferSelect;
export type MilestoneEventRow = typeof milestoneEvents.$inferSelect;
export type CaseEventRow = typeof caseEvents.$inferSelect;
export type AgreementVersionRow = typeof agreementVersions.$inferSelect;
type MilestonePatch = Partial<typeof milestones.$inferInsert>;
type AgreementPatch = Partial<typeof agreements.$inferInsert>;

const isUuid = (id: string) => /^[0-9a-f-]{36}$/i.test(id);
const OPEN_CASE: CaseStatus[] = ['open', 'responded', 'escalated'];

// ── agreements ──────────────────────────────────────────────────────────────────────────────────

/** The agreement (locked for a decision when `lock`), or NOT_FOUND. */
export async function getAgreement(q: DbOrTx, id: string, lock = false): Promise<AgreementRow> {
  if (!isUuid(id)) throw new AppError('NOT_FOUND', '协议不存在');
  const query = q.select().from(agreements).where(eq(agreements.id, id));
  const [a] = await (lock ? query.for('update') : query);
  if (!a) throw new AppError('NOT_FOUND', '协议不存在');
  return a;
}

/** The requirement's agreement that is not terminated (at most one), locked when `lock`. */
export async function liveAgreementOf(q: DbOrTx, requirementId: string, lock = false): Promise<AgreementRow | undefined> {
  const query = q
    .select()
    .from(agreements)
    .where(and(eq(agreements.requirementId, requirementId), sql`${agreements.status} <> 'terminated'`));
  const [a] = await (lock ? query.for('update') : query);
  return a;
}

export async function insertAgreement(q: DbOrTx, values: typeof agreements.$inferInsert): Promise<AgreementRow> {
  const [row] = await q.insert(agreements).values(values).returning();
  return row!;
}

export async function updateAgreement(q: DbOrTx, id: string, patch: AgreementPatch): Promise<AgreementRow> {
  const [row] = await q.update(agreements).set(patch).where(eq(agreements.id, id)).returning();
  return row!;
}

/** Stores the formal PDF unless one is already stored (it never changes once made); returns the stored one. */
export async function storePdfOnce(q: DbOrTx, id: string, pdf: Uint8Array): Promise<Uint8Array | null> {
  await q
    .update(agreements)
    .set({ pdf: pdf as Buffer })
    .where(and(eq(agreements.id, id), sql`${agreements.pdf} is null`));
  const [stored] = await q.select({ pdf: agreements.pdf }).from(agreements).where(eq(agreements.id, id));
  return stored?.pdf ?? null;
}

/** An organisation's agreements (either side), newest activity first, one page, with the total. */
export async function agreementsOfOrganisation(q: DbOrTx, organisationId: string, page: { limit: number; offset: number }) {
  const where = or(eq(agreements.enterpriseId, organisationId), eq(agreements.providerId, organisationId));
  const [rows, [total]] = await Promise.all([
    q.select().from(agreements).where(where).orderBy(desc(agreements.updatedAt), desc(agreements.id)).limit(page.limit).offset(page.offset),
    q.select({ n: count() }).from(agreements).where(where),
  ]);
  return { rows, total: Number(total?.n ?? 0) };
}

export async function agreementVersionsOf(q: DbOrTx, agreementId: string): Promise<AgreementVersionRow[]> {
  return q.select().from(agreementVersions).where(eq(agreementVersions.agreementId, agreementId)).orderBy(asc(agreementVersions.version));
}

export async function insertAgreementVersion(q: DbOrTx, values: typeof agreementVersions.$inferInsert) {
  await q.insert(agreementVersions).values(values);
}

export async function markVersionReturned(q: DbOrTx, agreementId: string, version: number, comment: string, at: Date) {
  await q
    .update(agreementVersions)
    .set({ returnComment: comment, returnedAt: at })
    .where(and(eq(agreementVersions.agreementId, agreementId), eq(agreementVersions.version, version)));
}

// ── milestones ──────────────────────────────────────────────────────────────────────────────────

/** The agreement's milestones in order (locked when `lock`: always after the agreement). */
export async function milestonesOf(q: DbOrTx, agreementId: string, lock = false): Promise<MilestoneRow[]> {
  const query = q.select().from(milestones).where(eq(milestones.agreementId, agreementId)).orderBy(asc(milestones.seq));
  return lock ? query.for('update') : query;
}

export async function milestonesOfAgreements(q: DbOrTx, agreementIds: string[]): Promise<MilestoneRow[]> {
  if (!agreementIds.length) return [];
  return q.select().from(milestones).where(inArray(milestones.agreementId, agreementIds));
}

export async function getMilestone(q: DbOrTx, id: string, lock = false): Promise<MilestoneRow | undefined> {
  if (!isUuid(id)) return undefined;
  const query = q.select().from(milestones).where(eq(milestones.id, id));
  const [m] = await (lock ? query.for('update') : query);
  return m;
}

/** Replaces the agreement's milestones (drafts only). */
export async function replaceMilestones(q: DbOrTx, agreementId: string, list: Omit<typeof milestones.$inferInsert, 'agreementId'>[]) {
  await q.delete(milestones).where(eq(milestones.agreementId, agreementId));
  await q.insert(milestones).values(list.map((m) => ({ ...m, agreementId })));
}

/** Moves the milestone to `to` only if it is still where the caller saw it; undefined if it moved meanwhile. */
export async function moveMilestone(q: DbOrTx, m: Pick<MilestoneRow, 'id' | 'status'>, to: MilestoneStatus, patch: MilestonePatch = {}) {
  const [row] = await q
    .update(milestones)
    .set({ ...patch, status: to })
    .where(and(eq(milestones.id, m.id), eq(milestones.status, m.status)))
    .returning();
  return row;
}

export async function updateMilestone(q: DbOrTx, id: string, patch: MilestonePatch): Promise<MilestoneRow> {
  const [row] = await q.update(milestones).set(patch).where(eq(milestones.id, id)).returning();
  return row!;
}

/** Milestones never funded end as settled when the agreement is terminated. */
export async function settleUnfunded(q: DbOrTx, agreementId: string) {
  await q
    .update(milestones)
    .set({ status: 'refunded' })
    .where(and(eq(milestones.agreementId, agreementId), eq(milestones.status, 'unfunded')));
}

/** Marks a delivered milestone past its auto-acceptance time accepted (once, whoever runs it); undefined otherwise. */
export async function autoAcceptIfDue(q: DbOrTx, milestoneId: string, now: Date) {
  const [m] = await q
    .update(milestones)
    .set({ status: 'accepted', acceptedAt: now, autoAccepted: 1 })
    .where(and(eq(milestones.id, milestoneId), eq(milestones.status, 'delivered'), isNotNull(milestones.autoAcceptAt), lte(milestones.autoAcceptAt, now)))
    .returning();
  return m;
}

/** Delivered milestones (all, or those whose `field` time has come). */
export async function deliveredMilestones(q: DbOrTx, due?: { field: 'reminderDueAt' | 'autoAcceptAt'; now: Date }) {
  const where = due ? and(eq(milestones.status, 'delivered'), lte(milestones[due.field], due.now)) : eq(milestones.status, 'delivered');
  return q
    .select()
    .from(milestones)
    .where(where)
    .orderBy(asc(due ? milestones[due.field] : milestones.deliveredAt));
}

export async function deliveredMilestone(q: DbOrTx, id: string): Promise<MilestoneRow | undefined> {
  const [m] = await q
    .select()
    .from(milestones)
    .where(and(eq(milestones.id, id), eq(milestones.status, 'delivered')));
  return m;
}

export async function agreementsByIds(q: DbOrTx, ids: string[]): Promise<AgreementRow[]> {
  if (!ids.length) return [];
  return q.select().from(agreements).where(inArray(agreements.id, ids));
}

export async function insertMilestoneEvent(q: DbOrTx, values: typeof milestoneEvents.$inferInsert) {
  await q.insert(milestoneEvents).values(values);
}

export async function milestoneEventsOf(q: DbOrTx, milestoneIds: string[]): Promise<MilestoneEventRow[]> {
  if (!milestoneIds.length) return [];
  return q.select().from(milestoneEvents).where(inArray(milestoneEvents.milestoneId, milestoneIds)).orderBy(asc(milestoneEvents.createdAt));
}

/** What the escrow account must hold: Σ (funded − released − refunded) over every milestone. */
export async function heldInEscrowFen(q: DbOrTx): Promise<number> {
  const [sum] = await q
    .select({ held: sql<string>`coalesce(sum(${milestones.fundedFen} - ${milestones.releasedFen} - ${milestones.refundedFen}), 0)` })
    .from(milestones);
  return Number(sum?.held ?? 0);
}

// ── after-sales ─────────────────────────────────────────────────────────────────────────────────

export async function getCase(q: DbOrTx, id: string, lock = false): Promise<CaseRow> {
  if (!isUuid(id)) throw new AppError('NOT_FOUND', '售后不存在');
  const query = q.select().from(afterSalesCases).where(eq(afterSalesCases.id, id));
  const [c] = await (lock ? query.for('update') : query);
  if (!c) throw new AppError('NOT_FOUND', '售后不存在');
  return c;
}

/** The agreement's case still being handled (open, responded or escalated), if any. */
export async function openCaseOf(q: DbOrTx, agreementId: string): Promise<CaseRow | undefined> {
  const [c] = await q
    .select()
    .from(afterSalesCases)
    .where(and(eq(afterSalesCases.agreementId, agreementId), inArray(afterSalesCases.status, OPEN_CASE)));
  return c;
}

/** Which of these agreements have a case still being handled (one query for a page of agreements). */
export async function agreementsWithOpenCase(q: DbOrTx, agreementIds: string[]): Promise<Set<string>> {
  if (!agreementIds.length) return new Set();
  const rows = await q
    .selectDistinct({ id: afterSalesCases.agreementId })
    .from(afterSalesCases)
    .where(and(inArray(afterSalesCases.agreementId, agreementIds), inArray(afterSalesCases.status, OPEN_CASE)));
  return new Set(rows.map((r) => r.id));
}

export async function casesOf(q: DbOrTx, agreementId: string): Promise<CaseRow[]> {
  return q.select().from(afterSalesCases).where(eq(afterSalesCases.agreementId, agreementId)).orderBy(desc(afterSalesCases.createdAt));
}

export async function insertCase(q: DbOrTx, values: typeof afterSalesCases.$inferInsert): Promise<CaseRow> {
  const [c] = await q.insert(afterSalesCases).values(values).returning();
  return c!;
}

export async function updateCase(q: DbOrTx, id: string, patch: Partial<typeof afterSalesCases.$inferInsert>) {
  await q.update(afterSalesCases).set(patch).where(eq(afterSalesCases.id, id));
}

export async function insertCaseEvent(q: DbOrTx, values: typeof caseEvents.$inferInsert) {
  await q.insert(caseEvents).values(values);
}

export async function caseEventsOf(q: DbOrTx, caseId: string): Promise<CaseEventRow[]> {
  return q.select().from(caseEvents).where(eq(caseEvents.caseId, caseId)).orderBy(asc(caseEvents.createdAt));
}

/** Cases still being handled, escalated ones first, then oldest first, with their agreement's number. */
export async function openCasesQueue(q: DbOrTx) {
  return q
    .select({ c: afterSalesCases, agreementNo: agreements.agreementNo })
    .from(afterSalesCases)
    .innerJoin(agreements, eq(agreements.id, afterSalesCases.agreementId))
    .where(inArray(afterSalesCases.status, OPEN_CASE))
    .orderBy(sql`case when ${afterSalesCases.status} = 'escalated' then 0 else 1 end`, asc(afterSalesCases.createdAt));
}

/** The agreement a delivery (milestone) or after-sales attachment belongs to. */
export async function agreementIdOfSubject(q: DbOrTx, purpose: 'milestone' | 'after_sales', subjectId: string): Promise<string | undefined> {
  if (!isUuid(subjectId)) return undefined;
  if (purpose === 'milestone') return (await q.select({ id: milestones.agreementId }).from(milestones).where(eq(milestones.id, subjectId)))[0]?.id;
  return (await q.select({ id: afterSalesCases.agreementId }).from(afterSalesCases).where(eq(afterSalesCases.id, subjectId)))[0]?.id;
}

// ── termination ─────────────────────────────────────────────────────────────────────────────────

export async function latestTermination(q: DbOrTx, agreementId: string): Promise<TerminationRow | undefined> {
  const [t] = await q.select().from(terminations).where(eq(terminations.agreementId, agreementId)).orderBy(desc(terminations.createdAt)).limit(1);
  return t;
}

/** The termination proposal waiting for an answer, if any (locked when `lock`). */
export async function proposedTermination(q: DbOrTx, agreementId: string, lock = false): Promise<TerminationRow | undefined> {
  const query = q
    .select()
    .from(terminations)
    .where(and(eq(terminations.agreementId, agreementId), eq(terminations.status, 'proposed')));
  const [t] = await (lock ? query.for('update') : query);
  return t;
}

export async function insertTermination(q: DbOrTx, values: typeof terminations.$inferInsert) {
  await q.insert(terminations).values(values);
}

export async function answerTermination(q: DbOrTx, id: string, patch: Pick<TerminationRow, 'status' | 'answeredBy' | 'answeredAt'>) {
  await q.update(terminations).set(patch).where(eq(terminations.id, id));
}

// ── reviews ─────────────────────────────────────────────────────────────────────────────────────

export async function reviewsOfAgreement(q: DbOrTx, agreementId: string): Promise<ReviewRow[]> {
  return q.select().from(reviews).where(eq(reviews.agreementId, agreementId));
}

/** Inserts the review unless this organisation already reviewed the agreement (undefined then). */
export async function insertReviewOnce(q: DbOrTx, values: typeof reviews.$inferInsert): Promise<ReviewRow | undefined> {
  const [row] = await q.insert(reviews).values(values).onConflictDoNothing().returning();
  return row;
}

export async function getReview(q: DbOrTx, id: string): Promise<ReviewRow | undefined> {
  if (!isUuid(id)) return undefined;
  const [r] = await q.select().from(reviews).where(eq(reviews.id, id));
  return r;
}

/** Stores the reply unless one is stored already (undefined then). */
export async function replyOnce(q: DbOrTx, id: string, reply: string, at: Date): Promise<ReviewRow | undefined> {
  const [row] = await q
    .update(reviews)
    .set({ reply, repliedAt: at })
    .where(and(eq(reviews.id, id), sql`${reviews.reply} is null`))
    .returning();
  return row;
}

/** The number of reviews of an organisation and its averages per criterion (0 when none). */
export async function reviewAverages(q: DbOrTx, revieweeOrgId: string) {
  const [agg] = await q
    .select({
      n: count(),
      quality: sql<number>`coalesce(avg(${reviews.quality}), 0)::float`,
      timeliness: sql<number>`coalesce(avg(${reviews.timeliness}), 0)::float`,
      communication: sql<number>`coalesce(avg(${reviews.communication}), 0)::float`,
      overall: sql<number | null>`avg((${reviews.quality} + ${reviews.timeliness} + ${reviews.communication}) / 3.0)::float`,
    })
    .from(reviews)
    .where(eq(reviews.revieweeOrgId, revieweeOrgId));
  return {
    n: Number(agg?.n ?? 0),
    quality: agg?.quality ?? 0,
    timeliness: agg?.timeliness ?? 0,
    communication: agg?.communication ?? 0,
    overall: agg?.overall ?? null,
  };
}

export async function latestReviewsOf(q: DbOrTx, revieweeOrgId: string, limit: number): Promise<ReviewRow[]> {
  return q.select().from(reviews).where(eq(reviews.revieweeOrgId, revieweeOrgId)).orderBy(desc(reviews.createdAt)).limit(limit);
}
