import { AppError } from '../shared/app-error';
import { formatFen } from '../shared/money';
import type { RequirementState } from '../tenders/requirements.machine';

/**
 * The rules of a live bidding room, with no I/O and the time passed in: which phase the room is in,
 * whether a revised price is accepted and what it does to the deadline, who ranks where.
 */

export const MINUTE_MS = 60_000;

/** Defaults of the issue; the waiting-room timing is an operator setting, the price rules per requirement. */
export const DEFAULT_ROOM_TIMING = { waitingRoomMinutes: 30, enterPromptMinutes: 5 } as const;
export type RoomTiming = { waitingRoomMinutes: number; enterPromptMinutes: number };

/**
 * Which bids in the anti-sniping window move the deadline: only one that becomes the round's new lowest
 * price (a bidder cannot keep a round open with token bids that change nothing), or any accepted bid.
 */
export const EXTENSION_RULES = ['new_lowest', 'any_bid'] as const;
export type ExtensionRule = (typeof EXTENSION_RULES)[number];

export const DEFAULT_ROUND_RULES = {
  minDecreaseBp: 100,
  minDecreaseFen: 10_000,
  snipeWindowSeconds: 120,
  maxExtensions: 10,
  extensionRule: 'new_lowest',
  maxExtensionMinutes: 20,
} as const satisfies RoundRules;
export type RoundRules = {
  minDecreaseBp: number;
  minDecreaseFen: number;
  snipeWindowSeconds: number;
  maxExtensions: number;
  extensionRule: ExtensionRule;
  /** The absolute latest close: a round never runs past its original deadline plus this many minutes. */
  maxExtensionMinutes: number;
};
/** Bounds of the rules: the API schema, the rules form and the database check constraint say the same. */
export const ROOM_RULE_BOUNDS = {
  minDecreasePercent: { min: 0, max: 50 },
  snipeWindowSeconds: { min: 0, max: 900 },
  maxExtensions: { min: 0, max: 50 },
  maxExtensionMinutes: { min: 0, max: 120 },
} as const;

/** The latest a round may close: its original deadline plus `maxExtensionMinutes`. */
export const latestCloseAt = (closesAt: Date, rules: Pick<RoundRules, 'maxExtensionMinutes'>) =>
  new Date(closesAt.getTime() + rules.maxExtensionMinutes * MINUTE_MS);

export const ROUND_MINUTES = { min: 5, max: 60, default: 10 } as const;

export type RoomPhase =
  /** Before the waiting room opens: only the countdown. */
  | 'scheduled'
  /** 待标室: from `waitingRoomMinutes` before opening until opening. */
  | 'waiting'
  /** 竞价室: opened; the enterprise reviews proposals, selects, abandons or starts a second round. */
  | 'bidding'
  /** 二次竞价 in progress. */
  | 'second_round'
  | 'awarded'
  | 'abandoned'
  | 'ended';

export const ROOM_PHASE_LABELS: Record<RoomPhase, string> = {
  scheduled: '待开标',
  waiting: '待标室',
  bidding: '竞价室',
  second_round: '二次竞价中',
  awarded: '已选中服务机构',
  abandoned: '已放弃本次招标',
  ended: '已结束',
};

/** The room's phase from the requirement's state, its opening time and whether a round is open. */
export function roomPhase(p: { state: RequirementState; openingAt: Date | null; roundOpen: boolean; now: Date; timing: RoomTiming }): RoomPhase {
  switch (p.state) {
    case 'open':
      break;
    case 'abandoned':
      return 'abandoned';
    case 'awarded':
    case 'in_progress':
    case 'completed':
      return 'awarded';
    default:
      return 'ended';
  }
  if (!p.openingAt) return 'ended';
  const t = p.now.getTime();
  const opening = p.openingAt.getTime();
  if (t < opening - p.timing.waitingRoomMinutes * MINUTE_MS) return 'scheduled';
  if (t < opening) return 'waiting';
  return p.roundOpen ? 'second_round' : 'bidding';
}

/** The least a revised price must come down from `previousFen`: a share or a fixed amount, whichever is larger. */
export function minDecreaseFen(previousFen: number, rules: Pick<RoundRules, 'minDecreaseBp' | 'minDecreaseFen'>): number {
  return Math.max(Math.ceil((previousFen * rules.minDecreaseBp) / 10_000), rules.minDecreaseFen);
}

/** The highest revised price accepted after `previousFen` (0 when none can be). */
export const maxRevisedPriceFen = (previousFen: number, rules: Pick<RoundRules, 'minDecreaseBp' | 'minDecreaseFen'>) =>
  Math.max(0, previousFen - minDecreaseFen(previousFen, rules));

export interface OpenRound extends Omit<RoundRules, 'maxExtensionMinutes'> {
  status: 'open' | 'closed';
  participantIds: string[];
  closesAt: Date;
  extensions: number;
  /** The deadline never moves past this (null: a round started before there was a latest close). */
  latestCloseAt: Date | null;
}

export interface OfferDecision {
  /** The deadline after this bid (later than before when the bid came in the anti-sniping window). */
  closesAt: Date;
  extended: boolean;
  extensions: number;
}

export interface ExtensionFacts {
  rule: ExtensionRule;
  snipeWindowSeconds: number;
  maxExtensions: number;
  extensions: number;
  closesAt: Date;
  latestCloseAt: Date | null;
  /** Whether the accepted bid is strictly below every price standing in the round before it. */
  newLowest: boolean;
  now: Date;
}

