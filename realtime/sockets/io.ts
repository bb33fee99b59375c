import type { Server as HttpServer } from 'node:http';
import { Server } from 'socket.io';
import { createAdapter } from '@socket.io/redis-adapter';
import type { Platform } from '../../core/platform/platform';
import type { ClientToServerEvents, InterServerEvents, ServerToClientEvents, SocketData } from '../events';
import { SESSION_COOKIE } from '../api/context';
import { registerRoomHandlers } from './rooms.handlers';

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
export function attachSocketIo(httpServer: HttpServer, platform: Platform, opts: { corsOrigin?: string } = {}) {
  const io: BangfuIo = new Server(httpServer, {
    path: '/socket.io',
    serveClient: false,
    cors: opts.corsOrigin ? { origin: opts.corsOrigin, credentials: true } : undefined,
    connectionStateRecovery: { maxDisconnectionDuration: 2 * 60_000 },
  });
  let subClient: Platform['redis'];
  if (platform.redis) {
    const pub = platform.redis.duplicate();
    subClient = platform.redis.duplicate();
    io.adapter(createAdapter(pub, subClient, { key: 'bangfu' }));
  }

  io.use(async (socket, next) => {
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
    registerRoomHandlers(io, socket, platform);
  });

  // Services ask whether someone watches a room (an offline chat recipient gets a site message).
  platform.presence.current = { isWatched: async (room) => (await io.in(room).fetchSockets()).length > 0 };

  // Services publish in-process; this node forwards to the room (the adapter reaches other nodes).
  const unsubscribe = platform.publisher.subscribe((room, event, payload) => {
    io.to(room).emit(event as keyof ServerToClientEvents, payload as never);
  });

  return {
    io,
    async close() {
      unsubscribe();
      await new Promise<void>((r) => io.close(() => r()));
      subClient?.disconnect();
    },
  };
}
