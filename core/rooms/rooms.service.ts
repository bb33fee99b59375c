import { randomUUID } from 'node:crypto';
import { and, asc, desc, eq, inArray, isNull, lte, ne, sql, type SQL } from 'drizzle-orm';
import type { Db, DbOrTx } from '../../db/client';
import { z } from 'zod';
import { invitations, negotiationMessages, organisations, priceRounds, proposals, requirements, roundOffers, tenderRooms, type PriceRoundRow } from '../../db/schema';
import { toFileView, type FileService } from '../files/files.service';
import type { MessageService } from '../notifications/messages.service';
import type { SettingsService } from '../settings/settings.service';
import { requireActor, type Actor } from '../shared/actor';
import { AppError } from '../shared/app-error';
import type { Clock } from '../shared/clock';
import type { DeadlineTimer } from '../shared/deadline-timer';
import { formatFen } from '../shared/money';
import type { Publisher } from '../shared/publisher';
import { parseInput } from '../shared/validate';
import { activeBidderIds, getRequirement, type RequirementRow } from '../tenders/tenders.repo';
import {
  appendRoomEvents,
  audiencesOf,
  currentSeq,
  findOpenRound,
  publishRoomEvents,
  roomChannels,
  roomEventsSince,
  type Audience,
  type RoomEvent,
  type RoomEventInput,
} from './room-log';
import { checkStartRound, DEFAULT_ROUND_RULES, decideRevisedPrice, maxRevisedPriceFen, minDecreaseFen, rankProviders, roomPhase, ROOM_PHASE_LABELS, type RoundRules, type Standing } from './rooms.machine';
import { ChatReceiptInput, RoomRulesInput, StartRoundInput, SubmitOfferInput } from './rooms.schema';

export interface RoomDeps {
  db: Db;
  clock: Clock;
  publisher: Publisher;
  timer: DeadlineTimer;
  messages: MessageService;
  settings: SettingsService;
  files: FileService;
}

export type RoomRole = 'enterprise' | 'provider' | 'operator';
export interface RoomMember {
  r: RequirementRow;
  role: RoomRole;
  /** The provider's organisation (providers), the enterprise's (enterprise), undefined for operators. */
  orgId?: string;
}

