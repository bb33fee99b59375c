import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Db, DbOrTx } from '../../db/client';
import { AppError } from '../shared/app-error';
import { DAY, MINUTE, type Clock } from '../shared/clock';
import * as repo from './jobs.repo';
import { z } from 'zod';
import { requireOperator, type Actor } from '../shared/actor';
import { parseInput } from '../shared/validate';
import { JobListQuery, toJobView } from './jobs.schema';
import { logger, type Logger } from '../shared/logger';

/** What a handler gets: the row as claimed (attempts already counts this run). */
export type JobHandler = (job: repo.JobRow) => Promise<void>;

export interface ScheduleJob {
  kind: string;
  /** Unique per kind (usually the id of the thing the deadline belongs to): scheduling it again moves it. */
  key: string;
  runAt: Date;
  payload?: unknown;
  /** After this many failed runs the job is `failed` and waits for an operator's 重试 (default 10). */
  maxAttempts?: number;
}

/** Outbox rows are jobs of kind `outbox:<topic>`: delivered at least once, each consumer idempotent. */
export const OUTBOX_PREFIX = 'outbox:';

export interface JobQueueOptions {
  db: Db;
  clock: Clock;
  /** This node's name in locked_by (default host:pid:random). */
  nodeId?: string;
  /** The worker's logger (default: the process logger); each job's lines go through a child bound to its id and kind. */
  log?: Logger;
  /** How long a claim is held before another node may take the job over (renewed while a handler runs). */
  leaseMs?: number;
  /** Polling interval of the worker loop (real time). */
  pollMs?: number;
  /** Backoff of the first retry, doubled each further attempt up to `maxBackoffMs`. */
  backoffMs?: number;
  maxBackoffMs?: number;
  /** Jobs claimed per round trip. */
  batchSize?: number;
  /** How long `stop()` waits for a running handler before giving its lease back. */
  stopGraceMs?: number;
  /** How long finished rows are kept for operators. */
  keepDoneMs?: number;
}

/** The delay before retry number `attempts` (1 = after the first failure): exponential, capped. */
export function backoffDelay(attempts: number, baseMs = 5_000, capMs = 30 * MINUTE) {
  return Math.min(capMs, baseMs * 2 ** Math.max(0, attempts - 1));
}

/**
 * The job queue: a table of timed work and outbox rows, and one worker loop per node. Work is
 * scheduled inside the caller's transaction (a deadline commits with the state that needs it); the
 * worker claims due rows with a lease, runs the handler outside the claim (handlers are idempotent
 * conditional updates: a job may run twice, or after its state moved on, and must then do nothing),
 * and marks it done, or retries it with backoff until it fails for good and waits for an operator.
 * Times are the injected clock's, never the database's now(), so tests can move time.
 */
