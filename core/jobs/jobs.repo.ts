import { and, asc, count, desc, eq, inArray, lt, lte, min, or, sql, type SQL } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client';
import { jobs } from '../../db/schema';

export type JobRow = typeof jobs.$inferSelect;
export type JobStatus = JobRow['status'];

export interface UpsertJob {
  kind: string;
  key: string;
  runAt: Date;
  payload?: unknown;
  maxAttempts?: number;
  now: Date;
}

/**
 * Inserts the job or moves the existing (kind, key) row: back to pending, attempts and lease cleared.
 * Clearing the lease also makes a worker still running the old instance unable to mark it done (its
 * finish is conditional on its claim), so the new run is never lost.
 */
export async function upsertJob(q: DbOrTx, j: UpsertJob) {
  const [row] = await q
    .insert(jobs)
    .values({
      kind: j.kind,
      key: j.key,
      runAt: j.runAt,
      payload: j.payload ?? null,
      maxAttempts: j.maxAttempts ?? 10,
      status: 'pending',
      createdAt: j.now,
      updatedAt: j.now,
    })
    .onConflictDoUpdate({
      target: [jobs.kind, jobs.key],
      set: {
        runAt: j.runAt,
        payload: j.payload ?? null,
        maxAttempts: j.maxAttempts ?? 10,
        status: 'pending',
        attempts: 0,
        lastError: null,
        lockedBy: null,
        lockedUntil: null,
        finishedAt: null,
        updatedAt: j.now,
      },
    })
    .returning();
  return row!;
}

/** Removes a job that has not run yet (a running one finishes; its handler sees the state moved on). */
export async function deletePending(q: DbOrTx, kind: string, key: string) {
  const rows = await q
    .delete(jobs)
    .where(and(eq(jobs.kind, kind), eq(jobs.key, key), inArray(jobs.status, ['pending', 'failed'])))
    .returning({ id: jobs.id });
  return rows.length > 0;
}

/** Due: pending and run_at reached, or claimed by a node whose lease ran out (it crashed or hung). */
const due = (now: Date, only?: SQL) =>
  and(or(and(eq(jobs.status, 'pending'), lte(jobs.runAt, now)), and(eq(jobs.status, 'running'), lt(jobs.lockedUntil, now))), only);

/**
 * Claims up to `limit` due jobs for `node` in one statement: the inner SELECT … FOR UPDATE SKIP LOCKED
 * lets concurrent workers pass over each other's rows instead of waiting or taking the same one.
 * Each claim counts as an attempt (a crash mid-run is one too).
 */
export async function claimDue(q: DbOrTx, opts: { node: string; now: Date; leaseMs: number; limit: number; id?: string; kinds?: string[] }) {
  const only = opts.id ? eq(jobs.id, opts.id) : opts.kinds ? inArray(jobs.kind, opts.kinds) : undefined;
  const ids = q.select({ id: jobs.id }).from(jobs).where(due(opts.now, only)).orderBy(asc(jobs.runAt)).limit(opts.limit).for('update', { skipLocked: true });
  const rows = await q
    .update(jobs)
    .set({
      status: 'running',
      lockedBy: opts.node,
      lockedUntil: new Date(opts.now.getTime() + opts.leaseMs),
      attempts: sql`${jobs.attempts} + 1`,
      updatedAt: opts.now,
    })
    .where(inArray(jobs.id, ids))
    .returning();
  // UPDATE … RETURNING gives no order: run them oldest deadline first.
  return rows.sort((a, b) => a.runAt.getTime() - b.runAt.getTime());
}

/** The claim a worker holds: the row is still running under its node with the attempt it claimed. */
const held = (j: Pick<JobRow, 'id' | 'lockedBy' | 'attempts'>) =>
  and(eq(jobs.id, j.id), eq(jobs.status, 'running'), eq(jobs.lockedBy, j.lockedBy!), eq(jobs.attempts, j.attempts));

