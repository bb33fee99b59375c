/**
 * npm run bench:vouchers — the first-come grab of the manual's issuance under a crowd, on PostgreSQL and Redis.
 *
 * Seeds a fresh database by SQL with one campaign, one running issuance of the manual's 12,700 coupons
 * (通用券 3000 + 2200, 餐饮券 5000 + 2500) and 200,000 residents with bearer sessions, starts one Bangfu
 * realtime node (its own process, TRUSTED_PROXY=127.0.0.1 so each simulated resident's X-Forwarded-For
 * is its own address for the per-IP limits), and sends 1,000,000 grab attempts from a load generator in
 * its own process (scripts/bench/vouchers-load.ts: each resident tries the four tiers, a quarter retry).
 * In the same run: the trivial endpoint GET /api/v1/vouchers/clock of the same server (same HTTP stack,
 * no session, no database, no Redis), before and after the burst, and the grab's Lua script called
 * straight against Redis by a client loop (scripts/bench/vouchers-lua.ts, the ceiling). Prints answers/s,
 * p50/p99, time to sell-out, what PostgreSQL granted (must be exactly 12,700), duplicates, successes a
 * client saw without a row, and the ratios.
 *
 * `--crash` then runs the burst again on a fresh database against a redis-server of its own (started
 * here on another port; the system's Redis is never touched), kills the server with SIGKILL twice and
 * that Redis once while coupons are being granted, restarts them, and checks the totals are still exact.
 *
 *   DATABASE_URL=postgres://… REDIS_URL=redis://… npm run bench:vouchers [-- --users 200000 --attempts 1000000
 *     --connections 50 --rate <attempts/s> --seconds 10 --profile --crash --only-crash --redis-empty]
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import postgres from 'postgres';
import { migrateDb } from '../../db/migrate';
import type { DbHandle } from '../../db/client';
import { MANUAL_COUPONS, MANUAL_TIERS, type LoadPlan, type LoadResult } from './vouchers-fixture';
import { seedVouchers, verifyVouchers, type BenchVouchers } from './vouchers-seed';
import { freePort, freshDatabase, numberOption } from './support';

const USERS = numberOption('users', 200_000);
const ATTEMPTS = numberOption('attempts', 1_000_000);
const CONNECTIONS = numberOption('connections', 50);
const SECONDS = numberOption('seconds', 10);
const RATE = process.argv.includes('--rate') ? numberOption('rate', 1) : 0;
const CRASH = process.argv.includes('--crash') || process.argv.includes('--only-crash');
const ONLY_CRASH = process.argv.includes('--only-crash');
const REDIS_EMPTY = process.argv.includes('--redis-empty');
const PROFILE_DIR = process.argv.includes('--profile') ? mkdtempSync(join(tmpdir(), 'bangfu-bench-profile-')) : undefined;
const SEED = 20231203;

if (!process.env.DATABASE_URL || !process.env.REDIS_URL) {
  console.error(
    'bench:vouchers needs PostgreSQL and Redis: set DATABASE_URL (a server where it may create and drop a database) and REDIS_URL,\n' +
      'e.g. DATABASE_URL=postgres://postgres@127.0.0.1:5432/test REDIS_URL=redis://127.0.0.1:6379 npm run bench:vouchers',
  );
  process.exit(64);
}
const baseUrl = process.env.DATABASE_URL;
const systemRedisUrl = process.env.REDIS_URL;
const root = fileURLToPath(new URL('../..', import.meta.url));
const appSecret = randomBytes(24).toString('hex');
const work = mkdtempSync(join(tmpdir(), 'bangfu-bench-vouchers-'));

const children = new Set<ChildProcess>();
/** Databases to drop even when the run is interrupted. */
const drops = new Set<() => Promise<void>>();
function spawnTracked(cmd: string, args: string[], env: Record<string, string>, stdout: 'pipe' | 'ignore' = 'pipe') {
  const child = spawn(cmd, args, { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', stdout, 'inherit'] });
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}
const exited = (child: ChildProcess) => new Promise<void>((r) => (child.exitCode !== null || child.signalCode !== null ? r() : child.once('exit', () => r())));
async function stop(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM') {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill(signal);
  await exited(child);
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function waitFor(check: () => Promise<boolean>, what: string, ms = 180_000) {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (await check().catch(() => false)) return;
    await sleep(250);
  }
  throw new Error(`${what} did not become ready`);
}

/** One Bangfu realtime node (the API and socket.io) on `port`; restarted on the same port after a kill. */
function bangfuServer(dbUrl: string, redisUrl: string, redisPrefix: string, port: number) {
  const url = `http://127.0.0.1:${port}`;
  const server = {
    url,
    child: undefined as ChildProcess | undefined,
    async start() {
      const prof = PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`] : [];
      server.child = spawnTracked(process.execPath, [...prof, '--import', 'tsx', 'realtime/main.ts', '--role=realtime'], {
        DATABASE_URL: dbUrl,
        REDIS_URL: redisUrl,
        REDIS_PREFIX: redisPrefix,
        PORT: String(port),
        HOST: '127.0.0.1',
        TRUSTED_PROXY: '127.0.0.1',
        SEED_DEMO: 'false',
        NODE_ENV: 'production',
        LOG_LEVEL: 'warn',
        APP_SECRET: appSecret,
        ORIGIN: url,
        SANDBOX_GATEWAYS: 'true',
      });
      server.child.stdout!.resume();
      await waitFor(async () => (await fetch(`${url}/readyz`)).ok, 'the Bangfu server');
    },
    async kill() {
      if (server.child) await stop(server.child, 'SIGKILL');
    },
    async stop() {
      if (server.child) await stop(server.child);
    },
  };
  return server;
}

/** Runs a helper process to its `RESULT` line; `PROGRESS answered granted` lines go to `onProgress`. */
async function runHelper<T>(script: string, plan: unknown, onProgress?: (answered: number, granted: number) => void): Promise<T> {
  const file = join(work, `plan-${randomBytes(4).toString('hex')}.json`);
  writeFileSync(file, JSON.stringify(plan));
  const child = spawnTracked(process.execPath, ['--import', 'tsx', script, file], {});
  let out = '';
  let pending = '';
  child.stdout!.on('data', (d: Buffer) => {
    pending += d.toString();
    const lines = pending.split('\n');
    pending = lines.pop()!;
    for (const line of lines) {
      if (line.startsWith('PROGRESS ')) {
        const [a, g] = line.slice(9).split(' ').map(Number);
        onProgress?.(a!, g!);
      } else out += `${line}\n`;
    }
  });
  await exited(child);
  const line = out.split('\n').find((l) => l.startsWith('RESULT '));
  if (child.exitCode !== 0 || !line) throw new Error(`${script} failed (exit ${child.exitCode})`);
  return JSON.parse(line.slice(7)) as T;
}

const progressLine = (label: string) => (answered: number, granted: number) => {
  const line = `  ${label}: ${answered.toLocaleString('en')}/${ATTEMPTS.toLocaleString('en')} answered, ${granted.toLocaleString('en')} granted`;
  if (process.stdout.isTTY) process.stdout.write(`\r${line}   `);
  else console.log(line);
};
const endProgress = () => process.stdout.isTTY && process.stdout.write('\n');

const fmt = (x: number | undefined, digits = 0) =>
  x === undefined || !Number.isFinite(x) ? '–' : x.toLocaleString('en', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const msText = (x: number | undefined) => `${fmt(x, 1)} ms`;

/** A fresh migrated database with the bench's data; `drop()` removes it. */
async function prepare(label: string) {
  const fresh = await freshDatabase(baseUrl, 'bangfu_bench_vouchers');
  drops.add(fresh.drop);
  const db = postgres(fresh.url, { max: 4, onnotice: () => {} });
  try {
    await migrateDb({ kind: 'postgres', url: fresh.url } as DbHandle);
    const secret = randomBytes(12).toString('hex');
    console.log(`${label}: seeding ${fmt(USERS)} residents and the manual's issuance (${fmt(MANUAL_COUPONS)} coupons) in ${fresh.name}…`);
    const t0 = Date.now();
    const fixture = await seedVouchers(db, USERS, secret, (line) => (process.stdout.isTTY ? process.stdout.write(`\r${line}`) : console.log(line)));
    endProgress();
    console.log(`  seeded in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    return { fresh, db, fixture, secret };
  } catch (e) {
    await db.end();
    await fresh.drop();
    throw e;
  }
}

function grabPlan(url: string, fixture: BenchVouchers, secret: string): LoadPlan {
  return {
    mode: 'grab',
    url,
    connections: CONNECTIONS,
    users: USERS,
    attempts: ATTEMPTS,
    secret,
    tierIds: fixture.tierIds,
    rate: RATE,
    successesFile: join(work, `successes-${randomBytes(4).toString('hex')}.txt`),
    seed: SEED,
  };
}

async function verify(db: postgres.Sql, fixture: BenchVouchers, plan: LoadPlan) {
  const lines = readFileSync(plan.successesFile!, 'utf8').split('\n').filter(Boolean);
  return verifyVouchers(db, fixture, lines);
}

function printExactness(v: Awaited<ReturnType<typeof verifyVouchers>>) {
  const exact =
    v.granted === MANUAL_COUPONS &&
    v.counters === MANUAL_COUPONS &&
    v.countersAgree &&
    v.duplicates === 0 &&
    v.successesWithoutRow === 0 &&
    v.successesSeenTwice === 0;
  console.log(
    `  PostgreSQL: granted ${fmt(v.granted)} (must be ${fmt(MANUAL_COUPONS)}; tier counters ${fmt(v.counters)}${v.countersAgree ? ', each equal to its rows' : ', NOT equal to the rows'}), ` +
      `duplicates ${v.duplicates}, successes seen by clients without a database row ${v.successesWithoutRow}` +
      `${v.successesSeenTwice ? `, the same coupon shown twice ${v.successesSeenTwice}` : ''}; client-seen successes ${fmt(v.clientSuccesses)}` +
      `${v.rowsNotSeenByClient ? ` (${fmt(v.rowsNotSeenByClient)} granted coupons whose answer was lost with a connection)` : ''}`,
  );
  console.log(`  ${exact ? 'EXACT: every coupon granted once, none oversold, none undersold, none duplicated.' : 'NOT EXACT (see above).'}`);
  return exact;
}

const statusText = (s: Record<string, number>) =>
  Object.entries(s)
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `${k} ×${fmt(v)}`)
    .join(', ');

async function cleanRedis(url: string, prefix: string) {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await redis.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

async function mainRun() {
  const { fresh, db, fixture, secret } = await prepare('Main run');
  const prefix = `bvbench${randomBytes(4).toString('hex')}:`;
  const server = bangfuServer(fresh.url, systemRedisUrl, prefix, await freePort());
  try {
    await server.start();
    // Warm-up: module loading, query plans, the grab page of the campaign.
    for (let i = 0; i < 50; i++) await fetch(`${server.url}/api/v1/vouchers/clock`);
    await fetch(`${server.url}/api/v1/vouchers/campaigns/${fixture.campaignId}/grab`).catch(() => undefined);
    console.log(
      `\n${fmt(MANUAL_COUPONS)} coupons in ${MANUAL_TIERS.length} tiers, ${fmt(USERS)} residents, ${fmt(ATTEMPTS)} attempts, ${CONNECTIONS} keep-alive connections` +
        `${RATE ? `, at most ${fmt(RATE)} attempts/s` : ''}; one Bangfu node; load generator in its own process.\n`,
    );
    const trivialPlan: LoadPlan = { mode: 'trivial', url: server.url, connections: CONNECTIONS, seconds: SECONDS };
    const before = await runHelper<LoadResult>('scripts/bench/vouchers-load.ts', trivialPlan);
    console.log(
      `trivial GET /api/v1/vouchers/clock (before)   ${fmt(before.perSecond).padStart(7)} answers/s   p50 ${msText(before.p50)}   p99 ${msText(before.p99)}`,
    );
    const lua = await runHelper<{ perSecond: number; answered: number; selloutMs?: number; answers: Record<string, number> }>('scripts/bench/vouchers-lua.ts', {
      redisUrl: systemRedisUrl,
      prefix: `${prefix}ceiling:`,
      users: USERS,
      attempts: ATTEMPTS,
      connections: CONNECTIONS,
      seconds: SECONDS,
      seed: SEED,
    });
    console.log(
      `grab Lua script straight on Redis (ceiling)   ${fmt(lua.perSecond).padStart(7)} calls/s     ${fmt(lua.answered)} calls, gate sold out after ${msText(lua.selloutMs)}`,
    );

    const plan = grabPlan(server.url, fixture, secret);
    const g = await runHelper<LoadResult>('scripts/bench/vouchers-load.ts', plan, progressLine('grab burst'));
    endProgress();
    const after = await runHelper<LoadResult>('scripts/bench/vouchers-load.ts', trivialPlan);
    const trivial = (before.perSecond + after.perSecond) / 2;
    console.log(
      `trivial GET /api/v1/vouchers/clock (after)    ${fmt(after.perSecond).padStart(7)} answers/s   p50 ${msText(after.p50)}   p99 ${msText(after.p99)}`,
    );
    console.log(
      `\ngrab POST /api/v1/vouchers/grabs: ${fmt(g.answered)} attempts answered in ${fmt(g.seconds, 1)} s = ${fmt(g.perSecond)} answers/s   p50 ${msText(g.p50)}   p99 ${msText(g.p99)}`,
    );
    if (g.selloutMs !== undefined) {
      console.log(
        `  until sell-out: ${fmt(MANUAL_COUPONS)} coupons granted ${fmt(g.selloutMs / 1000, 2)} s after the first attempt; ${fmt(g.answeredBeforeSellout)} answers, ${fmt(g.grabPhasePerSecond)}/s   p50 ${msText(g.grabP50)}   p99 ${msText(g.grabP99)}`,
      );
      console.log(
        `  after sell-out: ${fmt(g.answeredAfterSellout)} answers, ${fmt(g.soldOutPhasePerSecond)}/s   p50 ${msText(g.soldOutP50)}   p99 ${msText(g.soldOutP99)}`,
      );
    } else console.log(`  not sold out: the clients saw ${fmt(g.granted)} successes`);
    console.log(`  answers: ${statusText(g.statuses)}${g.connectionErrors ? `; connection errors (sent again) ${fmt(g.connectionErrors)}` : ''}`);
    const exact = printExactness(await verify(db, fixture, plan));
    const ratio = (x: number | undefined, y: number) => (x === undefined ? '–' : (x / y).toFixed(2));
    console.log(`\nratios to the trivial endpoint (mean of before and after, ${fmt(trivial)} answers/s):`);
    console.log(
      `  grab answers until sell-out ${ratio(g.grabPhasePerSecond, trivial)}× (aim ≥ 0.5), sold-out answers ${ratio(g.soldOutPhasePerSecond, trivial)}× (aim ≥ 0.8), the whole burst ${ratio(g.perSecond, trivial)}×`,
    );
    console.log(
      `  to the bare Lua script on Redis: grab answers ${ratio(g.grabPhasePerSecond, lua.perSecond)}×, the whole burst ${ratio(g.perSecond, lua.perSecond)}×`,
    );
    await server.stop();
    if (PROFILE_DIR) console.log(`\nCPU profile of the server: ${PROFILE_DIR}`);
    return exact;
  } finally {
    await server.kill();
    await db.end();
    await fresh.drop();
    await cleanRedis(systemRedisUrl, prefix).catch(() => undefined);
  }
}

/** A redis-server of the crash run's own, on a free port, appending to a file it reads back on restart. */
function ownRedis(port: number, dir: string) {
  const url = `redis://127.0.0.1:${port}`;
  const r = {
    url,
    child: undefined as ChildProcess | undefined,
    async start() {
      const persistence = REDIS_EMPTY ? ['--appendonly', 'no'] : ['--appendonly', 'yes', '--appendfsync', 'everysec'];
      r.child = spawnTracked('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', ...persistence, '--dir', dir], {}, 'ignore');
      await waitFor(async () => {
        const c = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
        c.on('error', () => undefined); // not up yet: the next try will tell
        try {
          await c.connect();
          return (await c.ping()) === 'PONG';
        } finally {
          c.disconnect();
        }
      }, 'redis-server');
    },
    async kill() {
      if (r.child) await stop(r.child, 'SIGKILL');
    },
  };
  return r;
}

async function crashRun() {
  if (spawnSync('redis-server', ['--version']).status !== 0) {
    console.log('\nCrash run skipped: there is no `redis-server` on this machine to start (and kill) one of its own; the system Redis is never killed.');
    return true;
  }
  console.log('');
  const { fresh, db, fixture, secret } = await prepare('Crash run');
  const redisDir = mkdtempSync(join(tmpdir(), 'bangfu-bench-redis-'));
  const redis = ownRedis(await freePort(), redisDir);
  const server = bangfuServer(fresh.url, redis.url, 'bvcrash:', await freePort());
  try {
    await redis.start();
    await server.start();
    console.log(
      `\n${fmt(ATTEMPTS)} attempts of ${fmt(USERS)} residents against a redis-server of its own (${REDIS_EMPTY ? 'restarted empty' : 'append-only file, fsync every second'});` +
        ' SIGKILL the server at 15 % and 75 % of the coupons granted and Redis at 45 %, each restarted at once.',
    );
    const plan = grabPlan(server.url, fixture, secret);
    const load = runHelper<LoadResult>('scripts/bench/vouchers-load.ts', plan, progressLine('crash burst'));
    let finished = false;
    void load.finally(() => (finished = true)).catch(() => undefined);
    const events = [
      { at: 0.15, what: 'server' as const },
      { at: 0.45, what: 'redis' as const },
      { at: 0.75, what: 'server' as const },
    ];
    const done: string[] = [];
    for (const e of events) {
      for (;;) {
        if (finished) break;
        const [row] = await db`select coalesce(sum(granted), 0)::int as n from voucher_tiers where issuance_id = ${fixture.issuanceId}`;
        if (Number(row!.n) >= e.at * MANUAL_COUPONS) break;
        await sleep(50);
      }
      if (finished) break;
      const [row] = await db`select coalesce(sum(granted), 0)::int as n from voucher_tiers where issuance_id = ${fixture.issuanceId}`;
      const t0 = Date.now();
      if (e.what === 'server') {
        await server.kill();
        await server.start();
      } else {
        await redis.kill();
        await redis.start();
      }
      done.push(`${e.what === 'server' ? 'server' : 'Redis'} killed at ${fmt(Number(row!.n))} granted, back after ${fmt((Date.now() - t0) / 1000, 1)} s`);
    }
    const g = await load;
    endProgress();
    for (const d of done) console.log(`  ${d}`);
    if (done.length < events.length) console.log(`  only ${done.length} of ${events.length} kills happened before the burst ended`);
    console.log(
      `  ${fmt(g.answered)} attempts answered in ${fmt(g.seconds, 1)} s; answers: ${statusText(g.statuses)}; connection errors (sent again) ${fmt(g.connectionErrors)}`,
    );
    const exact = printExactness(await verify(db, fixture, plan));
    await server.stop();
    return exact && done.length === events.length;
  } finally {
    await server.kill();
    await redis.kill();
    rmSync(redisDir, { recursive: true, force: true });
    await db.end();
    await fresh.drop();
  }
}

async function main() {
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      for (const c of children) c.kill('SIGKILL');
      void Promise.allSettled([...drops].map((d) => d())).finally(() => process.exit(130));
    });
  }
  let ok = true;
  try {
    if (!ONLY_CRASH) ok = (await mainRun()) && ok;
    if (CRASH) ok = (await crashRun()) && ok;
  } finally {
    for (const c of children) c.kill('SIGKILL');
    rmSync(work, { recursive: true, force: true });
  }
  return ok;
}

main().then(
  (ok) => process.exit(ok ? 0 : 1),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
