import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Redis } from 'ioredis';
import { AppError } from './app-error';

export interface RateRule {
  /** Unique name, also the key prefix. */
  name: string;
  points: number;
  durationSeconds: number;
}

/** The platform's limits. Per IP and per account/target, as the foundation issue asks. */
export const RATE_RULES = {
  loginPerIp: { name: 'login_ip', points: 30, durationSeconds: 15 * 60 },
  loginFailuresPerAccount: { name: 'login_fail_acct', points: 5, durationSeconds: 15 * 60 },
  codePerTarget: { name: 'code_target', points: 1, durationSeconds: 60 },
  codePerTargetDaily: { name: 'code_target_day', points: 10, durationSeconds: 24 * 3600 },
  codePerIp: { name: 'code_ip', points: 20, durationSeconds: 3600 },
  registerPerIp: { name: 'register_ip', points: 10, durationSeconds: 3600 },
  /** Activation tries of generated accounts (codes sent by SMS), apart from sign-ins. */
  activatePerIp: { name: 'activate_ip', points: 30, durationSeconds: 15 * 60 },
} as const satisfies Record<string, RateRule>;

export interface RateLimiter {
  /** Takes one point; throws RATE_LIMITED (with retryAfterSeconds) when none is left. */
  consume(rule: RateRule, key: string, message?: string): Promise<void>;
  /**
   * One point from each bucket at once (one round trip's wait instead of one per rule). An attempt any
   * bucket refuses counts in none: the points the others gave are given back (so one account hammering
   * cannot empty the bucket of the address it shares with others). Throws the first refusal in order.
   */
  consumeAll(items: { rule: RateRule; key: string; message?: string }[]): Promise<void>;
  /** Throws RATE_LIMITED when the bucket is already empty, without taking a point. */
  check(rule: RateRule, key: string, message?: string): Promise<void>;
  reset(rule: RateRule, key: string): Promise<void>;
}

const DEFAULT_MESSAGE = '操作太频繁，请稍后再试';

/**
 * Rate limits backed by Redis when a client is given (shared by every node), by process memory otherwise.
 * Both come from rate-limiter-flexible and behave the same; the tests run against each. During a Redis
 * outage the Redis-backed limits degrade to per-node memory limits (never to no limit, never to a 500).
 */
export function createRateLimiter(opts: { redis?: Redis; prefix?: string } = {}): RateLimiter {
  const limiters = new Map<string, RateLimiterAbstract>();
  const prefix = opts.prefix ?? 'rl';
  const get = (rule: RateRule) => {
    let l = limiters.get(rule.name);
    if (!l) {
      const base = { points: rule.points, duration: rule.durationSeconds, keyPrefix: `${prefix}:${rule.name}` };
      // While Redis is unreachable each node limits in its own memory instead of failing the request.
      l = opts.redis
        ? new RateLimiterRedis({ ...base, storeClient: opts.redis, rejectIfRedisNotReady: true, insuranceLimiter: new RateLimiterMemory(base) })
        : new RateLimiterMemory(base);
      limiters.set(rule.name, l);
    }
    return l;
  };
  const refuse = (res: RateLimiterRes, message?: string) =>
    new AppError('RATE_LIMITED', message ?? DEFAULT_MESSAGE, undefined, Math.max(1, Math.ceil(res.msBeforeNext / 1000)));
  const consume = async (rule: RateRule, key: string, message?: string) => {
    try {
      await get(rule).consume(key);
    } catch (e) {
      if (e instanceof RateLimiterRes) throw refuse(e, message);
      throw e;
    }
  };
  return {
    consume,
    async consumeAll(items) {
      const settled = await Promise.allSettled(items.map((i) => consume(i.rule, i.key, i.message)));
      const refused = settled.find((s) => s.status === 'rejected');
      if (!refused) return;
      await Promise.all(
        items.map((i, n) =>
          settled[n]!.status === 'fulfilled'
            ? get(i.rule)
                .reward(i.key, 1)
                .catch(() => undefined)
            : undefined,
        ),
      );
      throw refused.reason;
    },
    async check(rule, key, message) {
      const res = await get(rule).get(key);
      if (res && res.remainingPoints <= 0 && res.consumedPoints >= rule.points) throw refuse(res, message);
    },
    async reset(rule, key) {
      await get(rule).delete(key);
    },
  };
}
