import type { Socket } from 'socket.io';
import { z } from 'zod';
import type { Platform } from '../../core/platform/platform';
import { roomChannels } from '../../core/rooms/room-log';
import { JoinRoomInput, ThreadRef } from '../../core/rooms/rooms.schema';
import { AppError, isAppError, toErrorBody } from '../../core/shared/app-error';
import { logger } from '../../core/shared/logger';
import { parseInput } from '../../core/shared/validate';
import type {
  Ack,
  AckResult,
  ClientToServerEvents,
  InterServerEvents,
  PresenceSummary,
  RoomMembership,
  RoomPresencePayload,
  Sendable,
  ServerToClientEvents,
  SocketData,
} from '../events';
import type { BangfuIo } from './io';
import { answersOfOtherNodes, bidOwners } from './bid-owners';

type BangfuSocket = Socket<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;

const RoomRef = z.object({ requirementId: z.uuid('项目编号无效') });

/**
 * The sockets in a room (or in any of several) across every node. While Redis is unreachable the other
 * nodes cannot answer, so this node answers for its own sockets instead of failing the caller.
 */
export async function socketsIn(io: BangfuIo, room: string | string[]) {
  try {
    return await io.in(room).fetchSockets();
  } catch {
    return await io.local.in(room).fetchSockets();
  }
}

type FetchedSocket = Awaited<ReturnType<typeof socketsIn>>[number];

/** Who of `present` is in a bidding room: the enterprise, and which bidders are online. */
function presenceAmong(present: FetchedSocket[], requirementId: string): RoomPresencePayload {
  return presenceFrom([summarize(byRoom(present), [requirementId])], requirementId);
}

/** A room's presence from what each node said of its own sockets (summarize). */
function presenceFrom(summaries: PresenceSummary[], requirementId: string): RoomPresencePayload {
  const parts = summaries.map((s) => s?.[requirementId]).filter((x) => x !== undefined);
  return {
    requirementId,
    enterprisePresent: parts.some((x) => x.enterprise),
    onlineProviderIds: [...new Set(parts.flatMap((x) => x.providers))].sort(),
  };
}

/** Sockets by the bidding rooms they are members of (a socket in two rooms is in both lists). */
function byRoom<S extends { data: { rooms?: Record<string, unknown> } }>(sockets: S[]) {
  const rooms = new Map<string, S[]>();
  for (const s of sockets) {
    for (const id of Object.keys(s.data.rooms ?? {})) {
      const list = rooms.get(id);
      if (list) list.push(s);
      else rooms.set(id, [s]);
    }
  }
  return rooms;
}

/** Who is present in a bidding room, across nodes: the enterprise, and which bidders are online. */
async function presenceOf(io: BangfuIo, requirementId: string) {
  const present = await socketsIn(io, roomChannels.all(requirementId));
  return { full: presenceAmong(present, requirementId), present };
}

/**
 * Per server, the presence each room's sockets were last told (as JSON), whichever node told them: a
 * refresh speaks only when what it finds differs. Announcements on join and leave are remembered by every
 * node (`presence:seen` between nodes), so a bidder that joined on a node that then dies is noticed even
 * when no refresh ran in between.
 */
const toldPresence = new WeakMap<BangfuIo, Map<string, string>>();
function told(io: BangfuIo) {
  let m = toldPresence.get(io);
  if (!m) toldPresence.set(io, (m = new Map()));
  return m;
}
export function rememberPresence(io: BangfuIo, full: RoomPresencePayload) {
  told(io).set(full.requirementId, JSON.stringify(full));
}

/** Per room of `requirementIds`, who of `sockets` is there (rooms where nobody is are left out). */
function summarize(sockets: Map<string, { data: SocketData }[]>, requirementIds: Iterable<string>): PresenceSummary {
  const out: PresenceSummary = {};
  for (const id of requirementIds) {
    const roles = (sockets.get(id) ?? []).map((s) => s.data.rooms?.[id]).filter((m): m is RoomMembership => Boolean(m));
    if (!roles.length) continue;
    out[id] = {
      enterprise: roles.some((m) => m.role === 'enterprise'),
      providers: [...new Set(roles.filter((m) => m.role === 'provider').map((m) => m.orgId!))],
    };
  }
  return out;
}

/** This node's answer to another's presence question: who of its own sockets is in those rooms. */
export async function localPresence(io: BangfuIo, requirementIds: unknown): Promise<PresenceSummary> {
  if (!Array.isArray(requirementIds)) return {};
  return summarize(
    byRoom(await io.local.fetchSockets()),
    requirementIds.filter((id): id is string => typeof id === 'string'),
  );
}

