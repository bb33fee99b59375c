import type { Server as HttpServer } from 'node:http';
import { Server } from 'socket.io';
import { createAdapter } from '@socket.io/redis-adapter';
import type { Platform } from '../../core/platform/platform';
import type { ClientToServerEvents, InterServerEvents, ServerToClientEvents, SocketData } from '../events';
import { SESSION_COOKIE } from '../api/context';
import { FOREIGN_ORIGIN_MESSAGE, isAllowedSocketOrigin } from './origin';
import { logger } from '../../core/shared/logger';
import { failSoftly, publishSafely, watchRedis } from '../../core/shared/redis';
import { localPresence, refreshPresence, rememberPresence, socketsIn } from './rooms.handlers';
import { EDGE_LIST } from '../contexts';
import { bidOwners, roomBidOwners } from './bid-owners';
import type { Publication } from '../../core/shared/publisher';

export type BangfuIo = Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;

function readCookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return decodeURIComponent(v.join('='));
  }
  return undefined;
}

/**
 * Attaches socket.io to the HTTP server. Sockets authenticate with the session cookie or
 * `auth.token`, join `user:<id>`, and receive what services publish. With Redis configured, the
 * adapter joins every realtime node so a publish on one reaches sockets on all.
 */
export function attachSocketIo(httpServer: HttpServer, platform: Platform, opts: { corsOrigin?: string; presenceRefreshMs?: number } = {}) {
  const io: BangfuIo = new Server(httpServer, {
    path: '/socket.io',
    serveClient: false,
    cors: opts.corsOrigin ? { origin: opts.corsOrigin, credentials: true } : undefined,
    connectionStateRecovery: { maxDisconnectionDuration: 2 * 60_000 },
  });
  const redisClients: NonNullable<Platform['redis']>[] = [];
  if (platform.redis) {
    // Publishing during a Redis outage is logged, never thrown: the database is the truth and clients
    // catch up by sequence number when the subscriber is back (the 'room:resync' hint below).
    const pub = publishSafely(watchRedis(platform.redis.duplicate(), 'redis:adapter-pub'), 'redis:adapter-pub');
    const sub = watchRedis(failSoftly(platform.redis.duplicate(), 'redis:adapter-sub', ['unsubscribe', 'punsubscribe']), 'redis:adapter-sub', undefined, () => {
      // Give the re-subscription a moment, so whatever the clients fetch next is followed by live events.
      setTimeout(() => {
        io.local.emit('room:resync', {});
        void resyncUnread().catch((e) => logger.warn({ err: e, component: 'resync' }, 'resending unread counts failed'));
      }, 250).unref?.();
    });
    redisClients.push(pub, sub);
    io.adapter(createAdapter(pub, sub, { key: `${platform.redisPrefix}io`, requestsTimeout: 3000 }));
  }

  /** After an outage: each signed-in user on this node gets the unread count it may have missed. */
  async function resyncUnread() {
    const users = new Set((await io.local.fetchSockets()).map((s) => s.data.userId).filter((u): u is string => Boolean(u)));
    for (const userId of users) {
      io.local.to(`user:${userId}`).emit('message:unread', { unreadCount: await platform.services.messages.unreadCount(userId) });
    }
  }

  io.use(async (socket, next) => {
    if (!isAllowedSocketOrigin(socket.handshake.headers.origin, socket.handshake.headers.host, platform.config.ORIGIN)) {
      return next(new Error(FOREIGN_ORIGIN_MESSAGE));
    }
    const token = (socket.handshake.auth as { token?: string })?.token ?? readCookie(socket.handshake.headers.cookie, SESSION_COOKIE);
    const resolved = token ? await platform.services.accounts.validateSessionToken(token).catch(() => null) : null;
    socket.data.userId = resolved?.actor.userId ?? null;
    socket.data.username = resolved?.actor.username ?? null;
    socket.data.actor = resolved?.actor ?? null;
    socket.data.rooms = {};
    next();
  });

  io.on('connection', (socket) => {
    if (socket.data.userId) void socket.join(`user:${socket.data.userId}`);
    socket.on('session:whoami', (ack) => {
      if (typeof ack !== 'function') return;
      ack({
        ok: true,
        data: socket.data.userId ? { userId: socket.data.userId, username: socket.data.username! } : null,
        serverTime: platform.clock.now().toISOString(),
      });
    });
    // Each context's socket events (realtime/contexts.ts).
    for (const [, edge] of EDGE_LIST) for (const handle of edge.sockets ?? []) handle(io, socket, platform);
  });

  // Services ask whether someone watches a room (an offline chat recipient gets a site message).
  platform.presence.current = { isWatched: async (room) => (await socketsIn(io, room)).length > 0 };
  const stopPresence = refreshPresence(io, opts.presenceRefreshMs, Boolean(platform.redis));
  const owners = roomBidOwners(io, platform);
  bidOwners.set(io, owners);

  // Services publish in-process; this node forwards to the room (the adapter reaches other nodes).
  // A batch (a bid's room events) is delivered to this node's sockets and sent to the other nodes as one
  // message, which each delivers to its own: one Redis message instead of one per event.
  const deliverLocally = (items: Publication[]) => {
    for (const i of items) io.local.to(i.room).emit(i.event as keyof ServerToClientEvents, i.payload as never);
  };
  if (platform.redis) {
    io.on('publish:batch', deliverLocally);
    io.on('presence:seen', (full) => rememberPresence(io, full));
    io.on('presence:query', (requirementIds, answer) => void localPresence(io, requirementIds).then(answer, () => answer({})));
  }
  const unsubscribe = platform.publisher.subscribe(
    (room, event, payload) => {
      io.to(room).emit(event as keyof ServerToClientEvents, payload as never);
    },
    (items) => {
      deliverLocally(items);
      if (platform.redis) io.serverSideEmit('publish:batch', items);
    },
  );

  return {
    io,
    async close() {
      unsubscribe();
      stopPresence();
      owners.stop();
      await new Promise<void>((r) => io.close(() => r()));
      for (const c of redisClients) c.disconnect();
    },
  };
}
