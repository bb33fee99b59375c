import { and, eq, gt, sql, type SQL } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client';
import { priceRounds, roomEvents, tenderRooms, type RoomEventRow } from '../../db/schema';
import type { Publisher } from '../shared/publisher';
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

/**
 * Appends events in order inside `tx` and returns them. Takes the room row's lock for the rest of the
 * transaction, so events of one room are numbered in commit order. One statement: the room's counter
 * moves by the number of events and the events take the numbers it hands out. `alongside` adds one
 * more write to the same statement, given the first event's sequence number (a bid stores it).
 */
export async function appendRoomEvents(
  tx: DbOrTx,
  requirementId: string,
  events: RoomEventInput[],
  now: Date,
  alongside?: (firstSeq: SQL) => SQL,
): Promise<RoomEvent[]> {
  if (!events.length) return [];
  // What is stored is JSON: return (and later publish) exactly that, not the Dates of the input.
  const stored = events.map((e) => ({ type: e.type, audience: e.audience, payload: JSON.parse(JSON.stringify(e.payload)) as Record<string, unknown> }));
  const n = events.length;
  const result = await tx.execute(sql`
    with room as (
      insert into ${tenderRooms} (requirement_id, seq) values (${requirementId}, ${n})
      on conflict (requirement_id) do update set seq = ${tenderRooms}.seq + ${n}, updated_at = ${now.toISOString()}::timestamptz
      returning seq
    ), appended as (
      insert into ${roomEvents} (requirement_id, seq, type, audience, payload, created_at)
      select ${requirementId}::uuid, room.seq - ${n} + e.ord, e.type, array(select jsonb_array_elements_text(e.audience)), e.payload, ${now.toISOString()}::timestamptz
      from room, jsonb_to_recordset(${JSON.stringify(stored.map((e, i) => ({ ord: i + 1, ...e })))}::jsonb) as e(ord int, type text, audience jsonb, payload jsonb)
      returning 1
    )${alongside ? sql`, alongside as (${alongside(sql`(select seq from room) - ${n} + 1`)})` : sql``}
    select room.seq::text as seq, (select count(*) from appended)::int as appended from room`);
  const row = (Array.isArray(result) ? result : (result as { rows: unknown[] }).rows)[0] as { seq: string; appended: number };
  if (row.appended !== n) throw new Error(`room ${requirementId}: ${row.appended} of ${n} events appended`);
  const first = Number(row.seq) - n + 1;
  const at = now.toISOString();
  return stored.map((e, i) => ({ requirementId, seq: first + i, type: e.type, audience: e.audience, payload: e.payload, at }) as RoomEvent);
}

/** Sends committed events to the sockets of their audience (and to operators watching). */
export async function publishRoomEvents(publisher: Publisher, events: RoomEvent[]) {
  for (const e of events) {
    const rooms = new Set<string>();
    for (const a of e.audience) {
      if (a === 'all') rooms.add(roomChannels.all(e.requirementId));
      else if (a === 'enterprise') rooms.add(roomChannels.enterprise(e.requirementId));
      else rooms.add(roomChannels.provider(e.requirementId, a.slice('provider:'.length)));
    }
    if (!rooms.has(roomChannels.all(e.requirementId))) rooms.add(roomChannels.operators(e.requirementId));
    // One emit to all its rooms: one message between nodes, and a socket in two of them gets it once.
    await publisher.publish([...rooms], 'room:event', e);
  }
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