/**
 * Keeps presence true when a node dies: its sockets never say goodbye, so every `intervalMs` each node
 * recomputes presence (across the nodes still alive) for the rooms its own sockets are in, and tells
 * its own sockets when it changed. One question to the other nodes for all those rooms together, not
 * one per room, answered with who is there per room (not with every socket: with thousands of sockets
 * that answer took each node tens of milliseconds to write and to read). While Redis is unreachable
 * the other nodes cannot answer, and this node counts its own sockets only (as it does alone:
 * `acrossNodes` false, without the Redis adapter). Returns the stop function.
 */
export function refreshPresence(io: BangfuIo, intervalMs = 5000, acrossNodes = true) {
  const last = told(io);
  let running = false;
  const tick = async () => {
    if (running) return;
    running = true;
    try {
      const local = byRoom(await io.local.fetchSockets());
      for (const key of last.keys()) if (!local.has(key)) last.delete(key);
      if (!local.size) return;
      const others = acrossNodes ? await answersOfOtherNodes<PresenceSummary>(io.serverSideEmitWithAck('presence:query', [...local.keys()])) : [];
      const summaries = [summarize(local, local.keys()), ...others];
      for (const [requirementId, here] of local) {
        const full = presenceFrom(summaries, requirementId);
        const fingerprint = JSON.stringify(full);
        if (last.get(requirementId) === fingerprint) continue;
        last.set(requirementId, fingerprint);
        io.local.to([roomChannels.enterprise(requirementId), roomChannels.operators(requirementId)]).emit('room:presence', full);
        for (const s of here) {
          if (s.data.rooms?.[requirementId]?.role === 'provider') s.emit('room:presence', { requirementId, enterprisePresent: full.enterprisePresent });
        }
      }
    } catch (e) {
      logger.warn({ err: e, component: 'presence' }, 'presence broadcast failed');
    } finally {
      running = false;
    }
  };
  const timer = setInterval(() => void tick(), intervalMs);
  timer.unref?.();
  return () => clearInterval(timer);
}

/**
 * Bidding rooms and live chat over socket.io. Handlers are thin: parse, call the service with the
 * socket's actor (every event is authorised by the service), acknowledge. Nothing is acknowledged
 * before it is committed; failures come back as `{ ok: false, error }` with field messages.
 */
