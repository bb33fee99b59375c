import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { maxRevisedPriceFen, minDecreaseFen, roomPhase, DEFAULT_ROOM_TIMING, DEFAULT_ROUND_RULES } from './rooms.machine';
import { EnterpriseRoomView, ProviderRoomView } from './rooms.schema';
import { enterpriseView, operatorView, providerView, type FactOffer, type FactRound, type FactStanding, type RoomFacts } from './rooms.views';

const T0 = Date.parse('2026-11-23T02:00:00Z');
const uuid = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

/** A generated room: 2–6 bidders with distinct names, proposals, offers in closed rounds and maybe an open round. */
const roomArb = fc
  .record({
    bidders: fc.integer({ min: 2, max: 6 }),
    proposalPrices: fc.array(fc.integer({ min: 1_000_00, max: 5_000_000_00 }), { minLength: 6, maxLength: 6 }),
    offerCuts: fc.array(fc.array(fc.integer({ min: 1, max: 50_000_00 }), { maxLength: 3 }), { minLength: 6, maxLength: 6 }),
    closedRounds: fc.integer({ min: 0, max: 2 }),
    openRound: fc.boolean(),
    included: fc.array(fc.boolean(), { minLength: 6, maxLength: 6 }),
    minutesFromOpening: fc.integer({ min: -120, max: 120 }),
    viewer: fc.nat(),
    ownStatus: fc.constantFrom('active' as const, 'selected' as const, 'not_selected' as const),
  })
  .map((g) => build(g));

function build(g: {
  bidders: number;
  proposalPrices: number[];
  offerCuts: number[][];
  closedRounds: number;
  openRound: boolean;
  included: boolean[];
  minutesFromOpening: number;
  viewer: number;
  ownStatus: 'active' | 'selected' | 'not_selected';
}) {
  const ids = Array.from({ length: g.bidders }, (_, i) => uuid(100 + i));
  const names = new Map(ids.map((id, i) => [id, `服务机构${String.fromCharCode(0x4e00 + i * 7)}有限公司-${i}`]));
  const openingAt = new Date(T0);
  const now = new Date(T0 + g.minutesFromOpening * 60_000);
  const rounds: FactRound[] = [];
  const offers: FactOffer[] = [];
  const live = new Map<string, FactStanding>();
  const sealed = new Map<string, FactStanding>();
  ids.forEach((id, i) => {
    const st = { providerId: id, priceFen: g.proposalPrices[i]!, at: new Date(T0 - 86_400_000 + i), proposalPriceFen: g.proposalPrices[i]! };
    live.set(id, { ...st });
    sealed.set(id, { ...st });
  });
  const roundCount = g.closedRounds + (g.openRound ? 1 : 0);
  for (let n = 1; n <= roundCount; n++) {
    const isOpen = g.openRound && n === roundCount;
    const participants = ids.filter((_, i) => g.included[i] || i === 0);
    const round: FactRound = {
      id: uuid(900 + n),
      number: n,
      status: isOpen ? 'open' : 'closed',
      participantIds: participants,
      startedAt: new Date(T0 + n * 60 * 60_000),
      closesAt: new Date(T0 + n * 60 * 60_000 + 10 * 60_000),
      closedAt: isOpen ? null : new Date(T0 + n * 60 * 60_000 + 10 * 60_000),
      durationSeconds: 600,
      extensions: 0,
      maxExtensions: DEFAULT_ROUND_RULES.maxExtensions,
      minDecreaseBp: DEFAULT_ROUND_RULES.minDecreaseBp,
      minDecreaseFen: DEFAULT_ROUND_RULES.minDecreaseFen,
    };
    rounds.push(round);
    participants.forEach((pid) => {
      const i = ids.indexOf(pid);
      for (const [k, cut] of (g.offerCuts[i] ?? []).entries()) {
        const prev = live.get(pid)!;
        const priceFen = Math.max(1, prev.priceFen - cut);
        if (priceFen >= prev.priceFen) continue;
        const at = new Date(round.startedAt.getTime() + (k + 1) * 1000 + i);
        offers.push({ roundId: round.id, providerId: pid, priceFen, previousPriceFen: prev.priceFen, createdAt: at });
        live.set(pid, { ...prev, priceFen, at });
        if (!isOpen) sealed.set(pid, { ...prev, priceFen, at });
      }
    });
  }
  const open = rounds.find((r) => r.status === 'open') ?? null;
  const facts: RoomFacts = {
    requirement: {
      id: uuid(1),
      requirementNo: 'XQ20261123001',
      title: '校园网络改造',
      state: 'open',
      openingAt,
      minBidders: 2,
      round: 1,
      selectedProviderId: null,
    },
    enterpriseName: '西土科技有限公司',
    now,
    seq: offers.length + 3,
    phase: roomPhase({ state: 'open', openingAt, roundOpen: Boolean(open), now, timing: DEFAULT_ROOM_TIMING }),
    timing: DEFAULT_ROOM_TIMING,
    rules: { ...DEFAULT_ROUND_RULES },
    bidderIds: ids,
    live,
    sealed,
    names,
    proposals: ids.map((id, i) => ({
      id: uuid(500 + i),
      providerId: id,
      priceFen: g.proposalPrices[i]!,
      plan: `方案-${i}`,
      timeline: `工期-${i}`,
      status: 'active' as const,
      attachments: [{ id: uuid(700 + i), filename: `标书-${i}.pdf`, contentType: 'application/pdf', sizeBytes: 1000 + i, url: `/files/${uuid(700 + i)}` }],
    })),
    rounds,
    openRound: open,
    offers,
  };
  const me = ids[g.viewer % ids.length]!;
  const myIndex = ids.indexOf(me);
  return { facts, me, myIndex, ids, ownStatus: g.ownStatus };
}

