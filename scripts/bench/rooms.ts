/**
 * npm run bench:rooms — live second rounds under load on PostgreSQL and Redis.
 *
 * Seeds a fresh database with 200 competitive requirements past their opening, each with one
 * enterprise and 10 bidders (2,200 sockets), then, with the load generator as a separate process
 * (scripts/bench/rooms-load.ts), submits revised prices at a combined target rate:
 *   (a) one realtime node;  (b) two realtime nodes joined by the socket.io Redis adapter.
 * Beside each, in the same run, a baseline: a bare socket.io server (scripts/bench/rooms-bare-server.ts)
 * emitting the same payloads to the same sockets with no database. Prints accepted bids/s, ack latency
 * p50/p99, delivery latency p99, lost / duplicated / leaked events, and the ratios to the baseline.
 *
 *   npm run bench:rooms [-- --rooms 200 --rate 500 --seconds 20] [--profile: CPU profiles of the realtime nodes] [--only-a | --only-b]
 *     [--keep: leave the seeded database and write its fixture file] [--reuse <fixture file>: run on a kept database]
 *     [--timeline: each second's ack p99] [--saturation: after (a), raise the rate by 100 until ack p99 passes 50 ms]
 *     [--node-flags "<flags>": the realtime nodes' Node/V8 flags instead of the ones `npm start` uses (scripts/node-flags.mjs)]
 *     [--compare-flags "<flags>": after (a), (a) again on a node with these flags, same rooms, same run]
 *     [--gc-log: each realtime node's garbage collections (--trace-gc) to a file, to set against the timeline]
 *   (DATABASE_URL / REDIS_URL default to the local postgres://postgres@127.0.0.1:5432/test and redis://127.0.0.1:6379)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import postgres from 'postgres';
import { createPlatform } from '../../core/platform/platform';
import { loadConfig } from '../../core/shared/config';
import { DAY, ManualClock, MINUTE } from '../../core/shared/clock';
import { enterprise, openRequirement, operator, proposalInput, provider } from '../../core/testing/tenders-factories';
import type { BenchRooms } from './rooms-fixture';
import { REALTIME_NODE_FLAGS } from '../node-flags.mjs';
import { freePort, freshDatabase, numberOption } from './support';

const ROOMS = numberOption('rooms', 200);
const BIDDERS = 10;
const ONLY_A = process.argv.includes('--only-a');
const ONLY_B = process.argv.includes('--only-b');
const RATE = numberOption('rate', 500);
const SECONDS = numberOption('seconds', 20);
const PROVIDERS = Math.max(BIDDERS, Math.ceil((ROOMS * BIDDERS) / 20)); // each provider bids in about 20 rooms
const baseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
// A Redis database of its own, so the bench's deadlines never mix with another deployment's.
const redisUrl = (() => {
  const u = new URL(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  u.pathname = '/7';
  return u.toString();
})();
const root = fileURLToPath(new URL('../..', import.meta.url));
/** --keep: the seeded database stays and its fixture (with its URL and secret) is written; --reuse <file> runs on it again. */
const KEEP = process.argv.includes('--keep');
const REUSE = (() => {
  const i = process.argv.indexOf('--reuse');
  return i < 0 ? undefined : (JSON.parse(readFileSync(process.argv[i + 1]!, 'utf8')) as BenchRooms & { dbUrl: string; secret: string });
})();
const secret = REUSE?.secret ?? randomBytes(24).toString('hex');

async function waitFor(check: () => Promise<boolean>, what: string, ms = 120_000) {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`${what} did not become ready`);
}

