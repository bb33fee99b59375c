import { and, eq, gt, lte, sql, type SQL } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import { rowsOf, runStatement, type DbOrTx } from '../../db/client';
import { priceRounds, roomEvents, tenderRooms, type RoomEventRow } from '../../db/schema';
import type { Publisher } from '../shared/publisher';
import { chainHashes, GENESIS_HASH, verifyChain, type ChainVerdict } from './room-chain';
import type { RoomEventPayloadInput, RoomEventType, TypedRoomEvent } from './rooms.schema';

/**
 * The room's ordered event log. Every event a room member can receive is appended here inside the
 * transaction that caused it, with the next sequence number of its requirement, and published only
 * after commit; a client that reconnects asks for everything after the last sequence it saw.
 *
 * Audiences: 'all' (every member of the room), 'enterprise' (the owning enterprise),
 * 'provider:<orgId>' (one bidder or invited provider). Operators see every event.
 */
export type Audience = 'all' | 'enterprise' | `provider:${string}`;

/** An event to append: its payload typed by its type (rooms.schema.ts RoomEventPayloads). */
export type RoomEventInput = { [K in RoomEventType]: { type: K; audience: Audience[]; payload: RoomEventPayloadInput<K> } }[RoomEventType];

/** An event of the log as members receive it. */
export type RoomEvent = TypedRoomEvent;

// The log stores what appendRoomEvents was given (typed on the way in), so a row reads back as that type.
export const toRoomEvent = (r: RoomEventRow): RoomEvent =>
  ({
    requirementId: r.requirementId,
    seq: r.seq,
    type: r.type,
    audience: r.audience,
    payload: r.payload,
    at: r.createdAt.toISOString(),
  }) as RoomEvent;

/** socket.io rooms of one bidding room (the realtime layer joins sockets to these). */
export const roomChannels = {
  all: (requirementId: string) => `room:${requirementId}`,
  enterprise: (requirementId: string) => `room:${requirementId}:enterprise`,
  provider: (requirementId: string, orgId: string) => `room:${requirementId}:provider:${orgId}`,
  operators: (requirementId: string) => `room:${requirementId}:ops`,
};

/** A room log's head: its last sequence number and the hash of that event (null before any hashed event). */
export interface RoomLogHead {
  seq: number;
  lastHash: string | null;
}

/**
 * Appends events in order inside `tx` and returns them, each with the next sequence number of the room
 * and its hash in the room's chain (room-chain.ts). The hashes are computed here from the room's head,
 * read with the room row's lock held for the rest of the transaction, so events of one room are
 * numbered and chained in commit order.
 *
 * Statements: one to lock the room row and read its head (an upsert, so a room's first event creates
 * it), one to move the head and insert the events. A caller that already holds the room row's lock in
 * this transaction passes the `head` it read under that lock (a bid does: rooms.repo.ts
 * readBidState with its lock), and the append is one statement as before the chain. `events` may be a
 * function of the head (a round's close quotes the log's hash). `alongside` adds one more write to the
 * same statement, given the first event's sequence number (a bid stores it).
 */
export async function appendRoomEvents(
  tx: DbOrTx,
  requirementId: string,
  events: RoomEventInput[] | ((head: RoomLogHead) => RoomEventInput[]),
  now: Date,
  alongside?: (firstSeq: SQL) => SQL,
  knownHead?: RoomLogHead,
): Promise<RoomEvent[]> {
  if (Array.isArray(events) && !events.length) return [];
  const head = knownHead ?? (await lockRoomHead(tx, requirementId, now));
  const list = typeof events === 'function' ? events(head) : events;
  if (!list.length) return [];
  const { appended, hashes } = chained(requirementId, head, list, now);
  const n = list.length;
  const first = head.seq + 1;
  const result = await tx.execute(sql`
    with room as (
      update ${tenderRooms} set seq = ${head.seq + n}, last_hash = ${hashes.at(-1)!}, updated_at = ${now.toISOString()}::timestamptz
      where requirement_id = ${requirementId} and seq = ${head.seq}
      returning seq
    ), appended as (
      insert into ${roomEvents} (requirement_id, seq, type, audience, payload, created_at, hash)
      select ${requirementId}::uuid, e.seq, e.type, array(select jsonb_array_elements_text(e.audience)), e.payload, ${now.toISOString()}::timestamptz, e.hash
      from room, jsonb_to_recordset(${eventRecords(appended, hashes)}::jsonb)
        as e(seq bigint, type text, audience jsonb, payload jsonb, hash text)
      returning 1
    )${alongside ? sql`, alongside as (${alongside(sql`${first}`)})` : sql``}
    select (select count(*) from room)::int as rooms, (select count(*) from appended)::int as appended`);
  const row = rowsOf<{ rooms: number; appended: number }>(result)[0]!;
  // The head moved under us only if a caller passed a head it did not read under the room's lock.
  if (row.rooms !== 1 || row.appended !== n) throw new Error(`room ${requirementId}: ${row.appended} of ${n} events appended after seq ${head.seq}`);
  return appended;
}

