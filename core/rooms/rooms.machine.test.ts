import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  checkStartRound,
  DEFAULT_ROOM_TIMING,
  DEFAULT_ROUND_RULES,
  decideExtension,
  decideRevisedPrice,
  EXTENSION_RULES,
  maxRevisedPriceFen,
  minDecreaseFen,
  rankProviders,
  roomPhase,
  type OpenRound,
  type RoomPhase,
} from './rooms.machine';
import type { RequirementState } from '../tenders/requirements.machine';

const opening = new Date('2026-12-01T02:00:00Z');
const min = (n: number) => new Date(opening.getTime() + n * 60_000);

describe('roomPhase', () => {
  it.each<[RequirementState, Date, boolean, RoomPhase]>([
    ['open', min(-31), false, 'scheduled'],
    ['open', min(-30), false, 'waiting'],
    ['open', min(-1), false, 'waiting'],
    ['open', min(0), false, 'bidding'],
    ['open', min(90), false, 'bidding'],
    ['open', min(90), true, 'second_round'],
    ['abandoned', min(5), false, 'abandoned'],
    ['awarded', min(5), false, 'awarded'],
    ['in_progress', min(5), false, 'awarded'],
    ['withdrawn', min(-60), false, 'ended'],
    ['closed', min(5), false, 'ended'],
    ['pending_review', min(-60), false, 'ended'],
  ])('%s at %s (round open: %s) → %s', (state, now, roundOpen, phase) => {
    expect(roomPhase({ state, openingAt: opening, roundOpen, now, timing: DEFAULT_ROOM_TIMING })).toBe(phase);
  });

  it('follows the operator-configured waiting-room window', () => {
    const timing = { waitingRoomMinutes: 60, enterPromptMinutes: 5 };
    expect(roomPhase({ state: 'open', openingAt: opening, roundOpen: false, now: min(-45), timing })).toBe('waiting');
  });
});

describe('minimum decrease: 1 % or ¥100, whichever is larger', () => {
  it.each([
    [2_000_000, 20_000], // ¥20,000 → 1 % = ¥200
    [1_000_000, 10_000], // ¥10,000 → both ¥100
    [500_000, 10_000], // ¥5,000 → 1 % = ¥50 < ¥100
    [1_000_001, 10_001], // rounds the share up: never accept less than 1 %
  ])('from %i fen: at least %i fen lower', (prev, dec) => {
    expect(minDecreaseFen(prev, DEFAULT_ROUND_RULES)).toBe(dec);
    expect(maxRevisedPriceFen(prev, DEFAULT_ROUND_RULES)).toBe(prev - dec);
  });

  it('property: an accepted price is always lower by at least the minimum, and a price one fen higher is refused', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 10_001, max: 10_000_000_000 }),
        fc.integer({ min: 0, max: 5000 }),
        fc.integer({ min: 0, max: 1_000_000 }),
        (prev, bp, fen) => {
          const rules = { ...DEFAULT_ROUND_RULES, minDecreaseBp: bp, minDecreaseFen: fen };
          const ceiling = maxRevisedPriceFen(prev, rules);
          const round = openRound({ ...rules });
          if (ceiling > 0) {
            decideRevisedPrice(round, { providerId: 'p1', priceFen: ceiling, previousFen: prev, roundLowestFen: prev }, min(1));
            expect(prev - ceiling).toBeGreaterThanOrEqual(Math.max(fen, (prev * bp) / 10_000));
          }
          if (ceiling + 1 <= prev) {
            expect(() => decideRevisedPrice(round, { providerId: 'p1', priceFen: ceiling + 1, previousFen: prev, roundLowestFen: prev }, min(1))).toThrow(
              expect.objectContaining({ code: 'PRICE_NOT_LOWER' }),
            );
          }
        },
      ),
    );
  });
});

function openRound(over: Partial<OpenRound> = {}): OpenRound {
  return { status: 'open', participantIds: ['p1', 'p2'], closesAt: min(10), extensions: 0, latestCloseAt: null, ...DEFAULT_ROUND_RULES, ...over };
}