const children: ChildProcess[] = [];
const PROFILE_DIR = process.argv.includes('--profile') ? mkdtempSync(join(tmpdir(), 'bangfu-bench-profile-')) : undefined;
/** The realtime nodes' flags: those `npm start` gives them, or --node-flags "…" to compare. */
const flagsOption = (name: string) => {
  const i = process.argv.indexOf(name);
  return i < 0 ? undefined : (process.argv[i + 1] ?? '').split(/\s+/).filter(Boolean);
};
const NODE_FLAGS = flagsOption('--node-flags') ?? REALTIME_NODE_FLAGS;
/** --compare-flags "…": after (a), (a) again on a node with these flags instead, on the same rooms. */
const COMPARE_FLAGS = flagsOption('--compare-flags');
const GC_LOG = process.argv.includes('--gc-log');
function start(args: string[], env: Record<string, string>, realtime = false, nodeFlags = NODE_FLAGS) {
  const prof = realtime && PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`] : [];
  const flags = realtime ? [...nodeFlags, ...(GC_LOG ? ['--trace-gc'] : [])] : [];
  const child = spawn(process.execPath, [...flags, ...prof, '--import', 'tsx', ...args], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  return child;
}
async function stop(child: ChildProcess) {
  if (child.exitCode !== null) return;
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
}

/** A realtime node of the real platform on the bench database (role realtime: the API and socket.io). */
async function realtimeNode(dbUrl: string, nodeFlags = NODE_FLAGS) {
  const port = await freePort();
  const child = start(
    ['realtime/main.ts', '--role=realtime'],
    {
      DATABASE_URL: dbUrl,
      REDIS_URL: redisUrl,
      PORT: String(port),
      HOST: '127.0.0.1',
      SEED_DEMO: 'false',
      NODE_ENV: 'production',
      APP_SECRET: secret,
      ORIGIN: `http://127.0.0.1:${port}`,
      SANDBOX_GATEWAYS: 'true',
      SESSION_IDLE_MINUTES: String(3 * 24 * 60),
    },
    true,
    nodeFlags,
  );
  if (GC_LOG) {
    const file = join(tmpdir(), `bangfu-bench-gc-${port}.log`);
    const started = Date.now();
    child.stdout!.pipe(createWriteStream(file));
    console.log(`  realtime node on ${port}: garbage collections in ${file} (times from ${new Date(started).toISOString()})`);
  } else child.stdout!.resume();
  const url = `http://127.0.0.1:${port}`;
  await waitFor(async () => (await fetch(`${url}/readyz`)).ok, 'realtime node');
  return { url, child };
}

/** The no-database baseline server, with the Redis adapter when it is one of several. */
async function bareNode(fixtureFile: string, index: number, redis: boolean) {
  const port = await freePort();
  const child = start(['scripts/bench/rooms-bare-server.ts', fixtureFile], { PORT: String(port), NODE_INDEX: String(index), REDIS_URL: redis ? redisUrl : '' });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.once('data', () => resolve());
    child.once('exit', (c) => reject(new Error(`baseline server exited with ${c}`)));
  });
  child.stdout!.resume();
  return { url: `http://127.0.0.1:${port}`, child };
}

type LoadResult = {
  sockets: number;
  connectMs: number;
  roundsStarted: number;
  sentInWindow: number;
  acceptedPerSecond: number;
  accepted: number;
  unanswered: number;
  behindSchedule: number;
  ackP50: number;
  ackP90: number;
  ackP99: number;
  ackP99BySecond: number[];
  windowStartedAt: string;
  loadLoopMaxBySecond: number[];
  deliveryP50: number;
  deliveryP99: number;
  lost: number;
  duplicated: number;
  leaked: number;
  errors: Record<string, number>;
};

async function load(fixtureFile: string, urls: string[], rate = RATE): Promise<LoadResult> {
  const child = start(['scripts/bench/rooms-load.ts', fixtureFile, urls.join(','), String(rate), String(SECONDS)], {});
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  const code = await new Promise<number | null>((r) => child.once('exit', r));
  const line = out.split('\n').find((l) => l.startsWith('RESULT '));
  if (code !== 0 || !line) throw new Error(`load generator failed (exit ${code})`);
  return JSON.parse(line.slice('RESULT '.length));
}

const ms = (x: number) => `${Number.isFinite(x) ? x.toFixed(1) : '–'} ms`;
function print(label: string, r: LoadResult) {
  const errs = Object.entries(r.errors)
    .map(([k, v]) => `${k}×${v}`)
    .join(' ');
  console.log(
    `${label.padEnd(40)} ${r.acceptedPerSecond.toFixed(0).padStart(5)} bids/s   ack p50 ${ms(r.ackP50).padStart(9)}  p90 ${ms(r.ackP90).padStart(9)}  p99 ${ms(r.ackP99).padStart(9)}   delivery p99 ${ms(r.deliveryP99).padStart(9)}   lost ${r.lost}  duplicated ${r.duplicated}  leaked ${r.leaked}${r.unanswered ? `  unanswered ${r.unanswered}` : ''}${r.behindSchedule ? `  slots skipped ${r.behindSchedule}` : ''}${errs ? `  refused ${errs}` : ''}`,
  );
}
const TIMELINE = process.argv.includes('--timeline');
const SATURATION = process.argv.includes('--saturation');
function timeline(r: LoadResult) {
  if (TIMELINE) {
    console.log(`  ack p99 by second from ${r.windowStartedAt} (ms): ${r.ackP99BySecond.join(' ')}`);
    console.log(`  the load generator's own event-loop delay, max by second (ms): ${r.loadLoopMaxBySecond.join(' ')}`);
  }
}
function ratios(label: string, real: LoadResult, base: LoadResult) {
  console.log(
    `  ratio ${label}: bids/s ${(real.acceptedPerSecond / base.acceptedPerSecond).toFixed(2)} of the baseline; ack p99 ×${(real.ackP99 / base.ackP99).toFixed(1)}, delivery p99 ×${(real.deliveryP99 / base.deliveryP99).toFixed(1)} of the baseline's`,
  );
}

