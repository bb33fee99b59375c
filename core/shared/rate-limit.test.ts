import { afterAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import { createRateLimiter, type RateRule } from './rate-limit';
import { AppError } from './app-error';
import { createRedis } from './redis';

const redisUrl = process.env.REDIS_URL;
const redis = redisUrl ? new Redis(redisUrl, { maxRetriesPerRequest: 1 }) : undefined;
afterAll(() => redis?.disconnect());

const stores = [
  ['memory', () => createRateLimiter({ prefix: `t-${randomUUID()}` })],
  ...(redis ? [['redis', () => createRateLimiter({ redis, prefix: `t-${randomUUID()}` })] as const] : []),
] as const;

const rule: RateRule = { name: 'test', points: 3, durationSeconds: 60 };

describe.each(stores)('rate limiter (%s)', (_, make) => {
  it('allows the configured number of attempts, then refuses with a retry time', async () => {
    const rl = make();
    for (let i = 0; i < 3; i++) await rl.consume(rule, 'ip-1');
    const err = await rl.consume(rule, 'ip-1').catch((e) => e);
    expect(err).toBeInstanceOf(AppError);
    expect(err.code).toBe('RATE_LIMITED');
    expect(err.retryAfterSeconds).toBeGreaterThan(0);
    expect(err.retryAfterSeconds).toBeLessThanOrEqual(60);
  });

  it('keeps keys apart', async () => {
    const rl = make();
    for (let i = 0; i < 3; i++) await rl.consume(rule, 'a');
    await expect(rl.consume(rule, 'b')).resolves.toBeUndefined();
  });

  it('check does not spend points; reset empties the bucket', async () => {
    const rl = make();
    await rl.check(rule, 'k');
    await rl.check(rule, 'k');
    for (let i = 0; i < 3; i++) await rl.consume(rule, 'k');
    await expect(rl.check(rule, 'k')).rejects.toMatchObject({ code: 'RATE_LIMITED' });
    await rl.reset(rule, 'k');
    await expect(rl.consume(rule, 'k')).resolves.toBeUndefined();
  });

  it('consumeAll takes a point from every bucket, answers the first refusal in order, and a refused attempt counts in none', async () => {
    const rl = make();
    const user: RateRule = { name: 'u', points: 2, durationSeconds: 60 };
    const ip: RateRule = { name: 'ip', points: 3, durationSeconds: 60 };
    const both = () =>
      rl.consumeAll([
        { rule: user, key: 'alice', message: '点击太频繁' },
        { rule: ip, key: '10.0.0.1', message: '网络太频繁' },
      ]);
    await both();
    await both();
    expect((await both().catch((e) => e)).message).toBe('点击太频繁');
    // The refused attempt did not count for the address: a neighbour still has its third point.
    await rl.consume(ip, '10.0.0.1');
    expect((await rl.consume(ip, '10.0.0.1').catch((e) => e)).code).toBe('RATE_LIMITED');
  });

  it('counts concurrent attempts exactly', async () => {
    const rl = make();
    const results = await Promise.allSettled(Array.from({ length: 10 }, () => rl.consume(rule, 'burst')));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(3);
  });
});

describe('rate limiter while Redis is unreachable', () => {
  it('falls back to limits in this process instead of failing the request', async () => {
    const logs: string[] = [];
    const down = createRedis('redis://127.0.0.1:1', (l) => logs.push(l)); // nothing listens there
    try {
      const rl = createRateLimiter({ redis: down, prefix: `t-${randomUUID()}` });
      for (let i = 0; i < 3; i++) await rl.consume(rule, 'ip-9');
      await expect(rl.consume(rule, 'ip-9')).rejects.toMatchObject({ code: 'RATE_LIMITED' });
      await expect(rl.check(rule, 'ip-9')).rejects.toMatchObject({ code: 'RATE_LIMITED' });
      await rl.reset(rule, 'ip-9');
      await expect(rl.consume(rule, 'ip-9')).resolves.toBeUndefined();
    } finally {
      down.disconnect();
    }
  });
});
