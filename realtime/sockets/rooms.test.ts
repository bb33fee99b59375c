import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { randomUUID } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import type { Socket } from 'socket.io-client';
import { priceRounds, roomEvents, roundOffers, siteMessages } from '../../db/schema';
import { createPlatform, type Platform } from '../../core/platform/platform';
import { loadConfig } from '../../core/shared/config';
import { MINUTE } from '../../core/shared/clock';
import { createTestPlatform, ManualClock } from '../../core/testing/test-platform';
import { enterprise, openRequirement, operator, proposalInput, provider } from '../../core/testing/tenders-factories';
import { createApplication } from '../server';
import { nextRoomEvent, next, record, settle, socketClients } from './test-clients';

const clock = new ManualClock(new Date('2026-11-23T02:00:00Z'));
const timerKey = `test-deadlines-${randomUUID()}`;
let p: Platform;
let app: ReturnType<typeof createApplication>;
let url: string;
const { client, closeAll } = socketClients();

beforeAll(async () => {
  // Tenders open days after they are published: keep the test sessions alive across the jump.
  p = await createTestPlatform({ clock, timerKey, env: { SESSION_IDLE_MINUTES: String(30 * 24 * 60) } });
  await p.startJobs();
  app = createApplication(p, { role: 'realtime' });
  url = `http://127.0.0.1:${await app.listen(0, '127.0.0.1')}`;
});
afterAll(async () => {
  closeAll();
  await app?.close();
  await p?.close();
});

let n = 0;
const cid = () => `bid-${++n}-${randomUUID().slice(0, 8)}`;
const ack = (s: Socket, event: string, payload: unknown) => s.timeout(5000).emitWithAck(event, payload) as Promise<any>;

/** A competitive requirement opening in 3 days, with proposals at ¥20,000, ¥25,000, ¥30,000. */
async function tender(platform: Platform = p) {
  clock.set(new Date('2026-11-23T02:00:00Z'));
  const ops = await operator(platform);
  const e = await enterprise(platform, 20_000);
  const r = await openRequirement(platform, e.actor, ops, { minBidders: 2 });
  const bidders = [await provider(platform), await provider(platform), await provider(platform)];
  for (const [i, b] of bidders.entries()) await platform.services.proposals.submit(b.actor, r.id, proposalInput(2_000_000 + i * 500_000));
  return { e, r, bidders, ops, openingAt: new Date(r.openingAt!), ids: bidders.map((b) => b.actor.organisation!.organisationId) };
}

