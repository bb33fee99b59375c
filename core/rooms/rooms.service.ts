import { randomUUID } from 'node:crypto';
import type { Db, DbOrTx } from '../../db/client';
import type { SQL } from 'drizzle-orm';
import type { PriceRoundRow } from '../../db/schema';
import { toFileView, type FileService } from '../files/files.service';
import type { MessageService } from '../notifications/messages.service';
import type { OrganisationService } from '../organisations/organisations.service';
import type { SettingsService } from '../settings/settings.service';
import { requireActor, type Actor } from '../shared/actor';
import { AppError } from '../shared/app-error';
import type { Clock } from '../shared/clock';
import type { DeadlineTimer } from '../shared/deadline-timer';
import { OUTBOX_PREFIX, type JobQueue } from '../jobs/jobs.service';
import type { Publisher } from '../shared/publisher';
import { parseInput } from '../shared/validate';
import {
  appendBids,
  appendRoomEvents,
  audiencesOf,
  currentSeq,
  findOpenRound,
  publishRoomEvents,
  roomChannels,
  providerReceipt,
  roomEventsSince,
  verifyRoomLog,
  type Audience,
  type RoomLogHead,
  type RoomEvent,
  type RoomEventInput,
  type DecidedBid,
} from './room-log';
import { checkStartRound, decideRevisedPrice, latestCloseAt, maxRevisedPriceFen, minDecreaseFen, roomPhase } from './rooms.machine';
import * as repo from './rooms.repo';
// Rooms is built before tenders (which needs the room's prices), so it imports the tenders context's reads for rooms instead of receiving them.
import { tendersForRooms as tenders } from '../tenders/room-reads.service';
import { ChatReceiptInput, RoomRulesInput, StartRoundInput, SubmitOfferInput, type RoomRulesView, type RoomSnapshot } from './rooms.schema';
import { participantRanks, roomView, type RoomFacts } from './rooms.views';

export interface RoomDeps {
  db: Db;
  clock: Clock;
  publisher: Publisher;
  timer: DeadlineTimer;
  jobs: JobQueue;
  messages: MessageService;
  settings: SettingsService;
  files: FileService;
  /** The legal names bidders are shown under. */
  organisations: Pick<OrganisationService, 'namesOf'>;
}

export type RoomRole = 'enterprise' | 'provider' | 'operator';
export interface RoomMember {
  r: repo.RoomRequirement;
  role: RoomRole;
  /** The provider's organisation (providers), the enterprise's (enterprise), undefined for operators. */
  orgId?: string;
}

/** The deadline timer's kind for second-round closes (`round:<roundId>`). */
export const ROUND_TIMER = 'round';
/**
 * The job that closes a second round (key: the round id). The jobs table is the truth about the
 * deadline, written in the transaction that sets it; the deadline timer above only wakes nodes up
 * sooner. Room events stay in the room's own durable, sequenced log (room-log.ts), not the outbox.
 */
export const ROUND_CLOSE_JOB = 'rooms.round-close';

/**
 * The outbox topic of a chat receipt's push to the sender's side (`outbox:chat-receipt`), keyed by the
 * kind and the first message id: a message is marked delivered once and read once, so that key names
 * one receipt.
 */
export const CHAT_RECEIPT_TOPIC = 'chat-receipt';

/** A chat receipt as its outbox row holds it: the `chat:receipt` payload and which side is told. */
export interface ChatReceipt {
  requirementId: string;
  providerId: string;
  kind: 'delivered' | 'read';
  messageIds: string[];
  at: string;
  /** The side that sent the messages (and now learns they were delivered or read). */
  to: 'enterprise' | 'provider';
}

/** Bids of one room decided together and written in one statement, at most. */
const BIDS_PER_WRITE = 50;

/** A revised price as the bidder is answered: a new offer, or the first one again for a resend. */
type Accepted = {
  kind: 'bid' | 'replay';
  offer: { id: string; priceFen: number; previousPriceFen: number; createdAt: Date };
  round: PriceRoundRow;
  rank: number | null;
  seq: number;
};

/** A bid decided as accepted without moving the deadline: what it writes, and the standings after it. */
type PlainBid = DecidedBid & { kind: 'bid'; offer: Accepted['offer']; round: PriceRoundRow; rank: number | null; standings: Map<string, repo.StandingRow> };

const acceptedBid = (d: PlainBid, seq: number): Accepted => ({ kind: 'bid', offer: d.offer, round: d.round, rank: d.rank, seq });

/** A bid waiting for its room on this node (rooms.service.ts inRoomOrder). */
interface QueuedBid {
  /** The room's state as committed, with this bid's resend check. */
  read(): Promise<repo.BidState | undefined>;
  /** The bid decided on a state without writing; undefined unless it is a plain accepted bid. */
  decide(state: repo.BidState): Promise<PlainBid | undefined>;
  /** The bid decided and written on its own: a fresh read, a guarded write, else the locked path. */
  alone(): Promise<Accepted>;
  resolve(result: Accepted): void;
  reject(error: unknown): void;
}

