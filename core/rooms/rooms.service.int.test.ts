import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asc, eq } from 'drizzle-orm';
import { priceRounds, roomEvents, roundOffers } from '../../db/schema';
import { createTestPlatform, ManualClock } from '../testing/test-platform';
import { enterprise, openRequirement, operator, proposalInput, provider } from '../testing/tenders-factories';
import type { Platform } from '../platform/platform';
import type { Actor } from '../shared/actor';
import { DAY, MINUTE } from '../shared/clock';
import { OUTBOX_PREFIX } from '../jobs/jobs.service';
import { roomChannels } from './room-log';
import { CHAT_RECEIPT_TOPIC, createRoomService } from './rooms.service';

let p: Platform;
const clock = new ManualClock(new Date('2026-11-23T02:00:00Z'));
let ops: Actor;
beforeAll(async () => {
  p = await createTestPlatform({ clock });
  ops = await operator(p);
});
afterAll(() => p?.close());

const rooms = () => p.services.rooms;
let n = 0;
const clientId = () => `bid-${Date.now()}-${++n}`;

/** A second realtime node: its own room service over the same database, remembering its own rooms (its job handlers are the first node's). */
const secondNode = () =>
  createRoomService({
    db: p.db,
    clock,
    publisher: p.publisher,
    timer: p.timer,
    jobs: { ...p.jobs, on: () => undefined },
    messages: p.services.messages,
    settings: p.services.settings,
    files: p.services.files,
    organisations: p.services.organisations,
  });

/** A competitive requirement opening in 3 days with proposals from three providers at ¥20,000, ¥25,000 and ¥30,000. */
async function tender() {
  clock.set(new Date('2026-11-23T02:00:00Z'));
  const e = await enterprise(p, 20_000);
  const r = await openRequirement(p, e.actor, ops, { minBidders: 2 });
  const bidders = [await provider(p), await provider(p), await provider(p)];
  for (const [i, b] of bidders.entries()) await p.services.proposals.submit(b.actor, r.id, proposalInput(2_000_000 + i * 500_000));
  const openingAt = new Date(r.openingAt!);
  return { e, r, bidders, openingAt, ids: bidders.map((b) => b.actor.organisation!.organisationId) };
}

