import { and, asc, eq, inArray, lte, sql, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import { runStatement, type DbOrTx } from '../../db/client';
import { prefixedColumnList, tableRow } from '../../db/table-rows';
import { priceRounds, proposals, requirements, roundOffers, tenderRooms, type PriceRoundRow, type RoundOfferRow } from '../../db/schema';
import type { RoomLogHead } from './room-log';
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
 * The standings as written-out SQL (run as a prepared statement: rooms read them on every bid), with
 * the places of its inputs filled in by the caller: the requirement, its tender round, whether offers of
 * a round still open are left out, and the resent bid's bidder and client id (null: none).
 */
const standingsSql = (p: { req: string; round: string; sealed: string; org: string; client: string }) => `
  select p.provider_id, p.price_fen, p.updated_at, agg.lowest_fen, agg.last_at, agg.in_open_round, agg.replay
  from proposals p
  left join (
    select o.provider_id, min(o.price_fen) as lowest_fen, max(o.created_at) as last_at,
      (count(*) filter (where pr.status = 'open'))::int as in_open_round,
      coalesce(bool_or(pr.status = 'open' and o.provider_id = ${p.org} and o.client_id = ${p.client}), false) as replay
    from round_offers o join price_rounds pr on pr.id = o.round_id
    where o.requirement_id = ${p.req} and pr.requirement_id = ${p.req} and pr.tender_round = ${p.round} and (not ${p.sealed} or pr.status = 'closed')
    group by o.provider_id
  ) agg on agg.provider_id = p.provider_id
  where p.requirement_id = ${p.req} and p.status in (${LIVE.map((s) => `'${s}'`).join(', ')})`;

const STANDINGS = standingsSql({ req: '$1::uuid', round: '$2::smallint', sealed: '$3::boolean', org: '$4::uuid', client: '$5::text' });

/** A standings row as the driver or JSON gives it: bigints may be strings, timestamps strings. */
interface RawStanding {
  provider_id: string;
  price_fen: number | string;
  updated_at: Date | string;
  lowest_fen: number | string | null;
  last_at: Date | string | null;
  in_open_round: number | null;
  replay: boolean | null;
}

function standingsOf(rows: RawStanding[]): Map<string, StandingRow> {
  return new Map(
    rows.map((p) => {
      const priceFen = Number(p.price_fen);
      const lowestFen = p.lowest_fen === null ? null : Number(p.lowest_fen);
      const lower = lowestFen !== null && lowestFen < priceFen;
      return [
        p.provider_id,
        {
          providerId: p.provider_id,
          priceFen: lower ? lowestFen : priceFen,
          at: new Date(lower ? p.last_at! : p.updated_at),
          proposalPriceFen: priceFen,
          offersInOpenRound: Number(p.in_open_round ?? 0),
          replay: Boolean(p.replay),
        },
      ];
    }),
  );
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
  const rows = await runStatement<RawStanding>(q, STANDINGS, [r.id, r.round, opts.sealed, opts.resend?.orgId ?? null, opts.resend?.clientId ?? null]);
  return standingsOf(rows);
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

/** What a bid is decided on: the open round, its requirement's owner and tender round, the room log's head and the standings. */
export interface BidState {
  r: Pick<RoomRequirement, 'id' | 'organisationId' | 'round'>;
  round: PriceRoundRow;
  head: RoomLogHead;
  standings: Map<string, StandingRow>;
}

const BID_STATE = `
  select ${prefixedColumnList(priceRounds, 'pr', 'pr_')}, r.organisation_id as r_organisation_id, r.round as r_round,
    tr.seq::int as head_seq, tr.last_hash as head_last_hash,
    (select coalesce(json_agg(s), '[]'::json) from (${standingsSql({ req: '$1::uuid', round: 'r.round', sealed: 'false', org: '$2::uuid', client: '$3::text' })}) s) as standings
  from price_rounds pr
  join requirements r on r.id = pr.requirement_id
  join tender_rooms tr on tr.requirement_id = pr.requirement_id
  where pr.requirement_id = $1::uuid and pr.status = 'open'`;
const BID_STATE_LOCKED = `${BID_STATE} for update of pr, tr`;

/**
 * Everything a bid is decided on, read in one statement (one snapshot): the requirement's open round,
 * the room's log head, and the standings with whether this bidder already used this client id. With
 * `lock` (inside a transaction) the round's and the room's rows stay locked until it ends; without, a
 * bid's write checks that nothing changed since (room-log.ts appendBids). Undefined: no open round.
 */
export async function readBidState(
  q: DbOrTx,
  requirementId: string,
  resend: { orgId: string | null; clientId: string },
  lock: boolean,
): Promise<BidState | undefined> {
  if (!isUuid(requirementId)) return undefined;
  const [row] = await runStatement<Record<string, unknown>>(q, lock ? BID_STATE_LOCKED : BID_STATE, [requirementId, resend.orgId, resend.clientId]);
  if (!row) return undefined;
  const round = tableRow(priceRounds, row, 'pr_');
  return {
    r: { id: round.requirementId, organisationId: row.r_organisation_id as string, round: Number(row.r_round) },
    round,
    head: { seq: Number(row.head_seq), lastHash: (row.head_last_hash as string | null) ?? null },
    standings: standingsOf((typeof row.standings === 'string' ? JSON.parse(row.standings) : row.standings) as RawStanding[]),
  };
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
