import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { openTestDb } from '../../db/test/test-db';
import type { DbHandle } from '../../db/client';
import { jobs } from '../../db/schema';
import { ManualClock, MINUTE } from '../shared/clock';
import { captureLogs, createLogger } from '../shared/logger';
import { backoffDelay, createJobQueue, type JobQueue } from './jobs.service';

const SECOND_MS = 1000;
/** Most tests fail jobs on purpose; their log lines are not what they check. */
const quiet = createLogger({ destination: { write: () => {} } });

let h: DbHandle;
let clock: ManualClock;
const queues: JobQueue[] = [];
const queue = (o: Partial<Parameters<typeof createJobQueue>[0]> = {}) => {
  const q = createJobQueue({ db: h.db, clock, log: quiet, backoffMs: 10 * SECOND_MS, maxBackoffMs: 5 * MINUTE, stopGraceMs: 200, ...o });
  queues.push(q);
  return q;
};

beforeAll(async () => {
  h = await openTestDb();
});
afterAll(async () => {
  for (const q of queues) await q.stop();
  await h.close();
});
beforeEach(async () => {
  for (const q of queues.splice(0)) await q.stop();
  await h.db.delete(jobs);
  clock = new ManualClock();
});

describe('job queue', () => {
  it('runs a job when its time comes, not before, and marks it done', async () => {
    const q = queue();
    const ran: string[] = [];
    q.on('t.run', async (j) => void ran.push(j.key));
    await q.schedule(h.db, { kind: 't.run', key: 'a', runAt: new Date(clock.now().getTime() + MINUTE), payload: { x: 1 } });
    expect(await q.runDue()).toBe(0);
    clock.advance(MINUTE);
    expect(await q.runDue()).toBe(1);
    expect(ran).toEqual(['a']);
    const row = await q.find('t.run', 'a');
    expect(row).toMatchObject({ status: 'done', attempts: 1, lockedBy: null, payload: { x: 1 } });
  });

  it('scheduling the same kind and key again moves the job instead of adding one', async () => {
    const q = queue();
    q.on('t.move', async () => {});
    await q.schedule(h.db, { kind: 't.move', key: 'k', runAt: new Date(clock.now().getTime() + MINUTE) });
    await q.schedule(h.db, { kind: 't.move', key: 'k', runAt: new Date(clock.now().getTime() + 10 * MINUTE) });
    const [{ n }] = (await h.db.select({ n: sql<number>`count(*)::int` }).from(jobs)) as [{ n: number }];
    expect(n).toBe(1);
    clock.advance(MINUTE);
    expect(await q.runDue()).toBe(0);
    clock.advance(9 * MINUTE);
    expect(await q.runDue()).toBe(1);
  });

  it('is scheduled in the caller transaction: a rollback leaves no job', async () => {
    const q = queue();
    await h.db
      .transaction(async (tx) => {
        await q.schedule(tx, { kind: 't.tx', key: 'gone', runAt: clock.now() });
        throw new Error('rollback');
      })
      .catch(() => {});
    expect(await q.find('t.tx', 'gone')).toBeUndefined();
  });

  it('cancel drops a pending job', async () => {
    const q = queue();
    const ran: string[] = [];
    q.on('t.cancel', async (j) => void ran.push(j.key));
    await q.schedule(h.db, { kind: 't.cancel', key: 'c', runAt: clock.now() });
    expect(await q.cancel(h.db, 't.cancel', 'c')).toBe(true);
    expect(await q.runDue()).toBe(0);
    expect(ran).toEqual([]);
  });

  it('retries a failing job with exponential, capped backoff, keeps the last error, and fails it after its attempts', async () => {
    const q = queue();
    let calls = 0;
    q.on('t.flaky', async () => {
      calls++;
      throw new Error(`boom ${calls}`);
    });
    await q.schedule(h.db, { kind: 't.flaky', key: 'f', runAt: clock.now(), maxAttempts: 6 });
    const delays: number[] = [];
    for (let i = 1; i <= 5; i++) {
      const before = clock.now().getTime();
      await q.runDue();
      const row = (await q.find('t.flaky', 'f'))!;
      expect(row).toMatchObject({ status: 'pending', attempts: i, lastError: `boom ${i}`, lockedBy: null });
      delays.push(row.runAt.getTime() - before);
      // Not before its backoff.
      clock.advance(row.runAt.getTime() - before - 1);
      expect(await q.runDue()).toBe(0);
      clock.advance(1);
    }
    // 10 s, 20 s, 40 s, 80 s, 160 s: doubling, and the cap (5 min) below.
    expect(delays).toEqual([10, 20, 40, 80, 160].map((s) => s * SECOND_MS));
    expect(backoffDelay(10, 10 * SECOND_MS, 5 * MINUTE)).toBe(5 * MINUTE);
    await q.runDue();
    const failed = (await q.find('t.flaky', 'f'))!;
    expect(failed).toMatchObject({ status: 'failed', attempts: 6, lastError: 'boom 6' });
    clock.advance(60 * MINUTE);
    expect(await q.runDue()).toBe(0);
    expect(calls).toBe(6);
    expect((await q.stats()).byStatus.failed).toBe(1);

    // An operator's 重试: runs again with fresh attempts.
    q.on('t.flaky2', async () => {});
    await q.retry(failed.id);
    expect(await q.find('t.flaky', 'f')).toMatchObject({ status: 'pending', attempts: 0 });
    await expect(q.retry(failed.id)).rejects.toMatchObject({ code: 'JOB_NOT_FAILED' });
  });

  it("a failing job's log lines carry its id and kind: a warning while it is retried, an error once it fails for good", async () => {
    // The process logger's child, as the platform builds it: its lines are read back through captureLogs.
    const q = queue({ log: undefined });
    q.on('t.logged', async () => {
      throw new Error('gateway timeout');
    });
    const job = await q.schedule(h.db, { kind: 't.logged', key: 'l', runAt: clock.now(), maxAttempts: 2 });
    const captured = captureLogs();
    try {
      await q.runDue();
      clock.advance(10 * SECOND_MS);
      await q.runDue();
    } finally {
      captured.restore();
    }
    const entries = captured.lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((e) => e.jobId === job.id);
    expect(entries).toEqual([
      expect.objectContaining({
        level: 'warn',
        jobId: job.id,
        kind: 't.logged',
        component: 'jobs',
        key: 'l',
        attempts: 1,
        err: expect.objectContaining({ message: 'gateway timeout' }),
      }),
      expect.objectContaining({ level: 'error', jobId: job.id, kind: 't.logged', attempts: 2, msg: expect.stringContaining('for good') }),
    ]);
  });

  it('a job claimed by a node that crashed is claimed by another once the lease has expired', async () => {
    const crashed = queue({ nodeId: 'node-a', leaseMs: 2 * MINUTE });
    const survivor = queue({ nodeId: 'node-b', leaseMs: 2 * MINUTE });
    const ran: string[] = [];
    // node-a claims and never comes back: its handler hangs forever (as if the process died mid-run).
    crashed.on('t.lease', () => new Promise(() => {}));
    survivor.on('t.lease', async (j) => void ran.push(`${j.lockedBy}:${j.attempts}`));
    await crashed.schedule(h.db, { kind: 't.lease', key: 'l', runAt: clock.now() });
    void crashed.runDue();
    await waitFor(async () => (await crashed.find('t.lease', 'l'))?.status === 'running');
    expect(await crashed.find('t.lease', 'l')).toMatchObject({ lockedBy: 'node-a' });

    // Within the lease the survivor leaves it alone.
    clock.advance(MINUTE);
    expect(await survivor.runDue()).toBe(0);
    clock.advance(MINUTE + 1);
    expect(await survivor.runDue()).toBe(1);
    expect(ran).toEqual(['node-b:2']);
    expect(await survivor.find('t.lease', 'l')).toMatchObject({ status: 'done', lockedBy: null });
  });

  it('catch-up at start: what fell due while no worker ran is run by the first pass of start()', async () => {
    const q = queue({ pollMs: 60_000 });
    const ran: string[] = [];
    q.on('t.catchup', async (j) => void ran.push(j.key));
    for (const k of ['1', '2', '3']) await q.schedule(h.db, { kind: 't.catchup', key: k, runAt: clock.now() });
    await q.schedule(h.db, { kind: 't.catchup', key: 'later', runAt: new Date(clock.now().getTime() + 60 * MINUTE) });
    clock.advance(30 * MINUTE); // the node was down for half an hour
    q.start();
    await waitFor(async () => (await q.stats()).byStatus.done === 3);
    expect(ran.sort()).toEqual(['1', '2', '3']);
    expect((await q.stats()).byStatus).toMatchObject({ pending: 1, done: 3 });
  });

  it('a job rescheduled while it runs is not marked done by the old run', async () => {
    const q = queue();
    let release!: () => void;
    let runs = 0;
    q.on('t.resched', async () => {
      runs++;
      if (runs === 1) await new Promise<void>((r) => (release = r));
    });
    await q.schedule(h.db, { kind: 't.resched', key: 'r', runAt: clock.now() });
    const pass = q.runDue();
    await waitFor(async () => runs === 1);
    await q.schedule(h.db, { kind: 't.resched', key: 'r', runAt: new Date(clock.now().getTime() + MINUTE) });
    release();
    await pass;
    expect(await q.find('t.resched', 'r')).toMatchObject({ status: 'pending', attempts: 0 });
    clock.advance(MINUTE);
    await q.runDue();
    expect(runs).toBe(2);
  });

  it('stop() lets the running handler finish and gives back claimed jobs it will not run', async () => {
    const q = queue({ nodeId: 'stopper', batchSize: 5 });
    let release!: () => void;
    const ran: string[] = [];
    q.on('t.stop', async (j) => {
      if (j.key === 'a') await new Promise<void>((r) => (release = r));
      ran.push(j.key);
    });
    await q.schedule(h.db, { kind: 't.stop', key: 'a', runAt: clock.now() });
    await q.schedule(h.db, { kind: 't.stop', key: 'b', runAt: new Date(clock.now().getTime() + 1) });
    clock.advance(1);
    void q.runDue();
    await waitFor(async () => (await q.find('t.stop', 'b'))?.status === 'running');
    const stopped = q.stop();
    release();
    await stopped;
    expect(ran).toEqual(['a']);
    expect(await q.find('t.stop', 'a')).toMatchObject({ status: 'done' });
    // b was claimed in the same batch but never started: back to pending, its attempt returned.
    expect(await q.find('t.stop', 'b')).toMatchObject({ status: 'pending', attempts: 0, lockedBy: null });
  });

  it('stats: queue depth by status, age of the oldest due job and the outbox lag', async () => {
    const q = queue();
    await q.schedule(h.db, { kind: 't.stats', key: 's', runAt: clock.now() });
    await q.enqueue(h.db, 'test', { hello: 1 });
    clock.advance(90 * SECOND_MS);
    const s = await q.stats();
    expect(s.byStatus.pending).toBe(2);
    expect(s.oldestDueAgeMs).toBe(90 * SECOND_MS);
    expect(s.outboxLagMs).toBe(90 * SECOND_MS);
  });
});