describe('decideRevisedPrice', () => {
  it('accepts a low enough price from a participant before the deadline without moving it', () => {
    expect(decideRevisedPrice(openRound(), { providerId: 'p1', priceFen: 1_900_000, previousFen: 2_000_000, roundLowestFen: 2_000_000 }, min(5))).toEqual({
      closesAt: min(10),
      extended: false,
      extensions: 0,
    });
  });

  it.each([
    ['at the deadline', openRound(), min(10), 'ROUND_CLOSED'],
    ['after the deadline', openRound(), min(11), 'ROUND_CLOSED'],
    ['in a closed round', openRound({ status: 'closed' }), min(5), 'ROUND_CLOSED'],
    ['from a provider not in the round', openRound({ participantIds: ['p2'] }), min(5), 'FORBIDDEN'],
  ] as const)('refuses a bid %s', (_, round, now, code) => {
    expect(() => decideRevisedPrice(round, { providerId: 'p1', priceFen: 1_000_000, previousFen: 2_000_000, roundLowestFen: 2_000_000 }, now)).toThrow(
      expect.objectContaining({ code }),
    );
  });

  it('refuses a price not low enough, naming the ceiling', () => {
    expect(() => decideRevisedPrice(openRound(), { providerId: 'p1', priceFen: 1_990_000, previousFen: 2_000_000, roundLowestFen: 2_000_000 }, min(5))).toThrow(
      expect.objectContaining({ code: 'PRICE_NOT_LOWER', fields: { priceFen: expect.stringContaining('¥19,800.00') } }),
    );
  });

  it('anti-sniping: a bid in the last 2 minutes moves the close to 2 minutes after the bid', () => {
    const at = new Date(min(10).getTime() - 30_000);
    expect(decideRevisedPrice(openRound(), { providerId: 'p1', priceFen: 1_000_000, previousFen: 2_000_000, roundLowestFen: 2_000_000 }, at)).toEqual({
      closesAt: new Date(at.getTime() + 120_000),
      extended: true,
      extensions: 1,
    });
  });

  it('anti-sniping stops after the tenth extension', () => {
    const at = new Date(min(10).getTime() - 30_000);
    expect(
      decideRevisedPrice(openRound({ extensions: 10 }), { providerId: 'p1', priceFen: 1_000_000, previousFen: 2_000_000, roundLowestFen: 2_000_000 }, at)
        .extended,
    ).toBe(false);
  });

  it('property: the deadline never moves earlier, moves at most maxExtensions times, and never beyond bid + window', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 700_000 }), { minLength: 1, maxLength: 40 }), (gaps) => {
        let round = openRound({ closesAt: min(10), latestCloseAt: min(30) });
        let now = min(0).getTime();
        let price = 10_000_000;
        for (const gap of gaps) {
          now += gap;
          if (now >= round.closesAt.getTime()) break;
          price = maxRevisedPriceFen(price, round);
          const d = decideRevisedPrice(
            round,
            { providerId: 'p1', priceFen: price, previousFen: Math.ceil(price * 1.5) + 20_000, roundLowestFen: Math.ceil(price * 1.5) + 20_000 },
            new Date(now),
          );
          expect(d.closesAt.getTime()).toBeGreaterThanOrEqual(round.closesAt.getTime());
          expect(d.closesAt.getTime()).toBeLessThanOrEqual(Math.max(round.closesAt.getTime(), now + 120_000));
          expect(d.closesAt.getTime()).toBeLessThanOrEqual(min(30).getTime());
          round = { ...round, closesAt: d.closesAt, extensions: d.extensions };
        }
        expect(round.extensions).toBeLessThanOrEqual(DEFAULT_ROUND_RULES.maxExtensions);
      }),
    );
  });
});

