import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  canTransition,
  checkOpeningTime,
  checkProposalWindow,
  decideAbandon,
  decideEnd,
  decideWithdrawal,
  DEFAULT_DEPOSIT_SETTINGS,
  HOUR_MS,
  PROJECT_GROUPS,
  projectGroupOf,
  REQUIREMENT_STATES,
  REQUIREMENT_TRANSITIONS,
  statesOfGroup,
  transition,
  type RequirementEvent,
  type RequirementState,
  type TenderMode,
} from './requirements.machine';

const EVENTS: RequirementEvent[] = [
  'submit',
  'approve',
  'reject',
  'withdraw',
  'abandon',
  'retender',
  'end',
  'delete',
  'select',
  'start',
  'complete',
  'terminate',
];
const MODES: TenderMode[] = ['competitive', 'invitation'];

/** The whole table, written out: state, event, mode → next state (or absent = refused). */
const ALLOWED: [RequirementState, RequirementEvent, TenderMode, RequirementState][] = [
  ['draft', 'submit', 'competitive', 'pending_review'],
  ['draft', 'submit', 'invitation', 'pending_review'],
  ['rejected', 'submit', 'competitive', 'pending_review'],
  ['rejected', 'submit', 'invitation', 'pending_review'],
  ['pending_review', 'approve', 'competitive', 'open'],
  ['pending_review', 'approve', 'invitation', 'open'],
  ['pending_review', 'reject', 'competitive', 'rejected'],
  ['pending_review', 'reject', 'invitation', 'rejected'],
  ['open', 'withdraw', 'competitive', 'withdrawn'],
  ['open', 'abandon', 'competitive', 'abandoned'],
  ['open', 'delete', 'invitation', 'closed'],
  ['open', 'select', 'competitive', 'awarded'],
  ['open', 'select', 'invitation', 'awarded'],
  ['abandoned', 'retender', 'competitive', 'open'],
  ['abandoned', 'end', 'competitive', 'closed'],
  ['awarded', 'start', 'competitive', 'in_progress'],
  ['awarded', 'start', 'invitation', 'in_progress'],
  ['awarded', 'terminate', 'competitive', 'closed'],
  ['awarded', 'terminate', 'invitation', 'closed'],
  ['in_progress', 'complete', 'competitive', 'completed'],
  ['in_progress', 'complete', 'invitation', 'completed'],
  ['in_progress', 'terminate', 'competitive', 'closed'],
  ['in_progress', 'terminate', 'invitation', 'closed'],
];
const key = (s: string, e: string, m: string) => `${s}|${e}|${m}`;
const allowed = new Map(ALLOWED.map(([s, e, m, to]) => [key(s, e, m), to]));
const ALL = REQUIREMENT_STATES.flatMap((s) => EVENTS.flatMap((e) => MODES.map((m) => [s, e, m] as const)));

describe('requirement state machine', () => {
  it.each(ALLOWED)('%s --%s (%s)--> %s', (state, event, mode, to) => {
    expect(canTransition(state, event, mode)).toBe(true);
    expect(transition(state, event, mode)).toBe(to);
  });

  it.each(ALL.filter(([s, e, m]) => !allowed.has(key(s, e, m))))('%s refuses %s (%s)', (state, event, mode) => {
    expect(canTransition(state, event, mode)).toBe(false);
    expect(() => transition(state, event, mode)).toThrow(expect.objectContaining({ code: 'WRONG_REQUIREMENT_STATE' }));
  });

  it('closed states are final', () => {
    for (const s of ['withdrawn', 'completed', 'closed'] as const) expect(Object.keys(REQUIREMENT_TRANSITIONS[s])).toEqual([]);
  });

  it('puts every state of every mode in exactly one "my projects" group, and the group lists it', () => {
    for (const s of REQUIREMENT_STATES)
      for (const m of MODES) {
        const g = projectGroupOf(s, m);
        expect(PROJECT_GROUPS).toContain(g);
        const { states, mode } = statesOfGroup(g);
        expect(states).toContain(s);
        if (mode) expect(mode).toBe(m);
      }
  });
});