describe('waiting room and opening', () => {
  it('moves from scheduled to waiting 30 minutes before opening to bidding at opening; proposals stay sealed until then', async () => {
    const { e, r, bidders, openingAt } = await tender();
    expect((await rooms().snapshot(e.actor, r.id)).phase).toBe('scheduled');
    clock.set(new Date(openingAt.getTime() - 10 * MINUTE));
    const waiting = await rooms().snapshot(e.actor, r.id);
    expect(waiting).toMatchObject({ phase: 'waiting', bidderCount: 3, proposals: [] });
    clock.set(openingAt);
    const room = await rooms().snapshot(e.actor, r.id);
    expect(room.phase).toBe('bidding');
    if (room.role !== 'enterprise') throw new Error('enterprise view expected');
    expect(room.proposals.map((x) => x.priceFen)).toEqual([2_000_000, 2_500_000, 3_000_000]);
    const mine = await rooms().snapshot(bidders[1]!.actor, r.id);
    expect(mine).toMatchObject({ role: 'provider', phase: 'bidding', mine: { currentPriceFen: 2_500_000 } });
  });

  it('refuses everyone outside the room, and operators may only watch', async () => {
    const { r, openingAt } = await tender();
    clock.set(openingAt);
    const stranger = await provider(p);
    const otherEnterprise = await enterprise(p);
    await expect(rooms().snapshot(stranger.actor, r.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(rooms().snapshot(otherEnterprise.actor, r.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(rooms().snapshot(null, r.id)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    await expect(rooms().eventsSince(stranger.actor, r.id, 0)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect((await rooms().snapshot(ops, r.id)).role).toBe('operator');
    await expect(rooms().startRound(ops, r.id, { providerIds: [], durationMinutes: 10 })).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });
});

describe('second round', () => {
  it('runs a timed round: validation, sealed prices, own ranks, duplicates once, anti-sniping, late bids refused, closes once', async () => {
    const { e, r, bidders, openingAt, ids } = await tender();
    const [a, b, c] = bidders as [(typeof bidders)[0], (typeof bidders)[0], (typeof bidders)[0]];
    await expect(rooms().startRound(e.actor, r.id, { providerIds: [ids[0]!], durationMinutes: 10 })).rejects.toMatchObject({ code: 'ROOM_NOT_BIDDING' });
    clock.set(openingAt);
    await expect(rooms().startRound(a.actor, r.id, { providerIds: [ids[0]!], durationMinutes: 10 })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(rooms().startRound(e.actor, r.id, { providerIds: [ids[0]!], durationMinutes: 3 })).rejects.toMatchObject({
      fields: { durationMinutes: '竞价时长为 5–60 分钟' },
    });
    const outsider = (await provider(p)).actor.organisation!.organisationId;
    await expect(rooms().startRound(e.actor, r.id, { providerIds: [outsider], durationMinutes: 10 })).rejects.toMatchObject({
      fields: { providerIds: '只能勾选本项目的投标机构' },
    });

    const round = await rooms().startRound(e.actor, r.id, { providerIds: [ids[0]!, ids[1]!], durationMinutes: 10 });
    expect(round.closesAt.getTime()).toBe(openingAt.getTime() + 10 * MINUTE);
    await expect(rooms().startRound(e.actor, r.id, { providerIds: [ids[2]!], durationMinutes: 10 })).rejects.toMatchObject({ code: 'ROUND_IN_PROGRESS' });
    await expect(p.services.requirements.select(e.actor, r.id, ids[0]!)).rejects.toMatchObject({ code: 'ROUND_IN_PROGRESS' });
    await expect(p.services.requirements.abandon(e.actor, r.id)).rejects.toMatchObject({ code: 'ROUND_IN_PROGRESS' });

    // The provider left out is told so and cannot bid.
    expect((await rooms().snapshot(c.actor, r.id)).currentRound).toMatchObject({ included: false });
    await expect(rooms().submitOffer(c.actor, r.id, { priceFen: 1_000_000, clientId: clientId() })).rejects.toMatchObject({ code: 'FORBIDDEN' });

    // B (¥25,000) must come down by at least ¥250.
    await expect(rooms().submitOffer(b.actor, r.id, { priceFen: 2_490_000, clientId: clientId() })).rejects.toMatchObject({
      code: 'PRICE_NOT_LOWER',
      fields: { priceFen: expect.stringContaining('¥24,750.00') },
    });
    clock.advance(MINUTE);
    const id = clientId();
    const first = await rooms().submitOffer(b.actor, r.id, { priceFen: 1_900_000, clientId: id });
    expect(first).toMatchObject({ rank: 1, participantCount: 2, replayed: false });
    const again = await rooms().submitOffer(b.actor, r.id, { priceFen: 1_900_000, clientId: id });
    expect(again).toMatchObject({ replayed: true, seq: first.seq, offer: { id: first.offer.id } });
    expect(await p.db.select().from(roundOffers).where(eq(roundOffers.roundId, round.id))).toHaveLength(1);

    // A is now second; it sees its rank and nothing of B.
    const aView = await rooms().snapshot(a.actor, r.id);
    expect(aView.currentRound).toMatchObject({ included: true, myRank: 2, participantCount: 2 });
    const aEvents = JSON.stringify(await rooms().eventsSince(a.actor, r.id, 0));
    expect(aEvents).not.toContain('1900000');
    expect(aEvents).not.toContain(ids[1]!);
    expect(JSON.stringify(aView)).not.toContain('1900000');

    // The enterprise sees that B bid, not at what price, until the round closes.
    const eDuring = await rooms().snapshot(e.actor, r.id);
    if (eDuring.role === 'provider') throw new Error('enterprise view expected');
    expect(eDuring.currentRound?.participants.find((x) => x.providerId === ids[1])).toMatchObject({ offerCount: 1 });
    expect(JSON.stringify(eDuring)).not.toContain('1900000');

    // Anti-sniping: a bid 30 s before the close moves it to 2 minutes after the bid.
    clock.set(new Date(round.closesAt.getTime() - 30_000));
    const snipe = await rooms().submitOffer(a.actor, r.id, { priceFen: 1_800_000, clientId: clientId() });
    expect(new Date(snipe.closesAt).getTime()).toBe(clock.now().getTime() + 2 * MINUTE);
    expect(snipe.rank).toBe(1);

    // At the new deadline a bid is refused by the server clock, even before the close job runs.
    clock.set(new Date(snipe.closesAt));
    await expect(rooms().submitOffer(b.actor, r.id, { priceFen: 1_700_000, clientId: clientId() })).rejects.toMatchObject({ code: 'ROUND_CLOSED' });

    const closes = await Promise.all([rooms().closeRound(round.id), rooms().closeRound(round.id), rooms().closeDueRounds()]);
    expect(closes.filter((x) => x === true || x === 1)).toHaveLength(1);
    const closedEvents = await p.db.select().from(roomEvents).where(eq(roomEvents.requirementId, r.id));
    expect(closedEvents.filter((ev) => ev.type === 'round:closed' && ev.audience.includes('enterprise'))).toHaveLength(1);
    expect((await p.db.select().from(priceRounds).where(eq(priceRounds.id, round.id)))[0]).toMatchObject({ status: 'closed', extensions: 1 });

    const after = await rooms().snapshot(e.actor, r.id);
    if (after.role === 'provider') throw new Error('enterprise view expected');
    expect(after.phase).toBe('bidding');
    expect(after.rounds[0]!.participants).toEqual([
      expect.objectContaining({
        providerId: ids[0],
        startPriceFen: 2_000_000,
        finalPriceFen: 1_800_000,
        offers: [expect.objectContaining({ priceFen: 1_800_000 })],
      }),
      expect.objectContaining({
        providerId: ids[1],
        startPriceFen: 2_500_000,
        finalPriceFen: 1_900_000,
        offers: [expect.objectContaining({ priceFen: 1_900_000 })],
      }),
    ]);
    expect(after.proposals.find((x) => x.providerId === ids[1])).toMatchObject({ priceFen: 2_500_000, currentPriceFen: 1_900_000 });

    // B's closing event tells it its final rank only.
    const bClosed = (await rooms().eventsSince(b.actor, r.id, 0)).filter((ev) => ev.type === 'round:closed');
    expect(bClosed).toHaveLength(1);
    expect(bClosed[0]!.payload).toMatchObject({ rank: 2, finalPriceFen: 1_900_000 });
    expect(JSON.stringify(bClosed)).not.toContain('1800000');

    // A second round starts from the revised prices.
    const second = await rooms().startRound(e.actor, r.id, { providerIds: [ids[0]!, ids[1]!], durationMinutes: 5 });
    expect(second).toMatchObject({ durationSeconds: 300 });
    await expect(rooms().submitOffer(a.actor, r.id, { priceFen: 1_795_000, clientId: clientId() })).rejects.toMatchObject({ code: 'PRICE_NOT_LOWER' });
    clock.set(new Date(second.closesAt));
    expect(await rooms().closeDueRounds()).toBe(1);

    await p.services.requirements.select(e.actor, r.id, ids[0]!);
    const result = (await rooms().eventsSince(c.actor, r.id, 0)).filter((ev) => ev.type === 'room:result');
    expect(result).toEqual([expect.objectContaining({ payload: { selected: false } })]);
    expect((await rooms().snapshot(a.actor, r.id)).phase).toBe('awarded');
  });

  it('counts each of many concurrent resends of one bid once, and concurrent different bids in order', async () => {
    const { e, r, bidders, openingAt, ids } = await tender();
    clock.set(openingAt);
    await rooms().startRound(e.actor, r.id, { providerIds: ids, durationMinutes: 10 });
    const id = clientId();
    const same = await Promise.all(Array.from({ length: 8 }, () => rooms().submitOffer(bidders[2]!.actor, r.id, { priceFen: 2_900_000, clientId: id })));
    expect(new Set(same.map((s) => s.offer.id)).size).toBe(1);
    const racing = await Promise.allSettled([
      rooms().submitOffer(bidders[0]!.actor, r.id, { priceFen: 1_500_000, clientId: clientId() }),
      rooms().submitOffer(bidders[1]!.actor, r.id, { priceFen: 1_500_000, clientId: clientId() }),
    ]);
    expect(racing.every((x) => x.status === 'fulfilled')).toBe(true);
    const ranks = await Promise.all(
      bidders.map(async (b) => {
        const s = await rooms().snapshot(b.actor, r.id);
        if (s.role !== 'provider') throw new Error('provider view expected');
        return s.currentRound?.myRank;
      }),
    );
    expect([...ranks].sort()).toEqual([1, 2, 3]);
    expect(ranks[2]).toBe(3);
    const seqs = (await p.db.select({ seq: roomEvents.seq }).from(roomEvents).where(eq(roomEvents.requirementId, r.id)))
      .map((x) => x.seq)
      .sort((x, y) => x - y);
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
  });

  it('a burst of bids in one room is answered in arrival order: the accepted ones numbered in that order, a refused one in the middle changes nothing', async () => {
    const { e, r, bidders, openingAt, ids } = await tender();
    clock.set(openingAt);
    await rooms().startRound(e.actor, r.id, { providerIds: ids, durationMinutes: 10 });
    // A first bid leaves the room's state on this node; the burst then waits behind each other's writes.
    await rooms().submitOffer(bidders[2]!.actor, r.id, { priceFen: 2_950_000, clientId: clientId() });
    const plan: [number, number][] = [
      [0, 1_900_000],
      [1, 2_400_000],
      [2, 2_900_000],
      [0, 1_800_000],
      [1, 2_450_000], // higher than its own 2,400,000 a moment before: refused
      [2, 1_700_000],
      [1, 1_600_000],
      [0, 1_650_000],
      [2, 1_500_000],
    ];
    const answers = await Promise.allSettled(plan.map(([b, priceFen]) => rooms().submitOffer(bidders[b]!.actor, r.id, { priceFen, clientId: clientId() })));
    expect(answers[4]).toMatchObject({ status: 'rejected', reason: { code: 'PRICE_NOT_LOWER' } });
    const accepted = answers.flatMap((a) => (a.status === 'fulfilled' ? [a.value] : []));
    expect(accepted).toHaveLength(plan.length - 1);
    // Numbered in arrival order, each ack's rank as the bids so far give it.
    expect(accepted.map((a) => a.seq)).toEqual([...accepted.map((a) => a.seq)].sort((x, y) => x - y));
    expect(accepted.map((a) => a.rank)).toEqual([1, 2, 3, 1, 1, 1, 2, 1]);
    const offers = await p.db.select().from(roundOffers).where(eq(roundOffers.requirementId, r.id));
    expect(offers).toHaveLength(accepted.length + 1);
    for (const a of accepted) expect(offers.find((o) => o.id === a.offer.id)).toMatchObject({ seq: a.seq, priceFen: a.offer.priceFen });
    const seqs = (await p.db.select({ seq: roomEvents.seq }).from(roomEvents).where(eq(roomEvents.requirementId, r.id)))
      .map((x) => x.seq)
      .sort((x, y) => x - y);
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
    expect(await rooms().verifyLog(e.actor, r.id)).toMatchObject({ ok: true });
    // What the next bid is decided on is what a fresh read gives: a second node agrees on every rank.
    for (const [i, b] of bidders.entries()) {
      const s = await secondNode().snapshot(b.actor, r.id);
      if (s.role !== 'provider') throw new Error('provider view expected');
      expect(s.currentRound?.myRank).toBe([3, 2, 1][i]);
    }
  });

  it('two nodes bidding in one room: each decides on what its last bid left, reads again when the other moved the room on', async () => {
    const { e, r, bidders, openingAt, ids } = await tender();
    clock.set(openingAt);
    await rooms().startRound(e.actor, r.id, { providerIds: ids, durationMinutes: 10 });
    const other = secondNode();
    const node = [rooms(), other];
    const prices = [2_000_000, 2_500_000, 3_000_000];
    const acks = [];
    for (let i = 0; i < 12; i++) {
      const b = i % 3;
      prices[b] = Math.floor(prices[b]! * 0.97);
      acks.push(await node[(i * 7) % 2]!.submitOffer(bidders[b]!.actor, r.id, { priceFen: prices[b], clientId: clientId() }));
    }
    // A resend on the node that did not take the bid, and on the one that did: the first offer both times.
    const id = clientId();
    prices[0] = Math.floor(prices[0]! * 0.97);
    const first = await node[0]!.submitOffer(bidders[0]!.actor, r.id, { priceFen: prices[0], clientId: id });
    for (const n of [node[1]!, node[0]!]) {
      const again = await n.submitOffer(bidders[0]!.actor, r.id, { priceFen: prices[0], clientId: id });
      expect(again).toMatchObject({ replayed: true, offer: { id: first.offer.id }, seq: first.seq });
    }
    const offers = await p.db.select().from(roundOffers).where(eq(roundOffers.requirementId, r.id));
    expect(offers).toHaveLength(13);
    const seqs = (await p.db.select({ seq: roomEvents.seq }).from(roomEvents).where(eq(roomEvents.requirementId, r.id)))
      .map((x) => x.seq)
      .sort((x, y) => x - y);
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
    expect(new Set(acks.map((a) => a.seq)).size).toBe(12);
    // Ranks as a fresh read gives them, and the log's chain holds.
    for (const [i, b] of bidders.entries()) {
      const s = await other.snapshot(b.actor, r.id);
      if (s.role !== 'provider') throw new Error('provider view expected');
      expect(s.currentRound?.myRank).toBe([...prices].sort((x, y) => x - y).indexOf(prices[i]!) + 1);
    }
    expect(await rooms().verifyLog(e.actor, r.id)).toMatchObject({ ok: true });
  });

  it('property: any mix of bids and resends, concurrent, on two nodes: each client id counts once, offers = accepted bids, the log is whole', async () => {
    const { e, r, bidders, openingAt, ids } = await tender();
    clock.set(openingAt);
    await rooms().startRound(e.actor, r.id, { providerIds: ids, durationMinutes: 60 });
    const other = secondNode();
    const node = [rooms(), other];
    const accepted = new Map<string, { offerId: string; priceFen: number }>(); // client id → its offer
    const lastClientId = new Map<number, string>();
    const lowest = [2_000_000, 2_500_000, 3_000_000];
    const op = fc.record({
      node: fc.integer({ min: 0, max: 1 }),
      bidder: fc.integer({ min: 0, max: 2 }),
      cut: fc.integer({ min: 1, max: 60 }),
      resend: fc.boolean(),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(op, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 5 }), async (batches) => {
        for (const batch of batches) {
          // Each batch runs at once: bids race on one node and across the two.
          await Promise.all(
            batch.map(async (o) => {
              const resent = o.resend ? lastClientId.get(o.bidder) : undefined;
              const priceFen = resent ? accepted.get(resent)!.priceFen : Math.floor(lowest[o.bidder]! * (1 - o.cut / 1000)) - 20_000;
              const id = resent ?? clientId();
              let res;
              try {
                res = await node[o.node]!.submitOffer(bidders[o.bidder]!.actor, r.id, { priceFen, clientId: id });
              } catch (err) {
                // Two bids of one bidder at once: the second may no longer be low enough.
                expect((err as { code?: string }).code).toBe('PRICE_NOT_LOWER');
                return;
              }
              const seen = accepted.get(id);
              if (seen) expect(res.offer.id).toBe(seen.offerId);
              else {
                accepted.set(id, { offerId: res.offer.id, priceFen: res.offer.priceFen });
                lastClientId.set(o.bidder, id);
                lowest[o.bidder] = Math.min(lowest[o.bidder]!, res.offer.priceFen);
              }
            }),
          );
        }
        const offers = await p.db.select().from(roundOffers).where(eq(roundOffers.requirementId, r.id));
        expect(new Set(offers.map((x) => x.id))).toEqual(new Set([...accepted.values()].map((a) => a.offerId)));
        const seqs = (await p.db.select({ seq: roomEvents.seq }).from(roomEvents).where(eq(roomEvents.requirementId, r.id)))
          .map((x) => x.seq)
          .sort((x, y) => x - y);
        expect(seqs).toEqual(seqs.map((_, i) => i + 1));
        expect(await rooms().verifyLog(e.actor, r.id)).toMatchObject({ ok: true });
      }),
      { numRuns: 8 },
    );
  });

  it('replays exactly what a member missed, by sequence number, filtered to what it may see', async () => {
    const { e, r, bidders, openingAt, ids } = await tender();
    clock.set(openingAt);
    const before = (await rooms().snapshot(bidders[0]!.actor, r.id)).seq;
    await rooms().startRound(e.actor, r.id, { providerIds: [ids[0]!, ids[1]!], durationMinutes: 10 });
    await rooms().submitOffer(bidders[1]!.actor, r.id, { priceFen: 1_950_000, clientId: clientId() });
    const missed = await rooms().eventsSince(bidders[0]!.actor, r.id, before);
    expect(missed.map((ev) => ev.type)).toEqual(['round:started', 'round:rank']);
    expect(missed[1]!.payload).toMatchObject({ rank: 2 });
    const enterpriseMissed = await rooms().eventsSince(e.actor, r.id, before);
    expect(enterpriseMissed.map((ev) => ev.type)).toEqual(['round:started', 'offer:received']);
    clock.advance(DAY);
    await rooms().closeDueRounds();
  });
});

describe('the winning price', () => {
  it('after a lower price in a second round, the project page, 我的投标, the room and the agreement all carry that price', async () => {
    const { e, r, bidders, openingAt, ids } = await tender();
    const b = bidders[1]!;
    clock.set(openingAt);
    const round = await rooms().startRound(e.actor, r.id, { providerIds: [ids[0]!, ids[1]!], durationMinutes: 10 });
    clock.advance(MINUTE);
    await rooms().submitOffer(b.actor, r.id, { priceFen: 1_900_000, clientId: clientId() });
    // While the round is open the revised price stays sealed from the enterprise's list.
    expect((await p.services.proposals.listForRequirement(e.actor, r.id)).find((x) => x.providerId === ids[1])).toMatchObject({
      priceFen: 2_500_000,
      currentPriceFen: 2_500_000,
    });
    clock.set(new Date(round.closesAt));
    expect(await rooms().closeRound(round.id)).toBe(true);
    await p.services.requirements.select(e.actor, r.id, ids[1]!);

    const forEnterprise = (await p.services.proposals.listForRequirement(e.actor, r.id)).find((x) => x.providerId === ids[1]);
    expect(forEnterprise).toMatchObject({ status: 'selected', priceFen: 2_500_000, currentPriceFen: 1_900_000 });
    const myBids = await p.services.proposals.listMine(b.actor, {});
    expect(myBids.items.find((x) => x.requirement.id === r.id)).toMatchObject({ status: 'selected', statusLabel: '已中标', currentPriceFen: 1_900_000 });
    expect(await p.services.proposals.findMine(b.actor, r.id)).toMatchObject({ currentPriceFen: 1_900_000 });
    const room = await rooms().snapshot(b.actor, r.id);
    if (room.role !== 'provider') throw new Error('provider view expected');
    expect(room.mine).toMatchObject({ currentPriceFen: 1_900_000, result: 'selected' });
    expect(await p.services.escrow.draftBasis(b.actor, r.id)).toMatchObject({ winningPriceFen: 1_900_000 });
    // The others keep their own prices.
    expect((await p.services.proposals.listMine(bidders[2]!.actor, {})).items.find((x) => x.requirement.id === r.id)).toMatchObject({
      currentPriceFen: 3_000_000,
    });
  });
});

describe('who hears of a bid', () => {
  it('tells the enterprise and the bidder, and only the rivals whose rank moved', async () => {
    const { e, r, bidders, openingAt, ids } = await tender();
    clock.set(openingAt);
    await rooms().startRound(e.actor, r.id, { providerIds: ids, durationMinutes: 10 });
    const after = (await rooms().snapshot(e.actor, r.id)).seq;
    const heard = async (from: number) =>
      (await p.db.select().from(roomEvents).where(eq(roomEvents.requirementId, r.id)).orderBy(asc(roomEvents.seq)))
        .filter((x) => x.seq > from)
        .map((x) => `${x.type} ${x.audience.join(',')}`);

    // C (third at ¥30,000) lowers to ¥29,000: still third, so A and B hear nothing.
    const c = await rooms().submitOffer(bidders[2]!.actor, r.id, { priceFen: 2_900_000, clientId: clientId() });
    expect(c.rank).toBe(3);
    expect(await heard(after)).toEqual([`offer:accepted provider:${ids[2]}`, 'offer:received enterprise']);

    // C then bids ¥22,000: it passes B only; B drops to third and is told, A (still first) is not.
    const before = c.seq + 1;
    const c2 = await rooms().submitOffer(bidders[2]!.actor, r.id, { priceFen: 2_200_000, clientId: clientId() });
    expect(c2.rank).toBe(2);
    expect(await heard(before)).toEqual([`offer:accepted provider:${ids[2]}`, 'offer:received enterprise', `round:rank provider:${ids[1]}`]);
    expect((await rooms().eventsSince(bidders[1]!.actor, r.id, before)).map((x) => x.payload)).toEqual([{ roundId: c2.roundId, rank: 3, participantCount: 3 }]);
    expect(await rooms().eventsSince(bidders[0]!.actor, r.id, before)).toEqual([]);
  });
});

describe('second-round rules per requirement', () => {
  const rulesInput = (over: Record<string, unknown> = {}) => ({
    minDecreasePercent: 5,
    minDecreaseFen: 0,
    snipeWindowSeconds: 60,
    maxExtensions: 3,
    extensionRule: 'new_lowest',
    maxExtensionMinutes: 20,
    ...over,
  });

  /** A competitive requirement whose enterprise sets `rules` before three providers propose ¥20,000, ¥25,000, ¥30,000. */
  async function tenderWithRules(rules: Record<string, unknown>) {
    clock.set(new Date('2026-11-23T02:00:00Z'));
    const e = await enterprise(p, 20_000);
    const r = await openRequirement(p, e.actor, ops, { minBidders: 2 });
    await rooms().updateRules(e.actor, r.id, rulesInput(rules));
    const bidders = [await provider(p), await provider(p), await provider(p)];
    for (const [i, b] of bidders.entries()) await p.services.proposals.submit(b.actor, r.id, proposalInput(2_000_000 + i * 500_000));
    return { e, r, bidders, openingAt: new Date(r.openingAt!), ids: bidders.map((b) => b.actor.organisation!.organisationId) };
  }

  it('the enterprise sets them, validated, until the first proposal arrives; from then on they are frozen', async () => {
    clock.set(new Date('2026-11-23T02:00:00Z'));
    const e = await enterprise(p, 20_000);
    const r = await openRequirement(p, e.actor, ops, { minBidders: 2 });
    await expect(
      rooms().updateRules(e.actor, r.id, rulesInput({ minDecreasePercent: 80, extensionRule: 'sometimes', maxExtensionMinutes: 500 })),
    ).rejects.toMatchObject({
      fields: { minDecreasePercent: '最低降价比例为 0–50%', extensionRule: expect.stringContaining('延时规则'), maxExtensionMinutes: '最长延时为 0–120 分钟' },
    });
    const b = await provider(p);
    await expect(rooms().updateRules(b.actor, r.id, rulesInput())).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(await rooms().updateRules(e.actor, r.id, rulesInput({ extensionRule: 'any_bid', maxExtensionMinutes: 15 }))).toMatchObject({
      minDecreaseBp: 500,
      extensionRule: 'any_bid',
      maxExtensionMinutes: 15,
      frozen: false,
    });
    expect((await rooms().snapshot(e.actor, r.id)).rules).toMatchObject({ extensionRule: 'any_bid', maxExtensionMinutes: 15, frozen: false });
    await p.services.proposals.submit(b.actor, r.id, proposalInput(2_000_000));
    await expect(rooms().updateRules(e.actor, r.id, rulesInput())).rejects.toMatchObject({
      code: 'ROOM_RULES_FROZEN',
      message: '已有服务机构提交方案，竞价规则已固定，不能再修改',
    });
    const seen = await rooms().snapshot(b.actor, r.id);
    expect(seen.rules).toMatchObject({ minDecreaseBp: 500, extensionRule: 'any_bid', maxExtensionMinutes: 15, frozen: true });
  });

  it('a round keeps the rules it started with: 5 % decrease, the latest close stored', async () => {
    const { e, r, bidders, openingAt, ids } = await tenderWithRules({});
    clock.set(openingAt);
    const started = await rooms().startRound(e.actor, r.id, { providerIds: [ids[0]!], durationMinutes: 10 });
    const [row] = await p.db.select().from(priceRounds).where(eq(priceRounds.id, started.id));
    expect(row).toMatchObject({ extensionRule: 'new_lowest', maxExtensionMinutes: 20, latestCloseAt: new Date(openingAt.getTime() + 30 * MINUTE) });
    // 5 % of ¥20,000 = ¥1,000.
    await expect(rooms().submitOffer(bidders[0]!.actor, r.id, { priceFen: 1_950_000, clientId: clientId() })).rejects.toMatchObject({
      code: 'PRICE_NOT_LOWER',
    });
    await rooms().submitOffer(bidders[0]!.actor, r.id, { priceFen: 1_900_000, clientId: clientId() });
    clock.advance(DAY);
    await rooms().closeDueRounds();
  });

  it.each([
    ['new_lowest', false],
    ['any_bid', true],
  ] as const)('under %s, a bid in the window that is not the new lowest extends: %s; a new lowest always does', async (extensionRule, extendsOnAny) => {
    const { e, r, bidders, openingAt, ids } = await tenderWithRules({ extensionRule, snipeWindowSeconds: 120, maxExtensions: 5 });
    clock.set(openingAt);
    const round = await rooms().startRound(e.actor, r.id, { providerIds: ids, durationMinutes: 10 });
    const closesAt = new Date(round.closesAt);
    clock.set(new Date(closesAt.getTime() - 30_000));
    // C: ¥30,000 → ¥28,000, still above A's ¥20,000.
    const notLowest = await rooms().submitOffer(bidders[2]!.actor, r.id, { priceFen: 2_800_000, clientId: clientId() });
    expect(new Date(notLowest.closesAt).getTime()).toBe(extendsOnAny ? clock.now().getTime() + 2 * MINUTE : closesAt.getTime());
    const before = new Date(notLowest.closesAt).getTime();
    clock.advance(10_000);
    // B: ¥25,000 → ¥19,000, the round's new lowest.
    const lowest = await rooms().submitOffer(bidders[1]!.actor, r.id, { priceFen: 1_900_000, clientId: clientId() });
    expect(new Date(lowest.closesAt).getTime()).toBe(clock.now().getTime() + 2 * MINUTE);
    expect(new Date(lowest.closesAt).getTime()).toBeGreaterThan(before);
    const ext = (await rooms().eventsSince(bidders[0]!.actor, r.id, 0)).filter((ev) => ev.type === 'round:extended');
    expect(ext.at(-1)!.payload).toMatchObject({
      extensions: extendsOnAny ? 2 : 1,
      maxExtensions: 5,
      extensionRule,
      latestCloseAt: new Date(closesAt.getTime() + 20 * MINUTE).toISOString(),
    });
    clock.advance(DAY);
    await rooms().closeDueRounds();
  });

  it('the deadline never passes the latest close, however many bids come in the window', async () => {
    const { e, r, bidders, openingAt, ids } = await tenderWithRules({
      minDecreasePercent: 0,
      minDecreaseFen: 10_000,
      extensionRule: 'any_bid',
      snipeWindowSeconds: 120,
      maxExtensions: 50,
      maxExtensionMinutes: 3,
    });
    clock.set(openingAt);
    const round = await rooms().startRound(e.actor, r.id, { providerIds: ids, durationMinutes: 5 });
    const latest = new Date(round.closesAt).getTime() + 3 * MINUTE;
    const price = [2_000_000, 2_500_000, 3_000_000];
    let closes = new Date(round.closesAt).getTime();
    for (let i = 0; i < 8; i++) {
      clock.set(new Date(closes - 20_000));
      const who = i % 3;
      price[who] = price[who]! - 10_000;
      const res = await rooms().submitOffer(bidders[who]!.actor, r.id, { priceFen: price[who]!, clientId: clientId() });
      closes = new Date(res.closesAt).getTime();
      expect(closes).toBeLessThanOrEqual(latest);
    }
    expect(closes).toBe(latest);
    const snap = await rooms().snapshot(bidders[0]!.actor, r.id);
    expect(snap.currentRound).toMatchObject({ latestCloseAt: new Date(latest).toISOString(), closesAt: new Date(latest).toISOString() });
    clock.set(new Date(latest));
    await expect(rooms().submitOffer(bidders[0]!.actor, r.id, { priceFen: 1_000_000, clientId: clientId() })).rejects.toMatchObject({ code: 'ROUND_CLOSED' });
    await rooms().closeDueRounds();
  });
});

describe('live chat', () => {
  it('commits a message with its room event; only the two parties see it; receipts reach the sender', async () => {
    const { e, r, bidders, ids } = await tender();
    const sent = await p.services.invitations.postMessage(e.actor, r.id, ids[0]!, { body: '请问贵所能否提供上门服务？', clientId: clientId() });
    expect(sent.seq).toBeGreaterThan(0);
    const seen = (await rooms().eventsSince(bidders[0]!.actor, r.id, 0)).filter((ev) => ev.type === 'chat:message');
    expect(seen).toHaveLength(1);
    expect((await rooms().eventsSince(bidders[1]!.actor, r.id, 0)).some((ev) => ev.type === 'chat:message')).toBe(false);
    await expect(rooms().markChat(bidders[1]!.actor, { requirementId: r.id, providerId: ids[0]!, messageIds: [sent.id] }, 'read')).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    expect((await rooms().markChat(bidders[0]!.actor, { requirementId: r.id, providerId: ids[0]!, messageIds: [sent.id] }, 'delivered')).ids).toEqual([
      sent.id,
    ]);
    // The sender cannot mark its own message; a second receipt changes nothing.
    expect((await rooms().markChat(e.actor, { requirementId: r.id, providerId: ids[0]!, messageIds: [sent.id] }, 'read')).ids).toEqual([]);
    expect((await rooms().markChat(bidders[0]!.actor, { requirementId: r.id, providerId: ids[0]!, messageIds: [sent.id] }, 'delivered')).ids).toEqual([]);
  });

  it('sends receipts through the outbox: the row commits with the marking, a failed push is delivered by the worker, redelivery is harmless', async () => {
    const { e, r, bidders, ids } = await tender();
    const sent = await p.services.invitations.postMessage(e.actor, r.id, ids[0]!, { body: '报价是否含税？', clientId: clientId() });
    const kind = `${OUTBOX_PREFIX}${CHAT_RECEIPT_TOPIC}`;
    const got: { room: string | string[]; payload: unknown }[] = [];
    let failNext = true;
    const off = p.publisher.subscribe((room, event, payload) => {
      if (event !== 'chat:receipt') return;
      if (failNext) {
        failNext = false;
        throw new Error('推送暂不可用');
      }
      got.push({ room, payload });
    });
    try {
      const at = clock.now().toISOString();
      expect((await rooms().markChat(bidders[0]!.actor, { requirementId: r.id, providerId: ids[0]!, messageIds: [sent.id] }, 'delivered')).ids).toEqual([
        sent.id,
      ]);
      // The push right after commit failed: the receipt is still owed by its outbox row.
      expect(got).toEqual([]);
      expect(await p.jobs.find(kind, `delivered:${sent.id}`)).toMatchObject({ status: 'pending', attempts: 1 });
      clock.advance(MINUTE);
      expect(await p.jobs.runDue()).toBeGreaterThanOrEqual(1);
      const receipt = {
        room: roomChannels.enterprise(r.id),
        payload: { requirementId: r.id, providerId: ids[0]!, kind: 'delivered', messageIds: [sent.id], at },
      };
      expect(got).toEqual([receipt]);
      const row = await p.jobs.find(kind, `delivered:${sent.id}`);
      expect(row).toMatchObject({ status: 'done', attempts: 2 });

      // Delivered again (a crash between publishing and marking done): the same receipt once more, nothing else.
      await p.jobs.schedule(p.db, { kind, key: row!.key, runAt: clock.now(), payload: row!.payload });
      await p.jobs.runDue();
      expect(got).toEqual([receipt, receipt]);

      // Opening the thread reads it: that receipt goes through the outbox too, delivered at once.
      await p.services.invitations.listThread(bidders[0]!.actor, r.id, ids[0]!, {});
      expect(await p.jobs.find(kind, `read:${sent.id}`)).toMatchObject({ status: 'done', attempts: 1 });
      expect(got[2]).toMatchObject({ room: roomChannels.enterprise(r.id), payload: { kind: 'read', messageIds: [sent.id] } });
      expect(got).toHaveLength(3);
    } finally {
      off();
    }
  });
});
