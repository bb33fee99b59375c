import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, asc, eq, sql } from 'drizzle-orm';
import { roomEvents, tenderRooms } from '../../db/schema';
import { createTestPlatform, ManualClock } from '../testing/test-platform';
import { enterprise, openRequirement, operator, proposalInput, provider } from '../testing/tenders-factories';
import type { Platform } from '../platform/platform';
import type { Actor } from '../shared/actor';
import { eventHash, GENESIS_HASH } from './room-chain';
import { appendRoomEvents, verifyRoomLog } from './room-log';

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
const clientId = () => `chain-${Date.now()}-${++n}`;

/** A competitive requirement at its opening with proposals from three providers at ¥20,000, ¥25,000 and ¥30,000. */
async function openedTender() {
  clock.set(new Date('2026-11-23T02:00:00Z'));
  const e = await enterprise(p, 20_000);
  const r = await openRequirement(p, e.actor, ops, { minBidders: 2 });
  const bidders = [await provider(p), await provider(p), await provider(p)];
  for (const [i, b] of bidders.entries()) await p.services.proposals.submit(b.actor, r.id, proposalInput(2_000_000 + i * 500_000));
  clock.set(new Date(r.openingAt!));
  return { e, r, bidders, ids: bidders.map((b) => b.actor.organisation!.organisationId) };
}

const storedEvents = (requirementId: string) => p.db.select().from(roomEvents).where(eq(roomEvents.requirementId, requirementId)).orderBy(asc(roomEvents.seq));

/** Two rounds with bids, both closed. */
async function twoRounds() {
  const t = await openedTender();
  const [a, b] = t.bidders as [(typeof t.bidders)[0], (typeof t.bidders)[0]];
  const first = await rooms().startRound(t.e.actor, t.r.id, { providerIds: [t.ids[0]!, t.ids[1]!], durationMinutes: 10 });
  await rooms().submitOffer(b.actor, t.r.id, { priceFen: 1_900_000, clientId: clientId() });
  await rooms().submitOffer(a.actor, t.r.id, { priceFen: 1_800_000, clientId: clientId() });
  clock.set(new Date(first.closesAt));
  expect(await rooms().closeDueRounds()).toBe(1);
  const second = await rooms().startRound(t.e.actor, t.r.id, { providerIds: [t.ids[0]!, t.ids[1]!], durationMinutes: 5 });
  await rooms().submitOffer(b.actor, t.r.id, { priceFen: 1_700_000, clientId: clientId() });
  clock.set(new Date(second.closesAt));
  expect(await rooms().closeDueRounds()).toBe(1);
  return t;
}