describe('deposit rules', () => {
  const s = DEFAULT_DEPOSIT_SETTINGS;
  const opening = new Date('2026-12-10T02:00:00Z');
  const before = (ms: number) => new Date(opening.getTime() - ms);

  it('refunds everything when nobody bid', () => {
    expect(decideWithdrawal({ depositFen: 20_000, bidders: 0, openingAt: opening, now: before(HOUR_MS), settings: s })).toEqual({
      refundFen: 20_000,
      forfeitFen: 0,
    });
  });
  it('forfeits ¥50 with bidders 24 h or more before opening (24 h exactly included)', () => {
    expect(decideWithdrawal({ depositFen: 20_000, bidders: 1, openingAt: opening, now: before(24 * HOUR_MS), settings: s })).toEqual({
      refundFen: 15_000,
      forfeitFen: 5_000,
    });
    expect(decideWithdrawal({ depositFen: 20_000, bidders: 3, openingAt: opening, now: before(72 * HOUR_MS), settings: s })).toEqual({
      refundFen: 15_000,
      forfeitFen: 5_000,
    });
  });
  it('forfeits ¥100 with bidders less than 24 h before opening', () => {
    expect(decideWithdrawal({ depositFen: 20_000, bidders: 1, openingAt: opening, now: before(24 * HOUR_MS - 1), settings: s })).toEqual({
      refundFen: 10_000,
      forfeitFen: 10_000,
    });
  });
  it('refuses to withdraw once the opening time has come', () => {
    expect(() => decideWithdrawal({ depositFen: 20_000, bidders: 0, openingAt: opening, now: opening, settings: s })).toThrow(
      expect.objectContaining({ code: 'OPENING_PASSED' }),
    );
  });
  it('never forfeits more than the deposit, never refunds a negative amount (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10_000_000 }),
        fc.integer({ min: 0, max: 50 }),
        fc.integer({ min: 1, max: 400 * HOUR_MS }),
        fc.integer({ min: 0, max: 10_000_000 }),
        fc.integer({ min: 0, max: 10_000_000 }),
        (depositFen, bidders, lead, early, late) => {
          const r = decideWithdrawal({
            depositFen,
            bidders,
            openingAt: opening,
            now: before(lead),
            settings: { depositFen, forfeitEarlyFen: early, forfeitLateFen: late },
          });
          return r.refundFen >= 0 && r.forfeitFen >= 0 && r.refundFen + r.forfeitFen === depositFen && (bidders > 0 || r.forfeitFen === 0);
        },
      ),
    );
  });
  it('abandoning is only possible at or after opening, free when short of bidders', () => {
    expect(() => decideAbandon({ bidders: 0, minBidders: 3, openingAt: opening, now: before(1) })).toThrow(
      expect.objectContaining({ code: 'OPENING_NOT_REACHED' }),
    );
    expect(decideAbandon({ bidders: 2, minBidders: 3, openingAt: opening, now: opening })).toEqual({ free: true });
    expect(decideAbandon({ bidders: 3, minBidders: 3, openingAt: opening, now: opening })).toEqual({ free: false });
  });
  it('ending after an abandon is free when the round was short of bidders or had none, else forfeits the late amount', () => {
    expect(decideEnd({ depositFen: 20_000, abandonedFree: true, bidders: 2, settings: s })).toEqual({ refundFen: 20_000, forfeitFen: 0 });
    expect(decideEnd({ depositFen: 20_000, abandonedFree: false, bidders: 0, settings: s })).toEqual({ refundFen: 20_000, forfeitFen: 0 });
    expect(decideEnd({ depositFen: 20_000, abandonedFree: false, bidders: 4, settings: s })).toEqual({ refundFen: 10_000, forfeitFen: 10_000 });
  });
});

describe('time windows', () => {
  const now = new Date('2026-12-01T00:00:00Z');
  it('needs the opening time at least 24 h ahead', () => {
    expect(() => checkOpeningTime(new Date(now.getTime() + 24 * HOUR_MS - 1), now)).toThrow(
      expect.objectContaining({ fields: { openingAt: '开标时间须至少在 24 小时之后' } }),
    );
    expect(() => checkOpeningTime(new Date(now.getTime() + 24 * HOUR_MS), now)).not.toThrow();
  });
  it('freezes proposals at the opening time', () => {
    const openingAt = new Date(now.getTime() + 1000);
    expect(() => checkProposalWindow({ state: 'open', mode: 'competitive', openingAt, now })).not.toThrow();
    expect(() => checkProposalWindow({ state: 'open', mode: 'competitive', openingAt, now: openingAt })).toThrow(
      expect.objectContaining({ code: 'PROPOSALS_FROZEN' }),
    );
    expect(() => checkProposalWindow({ state: 'open', mode: 'invitation', openingAt, now })).toThrow(expect.objectContaining({ code: 'NOT_COMPETITIVE' }));
    expect(() => checkProposalWindow({ state: 'pending_review', mode: 'competitive', openingAt, now })).toThrow(
      expect.objectContaining({ code: 'REQUIREMENT_NOT_OPEN' }),
    );
  });
});