describe.runIf(process.env.DATABASE_URL)('job queue on PostgreSQL: concurrency', () => {
  it('two workers never run the same job at once, and every job runs once', async () => {
    const h2 = await openSecondHandle();
    try {
      const a = queue({ nodeId: 'a', batchSize: 3 });
      const b = createJobQueue({ db: h2.db, clock, nodeId: 'b', log: quiet, batchSize: 3 });
      queues.push(b);
      const active = new Set<string>();
      const runs = new Map<string, number>();
      let overlap = 0;
      const handler = async (j: { key: string }) => {
        if (active.has(j.key)) overlap++;
        active.add(j.key);
        runs.set(j.key, (runs.get(j.key) ?? 0) + 1);
        await new Promise((r) => setTimeout(r, 5));
        active.delete(j.key);
      };
      a.on('t.race', handler);
      b.on('t.race', handler);
      for (let i = 0; i < 40; i++) await a.schedule(h.db, { kind: 't.race', key: String(i), runAt: clock.now() });
      const [ra, rb] = await Promise.all([a.runDue(), b.runDue()]);
      expect(ra + rb).toBe(40);
      expect(ra).toBeGreaterThan(0);
      expect(rb).toBeGreaterThan(0);
      expect(overlap).toBe(0);
      expect([...runs.values()].every((n) => n === 1)).toBe(true);
      expect(runs.size).toBe(40);
    } finally {
      await h2.close();
    }
  });
});

/** A second connection pool onto the same PostgreSQL database (another node). */
async function openSecondHandle() {
  const { openDb } = await import('../../db/client');
  return openDb({ databaseUrl: (h as DbHandle & { url: string }).url, max: 4 });
}

async function waitFor(cond: () => Promise<boolean>, ms = 5000) {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
}