/** The deadline timer's kind for second-round closes (`round:<roundId>`). */
export const ROUND_TIMER = 'round';

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
  const { db, clock, publisher, timer, messages, settings, files } = deps;

  const orgNames = async (q: DbOrTx, ids: string[]) => {
    if (!ids.length) return new Map<string, string>();
    const rows = await q.select({ id: organisations.id, n: organisations.fullName }).from(organisations).where(inArray(organisations.id, ids));
    return new Map(rows.map((r) => [r.id, r.n]));
  };

  /** Who the actor is in this requirement's room; NOT_FOUND for anyone else (no hint it exists). */
  async function member(actor: Actor | null, requirementId: string, q: DbOrTx = db): Promise<RoomMember> {
    const a = requireActor(actor);
    const r = await getRequirement(q, requirementId);
    const orgId = a.organisation?.organisationId;
    if (orgId === r.organisationId) return { r, role: 'enterprise', orgId };
    if (a.isOperator) return { r, role: 'operator' };
    if (orgId && a.organisation?.kind === 'provider') {
      const [bid] = await q
        .select({ id: proposals.id })
        .from(proposals)
        .where(and(eq(proposals.requirementId, r.id), eq(proposals.providerId, orgId), ne(proposals.status, 'withdrawn')))
        .limit(1);
      const [inv] = bid
        ? []
        : await q
            .select({ id: invitations.id })
            .from(invitations)
            .where(and(eq(invitations.requirementId, r.id), eq(invitations.providerId, orgId), ne(invitations.status, 'cancelled')))
            .limit(1);
      if (bid || inv) return { r, role: 'provider', orgId };
    }
    throw new AppError('NOT_FOUND', '项目不存在');
  }

  /** Room decisions are the enterprise's; bidders and watching operators are refused. */
  function requireEnterprise(m: RoomMember) {
    if (m.role === 'operator') throw new AppError('FORBIDDEN', '运营人员只能查看竞价室');
    if (m.role !== 'enterprise') throw new AppError('FORBIDDEN', '只有发布企业可以进行此操作');
  }

  async function rulesOf(q: DbOrTx, requirementId: string): Promise<RoundRules> {
    const [row] = await q.select().from(tenderRooms).where(eq(tenderRooms.requirementId, requirementId));
    return row ? { minDecreaseBp: row.minDecreaseBp, minDecreaseFen: row.minDecreaseFen, snipeWindowSeconds: row.snipeWindowSeconds, maxExtensions: row.maxExtensions } : { ...DEFAULT_ROUND_RULES };
  }

  /**
   * Each live bidder's current price: its lowest offer in this tender round (offers only ever go down,
   * so the lowest is also the latest), else its proposal price; with how many offers it made in the
   * open round. `sealed` leaves out offers of a round still open (what the enterprise may see during a
   * round). With `resend`, `replay` tells whether that bidder already used that client id in the open
   * round. One query.
   */
  async function standings(q: DbOrTx, r: RequirementRow, opts: { sealed: boolean; resend?: { orgId: string; clientId: string } }) {
    const open = sql`${priceRounds.status} = 'open'`;
    const agg = q
      .select({
        providerId: roundOffers.providerId,
        lowestFen: sql<number>`min(${roundOffers.priceFen})`.mapWith(Number).as('lowest_fen'),
        lastAt: sql<Date>`max(${roundOffers.createdAt})`.mapWith(roundOffers.createdAt).as('last_at'),
        inOpenRound: sql<number>`count(*) filter (where ${open})`.mapWith(Number).as('in_open_round'),
        replay: (opts.resend
          ? sql<boolean>`bool_or(${open} and ${roundOffers.providerId} = ${opts.resend.orgId} and ${roundOffers.clientId} = ${opts.resend.clientId})`
          : sql<boolean>`false`
        ).as('replay'),
      })
      .from(roundOffers)
      .innerJoin(priceRounds, eq(priceRounds.id, roundOffers.roundId))
      .where(and(eq(roundOffers.requirementId, r.id), eq(priceRounds.tenderRound, r.round), opts.sealed ? eq(priceRounds.status, 'closed') : undefined))
      .groupBy(roundOffers.providerId)
      .as('agg');
    const rows = await q
      .select({ providerId: proposals.providerId, priceFen: proposals.priceFen, at: proposals.updatedAt, lowestFen: agg.lowestFen, lastAt: agg.lastAt, inOpenRound: agg.inOpenRound, replay: agg.replay })
      .from(proposals)
      .leftJoin(agg, eq(agg.providerId, proposals.providerId))
      .where(and(eq(proposals.requirementId, r.id), inArray(proposals.status, ['active', 'selected', 'not_selected'])));
    return new Map(
      rows.map((p) => {
        const lower = p.lowestFen !== null && p.lowestFen < p.priceFen;
        return [
          p.providerId,
          {
            providerId: p.providerId,
            priceFen: lower ? p.lowestFen! : p.priceFen,
            at: lower ? new Date(p.lastAt!) : p.at,
            proposalPriceFen: p.priceFen,
            offersInOpenRound: Number(p.inOpenRound ?? 0),
            replay: Boolean(p.replay),
          },
        ];
      }),
    );
  }

  const participantRanks = (round: Pick<PriceRoundRow, 'participantIds'>, all: Map<string, Standing>) =>
    rankProviders(round.participantIds.map((id) => all.get(id)).filter((s): s is Standing & { proposalPriceFen: number } => Boolean(s)));

  async function offersOfRound(q: DbOrTx, roundId: string) {
    return q.select().from(roundOffers).where(eq(roundOffers.roundId, roundId)).orderBy(asc(roundOffers.createdAt));
  }

  const timing = () => settings.get('rooms.timing');

  type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];
  type Append = (requirementId: string, events: RoomEventInput[], alongside?: (firstSeq: SQL) => SQL) => Promise<RoomEvent[]>;

  /** One transaction whose room events are appended as they happen and published after commit. */
  async function commit<T>(work: (tx: Tx, append: Append) => Promise<T>) {
    let events: RoomEvent[] = [];
    const result = await db.transaction(async (tx) => {
      events = [];
      return work(tx, async (requirementId, evs, alongside) => {
        const out = await appendRoomEvents(tx, requirementId, evs, clock.now(), alongside);
        events.push(...out);
        return out;
      });
    });
    await publishRoomEvents(publisher, events);
    return { result, events };
  }

  const service = {
    member,

    /**
     * The room as the caller may see it, with the server time and the latest sequence number the
     * snapshot reflects (a client then asks for events after it).
     */
    async snapshot(actor: Actor | null, requirementId: string) {
      const m = await member(actor, requirementId);
      const { r, role } = m;
      if (r.mode !== 'competitive') throw new AppError('NOT_FOUND', '邀标项目没有竞价室');
      const now = clock.now();
      const seq = await currentSeq(db, r.id);
      const open = await findOpenRound(db, r.id);
      const t = await timing();
      const phase = roomPhase({ state: r.state, openingAt: r.openingAt, roundOpen: Boolean(open), now, timing: t });
      const bidderIds = await activeBidderIds(db, r.id);
      const opened = r.openingAt ? now >= r.openingAt : false;
      const rules = await rulesOf(db, r.id);
      const rounds = await db
        .select()
        .from(priceRounds)
        .where(and(eq(priceRounds.requirementId, r.id), eq(priceRounds.tenderRound, r.round)))
        .orderBy(asc(priceRounds.number));
      const base = {
        requirement: {
          id: r.id,
          requirementNo: r.requirementNo,
          title: r.title,
          state: r.state,
          openingAt: r.openingAt,
          minBidders: r.minBidders,
          tenderRound: r.round,
          enterpriseName: (await orgNames(db, [r.organisationId])).get(r.organisationId) ?? '',
        },
        role,
        phase,
        phaseLabel: ROOM_PHASE_LABELS[phase],
        serverTime: now.toISOString(),
        seq,
        timing: {
          waitingRoomOpensAt: r.openingAt ? new Date(r.openingAt.getTime() - t.waitingRoomMinutes * 60_000) : null,
          enterPromptAt: r.openingAt ? new Date(r.openingAt.getTime() - t.enterPromptMinutes * 60_000) : null,
        },
        bidderCount: bidderIds.length,
        rules: { ...rules, minDecreasePercent: rules.minDecreaseBp / 100 },
      };

      if (role === 'provider') {
        const orgId = m.orgId!;
        const all = await standings(db, r, { sealed: false });
        const mine = all.get(orgId);
        const [proposal] = await db
          .select()
          .from(proposals)
          .where(and(eq(proposals.requirementId, r.id), eq(proposals.providerId, orgId), ne(proposals.status, 'withdrawn')))
          .orderBy(desc(proposals.updatedAt))
          .limit(1);
        const myOffers = await db
          .select({ roundId: roundOffers.roundId, priceFen: roundOffers.priceFen, at: roundOffers.createdAt, number: priceRounds.number })
          .from(roundOffers)
          .innerJoin(priceRounds, eq(priceRounds.id, roundOffers.roundId))
          .where(and(eq(roundOffers.requirementId, r.id), eq(roundOffers.providerId, orgId), eq(priceRounds.tenderRound, r.round)))
          .orderBy(asc(roundOffers.createdAt));
        const included = open?.participantIds.includes(orgId) ?? false;
        const ranks = open && included ? participantRanks(open, all) : undefined;
        return {
          ...base,
          role: 'provider' as const,
          mine: proposal
            ? {
                proposal: { priceFen: proposal.priceFen, plan: proposal.plan, timeline: proposal.timeline, status: proposal.status },
                currentPriceFen: mine?.priceFen ?? proposal.priceFen,
                offers: myOffers.map((o) => ({ roundNumber: o.number, priceFen: o.priceFen, at: o.at })),
                result: proposal.status === 'selected' ? ('selected' as const) : proposal.status === 'not_selected' ? ('not_selected' as const) : null,
              }
            : null,
          currentRound: open
            ? {
                id: open.id,
                number: open.number,
                startedAt: open.startedAt,
                closesAt: open.closesAt,
                durationSeconds: open.durationSeconds,
                extensions: open.extensions,
                maxExtensions: open.maxExtensions,
                included,
                participantCount: open.participantIds.length,
                myRank: ranks?.get(orgId) ?? null,
                maxPriceFen: included && mine ? maxRevisedPriceFen(mine.priceFen, open) : null,
                minDecreaseFen: included && mine ? minDecreaseFen(mine.priceFen, open) : null,
              }
            : null,
        };
      }

      // Enterprise and operators: proposals from opening on; revised prices of closed rounds.
      const sealed = await standings(db, r, { sealed: true });
      const names = await orgNames(db, [...sealed.keys()]);
      const props = opened
        ? await db
            .select()
            .from(proposals)
            .where(and(eq(proposals.requirementId, r.id), inArray(proposals.status, ['active', 'selected', 'not_selected'])))
            .orderBy(asc(proposals.priceFen))
        : [];
      const atts = await files.listAttached(db, 'proposal', props.map((p) => p.id));
      const closedRounds = [];
      for (const rd of rounds.filter((x) => x.status === 'closed')) {
        const offers = await offersOfRound(db, rd.id);
        closedRounds.push({
          id: rd.id,
          number: rd.number,
          startedAt: rd.startedAt,
          closedAt: rd.closedAt,
          participants: rd.participantIds.map((pid) => {
            const own = offers.filter((o) => o.providerId === pid);
            return {
              providerId: pid,
              providerName: names.get(pid) ?? '',
              startPriceFen: own[0]?.previousPriceFen ?? sealed.get(pid)?.priceFen ?? null,
              finalPriceFen: own.at(-1)?.priceFen ?? own[0]?.previousPriceFen ?? sealed.get(pid)?.priceFen ?? null,
              offers: own.map((o) => ({ priceFen: o.priceFen, at: o.createdAt })),
            };
          }),
        });
      }
      const openOffers = open ? await offersOfRound(db, open.id) : [];
      return {
        ...base,
        role: role as 'enterprise' | 'operator',
        selectedProviderId: r.selectedProviderId,
        canAbandonFree: phase === 'bidding' && bidderIds.length < (r.minBidders ?? 1),
        bidders: [...sealed.values()]
          .filter((s) => bidderIds.includes(s.providerId) || props.some((p) => p.providerId === s.providerId))
          .map((s) => ({ providerId: s.providerId, providerName: names.get(s.providerId) ?? '' })),
        // Cheapest current price first: after a second round the revised prices decide the order.
        proposals: props
          .map((p) => ({
          id: p.id,
          providerId: p.providerId,
          providerName: names.get(p.providerId) ?? '',
          storefrontUrl: `/showcase/${p.providerId}`,
          priceFen: p.priceFen,
          currentPriceFen: sealed.get(p.providerId)?.priceFen ?? p.priceFen,
          plan: p.plan,
          timeline: p.timeline,
          status: p.status,
          attachments: atts.filter((f) => f.subjectId === p.id).map(toFileView),
          }))
          .sort((x, y) => x.currentPriceFen - y.currentPriceFen),
        rounds: closedRounds,
        currentRound: open
          ? {
              id: open.id,
              number: open.number,
              startedAt: open.startedAt,
              closesAt: open.closesAt,
              durationSeconds: open.durationSeconds,
              extensions: open.extensions,
              maxExtensions: open.maxExtensions,
              participantCount: open.participantIds.length,
              participants: open.participantIds.map((pid) => {
                const own = openOffers.filter((o) => o.providerId === pid);
                return { providerId: pid, providerName: names.get(pid) ?? '', offerCount: own.length, lastOfferAt: own.at(-1)?.createdAt ?? null };
              }),
            }
          : null,
      };
    },

    /**
     * Each bidder's price as it stands: its last revised price of a closed round, else its proposal
     * price. The one rule behind the winning price on the project page, 我的投标, the room and the
     * agreement. Offers of a round still open are left out (sealed). Empty for non-competitive tenders.
     */
    async currentPricesFen(requirementId: string): Promise<Map<string, number>> {
      const r = await getRequirement(db, requirementId);
      if (r.mode !== 'competitive') return new Map();
      return new Map([...(await standings(db, r, { sealed: true })).values()].map((s) => [s.providerId, s.priceFen]));
    },

    /** The selected provider's winning price: `currentPricesFen` for that provider. */
    async winningPriceFen(requirementId: string, providerId: string): Promise<number | null> {
      return (await service.currentPricesFen(requirementId)).get(providerId) ?? null;
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
     * 发起二次竞价: the enterprise ticks providers with live proposals and a duration (5–60 minutes).
     * Errors: INVALID_TRANSITION (not in the bidding room, or a round is open), VALIDATION. Each
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
          const r = await getRequirement(tx, requirementId, 'update');
          if (r.mode !== 'competitive') throw new AppError('INVALID_TRANSITION', '邀标项目不进行二次竞价');
          const open = await findOpenRound(tx, r.id, true);
          const now = clock.now();
          const phase = roomPhase({ state: r.state, openingAt: r.openingAt, roundOpen: Boolean(open), now, timing: t });
          const bidderIds = await activeBidderIds(tx, r.id);
          const providerIds = [...new Set(input.providerIds)];
          checkStartRound({ phase, providerIds, bidderIds, durationMinutes: input.durationMinutes });
          const rules = await rulesOf(tx, r.id);
          const [{ n }] = (await tx
            .select({ n: sql<number>`coalesce(max(${priceRounds.number}), 0)::int` })
            .from(priceRounds)
            .where(and(eq(priceRounds.requirementId, r.id), eq(priceRounds.tenderRound, r.round)))) as [{ n: number }];
          const [row] = await tx
            .insert(priceRounds)
            .values({
              requirementId: r.id,
              tenderRound: r.round,
              number: Number(n) + 1,
              participantIds: providerIds,
              durationSeconds: input.durationMinutes * 60,
              startedAt: now,
              closesAt: new Date(now.getTime() + input.durationMinutes * 60_000),
              ...rules,
              startedBy: a.userId,
            })
            .returning();
          const all = await standings(tx, r, { sealed: false });
          const ranks = participantRanks(row!, all);
          const common = { roundId: row!.id, number: row!.number, startedAt: now, closesAt: row!.closesAt, durationSeconds: row!.durationSeconds, participantCount: providerIds.length };
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
                  ? { ...common, included, rank: ranks.get(pid), previousPriceFen: prev, maxPriceFen: maxRevisedPriceFen(prev, row!), minDecreaseFen: minDecreaseFen(prev, row!) }
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
     */
    async submitOffer(actor: Actor | null, requirementId: string, raw: unknown) {
      const a = requireActor(actor);
      const input = parseInput(SubmitOfferInput, raw);
      const orgId = a.organisation?.organisationId;
      let extendedTo: Date | undefined;
      const { result } = await commit(async (tx, append) => {
          // The requirement with its open round, whose row is locked: bids of one room queue here.
          if (!z.uuid().safeParse(requirementId).success) throw new AppError('NOT_FOUND', '项目不存在');
          const [row] = await tx
            .select({ r: requirements, round: priceRounds })
            .from(priceRounds)
            .innerJoin(requirements, eq(requirements.id, priceRounds.requirementId))
            .where(and(eq(priceRounds.requirementId, requirementId), eq(priceRounds.status, 'open')))
            .for('update', { of: priceRounds });
          // Refusals take the slow path, so they answer exactly as the room's membership rules say.
          const refuse = async (code: 'FORBIDDEN' | 'ROUND_CLOSED') => {
            const m = await member(a, requirementId, tx);
            if (m.role !== 'provider' || code === 'FORBIDDEN') throw new AppError('FORBIDDEN', '只有参加本轮二次竞价的服务机构可以报价');
            throw new AppError('ROUND_CLOSED', '当前没有进行中的二次竞价');
          };
          if (!row) return refuse('ROUND_CLOSED');
          const { r, round } = row;
          if (!orgId || orgId === r.organisationId || a.isOperator) return refuse('FORBIDDEN');
          // Read after the lock is held, so it includes every bid committed before this one.
          const all = await standings(tx, r, { sealed: false, resend: { orgId, clientId: input.clientId } });
          const mine = all.get(orgId);
          if (!mine) return refuse('FORBIDDEN');
          const ranksBefore = participantRanks(round, all);
          if (mine.replay) {
            const [dup] = await tx
              .select()
              .from(roundOffers)
              .where(and(eq(roundOffers.roundId, round.id), eq(roundOffers.providerId, orgId), eq(roundOffers.clientId, input.clientId)));
            return { offer: dup!, round, rank: ranksBefore.get(orgId) ?? null, replayed: true };
          }
          const now = clock.now();
          const previousFen = mine.priceFen;
          const decision = decideRevisedPrice(round, { providerId: orgId, priceFen: input.priceFen, previousFen }, now);
          let next = round;
          if (decision.extended) {
            [next] = (await tx
              .update(priceRounds)
              .set({ closesAt: decision.closesAt, extensions: decision.extensions })
              .where(eq(priceRounds.id, round.id))
              .returning()) as [PriceRoundRow];
            extendedTo = decision.closesAt;
          }
          all.set(orgId, { ...mine, priceFen: input.priceFen, at: now });
          const ranks = participantRanks(next, all);
          // The bidder's own acknowledgement first: its sequence number is stored with the offer.
          // Other participants hear only when their rank moved (never a rival's price or name).
          const accepted: RoomEventInput = {
            type: 'offer:accepted',
            audience: [`provider:${orgId}`],
            payload: { roundId: round.id, priceFen: input.priceFen, previousPriceFen: previousFen, rank: ranks.get(orgId), participantCount: next.participantIds.length, at: now, clientId: input.clientId, maxPriceFen: maxRevisedPriceFen(input.priceFen, next) },
          };
          const evs: RoomEventInput[] = [
            accepted,
            { type: 'offer:received', audience: ['enterprise'], payload: { roundId: round.id, providerId: orgId, offerCount: mine.offersInOpenRound + 1, at: now } },
            ...next.participantIds
              .filter((pid) => pid !== orgId && ranks.get(pid) !== ranksBefore.get(pid))
              .map((pid) => ({ type: 'round:rank', audience: [`provider:${pid}` as Audience], payload: { roundId: round.id, rank: ranks.get(pid), participantCount: next.participantIds.length } })),
          ];
          if (decision.extended) {
            evs.push({
              type: 'round:extended',
              audience: ['enterprise', ...next.participantIds.map((pid) => `provider:${pid}` as Audience)],
              payload: { roundId: round.id, closesAt: decision.closesAt, extensions: decision.extensions, maxExtensions: next.maxExtensions },
            });
          }
          // The events and the offer in one statement; the offer stores its first event's sequence number.
          const offer = {
            id: randomUUID(),
            roundId: round.id,
            requirementId: r.id,
            providerId: orgId,
            submittedBy: a.userId,
            priceFen: input.priceFen,
            previousPriceFen: previousFen,
            clientId: input.clientId,
            createdAt: now,
          };
          const [ack] = await append(r.id, evs, (firstSeq) => tx.insert(roundOffers).values({ ...offer, seq: firstSeq }).getSQL());
          return { offer: { ...offer, seq: ack!.seq }, round: next, rank: ranks.get(orgId) ?? null, replayed: false };
      });
      if (extendedTo) await timer.schedule(`${ROUND_TIMER}:${result.round.id}`, extendedTo);
      return {
        offer: { id: result.offer.id, priceFen: result.offer.priceFen, previousPriceFen: result.offer.previousPriceFen, at: result.offer.createdAt },
        roundId: result.round.id,
        rank: result.rank,
        participantCount: result.round.participantIds.length,
        closesAt: result.round.closesAt,
        maxPriceFen: maxRevisedPriceFen(result.offer.priceFen, result.round),
        seq: result.offer.seq,
        replayed: result.replayed,
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
          const [row] = await tx
            .update(priceRounds)
            .set({ status: 'closed', closedAt: now })
            .where(and(eq(priceRounds.id, roundId), eq(priceRounds.status, 'open'), lte(priceRounds.closesAt, now)))
            .returning();
          if (!row) return undefined;
          const r = await getRequirement(tx, row.requirementId);
          const offers = await offersOfRound(tx, row.id);
          const all = await standings(tx, r, { sealed: false });
          const ranks = participantRanks(row, all);
          const names = await orgNames(tx, row.participantIds);
          await append(row.requirementId, [
            {
              type: 'round:closed',
              audience: ['enterprise'],
              payload: {
                roundId: row.id,
                number: row.number,
                closedAt: now,
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
            ...row.participantIds.map((pid) => ({
              type: 'round:closed',
              audience: [`provider:${pid}` as Audience],
              payload: { roundId: row.id, number: row.number, closedAt: now, rank: ranks.get(pid), participantCount: row.participantIds.length, finalPriceFen: all.get(pid)?.priceFen ?? null },
            })),
          ]);
          pushes.push(
            (
              await messages.sendToOrganisation(
                r.organisationId,
                { title: '二次竞价已结束', body: `项目「${r.title}」第 ${row.number} 轮二次竞价已结束，请回到竞价室查看服务机构调整后的报价。`, link: `/account/projects/${r.id}/room`, category: 'tender' },
                tx,
              )
            ).push,
          );
          return row;
      });
      if (!closed) {
        const [still] = await db.select().from(priceRounds).where(and(eq(priceRounds.id, roundId), eq(priceRounds.status, 'open')));
        if (still) await timer.schedule(`${ROUND_TIMER}:${still.id}`, still.closesAt);
        return false;
      }
      for (const p of pushes) await p().catch(() => undefined);
      pushes = [];
      return true;
    },

    /** Closes every round past its deadline (the safety sweep and the catch-up after a restart). */
    async closeDueRounds() {
      const due = await db
        .select({ id: priceRounds.id })
        .from(priceRounds)
        .where(and(eq(priceRounds.status, 'open'), lte(priceRounds.closesAt, clock.now())));
      let n = 0;
      for (const d of due) if (await service.closeRound(d.id)) n++;
      return n;
    },

    /** At start: close what is overdue and wake up for every open round. */
    async resumeTimers() {
      await service.closeDueRounds();
      const open = await db.select({ id: priceRounds.id, closesAt: priceRounds.closesAt }).from(priceRounds).where(eq(priceRounds.status, 'open'));
      for (const o of open) await timer.schedule(`${ROUND_TIMER}:${o.id}`, o.closesAt);
    },

    /** The enterprise sets the second-round rules of its requirement (not while a round is open). */
    async updateRules(actor: Actor | null, requirementId: string, raw: unknown) {
      const a = requireActor(actor);
      const input = parseInput(RoomRulesInput, raw);
      const values = { minDecreaseBp: Math.round(input.minDecreasePercent * 100), minDecreaseFen: input.minDecreaseFen, snipeWindowSeconds: input.snipeWindowSeconds, maxExtensions: input.maxExtensions };
      await db.transaction(async (tx) => {
        const m = await member(a, requirementId, tx);
        requireEnterprise(m);
        if (await findOpenRound(tx, m.r.id)) throw new AppError('INVALID_TRANSITION', '二次竞价进行中，结束后才能修改规则');
        await tx
          .insert(tenderRooms)
          .values({ requirementId: m.r.id, ...values })
          .onConflictDoUpdate({ target: tenderRooms.requirementId, set: { ...values, updatedAt: clock.now() } });
      });
      return { ...values, minDecreasePercent: input.minDecreasePercent };
    },

    /** Receipts of live chat: the recipient's client marks messages delivered or read; the sender's side is told. */
    async markChat(actor: Actor | null, raw: unknown, kind: 'delivered' | 'read') {
      const a = requireActor(actor);
      const input = parseInput(ChatReceiptInput, raw);
      const m = await member(a, input.requirementId);
      if (m.role === 'operator') return { ids: [] as string[] };
      if (m.role === 'provider' && m.orgId !== input.providerId) throw new AppError('NOT_FOUND', '会话不存在');
      const now = clock.now();
      const col = kind === 'delivered' ? negotiationMessages.deliveredAt : negotiationMessages.readAt;
      const rows = await db
        .update(negotiationMessages)
        .set(kind === 'delivered' ? { deliveredAt: now } : { readAt: now, deliveredAt: sql`coalesce(${negotiationMessages.deliveredAt}, ${now.toISOString()}::timestamptz)` })
        .where(
          and(
            eq(negotiationMessages.requirementId, m.r.id),
            eq(negotiationMessages.providerId, input.providerId),
            inArray(negotiationMessages.id, input.messageIds),
            ne(negotiationMessages.senderOrgId, m.orgId!),
            isNull(col),
          ),
        )
        .returning({ id: negotiationMessages.id });
      const ids = rows.map((r) => r.id);
      if (ids.length) {
        const to = m.role === 'enterprise' ? roomChannels.provider(m.r.id, input.providerId) : roomChannels.enterprise(m.r.id);
        await publisher.publish(to, 'chat:receipt', { requirementId: m.r.id, providerId: input.providerId, kind, messageIds: ids, at: now.toISOString() });
      }
      return { ids };
    },
  };

  timer.on(ROUND_TIMER, async (id) => void (await service.closeRound(id)));
  return service;
}

export type RoomService = ReturnType<typeof createRoomService>;
export type RoomSnapshot = Awaited<ReturnType<RoomService['snapshot']>>;
