import {
  maxRevisedPriceFen,
  minDecreaseFen,
  rankProviders,
  ROOM_PHASE_LABELS,
  type RoomPhase,
  type RoomTiming,
  type RoundRules,
  type Standing,
} from './rooms.machine';
import type { EnterpriseRoomView, ProviderRoomView, RoomSnapshot } from './rooms.schema';
import type { RequirementState } from '../tenders/requirements.machine';

/**
 * What each side of a bidding room sees, as pure functions of the room's facts: the service loads
 * the facts, these decide. No I/O and no clock, so the promise "a provider's view never carries a
 * rival's price or name" is checked by rooms.views.test.ts over generated rooms.
 */

type ProposalStatus = 'active' | 'withdrawn' | 'selected' | 'not_selected';

export interface FactProposal {
  id: string;
  providerId: string;
  priceFen: number;
  plan: string;
  timeline: string;
  status: ProposalStatus;
  attachments: { id: string; filename: string; contentType: string; sizeBytes: number; url: string }[];
}

export interface FactRound {
  id: string;
  number: number;
  status: 'open' | 'closed';
  participantIds: string[];
  startedAt: Date;
  closesAt: Date;
  closedAt: Date | null;
  durationSeconds: number;
  extensions: number;
  maxExtensions: number;
  minDecreaseBp: number;
  minDecreaseFen: number;
  extensionRule?: RoundRules['extensionRule'];
  /** The deadline never moves past it (null or absent on rounds older than the rule). */
  latestCloseAt?: Date | null;
}

export interface FactOffer {
  roundId: string;
  providerId: string;
  priceFen: number;
  previousPriceFen: number;
  createdAt: Date;
}

export interface FactStanding extends Standing {
  proposalPriceFen: number;
}

/** Everything known about a room at one moment; each view takes only what its role may see. */
export interface RoomFacts {
  requirement: {
    id: string;
    requirementNo: string;
    title: string;
    state: RequirementState;
    openingAt: Date | null;
    minBidders: number | null;
    round: number;
    selectedProviderId: string | null;
  };
  enterpriseName: string;
  now: Date;
  seq: number;
  phase: RoomPhase;
  timing: RoomTiming;
  rules: RoundRules;
  /** Whether the rules are fixed (a proposal has arrived). */
  rulesFrozen?: boolean;
  /** Providers with an active proposal. */
  bidderIds: string[];
  /** Each live bidder's current price, counting offers of the open round (what ranks are made of). */
  live: Map<string, FactStanding>;
  /** The same leaving out offers of a round still open (what the enterprise may see). */
  sealed: Map<string, FactStanding>;
  /** Bidders' organisation names. */
  names: Map<string, string>;
  /** Live proposals (active, selected, not selected), cheapest proposal price first. */
  proposals: FactProposal[];
  /** The price rounds of the current tender round, in order. */
  rounds: FactRound[];
  /** The open round, if any. */
  openRound: FactRound | null;
  /** Every offer of the current tender round, oldest first. */
  offers: FactOffer[];
}

/** What only one provider's own view adds: its organisation and its latest proposal. */
export interface ProviderFacts {
  orgId: string;
  ownProposal: Pick<FactProposal, 'priceFen' | 'plan' | 'timeline' | 'status'> | null;
}

const iso = (d: Date) => d.toISOString();
const isoOrNull = (d: Date | null | undefined) => (d ? d.toISOString() : null);

function baseView(f: RoomFacts) {
  const r = f.requirement;
  return {
    requirement: {
      id: r.id,
      requirementNo: r.requirementNo,
      title: r.title,
      state: r.state,
      openingAt: isoOrNull(r.openingAt),
      minBidders: r.minBidders,
      tenderRound: r.round,
      enterpriseName: f.enterpriseName,
    },
    phase: f.phase,
    phaseLabel: ROOM_PHASE_LABELS[f.phase],
    serverTime: iso(f.now),
    seq: f.seq,
    timing: {
      waitingRoomOpensAt: r.openingAt ? iso(new Date(r.openingAt.getTime() - f.timing.waitingRoomMinutes * 60_000)) : null,
      enterPromptAt: r.openingAt ? iso(new Date(r.openingAt.getTime() - f.timing.enterPromptMinutes * 60_000)) : null,
    },
    bidderCount: f.bidderIds.length,
    rules: { ...f.rules, minDecreasePercent: f.rules.minDecreaseBp / 100, frozen: f.rulesFrozen ?? false },
  };
}

/** Ranks of a round's participants by their live prices (1 = cheapest). */
export function participantRanks(round: Pick<FactRound, 'participantIds'>, all: Map<string, Standing>) {
  return rankProviders(round.participantIds.map((id) => all.get(id)).filter((s): s is Standing => Boolean(s)));
}

/**
 * A provider's room: its own proposal, its own offers, its own rank and limits in an open round it
 * takes part in. Nothing of another bidder — no price, no name, no id.
 */