async function seed(dbUrl: string): Promise<BenchRooms> {
  // Requirements open at least 24 h after publishing: seed on a clock a day and a bit in the past, so
  // that on the real clock every room is past its opening (the bidding room) when the nodes start.
  const realNow = Date.now();
  const clock = new ManualClock(new Date(realNow - DAY - 10 * MINUTE));
  const config = loadConfig({
    DATABASE_URL: dbUrl,
    NODE_ENV: 'production',
    APP_SECRET: secret,
    ORIGIN: 'http://127.0.0.1',
    SANDBOX_GATEWAYS: 'true',
    SEED_DEMO: 'false',
    SESSION_IDLE_MINUTES: String(3 * 24 * 60),
  });
  const p = await createPlatform(config, { clock, rateLimitPrefix: `bench-${randomBytes(4).toString('hex')}` });
  try {
    // One line that counts up on a terminal; a line per step when the output is a log.
    const progress = (what: string, done: number, total: number) =>
      process.stdout.isTTY
        ? process.stdout.write(`\r  ${what} ${done}/${total}${done === total ? '\n' : ''}`)
        : (done === total || done % 50 === 0) && console.log(`  ${what} ${done}/${total}`);
    const ops = await operator(p);
    const providers: Awaited<ReturnType<typeof provider>>[] = [];
    for (let i = 0; i < PROVIDERS; i += 10) {
      providers.push(...(await Promise.all(Array.from({ length: Math.min(10, PROVIDERS - i) }, () => provider(p)))));
      progress('providers', providers.length, PROVIDERS);
    }
    const rooms: BenchRooms['rooms'] = [];
    const openingAt = new Date(realNow - 5 * MINUTE).toISOString();
    for (let i = 0; i < ROOMS; i += 10) {
      const batch = await Promise.all(
        Array.from({ length: Math.min(10, ROOMS - i) }, async (_, j) => {
          const n = i + j;
          const e = await enterprise(p, 20_000);
          const r = await openRequirement(p, e.actor, ops, { minBidders: 1, openingAt });
          const bidders = [];
          for (let k = 0; k < BIDDERS; k++) {
            const b = providers[(n * BIDDERS + k) % PROVIDERS]!;
            const priceFen = 100_000_000 + k * 1_000_000; // ¥1,000,000 up: room for many 1.5 % cuts
            await p.services.proposals.submit(b.actor, r.id, proposalInput(priceFen));
            bidders.push({ orgId: b.actor.organisation!.organisationId, token: b.token, priceFen });
          }
          return { requirementId: r.id, enterprise: { orgId: e.actor.organisation!.organisationId, token: e.token }, bidders };
        }),
      );
      rooms.push(...batch);
      progress('rooms with 10 proposals each', rooms.length, ROOMS);
    }
    return { rooms };
  } finally {
    await p.close();
  }
}