describe('bidding room over socket.io (one node)', () => {
  it('runs waiting room → bidding room → second round → selection with presence, sealed prices, acks after commit, close once and reconnect', async () => {
    const t = await tender();
    clock.set(new Date(t.openingAt.getTime() - 10 * MINUTE));
    const [se, s1, s2, s3] = (await Promise.all([client(url, { token: t.e.token }), ...t.bidders.map((b) => client(url, { token: b.token }))])) as Socket[];
    const got3 = record(s3!);

    // Waiting room: the provider sees the countdown and that the enterprise is not there yet.
    const j1 = await ack(s1!, 'room:join', { requirementId: t.r.id });
    expect(j1).toMatchObject({ ok: true, data: { snapshot: { phase: 'waiting', bidderCount: 3, role: 'provider' }, presence: { enterprisePresent: false } } });
    expect(j1.data.presence.onlineProviderIds).toBeUndefined();
    // The enterprise arrives: it sees which bidders are online; the provider is told it is present.
    const toldPresent = next(s1!, 'room:presence', (x) => x.enterprisePresent === true);
    const je = await ack(se!, 'room:join', { requirementId: t.r.id });
    expect(je.data.presence.onlineProviderIds).toEqual([t.ids[0]]);
    await toldPresent;
    const seesTwo = next(se!, 'room:presence', (x) => x.onlineProviderIds?.length === 2);
    await ack(s2!, 'room:join', { requirementId: t.r.id });
    expect((await seesTwo).onlineProviderIds.sort()).toEqual([t.ids[0], t.ids[1]].sort());

    // Opening: the enterprise sees every proposal; the bidder only its own.
    clock.set(t.openingAt);
    const opened = await ack(se!, 'room:join', { requirementId: t.r.id });
    expect(opened.data.snapshot.phase).toBe('bidding');
    expect(opened.data.snapshot.proposals.map((x: { priceFen: number }) => x.priceFen)).toEqual([2_000_000, 2_500_000, 3_000_000]);
    const j3 = await ack(s3!, 'room:join', { requirementId: t.r.id });
    expect(JSON.stringify(j3.data)).not.toContain('2500000');

    // Second round with A and B; C is told it is not in it.
    expect(await ack(s1!, 'round:start', { requirementId: t.r.id, providerIds: [t.ids[0]], durationMinutes: 10 })).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    });
    const aStarted = nextRoomEvent(s1!, 'round:started');
    const cStarted = nextRoomEvent(s3!, 'round:started');
    const started = await ack(se!, 'round:start', { requirementId: t.r.id, providerIds: [t.ids[0], t.ids[1]], durationMinutes: 10 });
    expect(started.ok).toBe(true);
    expect((await aStarted).payload).toMatchObject({ included: true, rank: 1, participantCount: 2 });
    expect((await cStarted).payload).toEqual({ roundId: started.data.id, number: 1, included: false });

    // A bid: refused when not low enough (field message), acknowledged after commit with seq and server time.
    const tooHigh = await ack(s2!, 'bid:submit', { requirementId: t.r.id, priceFen: 2_490_000, clientId: cid() });
    expect(tooHigh).toMatchObject({ ok: false, error: { code: 'PRICE_NOT_LOWER', fields: { priceFen: expect.stringContaining('¥24,750.00') } } });
    const enterpriseSees = nextRoomEvent(se!, 'offer:received');
    const aRank = nextRoomEvent(s1!, 'round:rank');
    const id = cid();
    const bid = await ack(s2!, 'bid:submit', { requirementId: t.r.id, priceFen: 1_900_000, clientId: id });
    expect(bid).toMatchObject({ ok: true, data: { rank: 1, replayed: false }, serverTime: t.openingAt.toISOString() });
    expect(bid.data.seq).toBeGreaterThan(0);
    expect((await enterpriseSees).payload).toEqual({ roundId: started.data.id, providerId: t.ids[1], offerCount: 1, at: expect.any(String) });
    expect((await aRank).payload).toEqual({ roundId: started.data.id, rank: 2, participantCount: 2 });
    // Resent after a timeout: counted once.
    expect(await ack(s2!, 'bid:submit', { requirementId: t.r.id, priceFen: 1_900_000, clientId: id })).toMatchObject({
      ok: true,
      data: { replayed: true, seq: bid.data.seq },
    });
    await expect(ack(se!, 'room:select', { requirementId: t.r.id, providerId: t.ids[0] })).resolves.toMatchObject({
      ok: false,
      error: { code: 'ROUND_IN_PROGRESS' },
    });

    // Anti-sniping seen by everyone in the round.
    clock.set(new Date(new Date(started.data.closesAt).getTime() - 30_000));
    const extended = Promise.all([nextRoomEvent(se!, 'round:extended'), nextRoomEvent(s2!, 'round:extended')]);
    const snipe = await ack(s1!, 'bid:submit', { requirementId: t.r.id, priceFen: 1_800_000, clientId: cid() });
    expect(snipe.ok).toBe(true);
    const [ext] = await extended;
    expect(ext.payload).toMatchObject({ extensions: 1, closesAt: new Date(clock.now().getTime() + 2 * MINUTE).toISOString() });

    // At the new deadline a bid is refused; the timer closes the round once, and everyone hears it.
    const closedForEnterprise = nextRoomEvent(se!, 'round:closed');
    const closedForB = nextRoomEvent(s2!, 'round:closed');
    clock.set(new Date(ext.payload.closesAt));
    expect(await ack(s2!, 'bid:submit', { requirementId: t.r.id, priceFen: 1_700_000, clientId: cid() })).toMatchObject({
      ok: false,
      error: { code: 'ROUND_CLOSED' },
    });
    const result = (await closedForEnterprise).payload;
    expect(result.participants.map((x: { providerId: string; finalPriceFen: number }) => [x.providerId, x.finalPriceFen])).toEqual([
      [t.ids[0], 1_800_000],
      [t.ids[1], 1_900_000],
    ]);
    expect((await closedForB).payload).toMatchObject({ rank: 2, finalPriceFen: 1_900_000 });
    await settle(500);
    const closes = await p.db
      .select()
      .from(roomEvents)
      .where(and(eq(roomEvents.requirementId, t.r.id), eq(roomEvents.type, 'round:closed')));
    expect(closes.filter((x) => x.audience.includes('enterprise'))).toHaveLength(1);

    // C, left out, never received a price, a rival's name or a rank.
    const cText = JSON.stringify(got3);
    for (const secret of ['1900000', '1800000', t.ids[0]!, t.ids[1]!]) expect(cText).not.toContain(secret);

    // Reconnect: A drops; meanwhile a new round starts and B bids; A comes back with its last seq.
    const lastSeenByA = Math.max(...(await p.services.rooms.eventsSince(t.bidders[0]!.actor, t.r.id, 0)).map((e) => e.seq));
    s1!.close();
    const round2 = await ack(se!, 'round:start', { requirementId: t.r.id, providerIds: [t.ids[0], t.ids[1]], durationMinutes: 5 });
    await ack(s2!, 'bid:submit', { requirementId: t.r.id, priceFen: 1_700_000, clientId: cid() });
    const a2 = await client(url, { token: t.bidders[0]!.token });
    const back = await ack(a2, 'room:join', { requirementId: t.r.id, lastSeq: lastSeenByA });
    expect(back.data.missed.map((e: { type: string }) => e.type)).toEqual(['round:started', 'round:rank']);
    expect(back.data.snapshot.currentRound).toMatchObject({ id: round2.data.id, myRank: 2, closesAt: round2.data.closesAt });
    expect(back.data.snapshot.serverTime).toBe(clock.now().toISOString());

    // Selection after the round: the winner and the others hear it.
    clock.set(new Date(round2.data.closesAt));
    await nextRoomEvent(se!, 'round:closed');
    const won = nextRoomEvent(a2, 'room:result');
    const lost = nextRoomEvent(s2!, 'room:result');
    expect(await ack(se!, 'room:select', { requirementId: t.r.id, providerId: t.ids[0] })).toMatchObject({ ok: true, data: { state: 'awarded' } });
    expect((await won).payload).toEqual({ selected: true });
    expect((await lost).payload).toEqual({ selected: false });
  });

  it('refuses strangers, anonymous sockets and bad input with clear errors', async () => {
    const t = await tender();
    clock.set(t.openingAt);
    const stranger = await client(url, { token: (await provider(p)).token });
    const anon = await client(url);
    expect(await ack(stranger, 'room:join', { requirementId: t.r.id })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect(await ack(stranger, 'bid:submit', { requirementId: t.r.id, priceFen: 1, clientId: cid() })).toMatchObject({
      ok: false,
      error: { code: 'NOT_FOUND' },
    });
    expect(await ack(anon, 'room:join', { requirementId: t.r.id })).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED' } });
    expect(await ack(anon, 'room:join', { requirementId: 'nope' })).toMatchObject({
      ok: false,
      error: { code: 'VALIDATION', fields: { requirementId: '项目编号无效' } },
    });
    const bidder = await client(url, { token: t.bidders[0]!.token });
    expect(await ack(bidder, 'bid:submit', { requirementId: t.r.id, priceFen: 1.5, clientId: cid() })).toMatchObject({
      ok: false,
      error: { code: 'VALIDATION', fields: { priceFen: '报价最多两位小数' } },
    });
    expect(await ack(bidder, 'bid:submit', { requirementId: t.r.id, priceFen: 1_000_000, clientId: cid() })).toMatchObject({
      ok: false,
      error: { code: 'ROUND_CLOSED' },
    });
  });

  it('live chat: history on open, delivery and read receipts, no eavesdropping, site message only when the recipient is away', async () => {
    const t = await tender();
    const [se, s1, s2] = (await Promise.all([
      client(url, { token: t.e.token }),
      client(url, { token: t.bidders[0]!.token }),
      client(url, { token: t.bidders[1]!.token }),
    ])) as Socket[];
    const got2 = record(s2!);
    const thread = { requirementId: t.r.id, providerId: t.ids[0] };
    expect(await ack(s2!, 'chat:join', thread)).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    await ack(se!, 'chat:join', thread);

    // A is away: the message is stored and A gets a site message.
    const sent = await ack(se!, 'chat:send', { ...thread, body: '您好，想先了解一下服务团队。', clientId: cid() });
    expect(sent).toMatchObject({ ok: true, data: { body: '您好，想先了解一下服务团队。', seq: expect.any(Number) } });
    const aMembers = await p.db.select().from(siteMessages).where(eq(siteMessages.category, 'negotiation'));
    expect(aMembers.some((m) => m.userId === t.bidders[0]!.actor.userId)).toBe(true);

    // A opens the thread: history includes it and E is told it was read; A's client confirms delivery; E sees the receipt.
    const readOnOpen = next(se!, 'chat:receipt', (r) => r.kind === 'read');
    const history = await ack(s1!, 'chat:join', thread);
    expect(history.data.items.map((m: { body: string }) => m.body)).toContain('您好，想先了解一下服务团队。');
    expect((await readOnOpen).messageIds).toEqual([sent.data.id]);
    const delivered = next(se!, 'chat:receipt', (r) => r.kind === 'delivered');
    expect(await ack(s1!, 'chat:delivered', { ...thread, messageIds: [sent.data.id] })).toMatchObject({ ok: true, data: { ids: [sent.data.id] } });
    expect((await delivered).messageIds).toEqual([sent.data.id]);

    // Now A is watching: a live message arrives at once, and no site message is added.
    const before = (await p.db.select().from(siteMessages).where(eq(siteMessages.userId, t.bidders[0]!.actor.userId))).length;
    const live = nextRoomEvent(s1!, 'chat:message');
    const typing = next(s1!, 'chat:typing');
    se!.emit('chat:typing', thread);
    expect(await typing).toEqual({ ...thread, side: 'enterprise' });
    await ack(se!, 'chat:send', { ...thread, body: '方便的话下午通个电话。', clientId: cid() });
    expect((await live).payload).toMatchObject({ body: '方便的话下午通个电话。', senderOrgId: t.e.actor.organisation!.organisationId });
    expect((await p.db.select().from(siteMessages).where(eq(siteMessages.userId, t.bidders[0]!.actor.userId))).length).toBe(before);

    await settle();
    expect(JSON.stringify(got2)).not.toContain('下午通个电话');
  });
});