/**
 * Anti-sniping: whether an accepted bid moves the deadline, and to when. It does when it came less
 * than the window before the deadline, extensions are left, the rule lets this bid extend (under
 * 'new_lowest' only a new lowest price of the round) and the latest close is not yet reached; the new
 * deadline is the bid time plus the window, never past the latest close.
 */
export function decideExtension(f: ExtensionFacts): OfferDecision {
  const unchanged = { closesAt: f.closesAt, extended: false, extensions: f.extensions };
  const window = f.snipeWindowSeconds * 1000;
  const left = f.closesAt.getTime() - f.now.getTime();
  if (!(window > 0 && left < window && f.extensions < f.maxExtensions)) return unchanged;
  if (f.rule === 'new_lowest' && !f.newLowest) return unchanged;
  let to = f.now.getTime() + window;
  if (f.latestCloseAt) to = Math.min(to, f.latestCloseAt.getTime());
  if (to <= f.closesAt.getTime()) return unchanged;
  return { closesAt: new Date(to), extended: true, extensions: f.extensions + 1 };
}

/**
 * Decides a revised price. Errors: ROUND_CLOSED (the server clock is at or past the deadline, or the
 * round is closed), FORBIDDEN (the provider is not in this round), VALIDATION (not a positive whole
 * number of fen), PRICE_NOT_LOWER (not below the previous price by at least the minimum decrease).
 * Anti-sniping: see decideExtension; `roundLowestFen` is the lowest price standing in the round before
 * this bid (the bid is a new lowest when strictly below it).
 */
export function decideRevisedPrice(
  round: OpenRound,
  offer: { providerId: string; priceFen: number; previousFen: number; roundLowestFen: number },
  now: Date,
): OfferDecision {
  if (round.status !== 'open' || now.getTime() >= round.closesAt.getTime()) throw new AppError('ROUND_CLOSED', '本轮二次竞价已结束，报价未被接受');
  if (!round.participantIds.includes(offer.providerId)) throw new AppError('FORBIDDEN', '贵机构未被邀请参加本轮二次竞价');
  if (!Number.isSafeInteger(offer.priceFen) || offer.priceFen <= 0) throw new AppError('VALIDATION', '请填写有效的报价', { priceFen: '请填写有效的报价' });
  const ceiling = maxRevisedPriceFen(offer.previousFen, round);
  if (offer.priceFen > ceiling) {
    const msg = `新报价须比上次报价 ${formatFen(offer.previousFen)} 至少低 ${formatFen(minDecreaseFen(offer.previousFen, round))}，即不高于 ${formatFen(ceiling)}`;
    throw new AppError('PRICE_NOT_LOWER', msg, { priceFen: msg });
  }
  return decideExtension({
    rule: round.extensionRule,
    snipeWindowSeconds: round.snipeWindowSeconds,
    maxExtensions: round.maxExtensions,
    extensions: round.extensions,
    closesAt: round.closesAt,
    latestCloseAt: round.latestCloseAt,
    newLowest: offer.priceFen < offer.roundLowestFen,
    now,
  });
}

/**
 * Checks a request to start a second round. Errors: ROOM_NOT_BIDDING (not in the bidding room),
 * ROUND_IN_PROGRESS (a round is already open), VALIDATION (no providers ticked, a provider without a live proposal, a
 * duration outside 5–60 minutes).
 */
export function checkStartRound(p: { phase: RoomPhase; providerIds: string[]; bidderIds: string[]; durationMinutes: number }) {
  if (p.phase === 'second_round') throw new AppError('ROUND_IN_PROGRESS', '上一轮二次竞价尚未结束');
  if (p.phase !== 'bidding') throw new AppError('ROOM_NOT_BIDDING', '开标后才能发起二次竞价');
  const fields = startRoundIssues(p);
  if (Object.keys(fields).length) throw new AppError('VALIDATION', Object.values(fields)[0]!, fields);
}

/**
 * The field messages of a request to start a second round (none when it may start): providers
 * ticked, each a bidder of this tender (when `bidderIds` is known), a whole number of minutes in
 * range. The room page's dialog asks the same before sending.
 */
export function startRoundIssues(p: { providerIds: string[]; bidderIds?: string[]; durationMinutes: number | null }): Record<string, string> {
  const fields: Record<string, string> = {};
  if (!p.providerIds.length) fields.providerIds = '请勾选参加二次竞价的服务机构';
  else if (p.bidderIds && p.providerIds.some((id) => !p.bidderIds!.includes(id))) fields.providerIds = '只能勾选本项目的投标机构';
  const d = p.durationMinutes;
  if (d === null || !Number.isInteger(d) || d < ROUND_MINUTES.min || d > ROUND_MINUTES.max) {
    fields.durationMinutes = `竞价时长为 ${ROUND_MINUTES.min}–${ROUND_MINUTES.max} 分钟`;
  }
  return fields;
}

export interface Standing {
  providerId: string;
  priceFen: number;
  /** When this price was offered (the proposal's time for a provider that has not revised). */
  at: Date;
}

/**
 * Ranks providers by their current price, lowest first; an equal price ranks by who offered it first.
 * Returns 1-based ranks.
 */
export function rankProviders(standings: Standing[]): Map<string, number> {
  const sorted = [...standings].sort((a, b) => a.priceFen - b.priceFen || a.at.getTime() - b.at.getTime() || a.providerId.localeCompare(b.providerId));
  return new Map(sorted.map((s, i) => [s.providerId, i + 1]));
}