/** The events as stored: numbered after the head, their payloads as the JSON they are stored as, and chained. */
function chained(requirementId: string, head: RoomLogHead, list: RoomEventInput[], now: Date) {
  const at = now.toISOString();
  // What is stored is JSON: hash, return (and later publish) exactly that, not the Dates of the input.
  // Hashed as it reads back: PostgreSQL writes a uuid in lower case.
  const id = requirementId.toLowerCase();
  const appended = list.map(
    (e, i) =>
      ({
        requirementId: id,
        seq: head.seq + 1 + i,
        type: e.type,
        audience: e.audience,
        payload: JSON.parse(JSON.stringify(e.payload)) as Record<string, unknown>,
        at,
      }) as RoomEvent,
  );
  return { appended, hashes: chainHashes(head.lastHash ?? GENESIS_HASH, appended) };
}

const eventRecord = (e: RoomEvent, hash: string) => ({ seq: e.seq, type: e.type, audience: e.audience, payload: e.payload, hash, at: e.at });
const eventRecords = (appended: RoomEvent[], hashes: string[]) => JSON.stringify(appended.map((e, i) => eventRecord(e, hashes[i]!)));

/** The unique violation of a bidder's client id in a round (PostgreSQL names the constraint `constraint_name`, PGlite `constraint`). */
function clientIdTaken(e: unknown) {
  const err = e as { code?: string; constraint_name?: string; constraint?: string };
  return err.code === '23505' && (err.constraint_name ?? err.constraint) === 'round_offers_client_uq';
}

/** A bid's offer row, stored with the sequence number of its first event. */
export interface BidOffer {
  id: string;
  roundId: string;
  providerId: string;
  submittedBy: string;
  priceFen: number;
  previousPriceFen: number;
  clientId: string;
}

/*
 * The write of one or more bids of a room as one statement, outside any transaction, on the state they
 * were decided on (rooms.repo.ts readBidState, read without locks, or what this node's last write there
 * left): it locks the round while it is still open with the same deadline (so a close waits for it, and
 * it waits for a close, as under the locked path), then moves the room's head only if it is still the one
 * the bids were decided on, and appends their events and offers only then. Nothing is written when
 * anything changed in between, or when one of the offers reuses a client id: the caller decides again.
 */
const APPEND_BIDS = `
  with round as (
    select id from price_rounds where id = $6::uuid and status = 'open' and closes_at = $7::timestamptz for update
  ), room as (
    update tender_rooms set seq = $1::bigint, last_hash = $2::text, updated_at = $3::timestamptz
    where requirement_id = $4::uuid and seq = $5::bigint and exists (select 1 from round)
    returning requirement_id
  ), appended as (
    insert into room_events (requirement_id, seq, type, audience, payload, created_at, hash)
    select room.requirement_id, e.seq, e.type, array(select jsonb_array_elements_text(e.audience)), e.payload, e.at, e.hash
    from room, jsonb_to_recordset($8::jsonb) as e(seq bigint, type text, audience jsonb, payload jsonb, hash text, at timestamptz)
    returning 1
  ), offers as (
    insert into round_offers (id, round_id, requirement_id, provider_id, submitted_by, price_fen, previous_price_fen, client_id, seq, created_at)
    select o.id, $6::uuid, room.requirement_id, o.provider_id, o.submitted_by, o.price_fen, o.previous_price_fen, o.client_id, o.seq, o.at
    from room, jsonb_to_recordset($9::jsonb)
      as o(id uuid, provider_id uuid, submitted_by uuid, price_fen bigint, previous_price_fen bigint, client_id text, seq bigint, at timestamptz)
    returning 1
  )
  select (select count(*) from room)::int as rooms, (select count(*) from appended)::int as appended, (select count(*) from offers)::int as offers`;