/**
 * Live bidding rooms (待标室, 竞价室, 二次竞价) of competitive requirements, and the receipts of live
 * chat. Every accepted bid is committed with its room event before it is acknowledged; phase changes
 * are conditional updates, so a round closes once however many nodes wake up for it.
 *
 * What each side learns: the enterprise sees every proposal from opening on and, once a round has
 * closed, every revised price with its history; during a round it sees who has bid but not at what
 * price. A provider sees its own proposal, its own offers and its own rank — never another's price or
 * name, by any event or snapshot.
 */
export function createRoomService(deps: RoomDeps) {
  const { db, clock, publisher, timer, jobs, messages, settings, files, organisations } = deps;

  /** Who the actor is in this requirement's room; NOT_FOUND for anyone else (no hint it exists). */
  async function member(actor: Actor | null, requirementId: string, q: DbOrTx = db): Promise<RoomMember> {
    const a = requireActor(actor);
    const r = await tenders.requirement(q, requirementId);
    const orgId = a.organisation?.organisationId;
    if (orgId === r.organisationId) return { r, role: 'enterprise', orgId };
    if (a.isOperator) return { r, role: 'operator' };
    if (orgId && a.organisation?.kind === 'provider' && (await tenders.isProvider(q, r.id, orgId))) return { r, role: 'provider', orgId };
    throw new AppError('NOT_FOUND', '项目不存在');
  }

  /** Room decisions are the enterprise's; bidders and watching operators are refused. */
  function requireEnterprise(m: RoomMember) {
    if (m.role === 'operator') throw new AppError('FORBIDDEN', '运营人员只能查看竞价室');
    if (m.role !== 'enterprise') throw new AppError('FORBIDDEN', '只有发布企业可以进行此操作');
  }

  const standings = repo.loadStandings;

  /**
   * Per room, the state its last bids on this node left (round, log head, standings): the next bids are
   * decided on it without reading, and their write applies only if the room's head is still that one
   * (anything else in the room, on any node, moves the head: then they read). At most 2,000 rooms.
   */
  const lastBids = new Map<string, repo.BidState>();
  const remember = (key: string, state: repo.BidState) => {
    lastBids.delete(key);
    lastBids.set(key, state);
    if (lastBids.size > 2000) lastBids.delete(lastBids.keys().next().value!);
  };

  /**
   * Per room, the bids waiting on this node, in arrival order. They are taken one after another (at the
   * same time they would only make each other read again), and those that arrived while the room's last
   * write was under way go together: decided one after another on the state that write left, and written
   * in one statement (room-log.ts appendBids). A burst of bids in one room then costs one round trip to
   * the database, not one each.
   */
  const waiting = new Map<string, QueuedBid[]>();
  function inRoomOrder(key: string, bid: Pick<QueuedBid, 'read' | 'decide' | 'alone'>): Promise<Accepted> {
    return new Promise<Accepted>((resolve, reject) => {
      const list = waiting.get(key);
      if (list) return void list.push({ ...bid, resolve, reject });
      const fresh = [{ ...bid, resolve, reject }];
      waiting.set(key, fresh);
      void drainRoom(key, fresh);
    });
  }

  /** Settles a room's waiting bids until none is left; every bid taken is answered, whatever fails. */
  async function drainRoom(key: string, list: QueuedBid[]) {
    let misses = 0;
    while (list.length) {
      // What this node's last write left, else a fresh read. After two misses in a row (another node keeps
      // moving the room on) the first bid goes alone, which ends on the locked path if it must.
      const remembered = lastBids.get(key);
      lastBids.delete(key);
      const state = misses < 2 ? (remembered ?? (await list[0]!.read().catch(() => undefined))) : undefined;
      const together = state ? await decideTogether(state, list) : [];
      if (!together.length) {
        misses = 0;
        const bid = list.shift()!;
        await bid.alone().then(bid.resolve, bid.reject);
        continue;
      }
      const written = await appendBids(db, state!.r.id, state!.head, state!.round, together).catch((e: unknown) => {
        for (const bid of list.splice(0, together.length)) bid.reject(e);
        return null;
      });
      // Undefined: nothing written (another node's bid, a close, a reused client id), decided again on a fresh read.
      if (written === undefined) misses++;
      if (!written) continue;
      misses = 0;
      const taken = list.splice(0, together.length);
      remember(key, { ...state!, head: written.head, standings: together.at(-1)!.standings });
      await publishRoomEvents(publisher, written.events.flat()).then(
        () => taken.forEach((bid, i) => bid.resolve(acceptedBid(together[i]!, written.events[i]![0]!.seq))),
        (e: unknown) => taken.forEach((bid) => bid.reject(e)),
      );
    }
    waiting.delete(key);
  }

  /** The longest prefix of the waiting bids that are plain accepted bids on `state`, each decided on the state the previous one left. */
  async function decideTogether(state: repo.BidState, list: QueuedBid[]): Promise<PlainBid[]> {
    const out: PlainBid[] = [];
    let standings = state.standings;
    for (const bid of list.slice(0, BIDS_PER_WRITE)) {
      const d = await bid.decide({ ...state, standings }).catch(() => undefined);
      if (!d) break;
      out.push(d);
      standings = d.standings;
    }
    return out;
  }

  const timing = () => settings.get('rooms.timing');

  type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];
  type Append = (
    requirementId: string,
    events: RoomEventInput[] | ((head: RoomLogHead) => RoomEventInput[]),
    alongside?: (firstSeq: SQL) => SQL,
    head?: RoomLogHead,
  ) => Promise<RoomEvent[]>;

  /** One transaction whose room events are appended as they happen and published after commit. */
  async function commit<T>(work: (tx: Tx, append: Append) => Promise<T>) {
    let events: RoomEvent[] = [];
    const result = await db.transaction(async (tx) => {
      events = [];
      return work(tx, async (requirementId, evs, alongside, head) => {
        const out = await appendRoomEvents(tx, requirementId, evs, clock.now(), alongside, head);
        events.push(...out);
        return out;
      });
    });
    await publishRoomEvents(publisher, events);
    return { result, events };
  }

  /**
   * The room's facts at this moment. Names and attachments are loaded only for views that show them
   * (`full`: the enterprise's and operators').
   */
  async function loadFacts(r: repo.RoomRequirement, full: boolean): Promise<RoomFacts> {
    const now = clock.now();
    // The sequence number first: whatever is read after it reflects at least every event up to it.
    const seq = await currentSeq(db, r.id);
    const [open, t, bidderIds, rules, rulesFrozen, rounds, live, sealed, props, offers] = await Promise.all([
      findOpenRound(db, r.id),
      timing(),
      tenders.activeBidderIds(db, r.id),
      repo.getRoundRules(db, r.id),
      repo.hasProposals(db, r.id),
      repo.roundsOf(db, r.id, r.round),
      standings(db, r, { sealed: false }),
      standings(db, r, { sealed: true }),
      tenders.liveProposals(db, r.id),
      repo.offersOfTenderRound(db, r.id, r.round),
    ]);
    const names = await organisations.namesOf(full ? [r.organisationId, ...sealed.keys()] : [r.organisationId], db);
    const atts = full
      ? await files.listAttached(
          db,
          'proposal',
          props.map((p) => p.id),
        )
      : [];
    return {
      requirement: {
        id: r.id,
        requirementNo: r.requirementNo,
        title: r.title,
        state: r.state,
        openingAt: r.openingAt,
        minBidders: r.minBidders,
        round: r.round,
        selectedProviderId: r.selectedProviderId,
      },
      enterpriseName: names.get(r.organisationId) ?? '',
      now,
      seq,
      phase: roomPhase({ state: r.state, openingAt: r.openingAt, roundOpen: Boolean(open), now, timing: t }),
      timing: t,
      rules,
      rulesFrozen,
      bidderIds,
      live,
      sealed,
      names,
      proposals: props.map((p) => ({
        id: p.id,
        providerId: p.providerId,
        priceFen: p.priceFen,
        plan: p.plan,
        timeline: p.timeline,
        status: p.status,
        attachments: atts.filter((f) => f.subjectId === p.id).map(toFileView),
      })),
      rounds,
      openRound: open ?? null,
      offers,
    };
  }

  // The consumer of chat receipts. At least once: a receipt pushed twice carries the same ids and
  // time, and clients keep the first time they learn (web/src/lib/state/chat.svelte.ts).
  jobs.on(`${OUTBOX_PREFIX}${CHAT_RECEIPT_TOPIC}`, async (job) => {
    const { to, ...receipt } = job.payload as ChatReceipt;
    const channel = to === 'provider' ? roomChannels.provider(receipt.requirementId, receipt.providerId) : roomChannels.enterprise(receipt.requirementId);
    await publisher.publish(channel, 'chat:receipt', receipt);
  });

  const service = {
    member,

    /**
     * Writes a chat receipt's outbox row in the caller's transaction (the negotiation thread's marking);
     * returns `deliver`, which pushes it at once: call it after commit. What it misses (a crash, a failed
     * publish) the job worker delivers.
     */
    async enqueueChatReceipt(q: DbOrTx, receipt: ChatReceipt) {
      const job = await jobs.enqueue(q, CHAT_RECEIPT_TOPIC, receipt, `${receipt.kind}:${receipt.messageIds[0]}`);
      return async () => void (await jobs.runNow(job.id));
    },

    /**
     * The room as the caller may see it, with the server time and the latest sequence number the
     * snapshot reflects (a client then asks for events after it). The service loads the facts;
     * rooms.views.ts decides what each role sees.
     */
    async snapshot(actor: Actor | null, requirementId: string): Promise<RoomSnapshot> {
      const m = await member(actor, requirementId);
      const { r, role } = m;
      if (r.mode !== 'competitive') throw new AppError('NOT_FOUND', '邀标项目没有竞价室');
      const facts = await loadFacts(r, role !== 'provider');
      if (role !== 'provider') return roomView(facts, { role });
      const own = await tenders.latestProposalOf(db, r.id, m.orgId!);
      return roomView(facts, {
        role: 'provider',
        orgId: m.orgId!,
        ownProposal: own ? { priceFen: own.priceFen, plan: own.plan, timeline: own.timeline, status: own.status } : null,
      });
    },

    /**
     * Each bidder's price as it stands: its last revised price of a closed round, else its proposal
     * price. The one rule behind the winning price on the project page, 我的投标, the room and the
     * agreement. Offers of a round still open are left out (sealed). Empty for non-competitive tenders.
     */
    async currentPricesFen(requirementId: string): Promise<Map<string, number>> {
      const r = await tenders.requirement(db, requirementId);
      if (r.mode !== 'competitive') return new Map();
      return new Map([...(await standings(db, r, { sealed: true })).values()].map((s) => [s.providerId, s.priceFen]));
    },

    /** The selected provider's winning price: `currentPricesFen` for that provider. */
    async winningPriceFen(requirementId: string, providerId: string): Promise<number | null> {
      return (await service.currentPricesFen(requirementId)).get(providerId) ?? null;
    },

    /**
     * The room rules of a requirement as its public page shows them to bidders before they propose,
     * with whether they are frozen. Not secret: call it after the caller was allowed to read the
     * requirement (requirements.get).
     */
    async publicRules(requirementId: string): Promise<RoomRulesView> {
      const [rules, frozen] = await Promise.all([repo.getRoundRules(db, requirementId), repo.hasProposals(db, requirementId)]);
      return { ...rules, minDecreasePercent: rules.minDecreaseBp / 100, frozen };
    },

    /** Events after `afterSeq` that the caller may see (reconnects, and clients that fell behind). */
    async eventsSince(actor: Actor | null, requirementId: string, afterSeq: number) {
      const m = await member(actor, requirementId);
      return roomEventsSince(db, m.r.id, Math.max(0, afterSeq), audiencesOf(m));
    },

    /**
     * Fills a client's gap: the events after `afterSeq` it may see, and `through`, the sequence number
     * up to which it now has everything meant for it (the numbers in between belonged to others).
     * The room's counter is read before the events, so nothing committed in between is skipped.
     */
    async catchUp(actor: Actor | null, requirementId: string, afterSeq: number) {
      const m = await member(actor, requirementId);
      const seq = await currentSeq(db, m.r.id);
      const limit = 500;
      const events = await roomEventsSince(db, m.r.id, Math.max(0, afterSeq), audiencesOf(m), limit);
      const last = events.at(-1)?.seq ?? 0;
      return { events, through: events.length >= limit ? last : Math.max(seq, last, afterSeq) };
    },

    /**
     * Recomputes the room's whole hash chain from the database (the owning enterprise and operators;
     * a bidder is refused, anyone else gets NOT_FOUND as for the room itself).
     */
    async verifyLog(actor: Actor | null, requirementId: string) {
      const m = await member(actor, requirementId);
      if (m.role === 'provider') throw new AppError('FORBIDDEN', '只有发布企业和运营人员可以核验竞价日志');
      return verifyRoomLog(db, m.r.id);
    },

    /**
     * A bidder's receipt: the events addressed to it alone, each with its hash and the previous event's
     * hash, so it can recompute its own; never a rival's contents. Only bidders of the room.
     */
    async receipt(actor: Actor | null, requirementId: string) {
      const m = await member(actor, requirementId);
      if (m.role !== 'provider') throw new AppError('FORBIDDEN', '只有投标的服务机构可以查看竞价回执');
      const [events, head] = await Promise.all([providerReceipt(db, m.r.id, m.orgId!), currentSeq(db, m.r.id)]);
      return { events, seq: head };
    },

    /**
     * 发起二次竞价: the enterprise ticks providers with live proposals and a duration (5–60 minutes).
     * Errors: NOT_COMPETITIVE, ROOM_NOT_BIDDING (not in the bidding room), ROUND_IN_PROGRESS, VALIDATION. Each
     * bidder is told whether it is in the round; participants get a site message too.
     */
    async startRound(actor: Actor | null, requirementId: string, raw: unknown) {
      const a = requireActor(actor);
      const input = parseInput(StartRoundInput, raw);
      const t = await timing();
      let pushes: (() => Promise<void>)[] = [];
      const { result: round } = await commit(async (tx, append) => {
        const m = await member(a, requirementId, tx);
        requireEnterprise(m);
        const r = await tenders.requirement(tx, requirementId, 'update');
        if (r.mode !== 'competitive') throw new AppError('NOT_COMPETITIVE', '邀标项目不进行二次竞价');
        const open = await findOpenRound(tx, r.id, true);
        const now = clock.now();
        const phase = roomPhase({ state: r.state, openingAt: r.openingAt, roundOpen: Boolean(open), now, timing: t });
        const bidderIds = await tenders.activeBidderIds(tx, r.id);
        const providerIds = [...new Set(input.providerIds)];
        checkStartRound({ phase, providerIds, bidderIds, durationMinutes: input.durationMinutes });
        const rules = await repo.getRoundRules(tx, r.id);
        const closesAt = new Date(now.getTime() + input.durationMinutes * 60_000);
        const row = await repo.insertRound(tx, {
          requirementId: r.id,
          tenderRound: r.round,
          number: await repo.nextRoundNumber(tx, r.id, r.round),
          participantIds: providerIds,
          durationSeconds: input.durationMinutes * 60,
          startedAt: now,
          closesAt,
          ...rules,
          latestCloseAt: latestCloseAt(closesAt, rules),
          startedBy: a.userId,
        });
        await jobs.schedule(tx, { kind: ROUND_CLOSE_JOB, key: row!.id, runAt: row!.closesAt });
        const all = await standings(tx, r, { sealed: false });
        const ranks = participantRanks(row!, all);
        const common = {
          roundId: row!.id,
          number: row!.number,
          startedAt: now,
          closesAt: row!.closesAt,
          durationSeconds: row!.durationSeconds,
          participantCount: providerIds.length,
          maxExtensions: row!.maxExtensions,
          extensionRule: row!.extensionRule,
          latestCloseAt: row!.latestCloseAt,
        };
        await append(r.id, [{ type: 'round:started', audience: ['enterprise'], payload: { ...common, participantIds: providerIds } }]);
        await append(
          r.id,
          bidderIds.map((pid) => {
            const included = providerIds.includes(pid);
            const prev = all.get(pid)?.priceFen ?? 0;
            return {
              type: 'round:started',
              audience: [`provider:${pid}` as Audience],
              payload: included
                ? {
                    ...common,
                    included,
                    rank: ranks.get(pid),
                    previousPriceFen: prev,
                    maxPriceFen: maxRevisedPriceFen(prev, row!),
                    minDecreaseFen: minDecreaseFen(prev, row!),
                  }
                : { roundId: row!.id, number: row!.number, included },
            };
          }),
        );
        for (const pid of providerIds) {
          pushes.push(
            (
              await messages.sendToOrganisation(
                pid,
                {
                  title: '二次竞价已开始',
                  body: `项目「${r.title}」发起了第 ${row!.number} 轮二次竞价，${input.durationMinutes} 分钟后截止，请尽快进入竞价室报价。`,
                  link: `/projects/${r.id}/room`,
                  category: 'tender',
                },
                tx,
              )
            ).push,
          );
        }
        return row!;
      });
      await timer.schedule(`${ROUND_TIMER}:${round.id}`, round.closesAt);
      for (const p of pushes) await p().catch(() => undefined);
      pushes = [];
      return { id: round.id, number: round.number, closesAt: round.closesAt, participantIds: round.participantIds, durationSeconds: round.durationSeconds };
    },

    /**
     * A revised price in the open round. Committed (with its room event) before it returns; a resent
     * bid with the same clientId returns the first one (`replayed`) and counts once. Errors:
     * ROUND_CLOSED (no open round, or the server clock is past its deadline), FORBIDDEN (not in
     * this round), VALIDATION (not low enough: see decideRevisedPrice).
     *
     * At most two statements and no transaction in the usual case: one read of everything the bid is
     * decided on (round, log head, standings: one snapshot), skipped when this node's last write in the
     * room left that state, then one write that appends the events and the offer only if the room's head
     * and the round are still as decided on (room-log.ts appendBids); when they are not, another bid came
     * first and this one is decided again on a fresh read. A bid that moves the deadline, or one that lost
     * that race three times, takes the locked path: a transaction that locks the round and the room
     * first. Either way bids of one room are decided one after another, in the order they arrived; those
     * that queued behind a write are written together by the next one (inRoomOrder).
     */
    async submitOffer(actor: Actor | null, requirementId: string, raw: unknown) {
      const a = requireActor(actor);
      const input = parseInput(SubmitOfferInput, raw);
      const orgId = a.organisation?.organisationId;
      if (!repo.isUuid(requirementId)) throw new AppError('NOT_FOUND', '项目不存在');
      const resend = { orgId: orgId ?? null, clientId: input.clientId };

      // Refusals take the slow path, so they answer exactly as the room's membership rules say.
      const refuse = async (code: 'FORBIDDEN' | 'ROUND_CLOSED', q: DbOrTx): Promise<never> => {
        const m = await member(a, requirementId, q);
        if (m.role !== 'provider' || code === 'FORBIDDEN') throw new AppError('FORBIDDEN', '只有参加本轮二次竞价的服务机构可以报价');
        throw new AppError('ROUND_CLOSED', '当前没有进行中的二次竞价');
      };

      /** The bid decided on a state read after every earlier bid of the room committed: a replay, or its events and offer. */
      const decide = async (state: repo.BidState | undefined, q: DbOrTx) => {
        if (!state) return refuse('ROUND_CLOSED', q);
        const { r, round, standings: all } = state;
        if (!orgId || orgId === r.organisationId || a.isOperator) return refuse('FORBIDDEN', q);
        const mine = all.get(orgId);
        if (!mine) return refuse('FORBIDDEN', q);
        const ranksBefore = participantRanks(round, all);
        if (mine.replay) {
          const dup = (await repo.findOfferByClientId(q, round.id, orgId, input.clientId))!;
          return { kind: 'replay' as const, offer: dup, seq: dup.seq, round, rank: ranksBefore.get(orgId) ?? null };
        }
        const now = clock.now();
        const previousFen = mine.priceFen;
        // The lowest price standing in the round before this bid: a bid below it is the round's new lowest.
        const roundLowestFen = Math.min(...round.participantIds.map((pid) => all.get(pid)?.priceFen ?? Infinity));
        const decision = decideRevisedPrice(round, { providerId: orgId, priceFen: input.priceFen, previousFen, roundLowestFen }, now);
        const next = decision.extended ? { ...round, closesAt: decision.closesAt, extensions: decision.extensions } : round;
        // The standings after this bid (what a read would give once it is written): a copy, the state stays as read.
        const after = new Map(all).set(orgId, { ...mine, priceFen: input.priceFen, at: now, offersInOpenRound: mine.offersInOpenRound + 1, replay: false });
        const ranks = participantRanks(next, after);
        // The bidder's own acknowledgement first: its sequence number is stored with the offer.
        // Other participants hear only when their rank moved (never a rival's price or name).
        const events: RoomEventInput[] = [
          {
            type: 'offer:accepted',
            audience: [`provider:${orgId}`],
            payload: {
              roundId: round.id,
              priceFen: input.priceFen,
              previousPriceFen: previousFen,
              rank: ranks.get(orgId),
              participantCount: next.participantIds.length,
              at: now,
              clientId: input.clientId,
              maxPriceFen: maxRevisedPriceFen(input.priceFen, next),
            },
          },
          {
            type: 'offer:received',
            audience: ['enterprise'],
            payload: { roundId: round.id, providerId: orgId, offerCount: mine.offersInOpenRound + 1, at: now },
          },
          ...next.participantIds
            .filter((pid) => pid !== orgId && ranks.get(pid) !== ranksBefore.get(pid))
            .map((pid): RoomEventInput => ({
              type: 'round:rank',
              audience: [`provider:${pid}` as Audience],
              payload: { roundId: round.id, rank: ranks.get(pid), participantCount: next.participantIds.length },
            })),
        ];
        if (decision.extended) {
          events.push({
            type: 'round:extended',
            audience: ['enterprise', ...next.participantIds.map((pid) => `provider:${pid}` as Audience)],
            payload: {
              roundId: round.id,
              closesAt: decision.closesAt,
              extensions: decision.extensions,
              maxExtensions: next.maxExtensions,
              latestCloseAt: next.latestCloseAt,
              extensionRule: next.extensionRule,
            },
          });
        }
        const offer = {
          id: randomUUID(),
          roundId: round.id,
          providerId: orgId,
          submittedBy: a.userId,
          priceFen: input.priceFen,
          previousPriceFen: previousFen,
          clientId: input.clientId,
          createdAt: now,
        };
        return { kind: 'bid' as const, offer, round: next, rank: ranks.get(orgId) ?? null, events, extended: decision.extended, now, standings: after };
      };

      /** The locked path: the round and the room locked first, so no other bid or close comes between. */
      const locked = async (): Promise<Accepted> => {
        let extendedTo: Date | undefined;
        const { result } = await commit(async (tx, append) => {
          const state = await repo.readBidState(tx, requirementId, resend, true);
          const d = await decide(state, tx);
          if (d.kind === 'replay') return d;
          if (d.extended) {
            await repo.extendRound(tx, d.round.id, d.round.closesAt, d.round.extensions);
            await jobs.schedule(tx, { kind: ROUND_CLOSE_JOB, key: d.round.id, runAt: d.round.closesAt });
            extendedTo = d.round.closesAt;
          }
          // The room row was locked with the round: its head is current, so the append is one statement.
          const [ack] = await append(
            state!.r.id,
            d.events,
            (firstSeq) => repo.insertOfferSql(tx, { ...d.offer, requirementId: state!.r.id }, firstSeq),
            state!.head,
          );
          return { ...d, seq: ack!.seq };
        });
        if (extendedTo) await timer.schedule(`${ROUND_TIMER}:${result.round.id}`, extendedTo);
        return result;
      };

      // Bids of one room on this node wait for each other, and go together when they can (inRoomOrder).
      const key = requirementId.toLowerCase();
      const result = await inRoomOrder(key, {
        read: () => repo.readBidState(db, requirementId, resend, false),
        // Only a plain accepted bid goes with others; anything else (a refusal, a resend, a deadline moved) is decided alone.
        decide: async (state) => {
          const d = await decide(state, db);
          return d.kind === 'bid' && !d.extended ? d : undefined;
        },
        // On a fresh read, written if nothing changed since; a bid that moves the deadline, or that lost
        // the race to another node three times, takes the locked path.
        alone: async () => {
          for (let attempt = 0; attempt < 3; attempt++) {
            const state = await repo.readBidState(db, requirementId, resend, false);
            const d = await decide(state, db);
            if (d.kind === 'replay') return d;
            if (d.extended) break;
            const written = await appendBids(db, state!.r.id, state!.head, state!.round, [d]);
            if (written) {
              remember(key, { ...state!, head: written.head, standings: d.standings });
              await publishRoomEvents(publisher, written.events[0]!);
              return acceptedBid(d, written.events[0]![0]!.seq);
            }
          }
          return locked();
        },
      });
      return {
        offer: { id: result.offer.id, priceFen: result.offer.priceFen, previousPriceFen: result.offer.previousPriceFen, at: result.offer.createdAt },
        roundId: result.round.id,
        rank: result.rank,
        participantCount: result.round.participantIds.length,
        closesAt: result.round.closesAt,
        maxPriceFen: maxRevisedPriceFen(result.offer.priceFen, result.round),
        seq: result.seq,
        replayed: result.kind === 'replay',
        serverTime: clock.now().toISOString(),
      };
    },

    /**
     * Closes a round whose deadline has passed: a conditional update, so exactly one caller (of any
     * node) closes it and announces the results. A round not yet due is re-scheduled (its deadline may
     * have moved). Returns whether this call closed it.
     */
    async closeRound(roundId: string): Promise<boolean> {
      const now = clock.now();
      let pushes: (() => Promise<void>)[] = [];
      const { result: closed } = await commit(async (tx, append) => {
        const row = await repo.closeRoundIfDue(tx, roundId, now);
        if (!row) return undefined;
        const r = await tenders.requirement(tx, row.requirementId);
        const offers = await repo.offersOfRound(tx, row.id);
        const all = await standings(tx, r, { sealed: false });
        const ranks = participantRanks(row, all);
        const names = await organisations.namesOf(row.participantIds, tx);
        // Everyone is told the log's hash as the round closes (the last event before the close events):
        // a hash over every event, which reveals none of them, and which a later verification must reproduce.
        await append(row.requirementId, (head) => [
          {
            type: 'round:closed',
            audience: ['enterprise'],
            payload: {
              roundId: row.id,
              number: row.number,
              closedAt: now,
              logSeq: head.seq,
              logHash: head.lastHash,
              participants: row.participantIds.map((pid) => {
                const own = offers.filter((o) => o.providerId === pid);
                return {
                  providerId: pid,
                  providerName: names.get(pid) ?? '',
                  startPriceFen: own[0]?.previousPriceFen ?? all.get(pid)?.priceFen ?? null,
                  finalPriceFen: all.get(pid)?.priceFen ?? null,
                  offers: own.map((o) => ({ priceFen: o.priceFen, at: o.createdAt })),
                };
              }),
            },
          },
          ...row.participantIds.map((pid): RoomEventInput => ({
            type: 'round:closed',
            audience: [`provider:${pid}` as Audience],
            payload: {
              roundId: row.id,
              number: row.number,
              closedAt: now,
              logSeq: head.seq,
              logHash: head.lastHash,
              rank: ranks.get(pid),
              participantCount: row.participantIds.length,
              finalPriceFen: all.get(pid)?.priceFen ?? null,
            },
          })),
        ]);
        pushes.push(
          (
            await messages.sendToOrganisation(
              r.organisationId,
              {
                title: '二次竞价已结束',
                body: `项目「${r.title}」第 ${row.number} 轮二次竞价已结束，请回到竞价室查看服务机构调整后的报价。`,
                link: `/account/projects/${r.id}/room`,
                category: 'tender',
              },
              tx,
            )
          ).push,
        );
        return row;
      });
      if (!closed) {
        const still = await repo.findOpenRoundById(db, roundId);
        if (still) {
          // Woken early (the deadline moved later): the job follows the deadline.
          await jobs.schedule(db, { kind: ROUND_CLOSE_JOB, key: still.id, runAt: still.closesAt });
          await timer.schedule(`${ROUND_TIMER}:${still.id}`, still.closesAt);
        }
        return false;
      }
      for (const p of pushes) await p().catch(() => undefined);
      pushes = [];
      return true;
    },

    /** Closes every round past its deadline (the safety sweep and the catch-up after a restart). */
    async closeDueRounds() {
      let n = 0;
      for (const id of await repo.dueRoundIds(db, clock.now())) if (await service.closeRound(id)) n++;
      return n;
    },

    /** At start: close what is overdue and wake up for every open round. */
    async resumeTimers() {
      await service.closeDueRounds();
      const open = await repo.openRounds(db);
      for (const o of open) {
        // Rounds opened before deadlines were jobs get theirs; the rest are only re-armed in the timer.
        if (!(await jobs.find(ROUND_CLOSE_JOB, o.id))) await jobs.schedule(db, { kind: ROUND_CLOSE_JOB, key: o.id, runAt: o.closesAt });
        await timer.schedule(`${ROUND_TIMER}:${o.id}`, o.closesAt);
      }
    },

    /**
     * The enterprise sets the second-round rules of its requirement, until the first proposal arrives:
     * bidders propose knowing the rules, so from then on they are fixed (ROOM_RULES_FROZEN). The
     * requirement row is locked, so a proposal submitted at the same moment is either seen here or
     * submitted under the new rules.
     */
    async updateRules(actor: Actor | null, requirementId: string, raw: unknown) {
      const a = requireActor(actor);
      const input = parseInput(RoomRulesInput, raw);
      const values = {
        minDecreaseBp: Math.round(input.minDecreasePercent * 100),
        minDecreaseFen: input.minDecreaseFen,
        snipeWindowSeconds: input.snipeWindowSeconds,
        maxExtensions: input.maxExtensions,
        extensionRule: input.extensionRule ?? 'new_lowest',
        maxExtensionMinutes: input.maxExtensionMinutes ?? 20,
      };
      await db.transaction(async (tx) => {
        const m = await member(a, requirementId, tx);
        requireEnterprise(m);
        await tenders.requirement(tx, m.r.id, 'update');
        if (await repo.hasProposals(tx, m.r.id)) throw new AppError('ROOM_RULES_FROZEN', '已有服务机构提交方案，竞价规则已固定，不能再修改');
        if (await findOpenRound(tx, m.r.id)) throw new AppError('ROUND_IN_PROGRESS', '二次竞价进行中，结束后才能修改规则');
        await repo.upsertRoundRules(tx, m.r.id, values, clock.now());
      });
      return { ...values, minDecreasePercent: input.minDecreasePercent, frozen: false };
    },

    /** Receipts of live chat: the recipient's client marks messages delivered or read; the sender's side is told. */
    async markChat(actor: Actor | null, raw: unknown, kind: 'delivered' | 'read') {
      const a = requireActor(actor);
      const input = parseInput(ChatReceiptInput, raw);
      const m = await member(a, input.requirementId);
      if (m.role === 'operator') return { ids: [] as string[] };
      if (m.role === 'provider' && m.orgId !== input.providerId) throw new AppError('NOT_FOUND', '会话不存在');
      const now = clock.now();
      const { ids, deliver } = await db.transaction(async (tx) => {
        const ids = await tenders.markChat(tx, {
          requirementId: m.r.id,
          providerId: input.providerId,
          messageIds: input.messageIds,
          readerOrgId: m.orgId!,
          kind,
          now,
        });
        if (!ids.length) return { ids };
        const receipt: ChatReceipt = {
          requirementId: m.r.id,
          providerId: input.providerId,
          kind,
          messageIds: ids,
          at: now.toISOString(),
          to: m.role === 'enterprise' ? 'provider' : 'enterprise',
        };
        return { ids, deliver: await service.enqueueChatReceipt(tx, receipt) };
      });
      await deliver?.();
      return { ids };
    },
  };

  timer.on(ROUND_TIMER, async (id) => void (await service.closeRound(id)));
  jobs.on(ROUND_CLOSE_JOB, async (job) => void (await service.closeRound(job.key)));
  return service;
}

export type RoomService = ReturnType<typeof createRoomService>;
export type { RoomSnapshot };