describe('the room’s hash chain', () => {
  it('chains every event across several appends and two rounds; the room row holds the last hash; verification agrees', async () => {
    const t = await twoRounds();
    const events = await storedEvents(t.r.id);
    expect(events.length).toBeGreaterThan(10);
    let prev = GENESIS_HASH;
    for (const [i, e] of events.entries()) {
      expect(e.seq).toBe(i + 1);
      expect(e.hash).toBe(
        eventHash(prev, { requirementId: e.requirementId, seq: e.seq, type: e.type, audience: e.audience, payload: e.payload, at: e.createdAt.toISOString() }),
      );
      prev = e.hash!;
    }
    const [room] = await p.db.select().from(tenderRooms).where(eq(tenderRooms.requirementId, t.r.id));
    expect(room).toMatchObject({ seq: events.length, lastHash: prev });
    expect(await verifyRoomLog(p.db, t.r.id)).toEqual({ ok: true, count: events.length, legacy: 0, lastHash: prev });
    expect(await rooms().verifyLog(t.e.actor, t.r.id)).toMatchObject({ ok: true, lastHash: prev });
    expect(await rooms().verifyLog(ops, t.r.id)).toMatchObject({ ok: true, lastHash: prev });
  });

  it('a round’s close tells every participant the log’s hash as it closed, and nothing of a rival', async () => {
    const t = await twoRounds();
    const events = await storedEvents(t.r.id);
    const closes = events.filter((e) => e.type === 'round:closed');
    // Two rounds: the enterprise's close event and one per participant each.
    expect(closes).toHaveLength(6);
    for (const c of closes) {
      const quoted = c.payload as { logSeq: number; logHash: string };
      const before = events.find((e) => e.seq === quoted.logSeq)!;
      expect(quoted.logHash).toBe(before.hash);
      // The close events follow the quoted event directly.
      expect(c.seq).toBeGreaterThan(quoted.logSeq);
      expect(c.seq - quoted.logSeq).toBeLessThanOrEqual(3);
    }
    const seen = await rooms().eventsSince(t.bidders[1]!.actor, t.r.id, 0);
    const bClose = seen.filter((e) => e.type === 'round:closed');
    expect(bClose).toHaveLength(2);
    expect(bClose[0]!.payload).toMatchObject({ logHash: expect.stringMatching(/^[0-9a-f]{64}$/), finalPriceFen: 1_900_000 });
    expect(JSON.stringify(bClose)).not.toContain('1800000');
    expect(JSON.stringify(bClose)).not.toContain(t.ids[0]!);
  });

  it('fails at the seq of a row whose payload was changed in SQL, and at the tail when the last events are removed', async () => {
    const t = await twoRounds();
    const events = await storedEvents(t.r.id);
    const offer = events.find((e) => e.type === 'offer:accepted')!;
    await p.db
      .update(roomEvents)
      .set({ payload: sql`jsonb_set(${roomEvents.payload}, '{priceFen}', '1')` })
      .where(and(eq(roomEvents.requirementId, t.r.id), eq(roomEvents.seq, offer.seq)));
    const bad = await rooms().verifyLog(t.e.actor, t.r.id);
    expect(bad).toMatchObject({ ok: false, atSeq: offer.seq });
    expect(!bad.ok && bad.reason).toMatch(/哈希/);

    const u = await twoRounds();
    const all = await storedEvents(u.r.id);
    await p.db.delete(roomEvents).where(and(eq(roomEvents.requirementId, u.r.id), eq(roomEvents.seq, all.length)));
    expect(await verifyRoomLog(p.db, u.r.id)).toMatchObject({ ok: false, atSeq: all.length });
  });

  it('events from before the chain are its legacy prefix: the chain starts after them from the genesis hash', async () => {
    const t = await openedTender();
    const before = await storedEvents(t.r.id);
    expect(before.length).toBeGreaterThan(0);
    // As the migration leaves a room: no hash on its events, none on the room.
    await p.db.update(roomEvents).set({ hash: null }).where(eq(roomEvents.requirementId, t.r.id));
    await p.db.update(tenderRooms).set({ lastHash: null }).where(eq(tenderRooms.requirementId, t.r.id));
    expect(await verifyRoomLog(p.db, t.r.id)).toEqual({ ok: true, count: 0, legacy: before.length, lastHash: null });
    const appended = await p.db.transaction((tx) =>
      appendRoomEvents(tx, t.r.id, [{ type: 'bidders:changed', audience: ['all'], payload: { bidderCount: 3 } }], clock.now()),
    );
    const after = await storedEvents(t.r.id);
    expect(after.at(-1)!.hash).toBe(eventHash(GENESIS_HASH, appended[0]!));
    expect(await verifyRoomLog(p.db, t.r.id)).toEqual({ ok: true, count: 1, legacy: before.length, lastHash: after.at(-1)!.hash });
  });

  it('a bidder’s receipt holds its own events only, each recomputable from its prevHash', async () => {
    const t = await twoRounds();
    for (const [i, bidder] of t.bidders.slice(0, 2).entries()) {
      const receipt = await rooms().receipt(bidder.actor, t.r.id);
      expect(receipt.events.some((e) => e.type === 'offer:accepted')).toBe(true);
      for (const e of receipt.events) {
        expect(e.audience).toEqual([`provider:${t.ids[i]}`]);
        expect(eventHash(e.prevHash!, e)).toBe(e.hash);
      }
      expect(JSON.stringify(receipt)).not.toContain(t.ids[1 - i]!);
    }
    await expect(rooms().receipt(t.e.actor, t.r.id)).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(rooms().verifyLog(t.bidders[0]!.actor, t.r.id)).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(rooms().receipt((await provider(p)).actor, t.r.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
