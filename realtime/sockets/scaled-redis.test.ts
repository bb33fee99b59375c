import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import type { Socket } from 'socket.io-client';
import { Redis } from 'ioredis';
import { createPlatform, type Platform } from '../../core/platform/platform';
import { loadConfig } from '../../core/shared/config';
import { MINUTE } from '../../core/shared/clock';
import { captureLogs } from '../../core/shared/logger';
import { ManualClock } from '../../core/testing/test-platform';
import { enterprise, openRequirement, operator, proposalInput, provider } from '../../core/testing/tenders-factories';
import { openTestDb } from '../../db/test/test-db';
import type { DbHandle } from '../../db/client';
import { createApplication } from '../server';
import { next, nextRoomEvent, record, settle, socketClients } from './test-clients';

/**
 * Redis goes away for a few seconds under two realtime nodes: a private redis-server child process
 * (never the shared one) is killed mid-round and started again on the same port, empty.
 */
const hasRedisServer = spawnSync('redis-server', ['--version']).status === 0;

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });

async function startRedis(port: number): Promise<ChildProcess> {
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  const probe = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  probe.on('error', () => undefined);
  for (let i = 0; i < 50; i++) {
    try {
      await probe.connect();
      await probe.ping();
      probe.disconnect();
      return child;
    } catch {
      await settle(100);
    }
  }
  probe.disconnect();
  throw new Error('redis-server did not start');
}

const stopRedis = (child: ChildProcess) =>
  new Promise<void>((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });

describe.runIf(hasRedisServer)('a Redis outage under two realtime nodes', () => {
  const clock = new ManualClock(new Date('2026-11-23T02:00:00Z'));
  const { client, closeAll } = socketClients();
  let redisPort: number;
  let redisProc: ChildProcess;
  let dbHandle: DbHandle;
  const nodes: { p: Platform; app: ReturnType<typeof createApplication>; url: string }[] = [];
  let logs: string[] = [];
  const prefix = `t-${randomUUID().slice(0, 8)}:`;
  const baseEnv: Record<string, string> = {
    NODE_ENV: 'test',
    APP_SECRET: 'test-secret-0123456789',
    SEED_DEMO: 'false',
    SESSION_IDLE_MINUTES: String(30 * 24 * 60),
  };

  beforeAll(async () => {
    redisPort = await freePort();
    redisProc = await startRedis(redisPort);
    dbHandle = await openTestDb();
    baseEnv.REDIS_URL = `redis://127.0.0.1:${redisPort}`;
    const config = loadConfig({ ...baseEnv, REDIS_PREFIX: prefix });
    // Outages are logged through the shared logger (JSON lines): read them back.
    const captured = captureLogs();
    afterAll(() => captured.restore());
    logs = captured.lines;
    for (let i = 0; i < 2; i++) {
      const p = await createPlatform(config, { dbHandle, migrate: false, clock });
      await p.startJobs();
      const app = createApplication(p, { role: 'realtime', presenceRefreshMs: 500 });
      nodes.push({ p, app, url: `http://127.0.0.1:${await app.listen(0, '127.0.0.1')}` });
    }
  });

  afterAll(async () => {
    closeAll();
    for (const n of nodes) {
      await n.app.close().catch(() => {});
      await n.p.close().catch(() => {});
    }
    if (redisProc) await stopRedis(redisProc);
    await dbHandle?.close();
  });

  const ack = (s: Socket, event: string, payload: unknown) => s.timeout(8000).emitWithAck(event, payload) as Promise<any>;

  it('no node stops, logins answer 200, a round starts and a bid is taken during it; afterwards clients are told to resync and get the missed events, and the deadline is back in Redis', async () => {
    const [a, b] = nodes as [(typeof nodes)[0], (typeof nodes)[0]];
    const ops = await operator(a.p);
    const e = await enterprise(a.p, 20_000);
    const r = await openRequirement(a.p, e.actor, ops, { minBidders: 2 });
    const bidders = [await provider(a.p), await provider(a.p)];
    for (const [i, x] of bidders.entries()) await a.p.services.proposals.submit(x.actor, r.id, proposalInput(2_000_000 + i * 500_000));
    const ids = bidders.map((x) => x.actor.organisation!.organisationId);
    clock.set(new Date(r.openingAt!));

    // The enterprise watches on node A, the first bidder on node B.
    const se = await client(a.url, { token: e.token });
    const sb = await client(b.url, { token: bidders[0]!.token });
    const joined = await ack(se, 'room:join', { requirementId: r.id });
    expect(joined.ok).toBe(true);
    expect((await ack(sb, 'room:join', { requirementId: r.id })).ok).toBe(true);
    const seenBySe = record(se);
    const lastSeqBefore = joined.data.snapshot.seq as number;

    // Redis dies.
    await stopRedis(redisProc);
    await settle(300);

    // Logins keep working (rate limits fall back to each node's memory).
    for (const n of [a, b]) {
      const res = await fetch(`${n.url}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ identifier: bidders[1]!.input.username, password: bidders[1]!.input.password }),
      });
      expect(res.status).toBe(200);
    }

    // The enterprise starts a round on A (its deadline cannot reach Redis) and the bidder bids on B:
    // both are committed and acknowledged, though the fan-out between the nodes is lost.
    const started = await ack(se, 'round:start', { requirementId: r.id, providerIds: ids, durationMinutes: 10 });
    expect(started.ok).toBe(true);
    const bid = await ack(sb, 'bid:submit', { requirementId: r.id, priceFen: 1_950_000, clientId: `bid-${randomUUID()}` });
    expect(bid.ok).toBe(true);
    await settle(1500);
    expect(seenBySe.some((x) => x.event === 'room:event' && x.payload.type === 'offer:received')).toBe(false);

    // Redis comes back on the same port, empty.
    const hinted = next(se, 'room:resync', () => true, 15_000);
    const unreadHint = next(sb, 'message:unread', () => true, 15_000);
    redisProc = await startRedis(redisPort);
    await hinted;
    // The bidder's site message about the round (published on A during the outage) is counted again.
    const unread = await b.p.services.messages.unreadCount(bidders[0]!.actor.userId);
    expect(unread).toBeGreaterThan(0);
    expect((await unreadHint).unreadCount).toBe(unread);

    // The client catches up by sequence number and gets what it missed, the bid included.
    const sync = await ack(se, 'room:sync', { requirementId: r.id, lastSeq: lastSeqBefore });
    expect(sync.ok).toBe(true);
    const types = sync.data.events.map((x: { type: string }) => x.type);
    expect(types).toContain('round:started');
    expect(types).toContain('offer:received');
    expect(sync.data.through).toBeGreaterThanOrEqual(bid.data.seq);

    // The round's wake-up was rebuilt from PostgreSQL into the restarted Redis.
    const check = new Redis({ port: redisPort, host: '127.0.0.1', maxRetriesPerRequest: 1 });
    try {
      await expect
        .poll(() => check.zscore(`${prefix}deadlines`, `round:${started.data.id}`), { timeout: 5000 })
        .toBe(String(new Date(started.data.closesAt).getTime()));
    } finally {
      check.disconnect();
    }

    // Live fan-out works again: the next bid reaches the enterprise on the other node.
    const live = nextRoomEvent(se, 'offer:received', 8000);
    expect((await ack(sb, 'bid:submit', { requirementId: r.id, priceFen: 1_900_000, clientId: `bid-${randomUUID()}` })).ok).toBe(true);
    expect((await live).payload.providerId).toBe(ids[0]);

    // The outage was logged, not thrown.
    expect(logs.some((l) => /unavailable|publish lost|not scheduled/.test(l))).toBe(true);
    clock.set(new Date(clock.now().getTime() + MINUTE));
  }, 60_000);

  it('REDIS_PREFIX keeps deployments sharing one Redis apart: a publish reaches the same deployment on another node, never a node of another prefix', async () => {
    const [a, b] = nodes as [(typeof nodes)[0], (typeof nodes)[0]];
    const other = await createPlatform(loadConfig({ ...baseEnv, REDIS_PREFIX: `other-${prefix}` }), { dbHandle, migrate: false, clock });
    const otherApp = createApplication(other, { role: 'realtime' });
    const otherUrl = `http://127.0.0.1:${await otherApp.listen(0, '127.0.0.1')}`;
    try {
      const u = await provider(a.p);
      const onB = await client(b.url, { token: u.token });
      const onOther = await client(otherUrl, { token: u.token });
      const gotOther = record(onOther);
      await settle(200);
      const arrived = next(onB, 'message:unread', (x) => x.unreadCount === 77);
      a.p.publisher.publish(`user:${u.actor.userId}`, 'message:unread', { unreadCount: 77 });
      await arrived;
      await settle(500);
      expect(gotOther.filter((x) => x.event === 'message:unread')).toEqual([]);
    } finally {
      await otherApp.close();
      await other.close();
    }
  }, 30_000);

  it('presence: a bidder on a node that dies without a word goes offline for the enterprise on the other node', async () => {
    const [a, b] = nodes as [(typeof nodes)[0], (typeof nodes)[0]];
    clock.set(new Date('2026-11-23T02:00:00Z'));
    const ops = await operator(a.p);
    const e = await enterprise(a.p, 20_000);
    const r = await openRequirement(a.p, e.actor, ops, { minBidders: 2 });
    const bidder = await provider(a.p);
    await a.p.services.proposals.submit(bidder.actor, r.id, proposalInput(2_000_000));
    const bidderId = bidder.actor.organisation!.organisationId;
    clock.set(new Date(new Date(r.openingAt!).getTime() - 5 * MINUTE));

    const se = await client(a.url, { token: e.token });
    const sb = await client(b.url, { token: bidder.token });
    expect((await ack(se, 'room:join', { requirementId: r.id })).ok).toBe(true);
    const online = next(se, 'room:presence', (x) => x.onlineProviderIds?.includes(bidderId));
    expect((await ack(sb, 'room:join', { requirementId: r.id })).ok).toBe(true);
    await online;

    // Node B dies: its Redis links drop and its sockets vanish without a disconnect reaching node A.
    // Node A learns it at its next presence pass once the cluster-wide query stops counting B (up to the
    // adapter's 3 s request timeout); on a loaded 2-core runner that has taken more than 8 s.
    const gone = next(se, 'room:presence', (x) => !x.onlineProviderIds?.includes(bidderId), 20_000);
    const adapter = b.app.io!.of('/').adapter as unknown as { pubClient: Redis; subClient: Redis };
    adapter.subClient.disconnect();
    adapter.pubClient.disconnect();
    b.p.redis?.disconnect();
    sb.io.engine.close();
    expect((await gone).enterprisePresent).toBe(true);
  }, 30_000);
});