/** A bid as decided: its events (the bidder's acknowledgement first), its offer, and when it was decided. */
export interface DecidedBid {
  events: RoomEventInput[];
  offer: BidOffer;
  now: Date;
}

/**
 * Appends bids (in order: each bid's events follow the previous bid's) and their offers in one statement
 * without a transaction, if the room's head is still `head` and the round still open with the deadline
 * `closesAt`. Returns each bid's events as stored and the room's new head, or undefined when something
 * changed since the bids were decided or a client id was already used in the round (nothing is written).
 */
export async function appendBids(
  q: DbOrTx,
  requirementId: string,
  head: RoomLogHead,
  round: { id: string; closesAt: Date },
  bids: DecidedBid[],
): Promise<{ events: RoomEvent[][]; head: RoomLogHead } | undefined> {
  const events: RoomEvent[][] = [];
  const records: ReturnType<typeof eventRecord>[] = [];
  const offers: Record<string, unknown>[] = [];
  let at = head;
  for (const bid of bids) {
    const { appended, hashes } = chained(requirementId, at, bid.events, bid.now);
    events.push(appended);
    records.push(...appended.map((e, i) => eventRecord(e, hashes[i]!)));
    const o = bid.offer;
    offers.push({
      id: o.id,
      provider_id: o.providerId,
      submitted_by: o.submittedBy,
      price_fen: o.priceFen,
      previous_price_fen: o.previousPriceFen,
      client_id: o.clientId,
      seq: appended[0]!.seq,
      at: appended[0]!.at,
    });
    at = { seq: at.seq + appended.length, lastHash: hashes.at(-1)! };
  }
  const run = runStatement<{ rooms: number; appended: number; offers: number }>(q, APPEND_BIDS, [
    at.seq,
    at.lastHash,
    bids.at(-1)!.now.toISOString(),
    requirementId,
    head.seq,
    round.id,
    round.closesAt.toISOString(),
    JSON.stringify(records),
    JSON.stringify(offers),
  ]);
  // A client id this bidder already used in the round (a resend decided on a remembered state): nothing written.
  const [row] = await run.catch((e: unknown) => {
    if (clientIdTaken(e)) return [];
    throw e;
  });
  if (!row || row.rooms === 0) return undefined;
  if (row.appended !== records.length || row.offers !== bids.length)
    throw new Error(`room ${requirementId}: ${bids.length} bids appended ${row.appended} of ${records.length} events and ${row.offers} offers`);
  return { events, head: at };
}

/** Locks the room's row for the rest of the transaction (creating it on the room's first event) and reads its head. */
export async function lockRoomHead(tx: DbOrTx, requirementId: string, now: Date): Promise<RoomLogHead> {
  const result = await tx.execute(sql`
    insert into ${tenderRooms} (requirement_id, seq) values (${requirementId}, 0)
    on conflict (requirement_id) do update set updated_at = ${now.toISOString()}::timestamptz
    returning seq::text as seq, last_hash`);
  const row = rowsOf<{ seq: string; last_hash: string | null }>(result)[0]!;
  return { seq: Number(row.seq), lastHash: row.last_hash };
}

/** The room's head as committed (no lock): what a verification compares the log with. */
export async function readRoomHead(q: DbOrTx, requirementId: string): Promise<RoomLogHead | undefined> {
  const [row] = await q.select({ seq: tenderRooms.seq, lastHash: tenderRooms.lastHash }).from(tenderRooms).where(eq(tenderRooms.requirementId, requirementId));
  return row;
}

/**
 * Recomputes a room's whole chain from the database (room-chain.ts verifyChain). The head is read
 * first and only events up to it are read: they committed with it, so a concurrent append cannot make
 * the log and the head disagree.
 */
export async function verifyRoomLog(q: DbOrTx, requirementId: string): Promise<ChainVerdict> {
  const head = (await readRoomHead(q, requirementId)) ?? { seq: 0, lastHash: null };
  const rows = await q
    .select()
    .from(roomEvents)
    .where(and(eq(roomEvents.requirementId, requirementId), lte(roomEvents.seq, head.seq)))
    .orderBy(roomEvents.seq);
  return verifyChain(
    rows.map((r) => ({ ...toRoomEvent(r), hash: r.hash })),
    head,
  );
}