describe('decideExtension', () => {
  // The deadline at minute 10, a 2-minute window; the latest close at minute 20 unless reached.
  const cases = EXTENSION_RULES.flatMap((rule) =>
    [true, false].flatMap((newLowest) =>
      [true, false].flatMap((inWindow) =>
        [true, false].flatMap((extensionsLeft) =>
          [false, true].map((latestReached) => {
            const extends_ = inWindow && extensionsLeft && !latestReached && (rule === 'any_bid' || newLowest);
            return { rule, newLowest, inWindow, extensionsLeft, latestReached, extends_ };
          }),
        ),
      ),
    ),
  );
  it.each(cases)(
    '$rule, new lowest $newLowest, in window $inWindow, extensions left $extensionsLeft, latest close reached $latestReached → extends $extends_',
    ({ rule, newLowest, inWindow, extensionsLeft, latestReached, extends_ }) => {
      const now = new Date(min(10).getTime() - (inWindow ? 30_000 : 5 * 60_000));
      const d = decideExtension({
        rule,
        newLowest,
        snipeWindowSeconds: 120,
        maxExtensions: 3,
        extensions: extensionsLeft ? 2 : 3,
        closesAt: min(10),
        latestCloseAt: latestReached ? min(10) : min(20),
        now,
      });
      expect(d).toEqual(
        extends_
          ? { closesAt: new Date(now.getTime() + 120_000), extended: true, extensions: 3 }
          : { closesAt: min(10), extended: false, extensions: extensionsLeft ? 2 : 3 },
      );
    },
  );

  it('stops at the latest close: the deadline moves up to it, never past it', () => {
    const now = new Date(min(10).getTime() - 30_000);
    const f = { rule: 'any_bid' as const, newLowest: false, snipeWindowSeconds: 120, maxExtensions: 10, extensions: 0, closesAt: min(10), now };
    expect(decideExtension({ ...f, latestCloseAt: new Date(min(10).getTime() + 60_000) })).toEqual({
      closesAt: new Date(min(10).getTime() + 60_000),
      extended: true,
      extensions: 1,
    });
    expect(decideExtension({ ...f, latestCloseAt: null }).closesAt).toEqual(new Date(now.getTime() + 120_000));
  });

  it('decideRevisedPrice: under new_lowest a bid in the window that is not the lowest leaves the deadline', () => {
    const at = new Date(min(10).getTime() - 30_000);
    const round = openRound({ latestCloseAt: min(30) });
    expect(decideRevisedPrice(round, { providerId: 'p1', priceFen: 1_900_000, previousFen: 2_000_000, roundLowestFen: 1_800_000 }, at).extended).toBe(false);
    expect(decideRevisedPrice(round, { providerId: 'p1', priceFen: 1_700_000, previousFen: 2_000_000, roundLowestFen: 1_800_000 }, at).extended).toBe(true);
    expect(
      decideRevisedPrice(
        { ...round, extensionRule: 'any_bid' },
        { providerId: 'p1', priceFen: 1_900_000, previousFen: 2_000_000, roundLowestFen: 1_800_000 },
        at,
      ).extended,
    ).toBe(true);
  });
});

describe('checkStartRound', () => {
  const ok = { phase: 'bidding' as RoomPhase, providerIds: ['a'], bidderIds: ['a', 'b'], durationMinutes: 10 };
  it('accepts ticked bidders and 5–60 minutes', () => {
    expect(() => checkStartRound(ok)).not.toThrow();
    expect(() => checkStartRound({ ...ok, durationMinutes: 5 })).not.toThrow();
    expect(() => checkStartRound({ ...ok, durationMinutes: 60 })).not.toThrow();
  });
  it.each([
    [{ phase: 'waiting' }, 'ROOM_NOT_BIDDING'],
    [{ phase: 'second_round' }, 'ROUND_IN_PROGRESS'],
    [{ phase: 'awarded' }, 'ROOM_NOT_BIDDING'],
    [{ providerIds: [] }, 'VALIDATION'],
    [{ providerIds: ['c'] }, 'VALIDATION'],
    [{ durationMinutes: 4 }, 'VALIDATION'],
    [{ durationMinutes: 61 }, 'VALIDATION'],
    [{ durationMinutes: 7.5 }, 'VALIDATION'],
  ] as const)('refuses %o', (over, code) => {
    expect(() => checkStartRound({ ...ok, ...over } as typeof ok)).toThrow(expect.objectContaining({ code }));
  });
});

describe('rankProviders', () => {
  it('ranks the lowest price first; an equal price ranks by who offered it first', () => {
    const ranks = rankProviders([
      { providerId: 'a', priceFen: 300, at: min(1) },
      { providerId: 'b', priceFen: 200, at: min(3) },
      { providerId: 'c', priceFen: 200, at: min(2) },
    ]);
    expect([...ranks]).toEqual([
      ['c', 1],
      ['b', 2],
      ['a', 3],
    ]);
  });

  it('property: ranks are a permutation of 1..n ordered by price', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.string({ minLength: 1, maxLength: 5 }), { minLength: 1, maxLength: 12 }),
        fc.array(fc.integer({ min: 1, max: 50 }), { minLength: 12, maxLength: 12 }),
        (ids, prices) => {
          const st = ids.map((id, i) => ({ providerId: id, priceFen: prices[i]!, at: min(i) }));
          const ranks = rankProviders(st);
          expect([...ranks.values()].sort((x, y) => x - y)).toEqual(ids.map((_, i) => i + 1));
          for (const x of st) for (const y of st) if (x.priceFen < y.priceFen) expect(ranks.get(x.providerId)!).toBeLessThan(ranks.get(y.providerId)!);
        },
      ),
    );
  });
});
