/**
 * The ceiling of `npm run bench:vouchers`, run as its own process: the grab's admission script
 * (core/vouchers/grab-gate.redis.ts, the same Lua through the same gate) called straight against Redis
 * by a client loop — `connections` calls in flight on one connection, the attempts in the same order
 * as the HTTP run, on keys of its own. No HTTP, no session, no PostgreSQL. Prints one `RESULT {json}`.
 *
 *   tsx scripts/bench/vouchers-lua.ts <plan.json>
 */
import { readFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import { createRedisGrabGate } from '../../core/vouchers/grab-gate.redis';
import { attemptOrder, MANUAL_TIERS } from './vouchers-fixture';

interface LuaPlan {
  redisUrl: string;
  prefix: string;
  users: number;
  attempts: number;
  connections: number;
  /** Stop after this long even when attempts are left. */
  seconds: number;
  seed: number;
}

const plan = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as LuaPlan;
const now = () => performance.now();

async function main() {
  const redis = new Redis(plan.redisUrl, { lazyConnect: true, enableAutoPipelining: false });
  await redis.connect();
  const gate = createRedisGrabGate(redis, plan.prefix);
  const issuanceId = 'bench-ceiling';
  const tierIds = MANUAL_TIERS.map((_, i) => `tier-${i}`);
  await gate.load({ issuanceId, tiers: MANUAL_TIERS.map((t, i) => ({ tierId: tierIds[i]!, stock: t.count, userIds: [] })), userCounts: [] });
  const userId = (i: number) => `00000000-0000-4000-8000-${i.toString(16).padStart(12, '0')}`;
  const attemptOf = attemptOrder(plan.users, tierIds.length, plan.seed);
  const answers: Record<string, number> = {};
  let next = 0;
  let done = 0;
  let admitted = 0;
  let selloutMs: number | undefined;
  const coupons = MANUAL_TIERS.reduce((s, t) => s + t.count, 0);
  const start = now();
  const end = start + plan.seconds * 1000;
  await Promise.all(
    Array.from({ length: plan.connections }, async () => {
      for (;;) {
        const g = next++;
        if (g >= plan.attempts || now() > end) return;
        const { user, tier } = attemptOf(g);
        const a = await gate.admit(issuanceId, tierIds[tier]!, userId(user), null);
        done++;
        answers[a] = (answers[a] ?? 0) + 1;
        if (a === 'admitted' && ++admitted === coupons) selloutMs = now() - start;
      }
    }),
  );
  const seconds = (now() - start) / 1000;
  await gate.drop(issuanceId, tierIds);
  await redis.quit();
  process.stdout.write(`RESULT ${JSON.stringify({ answered: done, seconds, perSecond: done / seconds, admitted, selloutMs, answers })}\n`);
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