export function createJobQueue(opts: JobQueueOptions) {
  const { db, clock } = opts;
  const node = opts.nodeId ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const log = opts.log ?? logger.child({ component: 'jobs' });
  const jobLog = (job: repo.JobRow) => log.child({ jobId: job.id, kind: job.kind });
  const leaseMs = opts.leaseMs ?? 2 * MINUTE;
  const batchSize = opts.batchSize ?? 20;
  const handlers = new Map<string, JobHandler>();
  let poll: ReturnType<typeof setInterval> | undefined;
  let running: Promise<number> | undefined;
  let again = false;
  let stopping = false;
  /** Jobs this node holds right now, so stop() can give back what it will not finish. */
  const claimed = new Map<string, repo.JobRow>();
  let lastPurge = 0;
  const failures = { total: 0, failedForGood: 0 };

  async function runOne(job: repo.JobRow) {
    const handler = handlers.get(job.kind);
    const jlog = jobLog(job);
    // Long handlers keep their claim; a crashed node stops renewing and the lease runs out.
    const renew = setInterval(() => void repo.extendLease(db, job, new Date(clock.now().getTime() + leaseMs)).catch(() => {}), Math.max(1000, leaseMs / 3));
    renew.unref?.();
    try {
      if (!handler) throw new Error(`no handler for job kind ${job.kind}`);
      await handler(job);
      await repo.markDone(db, job, clock.now());
    } catch (e) {
      const message = (e as Error)?.message ?? String(e);
      failures.total++;
      const retry = job.attempts < job.maxAttempts;
      if (!retry) failures.failedForGood++;
      const retryAt = retry ? new Date(clock.now().getTime() + backoffDelay(job.attempts, opts.backoffMs, opts.maxBackoffMs)) : null;
      // A failure that will be retried is a warning; one that waits for an operator is an error.
      jlog[retry ? 'warn' : 'error'](
        { key: job.key, attempts: job.attempts, maxAttempts: job.maxAttempts, retryAt, err: e },
        `job failed${retry ? '' : ' for good'}: ${message}`,
      );
      await repo
        .markFailed(db, job, clock.now(), message.slice(0, 2000), retryAt)
        .catch((err) => jlog.error({ err }, `could not record the job's failure: ${(err as Error).message}`));
    } finally {
      clearInterval(renew);
      claimed.delete(job.id);
    }
  }

  async function pass(): Promise<number> {
    let ran = 0;
    // Drain what is due now (catch-up after a restart may be many rows), one batch per round trip.
    for (let round = 0; round < 50 && !stopping; round++) {
      const batch = await repo.claimDue(db, { node, now: clock.now(), leaseMs, limit: batchSize });
      if (!batch.length) break;
      for (const j of batch) claimed.set(j.id, j);
      for (const j of batch) {
        if (stopping) break;
        await runOne(j);
        ran++;
      }
      if (batch.length < batchSize) break;
    }
    const now = clock.now().getTime();
    if (now - lastPurge > 10 * MINUTE) {
      lastPurge = now;
      await repo.purgeDone(db, new Date(now - (opts.keepDoneMs ?? 7 * DAY))).catch(() => 0);
    }
    return ran;
  }

  const queue = {
    nodeId: node,

    /** Registers the handler of one kind (one per kind; a context registers its own). */
    on(kind: string, handler: JobHandler) {
      if (handlers.has(kind)) throw new Error(`job kind ${kind} already has a handler`);
      handlers.set(kind, handler);
    },

    /** Schedules (or moves) a job, in the caller's transaction when `q` is one. */
    async schedule(q: DbOrTx, job: ScheduleJob) {
      return repo.upsertJob(q, { ...job, now: clock.now() });
    },

    /** Drops a job that has not run yet; true when there was one. */
    async cancel(q: DbOrTx, kind: string, key: string) {
      return repo.deletePending(q, kind, key);
    },

    /**
     * Writes an outbox row (kind `outbox:<topic>`) in the caller's transaction: the side effect happens
     * at least once after commit. `key` makes it idempotent to enqueue (default: a fresh id).
     */
    async enqueue(q: DbOrTx, topic: string, payload: unknown, key: string = randomUUID()) {
      return repo.upsertJob(q, { kind: `${OUTBOX_PREFIX}${topic}`, key, runAt: clock.now(), payload, now: clock.now() });
    },

    /**
     * Runs one job now if it is due and nobody holds it (after commit, so an outbox row is delivered
     * without waiting for the next poll). Never throws: a failure is recorded on the row and retried.
     */
    async runNow(id: string) {
      if (stopping) return false;
      const [job] = await repo.claimDue(db, { node, now: clock.now(), leaseMs, limit: 1, id });
      if (!job) return false;
      claimed.set(job.id, job);
      await runOne(job);
      return true;
    },

    /** Runs every due job now: the worker's tick, the catch-up at start, and tests after moving the clock. */
    runDue(): Promise<number> {
      if (running) {
        // A pass is under way: make sure another follows, for work that became due meanwhile.
        again = true;
        return running;
      }
      running = (async () => {
        let total = 0;
        do {
          again = false;
          total += await pass();
        } while (again && !stopping);
        return total;
      })().finally(() => (running = undefined));
      return running;
    },

    /** Asks the worker for a pass soon (after a commit that wrote due work). */
    wake() {
      if (poll && !stopping) void queue.runDue().catch((err) => log.warn({ err }, `job pass failed: ${(err as Error).message}`));
    },

    /** Starts this node's worker loop; the first pass is the catch-up of whatever fell due while it was down. */
    start() {
      if (poll) return;
      stopping = false;
      const tick = () => void queue.runDue().catch((err) => log.warn({ err }, `job pass failed: ${(err as Error).message}`));
      poll = setInterval(tick, opts.pollMs ?? 1000);
      poll.unref?.();
      tick();
    },

    /**
     * Graceful stop: no new claims; the running handler may finish within the grace period; every
     * job this node still holds afterwards is given back so another node runs it at once.
     */
    async stop() {
      stopping = true;
      clearInterval(poll);
      poll = undefined;
      const current = running;
      if (current) {
        let timer: ReturnType<typeof setTimeout> | undefined;
        await Promise.race([current.catch(() => 0), new Promise((r) => (timer = setTimeout(r, opts.stopGraceMs ?? 10_000)))]);
        clearTimeout(timer);
      }
      for (const j of [...claimed.values()]) {
        await repo.release(db, j, clock.now()).catch((err) => jobLog(j).warn({ err }, `could not give the job back: ${(err as Error).message}`));
        claimed.delete(j.id);
      }
    },

    /** An operator's 重试 of a failed job. */
    async retry(id: string) {
      const row = await repo.retryFailed(db, id, clock.now());
      if (!row) {
        const existing = await repo.getJob(db, id);
        if (!existing) throw new AppError('NOT_FOUND', '任务不存在');
        throw new AppError('JOB_NOT_FAILED', '只有失败的任务可以重试');
      }
      queue.wake();
      return row;
    },

    find: (kind: string, key: string) => repo.findJob(db, kind, key),

    async list(query: JobListQuery) {
      const { items, total } = await repo.listJobs(db, {
        status: query.status,
        kind: query.kind,
        limit: query.pageSize,
        offset: (query.page - 1) * query.pageSize,
      });
      return { items, total, page: query.page, pageSize: query.pageSize, kinds: await repo.listKinds(db) };
    },

    /**
     * Numbers for operations: rows by status, how late the oldest due job is, failures since this
     * node started and failed rows waiting for an operator, and the outbox lag (how long the oldest
     * undelivered outbox row has been due).
     */
    async stats() {
      const now = clock.now();
      const byStatus = { pending: 0, running: 0, done: 0, failed: 0 };
      for (const r of await repo.countByStatus(db)) byStatus[r.status] = r.n;
      const oldest = await repo.oldestDue(db, now);
      const oldestOutbox = await repo.oldestDue(db, now, OUTBOX_PREFIX);
      return {
        byStatus,
        oldestDueAgeMs: oldest ? Math.max(0, now.getTime() - oldest.getTime()) : 0,
        outboxLagMs: oldestOutbox ? Math.max(0, now.getTime() - oldestOutbox.getTime()) : 0,
        failures: { ...failures, waiting: byStatus.failed },
      };
    },
  };
  return queue;
}

export type JobQueue = ReturnType<typeof createJobQueue>;

/**
 * What operators do with the queue (/admin/jobs): read it, see its numbers, retry a failed job.
 * Operators only; the payload never leaves the server (it may carry personal data).
 */
export function createJobAdminService(queue: JobQueue) {
  return {
    async list(actor: Actor | null, raw: unknown) {
      requireOperator(actor);
      const page = await queue.list(parseInput(JobListQuery, raw));
      return { ...page, items: page.items.map(toJobView) };
    },
    async stats(actor: Actor | null) {
      requireOperator(actor);
      return queue.stats();
    },
    /** Errors: NOT_FOUND, JOB_NOT_FAILED (only failed jobs are retried by hand). */
    async retry(actor: Actor | null, id: string) {
      requireOperator(actor);
      if (!z.uuid().safeParse(id).success) throw new AppError('NOT_FOUND', '任务不存在');
      return toJobView(await queue.retry(id));
    },
  };
}

export type JobAdminService = ReturnType<typeof createJobAdminService>;