export async function markDone(q: DbOrTx, j: JobRow, now: Date) {
  await q.update(jobs).set({ status: 'done', finishedAt: now, lockedBy: null, lockedUntil: null, lastError: null, updatedAt: now }).where(held(j));
}

/** A failed run: back to pending at `retryAt`, or failed for good when it has used its attempts. */
export async function markFailed(q: DbOrTx, j: JobRow, now: Date, error: string, retryAt: Date | null) {
  await q
    .update(jobs)
    .set(
      retryAt
        ? { status: 'pending', runAt: retryAt, lastError: error, lockedBy: null, lockedUntil: null, updatedAt: now }
        : { status: 'failed', finishedAt: now, lastError: error, lockedBy: null, lockedUntil: null, updatedAt: now },
    )
    .where(held(j));
}

/** Gives a claimed job back unrun (graceful stop): the attempt it took is returned with it. */
export async function release(q: DbOrTx, j: JobRow, now: Date) {
  await q
    .update(jobs)
    .set({ status: 'pending', lockedBy: null, lockedUntil: null, attempts: sql`greatest(${jobs.attempts} - 1, 0)`, updatedAt: now })
    .where(held(j));
}

export async function extendLease(q: DbOrTx, j: JobRow, until: Date) {
  await q.update(jobs).set({ lockedUntil: until }).where(held(j));
}

/** An operator's retry of a failed job: pending now, with a fresh set of attempts. */
export async function retryFailed(q: DbOrTx, id: string, now: Date) {
  const rows = await q
    .update(jobs)
    .set({ status: 'pending', runAt: now, attempts: 0, finishedAt: null, updatedAt: now })
    .where(and(eq(jobs.id, id), eq(jobs.status, 'failed')))
    .returning();
  return rows[0];
}

export async function findJob(q: DbOrTx, kind: string, key: string) {
  const [row] = await q
    .select()
    .from(jobs)
    .where(and(eq(jobs.kind, kind), eq(jobs.key, key)));
  return row;
}

export async function getJob(q: DbOrTx, id: string) {
  const [row] = await q.select().from(jobs).where(eq(jobs.id, id));
  return row;
}

export async function listJobs(q: DbOrTx, f: { status?: JobStatus; kind?: string; limit: number; offset: number }) {
  const where = and(f.status ? eq(jobs.status, f.status) : undefined, f.kind ? eq(jobs.kind, f.kind) : undefined);
  const [items, [total]] = await Promise.all([
    q.select().from(jobs).where(where).orderBy(desc(jobs.updatedAt), desc(jobs.id)).limit(f.limit).offset(f.offset),
    q.select({ n: count() }).from(jobs).where(where),
  ]);
  return { items, total: Number(total?.n ?? 0) };
}

export async function listKinds(q: DbOrTx) {
  const rows = await q.selectDistinct({ kind: jobs.kind }).from(jobs).orderBy(asc(jobs.kind));
  return rows.map((r) => r.kind);
}

export async function countByStatus(q: DbOrTx) {
  const rows = await q.select({ status: jobs.status, n: count() }).from(jobs).groupBy(jobs.status);
  return rows.map((r) => ({ status: r.status, n: Number(r.n) }));
}

/** The run_at of the oldest due job (pending past its time, or a lapsed lease), optionally of the outbox only. */
export async function oldestDue(q: DbOrTx, now: Date, kindPrefix?: string) {
  const [row] = await q
    .select({ at: min(jobs.runAt) })
    .from(jobs)
    .where(due(now, kindPrefix ? sql`${jobs.kind} like ${`${kindPrefix}%`}` : undefined));
  return row?.at ? new Date(row.at) : null;
}

/** Done rows are history only: kept a while for operators, then removed so the table stays small. */
export async function purgeDone(q: DbOrTx, before: Date) {
  const rows = await q
    .delete(jobs)
    .where(and(eq(jobs.status, 'done'), lt(jobs.finishedAt, before)))
    .returning({ id: jobs.id });
  return rows.length;
}
