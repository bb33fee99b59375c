/**
 * The load generator of `npm run bench:vouchers`, run as its own process: an undici pool of
 * keep-alive connections (one request in flight on each) against one Bangfu server.
 *
 * - `trivial`: GET /api/v1/vouchers/clock (no session, database or Redis) for a fixed time.
 * - `grab`: POST /api/v1/vouchers/grabs for `attempts` attempts of `users` residents in the order of
 *   `attemptOrder` (each tries the four tiers, later rounds retry). Each request carries the resident's bearer token and its own address in X-Forwarded-For. A try that gets
 *   no answer (the server was killed) is sent again until it is answered.
 *
 * Prints one `RESULT {json}` line; the grab mode also writes every success it saw to a file.
 *
 *   tsx scripts/bench/vouchers-load.ts <plan.json>
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { Pool } from 'undici';
import { addressOf, attemptOrder, MANUAL_COUPONS, tokenOf, type LoadPlan, type LoadResult } from './vouchers-fixture';

const plan = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as LoadPlan;
const origin = new URL(plan.url).origin;
const pool = new Pool(origin, {
  connections: plan.connections,
  pipelining: 1,
  keepAliveTimeout: 60_000,
  headersTimeout: 30_000,
  bodyTimeout: 30_000,
  connect: { timeout: 5_000 },
});
const now = () => performance.now();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function percentile(xs: Float32Array | number[], p: number) {
  if (!xs.length) return NaN;
  const s = Float64Array.from(xs).sort();
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}

const statusNames: string[] = [];
const statusIndex = new Map<string, number>();
function statusId(name: string) {
  let id = statusIndex.get(name);
  if (id === undefined) {
    id = statusNames.length;
    statusNames.push(name);
    statusIndex.set(name, id);
  }
  return id;
}

/** Status and error code of an answer: `201`, `409 VOUCHER_SOLD_OUT`, `429 RATE_LIMITED` … */
function describe(statusCode: number, text: string): { key: string; body: any } {
  let body: any;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  const code = body?.error?.code;
  return { key: code ? `${statusCode} ${code}` : String(statusCode), body };
}

let connectionErrors = 0;

/** Sends until answered: a connection refused or reset (the server was killed) is retried after a pause. */
async function send(opts: Parameters<Pool['request']>[0]): Promise<{ statusCode: number; text: string; sentAt: number }> {
  for (;;) {
    const sentAt = now();
    try {
      const res = await pool.request(opts);
      const text = await res.body.text();
      return { statusCode: res.statusCode, text, sentAt };
    } catch {
      connectionErrors++;
      await sleep(200);
    }
  }
}

async function trivial(): Promise<LoadResult> {
  const seconds = plan.seconds ?? 10;
  const start = now();
  const measureFrom = start + 3_000; // warm-up: JIT of both processes, connections opened
  const end = measureFrom + seconds * 1000;
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  let answered = 0;
  let n = 0;
  await Promise.all(
    Array.from({ length: plan.connections }, async () => {
      while (now() < end) {
        const ip = addressOf(n++ % 200_000);
        const r = await send({ path: '/api/v1/vouchers/clock', method: 'GET', headers: { 'x-forwarded-for': ip } });
        const t = now();
        if (r.sentAt < measureFrom || t > end) continue;
        answered++;
        latencies.push(t - r.sentAt);
        const key = String(r.statusCode);
        statuses[key] = (statuses[key] ?? 0) + 1;
      }
    }),
  );
  return {
    mode: 'trivial',
    answered,
    seconds,
    perSecond: answered / seconds,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    statuses,
    connectionErrors,
  };
}

async function grab(): Promise<LoadResult> {
  const users = plan.users!;
  const attempts = plan.attempts!;
  const tierIds = plan.tierIds!;
  const attemptOf = attemptOrder(users, tierIds.length, plan.seed ?? 1);
  const bodies = tierIds.map((tierId) => JSON.stringify({ tierId }));

  const latency = new Float32Array(attempts);
  const answeredAt = new Float64Array(attempts);
  const status = new Uint8Array(attempts);
  const successes: string[] = [];
  const rate = plan.rate ?? 0;
  let next = 0;
  let answered = 0;
  const start = now();
  // For the orchestrator's progress line (and the crash run's timing).
  const progress = setInterval(() => process.stdout.write(`PROGRESS ${answered} ${successes.length}\n`), 2_000);
  await Promise.all(
    Array.from({ length: plan.connections }, async () => {
      for (;;) {
        const g = next++;
        if (g >= attempts) return;
        if (rate > 0) {
          const due = start + (g / rate) * 1000;
          const wait = due - now();
          if (wait > 0) await sleep(wait);
        }
        const { user, tier } = attemptOf(g);
        const r = await send({
          path: '/api/v1/vouchers/grabs',
          method: 'POST',
          headers: {
            authorization: `Bearer ${tokenOf(plan.secret!, user)}`,
            'content-type': 'application/json',
            'x-forwarded-for': addressOf(user),
          },
          body: bodies[tier],
        });
        const t = now();
        const { key, body } = describe(r.statusCode, r.text);
        latency[g] = t - r.sentAt;
        answeredAt[g] = t - start;
        status[g] = statusId(key);
        answered++;
        if (r.statusCode === 201) successes.push(`${user} ${tier} ${body?.voucher?.id ?? body?.id ?? '-'}`);
      }
    }),
  );
  const seconds = (now() - start) / 1000;
  clearInterval(progress);
  const statuses: Record<string, number> = {};
  for (let g = 0; g < attempts; g++) {
    const k = statusNames[status[g]!]!;
    statuses[k] = (statuses[k] ?? 0) + 1;
  }
  const created = statusIndex.get('201');
  let selloutMs: number | undefined;
  if (successes.length >= MANUAL_COUPONS && created !== undefined) {
    selloutMs = 0;
    for (let g = 0; g < attempts; g++) if (status[g] === created && answeredAt[g]! > selloutMs) selloutMs = answeredAt[g]!;
  }
  const result: LoadResult = {
    mode: 'grab',
    answered: attempts,
    seconds,
    perSecond: attempts / seconds,
    p50: percentile(latency, 50),
    p99: percentile(latency, 99),
    statuses,
    connectionErrors,
    granted: successes.length,
  };
  if (selloutMs !== undefined) {
    const before: number[] = [];
    const after: number[] = [];
    for (let g = 0; g < attempts; g++) (answeredAt[g]! <= selloutMs ? before : after).push(latency[g]!);
    result.selloutMs = selloutMs;
    result.answeredBeforeSellout = before.length;
    result.answeredAfterSellout = after.length;
    result.grabPhasePerSecond = before.length / (selloutMs / 1000);
    result.grabP50 = percentile(before, 50);
    result.grabP99 = percentile(before, 99);
    const rest = seconds - selloutMs / 1000;
    if (after.length && rest > 0) {
      result.soldOutPhasePerSecond = after.length / rest;
      result.soldOutP50 = percentile(after, 50);
      result.soldOutP99 = percentile(after, 99);
    }
  }
  if (plan.successesFile) writeFileSync(plan.successesFile, successes.join('\n') + '\n');
  return result;
}

(plan.mode === 'trivial' ? trivial() : grab())
  .then(async (r) => {
    process.stdout.write(`RESULT ${JSON.stringify(r)}\n`);
    await pool.close();
    process.exit(0);
  })
  .catch((e) => {
    console.error(e);
    process.exit(1);
  });