describe.runIf(Boolean(process.env.REDIS_URL))('bidding room across two realtime nodes joined by Redis', () => {
  it("a room's bids are decided on one node, its owner: bids that reach the other node are handed over and answered as if decided there", async () => {
    // A prefix of their own: the nodes of other tests on this Redis are not in this pair.
    const config = loadConfig({
      NODE_ENV: 'test',
      REDIS_URL: process.env.REDIS_URL,
      REDIS_PREFIX: `t-${randomUUID().slice(0, 8)}:`,
      APP_SECRET: 'test-secret-0123456789',
      SEED_DEMO: 'false',
      SESSION_IDLE_MINUTES: String(30 * 24 * 60),
    });
    const key = `test-deadlines-${randomUUID()}`;
    const nodes = [
      await createPlatform(config, { dbHandle: p.dbHandle, migrate: false, clock, timerKey: key, rateLimitPrefix: `t-${randomUUID()}` }),
      await createPlatform(config, { dbHandle: p.dbHandle, migrate: false, clock, timerKey: key, rateLimitPrefix: `t-${randomUUID()}` }),
    ];
    const apps = nodes.map((x) => createApplication(x, { role: 'realtime' }));
    try {
      const urls = await Promise.all(apps.map(async (a) => `http://127.0.0.1:${await a.listen(0, '127.0.0.1')}`));
      const decided = nodes.map((x) => vi.spyOn(x.services.rooms, 'submitOffer'));
      // Each node says it is alive every 2 s: after one beat each knows the other.
      await settle(2300);
      const t = await tender(nodes[0]);
      clock.set(t.openingAt);
      const se = await client(urls[0]!, { token: t.e.token });
      const sockets = await Promise.all(t.bidders.map((b, i) => client(urls[i % 2]!, { token: b.token })));
      for (const s of [se, ...sockets]) expect((await ack(s, 'room:join', { requirementId: t.r.id })).ok).toBe(true);
      expect((await ack(se, 'round:start', { requirementId: t.r.id, providerIds: t.ids, durationMinutes: 10 })).ok).toBe(true);
      const acks = await Promise.all(
        sockets.map((s, i) => ack(s, 'bid:submit', { requirementId: t.r.id, priceFen: 1_900_000 - i * 100_000, clientId: cid() })),
      );
      expect(acks.map((a) => a.ok)).toEqual([true, true, true]);
      expect(new Set(acks.map((a) => a.data.seq)).size).toBe(3);
      // Refusals come back from the owner as they would from any node.
      const refused = await ack(sockets[1]!, 'bid:submit', { requirementId: t.r.id, priceFen: 2_900_000, clientId: cid() });
      expect(refused).toMatchObject({ ok: false, error: { code: 'PRICE_NOT_LOWER' } });
      const calls = decided.map((d) => d.mock.calls.length);
      expect(calls.sort()).toEqual([0, 4]);
      const offers = await p.db.select().from(roundOffers).where(eq(roundOffers.requirementId, t.r.id));
      expect(offers.map((o) => o.id).sort()).toEqual(acks.map((a) => a.data.offer.id).sort());
    } finally {
      for (const a of apps) await a.close();
      for (const x of nodes) await x.close();
    }
  });

  it('a bid sent to node B reaches the enterprise on node A; with node A killed mid-round the round still closes once, on time, on B', async () => {
    const config = loadConfig({
      NODE_ENV: 'test',
      REDIS_URL: process.env.REDIS_URL,
      APP_SECRET: 'test-secret-0123456789',
      SEED_DEMO: 'false',
      SESSION_IDLE_MINUTES: String(30 * 24 * 60),
    });
    const key = `test-deadlines-${randomUUID()}`;
    const nodeA = await createPlatform(config, { dbHandle: p.dbHandle, migrate: false, clock, timerKey: key, rateLimitPrefix: `t-${randomUUID()}` });
    const nodeB = await createPlatform(config, { dbHandle: p.dbHandle, migrate: false, clock, timerKey: key, rateLimitPrefix: `t-${randomUUID()}` });
    await nodeA.startJobs();
    await nodeB.startJobs();
    const appA = createApplication(nodeA, { role: 'realtime' });
    const appB = createApplication(nodeB, { role: 'realtime' });
    const urlA = `http://127.0.0.1:${await appA.listen(0, '127.0.0.1')}`;
    const urlB = `http://127.0.0.1:${await appB.listen(0, '127.0.0.1')}`;
    let aClosed = false;
    try {
      const t = await tender(nodeA);
      clock.set(t.openingAt);
      const se = await client(urlA, { token: t.e.token });
      const sb = await client(urlB, { token: t.bidders[1]!.token });
      await ack(se, 'room:join', { requirementId: t.r.id });
      await ack(sb, 'room:join', { requirementId: t.r.id });
      await settle(200);
      const started = await ack(se, 'round:start', { requirementId: t.r.id, providerIds: [t.ids[0], t.ids[1]], durationMinutes: 10 });
      const seen = nextRoomEvent(se, 'offer:received');
      expect((await ack(sb, 'bid:submit', { requirementId: t.r.id, priceFen: 1_950_000, clientId: cid() })).ok).toBe(true);
      expect((await seen).payload.providerId).toBe(t.ids[1]);

      // Node A (which scheduled the close) dies mid-round.
      await appA.close();
      await nodeA.close();
      aClosed = true;
      const closed = nextRoomEvent(sb, 'round:closed', 4000);
      clock.set(new Date(started.data.closesAt));
      expect((await closed).payload).toMatchObject({ rank: 1, finalPriceFen: 1_950_000 });
      await settle(600);
      const [round] = await p.db.select().from(priceRounds).where(eq(priceRounds.id, started.data.id));
      expect(round).toMatchObject({ status: 'closed' });
      expect(round!.closedAt!.toISOString()).toBe(started.data.closesAt);
      const closes = await p.db
        .select()
        .from(roomEvents)
        .where(and(eq(roomEvents.requirementId, t.r.id), eq(roomEvents.type, 'round:closed')));
      expect(closes.filter((x) => x.audience.includes('enterprise'))).toHaveLength(1);
    } finally {
      await appB.close();
      if (!aClosed) {
        await appA.close();
        await nodeA.close();
      }
      await nodeB.close();
    }
  });
});
