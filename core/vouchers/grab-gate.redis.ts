import type { Redis } from 'ioredis';
import type { GateAnswer, GateRelease, GateSnapshot, GrabGate } from './grab-gate';

/**
 * One grab, atomically. KEYS: 1 ready flag of the issuance, 2 stock of the tier, 3 users of the tier,
 * 4 coupons per user in the issuance. ARGV: 1 user id, 2 cap (0: none).
 * Answers: -1 not loaded, 0 admitted, 1 sold out, 2 already admitted, 3 cap reached.
 */
export const GRAB_LUA = `
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
if redis.call('SISMEMBER', KEYS[3], ARGV[1]) == 1 then return 2 end
local stock = tonumber(redis.call('GET', KEYS[2]) or '-1')
if stock < 0 then return -1 end
if stock == 0 then return 1 end
local cap = tonumber(ARGV[2])
if cap > 0 then
  local n = tonumber(redis.call('HGET', KEYS[4], ARGV[1]) or '0')
  if n >= cap then return 3 end
end
redis.call('DECR', KEYS[2])
redis.call('SADD', KEYS[3], ARGV[1])
redis.call('HINCRBY', KEYS[4], ARGV[1], 1)
return 0
`;

/** Gives an admission back. KEYS as GRAB_LUA (2..4). ARGV: 1 user id, 2 put stock back (1/0), 3 forget the user (1/0). */
const RELEASE_LUA = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
if ARGV[3] == '1' and redis.call('SREM', KEYS[3], ARGV[1]) == 1 then
  if tonumber(redis.call('HINCRBY', KEYS[4], ARGV[1], -1)) <= 0 then redis.call('HDEL', KEYS[4], ARGV[1]) end
end
if ARGV[2] == '1' then redis.call('INCR', KEYS[2]) end
return 1
`;

type GateRedis = Redis & {
  voucherGrab(ready: string, stock: string, users: string, counts: string, userId: string, cap: string): Promise<number>;
  voucherGrabRelease(ready: string, stock: string, users: string, counts: string, userId: string, stock2: string, user: string): Promise<number>;
};

const ANSWERS: Record<number, GateAnswer> = { [-1]: 'not_loaded', 0: 'admitted', 1: 'sold_out', 2: 'already', 3: 'cap' };

/**
 * The admission gate in Redis, shared by every node: one Lua script per grab (EVALSHA through ioredis'
 * defineCommand). Keys of one issuance share a hash tag, so the script's keys live on one shard.
 */
export function createRedisGrabGate(redis: Redis, prefix: string): GrabGate {
  const r = redis as GateRedis;
  if (typeof r.voucherGrab !== 'function') {
    redis.defineCommand('voucherGrab', { numberOfKeys: 4, lua: GRAB_LUA });
    redis.defineCommand('voucherGrabRelease', { numberOfKeys: 4, lua: RELEASE_LUA });
  }
  const base = (iss: string) => `${prefix}vgate:{${iss}}`;
  const keys = (iss: string, tier: string) =>
    [`${base(iss)}:ready`, `${base(iss)}:stock:${tier}`, `${base(iss)}:users:${tier}`, `${base(iss)}:counts`] as const;
  return {
    kind: 'redis',
    async admit(issuanceId, tierId, userId, cap) {
      const [a, b, c, d] = keys(issuanceId, tierId);
      return ANSWERS[await r.voucherGrab(a, b, c, d, userId, String(cap ?? 0))] ?? 'not_loaded';
    },
    async release(issuanceId, tierId, userId, what: GateRelease) {
      const [a, b, c, d] = keys(issuanceId, tierId);
      await r.voucherGrabRelease(a, b, c, d, userId, what.stock ? '1' : '0', what.user ? '1' : '0');
    },
    async load(s: GateSnapshot) {
      const m = redis.multi();
      const [ready, , , counts] = keys(s.issuanceId, '');
      m.del(ready, counts);
      for (const t of s.tiers) {
        const [, stock, users] = keys(s.issuanceId, t.tierId);
        m.del(users);
        m.set(stock, String(Math.max(0, t.stock)));
        for (let i = 0; i < t.userIds.length; i += 5000) m.sadd(users, ...t.userIds.slice(i, i + 5000));
      }
      for (let i = 0; i < s.userCounts.length; i += 5000) m.hset(counts, Object.fromEntries(s.userCounts.slice(i, i + 5000)));
      m.set(ready, '1');
      const res = await m.exec();
      const failed = res?.find(([err]) => err);
      if (failed) throw failed[0];
    },
    async drop(issuanceId, tierIds) {
      const all = [`${base(issuanceId)}:ready`, `${base(issuanceId)}:counts`];
      for (const t of tierIds) all.push(`${base(issuanceId)}:stock:${t}`, `${base(issuanceId)}:users:${t}`);
      await redis.del(...all);
    },
    async stock(issuanceId, tierId) {
      const [ready, stock] = keys(issuanceId, tierId);
      const [[, isReady], [, v]] = (await redis.multi().exists(ready).get(stock).exec()) as [[unknown, number], [unknown, string | null]];
      return isReady && v !== null ? Number(v) : null;
    },
  };
}