/** Every string and number anywhere in a value, with the key it sits under. */
function leaves(v: unknown, key = '', out: { key: string; value: string | number }[] = []) {
  if (typeof v === 'string' || typeof v === 'number') out.push({ key, value: v });
  else if (Array.isArray(v)) v.forEach((x) => leaves(x, key, out));
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) leaves(x, k, out);
  return out;
}

describe('room views', () => {
  it("a provider's view never carries a rival's price, name or id (and matches the published schema)", () => {
    fc.assert(
      fc.property(roomArb, ({ facts, me, myIndex, ids, ownStatus }) => {
        const own = facts.proposals[myIndex]!;
        const view = providerView(facts, { orgId: me, ownProposal: { priceFen: own.priceFen, plan: own.plan, timeline: own.timeline, status: ownStatus } });
        expect(ProviderRoomView.parse(view)).toEqual(view);
        const text = JSON.stringify(view);
        for (const rival of ids.filter((id) => id !== me)) {
          expect(text).not.toContain(rival);
          expect(text).not.toContain(facts.names.get(rival)!);
          expect(text).not.toContain(`方案-${ids.indexOf(rival)}`);
        }
        // Every money figure is the viewer's own price, one of its own offers, or derived from its own current price.
        const mine = facts.live.get(me)!;
        const ownFigures = new Set<number>([
          own.priceFen,
          mine.priceFen,
          ...facts.offers.filter((o) => o.providerId === me).flatMap((o) => [o.priceFen, o.previousPriceFen]),
          maxRevisedPriceFen(mine.priceFen, facts.rules),
          minDecreaseFen(mine.priceFen, facts.rules),
          facts.rules.minDecreaseFen,
        ]);
        for (const leaf of leaves(view)) {
          if (leaf.key.endsWith('Fen')) expect(ownFigures.has(leaf.value as number), `${leaf.key}=${leaf.value}`).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });

  it("a provider's view does not change when rivals change their prices without changing the ranks", () => {
    fc.assert(
      fc.property(roomArb, ({ facts, me, myIndex, ids }) => {
        const own = facts.proposals[myIndex]!;
        const ownProposal = { priceFen: own.priceFen, plan: own.plan, timeline: own.timeline, status: own.status };
        // Rivals dearer than the viewer all move up by the same amount: every rank stays as it was.
        const bump = (m: Map<string, FactStanding>) => {
          const mine = m.get(me)!.priceFen;
          return new Map(
            [...m].map(([id, s]) => [
              id,
              id === me || s.priceFen <= mine ? s : { ...s, priceFen: s.priceFen + 10_000_000_00, proposalPriceFen: s.proposalPriceFen + 10_000_000_00 },
            ]),
          );
        };
        const pricedUp: RoomFacts = { ...facts, live: bump(facts.live), sealed: bump(facts.sealed) };
        const a = providerView(pricedUp, { orgId: me, ownProposal });
        const renamed: RoomFacts = { ...pricedUp, names: new Map(ids.map((id) => [id, id === me ? facts.names.get(id)! : `改名-${id}`])) };
        expect(providerView(renamed, { orgId: me, ownProposal })).toEqual(a);
      }),
      { numRuns: 200 },
    );
  });

  it('the enterprise sees every bidder by name from opening on, and during a round who bid but not at what price', () => {
    fc.assert(
      fc.property(roomArb, ({ facts, ids }) => {
        const view = enterpriseView(facts);
        expect(EnterpriseRoomView.parse(view)).toEqual(view);
        expect(view.role).toBe('enterprise');
        expect(view.bidders.map((b) => b.providerName).sort()).toEqual(ids.map((id) => facts.names.get(id)!).sort());
        const opened = facts.now >= facts.requirement.openingAt!;
        expect(view.proposals.map((p) => p.providerId).sort()).toEqual(opened ? [...ids].sort() : []);
        for (const p of view.proposals) expect(p.currentPriceFen).toBe(facts.sealed.get(p.providerId)!.priceFen);
        // Offers of the open round are sealed: every money figure comes from proposals, closed rounds or the rules.
        const sealedOffers = facts.offers.filter((o) => o.roundId === facts.openRound?.id);
        const visible = new Set<number>([
          ...facts.proposals.map((p) => p.priceFen),
          ...[...facts.sealed.values()].map((x) => x.priceFen),
          ...facts.offers.filter((o) => o.roundId !== facts.openRound?.id).flatMap((o) => [o.priceFen, o.previousPriceFen]),
          facts.rules.minDecreaseFen,
        ]);
        for (const leaf of leaves(view)) {
          if (leaf.key.endsWith('Fen')) expect(visible.has(leaf.value as number), `${leaf.key}=${leaf.value}`).toBe(true);
        }
        if (view.currentRound) {
          for (const part of view.currentRound.participants) expect(part.offerCount).toBe(sealedOffers.filter((o) => o.providerId === part.providerId).length);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('operators watch what the enterprise sees', () => {
    fc.assert(
      fc.property(roomArb, ({ facts }) => {
        expect(operatorView(facts)).toEqual({ ...enterpriseView(facts), role: 'operator' });
      }),
      { numRuns: 50 },
    );
  });
});