/** One event of a bidder's receipt: its own event with its hash and the hash it follows. */
export type ReceiptEvent = RoomEvent & {
  hash: string | null;
  /** The hash of the room's previous event (GENESIS_HASH before the first), null in the legacy prefix. */
  prevHash: string | null;
};

/**
 * The events addressed to one provider alone (`provider:<orgId>`), each with its hash and the previous
 * event's hash, so the bidder can recompute its own hashes (eventHash(prevHash, event) === hash). The
 * previous event may be a rival's: only its hash is given, never its contents.
 */
export async function providerReceipt(q: DbOrTx, requirementId: string, orgId: string): Promise<ReceiptEvent[]> {
  const prev = alias(roomEvents, 'prev');
  const rows = await q
    .select({ e: roomEvents, prevHash: prev.hash })
    .from(roomEvents)
    .leftJoin(prev, and(eq(prev.requirementId, roomEvents.requirementId), eq(prev.seq, sql`${roomEvents.seq} - 1`)))
    .where(and(eq(roomEvents.requirementId, requirementId), sql`${`provider:${orgId}`} = any(${roomEvents.audience})`))
    .orderBy(roomEvents.seq);
  return rows.map(({ e, prevHash }) => ({ ...toRoomEvent(e), hash: e.hash, prevHash: e.hash === null ? null : (prevHash ?? GENESIS_HASH) }));
}

/**
 * Sends committed events to the sockets of their audience (and to operators watching): one publication
 * per event, all of them together (between realtime nodes, one message for a bid's events).
 */
export async function publishRoomEvents(publisher: Publisher, events: RoomEvent[]) {
  if (!events.length) return;
  await publisher.publishAll(
    events.map((e) => {
      const rooms = new Set<string>();
      for (const a of e.audience) {
        if (a === 'all') rooms.add(roomChannels.all(e.requirementId));
        else if (a === 'enterprise') rooms.add(roomChannels.enterprise(e.requirementId));
        else rooms.add(roomChannels.provider(e.requirementId, a.slice('provider:'.length)));
      }
      if (!rooms.has(roomChannels.all(e.requirementId))) rooms.add(roomChannels.operators(e.requirementId));
      // One emit to all its rooms: a socket in two of them gets it once.
      return { room: [...rooms], event: 'room:event', payload: e };
    }),
  );
}

/** The audiences a member of the room belongs to. */
export function audiencesOf(member: { role: 'enterprise' | 'provider' | 'operator'; orgId?: string }): Audience[] | 'everything' {
  if (member.role === 'operator') return 'everything';
  return member.role === 'enterprise' ? ['all', 'enterprise'] : ['all', `provider:${member.orgId}`];
}

/** Events after `afterSeq` that the member may see, oldest first (at most `limit`). */
export async function roomEventsSince(
  q: DbOrTx,
  requirementId: string,
  afterSeq: number,
  audiences: Audience[] | 'everything',
  limit = 500,
): Promise<RoomEvent[]> {
  const rows = await q
    .select()
    .from(roomEvents)
    .where(
      and(
        eq(roomEvents.requirementId, requirementId),
        gt(roomEvents.seq, afterSeq),
        audiences === 'everything'
          ? undefined
          : sql`${roomEvents.audience} && array[${sql.join(
              audiences.map((a) => sql`${a}`),
              sql`, `,
            )}]::text[]`,
      ),
    )
    .orderBy(roomEvents.seq)
    .limit(limit);
  return rows.map(toRoomEvent);
}

/** The room's latest sequence number (0 before any event). */
export async function currentSeq(q: DbOrTx, requirementId: string): Promise<number> {
  const [row] = await q.select({ seq: tenderRooms.seq }).from(tenderRooms).where(eq(tenderRooms.requirementId, requirementId));
  return row?.seq ?? 0;
}

/** The open second round of a requirement, if any (locked when `lock` is set). */
export async function findOpenRound(q: DbOrTx, requirementId: string, lock = false) {
  const query = q
    .select()
    .from(priceRounds)
    .where(and(eq(priceRounds.requirementId, requirementId), eq(priceRounds.status, 'open')));
  const [row] = await (lock ? query.for('update') : query);
  return row;
}