async function main() {
  const fresh = REUSE
    ? { name: new URL(REUSE.dbUrl).pathname.slice(1), url: REUSE.dbUrl, drop: async () => {}, keep: async () => {} }
    : await freshDatabase(baseUrl, 'bangfu_bench_rooms');
  const db = postgres(fresh.url, { max: 1, onnotice: () => {} });
  const dir = mkdtempSync(join(tmpdir(), 'bangfu-bench-rooms-'));
  // Interrupted (Ctrl-C, a timeout): stop the servers and drop the database all the same.
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
      void db
        .end()
        .then(() => fresh.drop())
        .finally(() => process.exit(130));
    });
  }
  try {
    if (!REUSE) console.log(`Seeding ${ROOMS} rooms × ${BIDDERS} bidders on PostgreSQL (${fresh.name})…`);
    const fixture = REUSE ?? { ...(await seed(fresh.url)), dbUrl: fresh.url, secret };
    const fixtureFile = join(KEEP ? tmpdir() : dir, KEEP ? `${fresh.name}.json` : 'rooms.json');
    writeFileSync(fixtureFile, JSON.stringify(fixture));
    if (KEEP) {
      await fresh.keep();
      console.log(`--keep: the database ${fresh.name} stays; run again with --reuse ${fixtureFile} (drop it with: dropdb ${fresh.name})`);
    }
    // Statistics as a live database has them (autovacuum would gather them soon after the seeding).
    await db`analyze`;
    const sockets = fixture.rooms.length * (BIDDERS + 1);
    console.log(
      `\n${fixture.rooms.length} rooms, ${sockets} sockets, target ${RATE} bids/s, ${SECONDS} s measured after 3 s of warm-up; load generator in its own process.\n`,
    );

    // (a) one node, beside one bare socket.io server.
    if (ONLY_B) return await runB(fixtureFile, await realtimeNode(fresh.url));
    const bare1 = await bareNode(fixtureFile, 0, false);
    const baseA = await load(fixtureFile, [bare1.url]);
    await stop(bare1.child);
    print('baseline (a): bare socket.io, 1 node', baseA);
    const node1 = await realtimeNode(fresh.url);
    const before = Number((await db`select count(*)::int as n from round_offers`)[0]!.n);
    const a = await load(fixtureFile, [node1.url]);
    const committedA = Number((await db`select count(*)::int as n from round_offers`)[0]!.n) - before;
    print('(a) Bangfu, 1 realtime node', a);
    timeline(a);
    ratios('(a)', a, baseA);
    console.log(`  committed offers in the database: ${committedA} for ${a.accepted} acknowledged bids`);
    if (SATURATION) {
      // Where one node saturates: raise the offered rate until ack p99 passes 50 ms (or bids fall behind).
      let held = a.ackP99 < 50 && a.acceptedPerSecond >= 0.98 * RATE ? RATE : 0;
      for (let rate = RATE + 100; held && rate <= RATE + 1000; rate += 100) {
        const r = await load(fixtureFile, [node1.url], rate);
        print(`  offered ${rate} bids/s`, r);
        if (r.ackP99 >= 50 || r.acceptedPerSecond < 0.98 * rate) break;
        held = rate;
      }
      console.log(
        held ? `  saturation: one node holds ack p99 < 50 ms up to ${held} bids/s offered` : '  saturation: ack p99 is over 50 ms already at the target rate',
      );
    }

    if (COMPARE_FLAGS) {
      const other = await realtimeNode(fresh.url, COMPARE_FLAGS);
      const before = Number((await db`select count(*)::int as n from round_offers`)[0]!.n);
      const c = await load(fixtureFile, [other.url]);
      const committed = Number((await db`select count(*)::int as n from round_offers`)[0]!.n) - before;
      print(`(a) with ${COMPARE_FLAGS.join(' ') || 'no flags'}`.slice(0, 40), c);
      timeline(c);
      console.log(`  flags of the first (a): ${NODE_FLAGS.join(' ') || 'none'}; committed offers: ${committed} for ${c.accepted} acknowledged bids`);
      await stop(other.child);
    }

    if (ONLY_A) {
      await stop(node1.child);
      if (PROFILE_DIR) console.log(`CPU profile of the realtime node: ${PROFILE_DIR}`);
      return;
    }
    await runB(fixtureFile, node1);
  } finally {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    await db.end();
    await new Promise((r) => setTimeout(r, 500));
    await fresh.drop();
  }

  /** (b) two nodes joined by the Redis adapter; every room's sockets are spread over both. */
  async function runB(fixtureFile: string, node1: { url: string; child: ChildProcess }) {
    const bare2 = [await bareNode(fixtureFile, 0, true), await bareNode(fixtureFile, 1, true)];
    const baseB = await load(
      fixtureFile,
      bare2.map((n) => n.url),
    );
    for (const n of bare2) await stop(n.child);
    print('\nbaseline (b): bare socket.io, 2 nodes + Redis', baseB);
    const node2 = await realtimeNode(fresh.url);
    const before2 = Number((await db`select count(*)::int as n from round_offers`)[0]!.n);
    const b = await load(fixtureFile, [node1.url, node2.url]);
    const committedB = Number((await db`select count(*)::int as n from round_offers`)[0]!.n) - before2;
    print('(b) Bangfu, 2 realtime nodes + Redis', b);
    timeline(b);
    ratios('(b)', b, baseB);
    console.log(`  committed offers in the database: ${committedB} for ${b.accepted} acknowledged bids`);
    console.log('\nAims on a 2-core machine: ≥ 500 accepted bids/s, ack p99 < 50 ms, delivery p99 < 100 ms (a) and < 150 ms (b), zero lost or duplicated.');
    console.log('Delivery is timed from the moment the bid left the bidder to the last socket that must hear of it');
    console.log('(the enterprise, the bidder, and each rival whose rank it moved), so it includes the commit.');
    await stop(node1.child);
    await stop(node2.child);
    if (PROFILE_DIR) console.log(`CPU profiles of the realtime nodes: ${PROFILE_DIR}`);
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