export function providerView(f: RoomFacts, me: ProviderFacts): ProviderRoomView {
  const mine = f.live.get(me.orgId);
  const roundNumber = new Map(f.rounds.map((rd) => [rd.id, rd.number]));
  const myOffers = f.offers.filter((o) => o.providerId === me.orgId);
  const open = f.openRound;
  const included = open?.participantIds.includes(me.orgId) ?? false;
  const ranks = open && included ? participantRanks(open, f.live) : undefined;
  const p = me.ownProposal;
  return {
    ...baseView(f),
    role: 'provider',
    mine: p
      ? {
          proposal: { priceFen: p.priceFen, plan: p.plan, timeline: p.timeline, status: p.status },
          currentPriceFen: mine?.priceFen ?? p.priceFen,
          offers: myOffers.map((o) => ({ roundNumber: roundNumber.get(o.roundId) ?? 0, priceFen: o.priceFen, at: iso(o.createdAt) })),
          result: p.status === 'selected' ? 'selected' : p.status === 'not_selected' ? 'not_selected' : null,
        }
      : null,
    currentRound: open
      ? {
          id: open.id,
          number: open.number,
          startedAt: iso(open.startedAt),
          closesAt: iso(open.closesAt),
          durationSeconds: open.durationSeconds,
          extensions: open.extensions,
          maxExtensions: open.maxExtensions,
          extensionRule: open.extensionRule ?? 'any_bid',
          latestCloseAt: isoOrNull(open.latestCloseAt),
          included,
          participantCount: open.participantIds.length,
          myRank: ranks?.get(me.orgId) ?? null,
          maxPriceFen: included && mine ? maxRevisedPriceFen(mine.priceFen, open) : null,
          minDecreaseFen: included && mine ? minDecreaseFen(mine.priceFen, open) : null,
        }
      : null,
  };
}

/**
 * The enterprise's room: proposals from opening on, ordered by current price; every closed round
 * with each participant's revised prices; during a round, who has bid and when but not at what
 * price (offers of an open round are sealed).
 */
export function enterpriseView(f: RoomFacts, role: 'enterprise' | 'operator' = 'enterprise'): EnterpriseRoomView {
  const opened = f.requirement.openingAt ? f.now >= f.requirement.openingAt : false;
  const props = opened ? f.proposals : [];
  const name = (pid: string) => f.names.get(pid) ?? '';
  const offersOf = (roundId: string, pid: string) => f.offers.filter((o) => o.roundId === roundId && o.providerId === pid);
  const open = f.openRound;
  return {
    ...baseView(f),
    role,
    selectedProviderId: f.requirement.selectedProviderId,
    canAbandonFree: f.phase === 'bidding' && f.bidderIds.length < (f.requirement.minBidders ?? 1),
    bidders: [...f.sealed.values()]
      .filter((s) => f.bidderIds.includes(s.providerId) || props.some((p) => p.providerId === s.providerId))
      .map((s) => ({ providerId: s.providerId, providerName: name(s.providerId) })),
    // Cheapest current price first: after a second round the revised prices decide the order.
    proposals: props
      .map((p) => ({
        id: p.id,
        providerId: p.providerId,
        providerName: name(p.providerId),
        storefrontUrl: `/showcase/${p.providerId}`,
        priceFen: p.priceFen,
        currentPriceFen: f.sealed.get(p.providerId)?.priceFen ?? p.priceFen,
        plan: p.plan,
        timeline: p.timeline,
        status: p.status,
        attachments: p.attachments,
      }))
      .sort((x, y) => x.currentPriceFen - y.currentPriceFen),
    rounds: f.rounds
      .filter((rd) => rd.status === 'closed')
      .map((rd) => ({
        id: rd.id,
        number: rd.number,
        startedAt: iso(rd.startedAt),
        closedAt: isoOrNull(rd.closedAt),
        participants: rd.participantIds.map((pid) => {
          const own = offersOf(rd.id, pid);
          const fallback = f.sealed.get(pid)?.priceFen ?? null;
          return {
            providerId: pid,
            providerName: name(pid),
            startPriceFen: own[0]?.previousPriceFen ?? fallback,
            finalPriceFen: own.at(-1)?.priceFen ?? own[0]?.previousPriceFen ?? fallback,
            offers: own.map((o) => ({ priceFen: o.priceFen, at: iso(o.createdAt) })),
          };
        }),
      })),
    currentRound: open
      ? {
          id: open.id,
          number: open.number,
          startedAt: iso(open.startedAt),
          closesAt: iso(open.closesAt),
          durationSeconds: open.durationSeconds,
          extensions: open.extensions,
          maxExtensions: open.maxExtensions,
          extensionRule: open.extensionRule ?? 'any_bid',
          latestCloseAt: isoOrNull(open.latestCloseAt),
          participantCount: open.participantIds.length,
          participants: open.participantIds.map((pid) => {
            const own = offersOf(open.id, pid);
            return { providerId: pid, providerName: name(pid), offerCount: own.length, lastOfferAt: isoOrNull(own.at(-1)?.createdAt) };
          }),
        }
      : null,
  };
}

/** Operators watch what the enterprise sees, read-only. */
export const operatorView = (f: RoomFacts): EnterpriseRoomView => enterpriseView(f, 'operator');

/** The view for a member of the room. */
export function roomView(f: RoomFacts, viewer: { role: 'enterprise' } | { role: 'operator' } | ({ role: 'provider' } & ProviderFacts)): RoomSnapshot {
  if (viewer.role === 'provider') return providerView(f, viewer);
  return viewer.role === 'operator' ? operatorView(f) : enterpriseView(f);
}
