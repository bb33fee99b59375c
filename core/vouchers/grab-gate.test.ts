import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { SoldOutFlags, type GrabGate } from './grab-gate';
import { createMemoryGrabGate } from './grab-gate.memory';
import { createRedisGrabGate } from './grab-gate.redis';

const redisUrl = process.env.REDIS_URL;
const redis = redisUrl ? new Redis(redisUrl, { maxRetriesPerRequest: 1 }) : undefined;
afterAll(() => redis?.quit());

const gates: [string, () => GrabGate][] = [['memory', () => createMemoryGrabGate()]];
if (redis) gates.push(['redis', () => createRedisGrabGate(redis, `test-${randomUUID()}:`)]);

describe.each(gates)('grab gate (%s)', (_, make) => {
  it('answers not loaded until loaded', async () => {
    const g = make();
    expect(await g.admit('i1', 't1', 'u1', null)).toBe('not_loaded');
    expect(await g.stock('i1', 't1')).toBeNull();
  });

  it('admits until the stock is gone, once per user per tier', async () => {
    const g = make();
    await g.load({
      issuanceId: 'i',
      tiers: [
        { tierId: 'a', stock: 2, userIds: ['old'] },
        { tierId: 'b', stock: 5, userIds: [] },
      ],
      userCounts: [['old', 1]],
    });
    expect(await g.admit('i', 'a', 'old', null)).toBe('already');
    expect(await g.admit('i', 'a', 'u1', null)).toBe('admitted');
    expect(await g.admit('i', 'a', 'u1', null)).toBe('already');
    expect(await g.admit('i', 'a', 'u2', null)).toBe('admitted');
    expect(await g.admit('i', 'a', 'u3', null)).toBe('sold_out');
    expect(await g.stock('i', 'a')).toBe(0);
    expect(await g.admit('i', 'b', 'u1', null)).toBe('admitted');
  });

  it('holds the cap per issuance over tiers', async () => {
    const g = make();
    await g.load({
      issuanceId: 'i',
      tiers: [
        { tierId: 'a', stock: 5, userIds: [] },
        { tierId: 'b', stock: 5, userIds: ['u1'] },
        { tierId: 'c', stock: 5, userIds: [] },
      ],
      userCounts: [['u1', 1]],
    });
    expect(await g.admit('i', 'a', 'u1', 2)).toBe('admitted');
    expect(await g.admit('i', 'c', 'u1', 2)).toBe('cap');
    expect(await g.stock('i', 'c')).toBe(5);
  });

  it('gives slots back as told', async () => {
    const g = make();
    await g.load({ issuanceId: 'i', tiers: [{ tierId: 'a', stock: 1, userIds: [] }], userCounts: [] });
    expect(await g.admit('i', 'a', 'u1', 1)).toBe('admitted');
    await g.release('i', 'a', 'u1', { stock: true, user: true });
    expect(await g.stock('i', 'a')).toBe(1);
    expect(await g.admit('i', 'a', 'u1', 1)).toBe('admitted');
    await g.release('i', 'a', 'u1', { stock: true, user: false });
    expect(await g.admit('i', 'a', 'u1', 1)).toBe('already');
    expect(await g.admit('i', 'a', 'u2', 1)).toBe('admitted');
    await g.release('i', 'a', 'u2', { stock: false, user: true });
    expect(await g.stock('i', 'a')).toBe(0);
  });

  it('a reload replaces the state; concurrent admissions never exceed the stock', async () => {
    const g = make();
    await g.load({ issuanceId: 'i', tiers: [{ tierId: 'a', stock: 0, userIds: ['x'] }], userCounts: [['x', 1]] });
    await g.load({ issuanceId: 'i', tiers: [{ tierId: 'a', stock: 50, userIds: [] }], userCounts: [] });
    const answers = await Promise.all(Array.from({ length: 400 }, (_, n) => g.admit('i', 'a', `u${n % 200}`, null)));
    expect(answers.filter((a) => a === 'admitted')).toHaveLength(50);
    expect(await g.admit('i', 'a', 'x', null)).toBe('sold_out');
    await g.drop('i', ['a']);
    expect(await g.admit('i', 'a', 'u1', null)).toBe('not_loaded');
  });
});

describe('sold-out flags', () => {
  it('are provisional for a moment, for good once confirmed', () => {
    const f = new SoldOutFlags(1000);
    expect(f.isSoldOut('t', 0)).toBe(false);
    f.provisional('t', 0);
    expect(f.isSoldOut('t', 999)).toBe(true);
    expect(f.isSoldOut('t', 1000)).toBe(false);
    f.confirmed('t');
    f.provisional('t', 0);
    expect(f.isSoldOut('t', 1e12)).toBe(true);
  });
});
