import { afterAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import { ManualClock } from './clock';
import { LocalDeadlineTimer, RedisDeadlineTimer, type DeadlineTimer } from './deadline-timer';

const redisUrl = process.env.REDIS_URL;
const redis = redisUrl ? new Redis(redisUrl, { maxRetriesPerRequest: 1 }) : undefined;
afterAll(() => redis?.disconnect());

/** Two timers that share their store (two nodes), on one clock. */
const stores = [
  [
    'in-process',
    (clock: ManualClock) => {
      const t = new LocalDeadlineTimer(clock, { log: () => {} });
      return [t, t] as [DeadlineTimer, DeadlineTimer];
    },
  ],
  ...(redis
    ? [
        [
          'redis',
          (clock: ManualClock) => {
            const key = `t-deadlines-${randomUUID()}`;
            return [new RedisDeadlineTimer(redis, clock, { key, log: () => {} }), new RedisDeadlineTimer(redis, clock, { key, log: () => {} })] as [
              DeadlineTimer,
              DeadlineTimer,
            ];
          },
        ] as const,
      ]
    : []),
] as const;

describe.each(stores)('deadline timer (%s)', (_, make) => {
  it('wakes a key once, at its deadline and not before, on exactly one of two nodes', async () => {
    const clock = new ManualClock(new Date('2026-11-23T02:00:00Z'));
    const [a, b] = make(clock);
    const ran: string[] = [];
    a.on('round', async (id) => void ran.push(`a:${id}`));
    b.on('round', async (id) => void ran.push(`b:${id}`));
    await a.schedule('round:r1', new Date('2026-11-23T02:10:00Z'));
    await Promise.all([a.runDue(), b.runDue()]);
    expect(ran).toEqual([]);
    clock.advance(10 * 60_000);
    await Promise.all([a.runDue(), b.runDue(), a.runDue(), b.runDue()]);
    expect(ran.map((r) => r.slice(2))).toEqual(['r1']);
    await Promise.all([a.runDue(), b.runDue()]);
    expect(ran).toHaveLength(1);
  });

  it('moves a deadline later when it is scheduled again (anti-sniping extensions)', async () => {
    const clock = new ManualClock(new Date('2026-11-23T02:00:00Z'));
    const [a] = make(clock);
    const ran: string[] = [];
    a.on('round', async (id) => void ran.push(id));
    await a.schedule('round:r2', new Date('2026-11-23T02:10:00Z'));
    await a.schedule('round:r2', new Date('2026-11-23T02:12:00Z'));
    clock.advance(11 * 60_000);
    await a.runDue();
    expect(ran).toEqual([]);
    clock.advance(60_000);
    await a.runDue();
    expect(ran).toEqual(['r2']);
  });

  it('tries a failing handler again a second later', async () => {
    const clock = new ManualClock(new Date('2026-11-23T02:00:00Z'));
    const [a] = make(clock);
    let calls = 0;
    a.on('job', async () => {
      calls++;
      if (calls === 1) throw new Error('database restarting');
    });
    await a.schedule('job:x', clock.now());
    await a.runDue();
    await a.runDue();
    expect(calls).toBe(1);
    clock.advance(1000);
    await a.runDue();
    expect(calls).toBe(2);
  });

  it('polls on its own once started, against the injected clock', async () => {
    const clock = new ManualClock(new Date('2026-11-23T02:00:00Z'));
    const [a] = make(clock);
    const ran: string[] = [];
    a.on('round', async (id) => void ran.push(id));
    a.start();
    try {
      await a.schedule('round:r3', new Date('2026-11-23T02:00:01Z'));
      await new Promise((r) => setTimeout(r, 500));
      expect(ran).toEqual([]);
      clock.advance(1000);
      await expect.poll(() => ran, { timeout: 3000 }).toEqual(['r3']);
    } finally {
      await a.stop();
    }
  });
});
