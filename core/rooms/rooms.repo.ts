import { and, asc, eq, inArray, lte, sql, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import type { DbOrTx } from '../../db/client';
import { priceRounds, proposals, requirements, roundOffers, tenderRooms, type PriceRoundRow, type RoundOfferRow } from '../../db/schema';
import { DEFAULT_ROUND_RULES, type RoundRules } from './rooms.machine';

/**
 * drizzle queries of the bidding rooms; no rules here. The room's ordered event log keeps its own SQL
 * in room-log.ts: its one-statement append (counter, events and an optional offer together) is the
 * ordering guarantee of the room, and keeping it in one small file makes that statement reviewable
 * on its own.
 *
 * A room is where a requirement's proposals compete, so two reads here join the tenders tables in one
 * statement: the bidders' standings (proposals with their offers) and the open round with its
 * requirement. They must run in the room's own transaction under the round's lock (a bid's standing is
 * read after every earlier bid committed); they read, never write, those tables. Every other read of
 * the tenders context goes through core/tenders/room-reads.service.ts.
 */

export type RoomRequirement = typeof requirements.$inferSelect;

/** Proposal statuses that take part in the room (withdrawn ones do not). */
const LIVE = ['active', 'selected', 'not_selected'] as const;

/** The second-round rules of a requirement (the defaults until the enterprise sets them). */
export async function getRoundRules(q: DbOrTx, requirementId: string): Promise<RoundRules> {
  const [row] = await q.select().from(tenderRooms).where(eq(tenderRooms.requirementId, requirementId));
  return row
    ? {
        minDecreaseBp: row.minDecreaseBp,
        minDecreaseFen: row.minDecreaseFen,
        snipeWindowSeconds: row.snipeWindowSeconds,
        maxExtensions: row.maxExtensions,
        extensionRule: row.extensionRule,
        maxExtensionMinutes: row.maxExtensionMinutes,
      }
    : { ...DEFAULT_ROUND_RULES };
}

/** Whether any proposal (of any tender round, in any state) was ever submitted: the room's rules are then frozen. */
export async function hasProposals(q: DbOrTx, requirementId: string): Promise<boolean> {
  const [row] = await q.select({ id: proposals.id }).from(proposals).where(eq(proposals.requirementId, requirementId)).limit(1);
  return Boolean(row);
}

export async function upsertRoundRules(q: DbOrTx, requirementId: string, values: RoundRules, now: Date) {
  await q
    .insert(tenderRooms)
    .values({ requirementId, ...values })
    .onConflictDoUpdate({ target: tenderRooms.requirementId, set: { ...values, updatedAt: now } });
}

export interface StandingRow {
  providerId: string;
  /** Current price: the lowest offer in this tender round when lower than the proposal, else the proposal price. */
  priceFen: number;
  at: Date;
  proposalPriceFen: number;
  offersInOpenRound: number;
  /** With `resend`: whether that bidder already used that client id in the open round. */
  replay: boolean;
}

/**
 * Each live bidder's current price: its lowest offer in this tender round (offers only ever go down,
 * so the lowest is also the latest), else its proposal price; with how many offers it made in the
 * open round. `sealed` leaves out offers of a round still open (what the enterprise may see during a
 * round). With `resend`, `replay` tells whether that bidder already used that client id in the open
 * round. One query.
 */
export async function loadStandings(
  q: DbOrTx,
  r: Pick<RoomRequirement, 'id' | 'round'>,
  opts: { sealed: boolean; resend?: { orgId: string; clientId: string } },
): Promise<Map<string, StandingRow>> {
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
    .select({
      providerId: proposals.providerId,
      priceFen: proposals.priceFen,
      at: proposals.updatedAt,
      lowestFen: agg.lowestFen,
      lastAt: agg.lastAt,
      inOpenRound: agg.inOpenRound,
      replay: agg.replay,
    })
    .from(proposals)
    .leftJoin(agg, eq(agg.providerId, proposals.providerId))
    .where(and(eq(proposals.requirementId, r.id), inArray(proposals.status, [...LIVE])));
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

/** The price rounds of one tender round, in order. */
export async function roundsOf(q: DbOrTx, requirementId: string, tenderRound: number): Promise<PriceRoundRow[]> {
  return q
    .select()
    .from(priceRounds)
    .where(and(eq(priceRounds.requirementId, requirementId), eq(priceRounds.tenderRound, tenderRound)))
    .orderBy(asc(priceRounds.number));
}

/** Every offer of one tender round's price rounds, oldest first. */
export async function offersOfTenderRound(q: DbOrTx, requirementId: string, tenderRound: number): Promise<RoundOfferRow[]> {
  const rows = await q
    .select({ offer: roundOffers })
    .from(roundOffers)
    .innerJoin(priceRounds, eq(priceRounds.id, roundOffers.roundId))
    .where(and(eq(roundOffers.requirementId, requirementId), eq(priceRounds.tenderRound, tenderRound)))
    .orderBy(asc(roundOffers.createdAt));
  return rows.map((r) => r.offer);
}

/** The offers of one price round, oldest first. */
export async function offersOfRound(q: DbOrTx, roundId: string): Promise<RoundOfferRow[]> {
  return q.select().from(roundOffers).where(eq(roundOffers.roundId, roundId)).orderBy(asc(roundOffers.createdAt));
}

/** The number the next price round of this tender round takes. */
export async function nextRoundNumber(q: DbOrTx, requirementId: string, tenderRound: number): Promise<number> {
  const [{ n }] = (await q
    .select({ n: sql<number>`coalesce(max(${priceRounds.number}), 0)::int` })
    .from(priceRounds)
    .where(and(eq(priceRounds.requirementId, requirementId), eq(priceRounds.tenderRound, tenderRound)))) as [{ n: number }];
  return Number(n) + 1;
}

export async function insertRound(q: DbOrTx, values: typeof priceRounds.$inferInsert): Promise<PriceRoundRow> {
  const [row] = await q.insert(priceRounds).values(values).returning();
  return row!;
}

/**
 * The open round of a requirement with its requirement, the round row locked: bids of one room queue
 * here. The room's row is locked too and its log head returned, so the bid's events are hashed from it
 * without reading it again (a round exists only in a room that has events, so the row is there).
 */
export async function lockOpenRoundWithRequirement(q: DbOrTx, requirementId: string) {
  if (!z.uuid().safeParse(requirementId).success) return undefined;
  const [row] = await q
    .select({ r: requirements, round: priceRounds, head: { seq: tenderRooms.seq, lastHash: tenderRooms.lastHash } })
    .from(priceRounds)
    .innerJoin(requirements, eq(requirements.id, priceRounds.requirementId))
    .innerJoin(tenderRooms, eq(tenderRooms.requirementId, priceRounds.requirementId))
    .where(and(eq(priceRounds.requirementId, requirementId), eq(priceRounds.status, 'open')))
    .for('update', { of: [priceRounds, tenderRooms] });
  return row;
}

/** A bidder's offer in a round by its client id (a resent bid). */
export async function findOfferByClientId(q: DbOrTx, roundId: string, providerId: string, clientId: string): Promise<RoundOfferRow | undefined> {
  const [row] = await q
    .select()
    .from(roundOffers)
    .where(and(eq(roundOffers.roundId, roundId), eq(roundOffers.providerId, providerId), eq(roundOffers.clientId, clientId)));
  return row;
}

export async function extendRound(q: DbOrTx, roundId: string, closesAt: Date, extensions: number): Promise<PriceRoundRow> {
  const [row] = await q.update(priceRounds).set({ closesAt, extensions }).where(eq(priceRounds.id, roundId)).returning();
  return row!;
}

/** The insert of an offer as SQL, for appending it in the same statement as its room events. */
export const insertOfferSql = (q: DbOrTx, offer: Omit<typeof roundOffers.$inferInsert, 'seq'>, seq: SQL) =>
  q
    .insert(roundOffers)
    .values({ ...offer, seq })
    .getSQL();

/** Closes the round if it is still open and due: exactly one caller wins. */
export async function closeRoundIfDue(q: DbOrTx, roundId: string, now: Date): Promise<PriceRoundRow | undefined> {
  const [row] = await q
    .update(priceRounds)
    .set({ status: 'closed', closedAt: now })
    .where(and(eq(priceRounds.id, roundId), eq(priceRounds.status, 'open'), lte(priceRounds.closesAt, now)))
    .returning();
  return row;
}

export async function findOpenRoundById(q: DbOrTx, roundId: string): Promise<PriceRoundRow | undefined> {
  const [row] = await q
    .select()
    .from(priceRounds)
    .where(and(eq(priceRounds.id, roundId), eq(priceRounds.status, 'open')));
  return row;
}

export async function dueRoundIds(q: DbOrTx, now: Date): Promise<string[]> {
  const rows = await q
    .select({ id: priceRounds.id })
    .from(priceRounds)
    .where(and(eq(priceRounds.status, 'open'), lte(priceRounds.closesAt, now)));
  return rows.map((r) => r.id);
}

export async function openRounds(q: DbOrTx): Promise<{ id: string; closesAt: Date }[]> {
  return q.select({ id: priceRounds.id, closesAt: priceRounds.closesAt }).from(priceRounds).where(eq(priceRounds.status, 'open'));
}

export const isUuid = (id: string) => z.uuid().safeParse(id).success;