export function registerRoomHandlers(io: BangfuIo, socket: BangfuSocket, platform: Platform) {
  const { rooms, invitations, requirements } = platform.services;
  const now = () => platform.clock.now().toISOString();
  // Every line about this socket's events carries its id and the person behind it.
  const log = logger.child({ socketId: socket.id, userId: socket.data.actor?.userId });

  /**
   * Runs one event and acknowledges it. `run` may answer with Dates where the contract says ISO
   * strings: the ack travels as JSON, which writes them as ISO strings.
   */
  async function handle<T>(ack: Ack<T> | undefined, run: () => Promise<Sendable<T>>) {
    let result: AckResult<T>;
    try {
      result = { ok: true, data: (await run()) as T, serverTime: now() };
    } catch (e) {
      if (!isAppError(e)) log.error({ err: e }, 'socket event failed');
      result = { ok: false, error: toErrorBody(e).body, serverTime: now() };
    }
    // Clients may emit without an ack: socket.io then passes none (or whatever the client sent).
    if (typeof ack === 'function') ack(result);
  }

  const actor = () => {
    if (!socket.data.actor) throw new AppError('UNAUTHENTICATED', '请先登录');
    return socket.data.actor;
  };

  /** Who is present: to the enterprise and operators the online bidders, to bidders only the enterprise's presence. */
  async function announcePresence(requirementId: string) {
    const { full, present } = await presenceOf(io, requirementId);
    const { enterprisePresent } = full;
    rememberPresence(io, full);
    if (platform.redis) io.serverSideEmit('presence:seen', full);
    io.to([roomChannels.enterprise(requirementId), roomChannels.operators(requirementId)]).emit('room:presence', full);
    for (const s of present) {
      const m = s.data.rooms?.[requirementId];
      if (m?.role === 'provider') s.emit('room:presence', { requirementId, enterprisePresent });
    }
    return full;
  }

  const channelsOf = (requirementId: string, m: { role: string; orgId?: string }) =>
    m.role === 'enterprise'
      ? [roomChannels.all(requirementId), roomChannels.enterprise(requirementId)]
      : m.role === 'provider'
        ? [roomChannels.all(requirementId), roomChannels.provider(requirementId, m.orgId!)]
        : [roomChannels.all(requirementId), roomChannels.operators(requirementId)];

  socket.on('room:join', (raw, ack) =>
    handle(ack, async () => {
      const input = parseInput(JoinRoomInput, raw);
      const m = await rooms.member(actor(), input.requirementId);
      // Join first, then read: an event committed in between arrives twice and the client drops the
      // copy by its sequence number; joining after reading could lose it.
      await socket.join(channelsOf(m.r.id, m));
      socket.data.rooms = { ...socket.data.rooms, [m.r.id]: { role: m.role, orgId: m.orgId } };
      const snapshot = await rooms.snapshot(actor(), m.r.id);
      const missed = input.lastSeq > 0 ? await rooms.eventsSince(actor(), m.r.id, input.lastSeq) : [];
      const presence = await announcePresence(m.r.id);
      return { snapshot, missed, presence: m.role === 'provider' ? { requirementId: m.r.id, enterprisePresent: presence.enterprisePresent } : presence };
    }),
  );

  socket.on('room:leave', (raw, ack) =>
    handle(ack, async () => {
      const { requirementId } = parseInput(RoomRef, raw);
      const m = socket.data.rooms?.[requirementId];
      if (m) {
        for (const ch of channelsOf(requirementId, m)) await socket.leave(ch);
        const { [requirementId]: _, ...rest } = socket.data.rooms;
        socket.data.rooms = rest;
        await announcePresence(requirementId);
      }
      return null;
    }),
  );

  socket.on('room:sync', (raw, ack) =>
    handle(ack, async () => {
      const input = parseInput(JoinRoomInput, raw);
      return rooms.catchUp(actor(), input.requirementId, input.lastSeq);
    }),
  );

  socket.on('round:start', (raw, ack) =>
    handle(ack, async () => {
      const { requirementId } = parseInput(RoomRef, raw);
      return rooms.startRound(actor(), requirementId, raw);
    }),
  );

  socket.on('bid:submit', (raw, ack) =>
    handle(ack, async () => {
      const { requirementId } = parseInput(RoomRef, raw);
      const { priceFen, clientId } = (raw ?? {}) as { priceFen?: unknown; clientId?: unknown };
      // On the node that owns the room when there are several (bid-owners.ts).
      return (bidOwners.get(io) ?? rooms).submitOffer(actor(), requirementId, { priceFen, clientId });
    }),
  );

  socket.on('room:select', (raw, ack) =>
    handle(ack, async () => {
      const input = parseInput(RoomRef.extend({ providerId: z.uuid('请选择服务机构') }), raw);
      return requirements.select(actor(), input.requirementId, input.providerId);
    }),
  );

  socket.on('room:abandon', (raw, ack) =>
    handle(ack, async () => {
      const { requirementId } = parseInput(RoomRef, raw);
      return requirements.abandon(actor(), requirementId);
    }),
  );

  // Live chat (交谈): the same persisted thread as the negotiation messages.
  socket.on('chat:join', (raw, ack) =>
    handle(ack, async () => {
      const ref = parseInput(ThreadRef, raw);
      const thread = await invitations.listThread(actor(), ref.requirementId, ref.providerId, { pageSize: 50 });
      const ch = thread.side === 'enterprise' ? roomChannels.enterprise(ref.requirementId) : roomChannels.provider(ref.requirementId, ref.providerId);
      await socket.join(ch);
      return thread;
    }),
  );

  socket.on('chat:send', (raw, ack) =>
    handle(ack, async () => {
      const ref = parseInput(ThreadRef, raw);
      const { body, attachmentIds, clientId } = (raw ?? {}) as Record<string, unknown>;
      return invitations.postMessage(actor(), ref.requirementId, ref.providerId, { body, attachmentIds, clientId });
    }),
  );

  socket.on('chat:delivered', (raw, ack) => handle(ack, () => rooms.markChat(actor(), raw, 'delivered')));
  socket.on('chat:read', (raw, ack) => handle(ack, () => rooms.markChat(actor(), raw, 'read')));

  socket.on('chat:typing', (raw) =>
    handle(undefined, async () => {
      const ref = parseInput(ThreadRef, raw);
      const m = await rooms.member(actor(), ref.requirementId);
      if (m.role === 'operator' || (m.role === 'provider' && m.orgId !== ref.providerId)) return;
      const to = m.role === 'enterprise' ? roomChannels.provider(ref.requirementId, ref.providerId) : roomChannels.enterprise(ref.requirementId);
      socket.to(to).emit('chat:typing', { ...ref, side: m.role });
    }),
  );

  socket.on('disconnect', () => {
    for (const requirementId of Object.keys(socket.data.rooms ?? {})) void announcePresence(requirementId).catch(() => undefined);
  });
}
