import { io as connect, type Socket } from 'socket.io-client';

/**
 * Real socket.io clients for realtime tests: connect over WebSocket with a bearer token or a
 * cookie, record everything received, wait for one event. `closeAll()` in afterAll.
 */
export function socketClients() {
  const sockets: Socket[] = [];

  function client(base: string, opts: { token?: string; cookie?: string } = {}) {
    const s = connect(base, {
      transports: ['websocket'],
      auth: opts.token ? { token: opts.token } : {},
      extraHeaders: opts.cookie ? { cookie: opts.cookie } : undefined,
      reconnection: false,
      forceNew: true,
    });
    sockets.push(s);
    return new Promise<Socket>((resolve, reject) => {
      s.once('connect', () => resolve(s));
      s.once('connect_error', reject);
    });
  }

  return {
    client,
    closeAll: () => sockets.splice(0).forEach((s) => s.close()),
  };
}

export type Received = { event: string; payload: any }[];

/** Everything a socket receives, so a test can assert what did NOT arrive. */
export function record(s: Socket): Received {
  const got: Received = [];
  s.onAny((event, payload) => got.push({ event, payload }));
  return got;
}

/** Resolves with the first `event` whose payload matches `match`. */
export function next(s: Socket, event: string, match: (p: any) => boolean = () => true, timeoutMs = 5000): Promise<any> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => {
      s.off(event, on);
      reject(new Error(`no ${event} within ${timeoutMs} ms`));
    }, timeoutMs);
    const on = (p: any) => {
      if (!match(p)) return;
      clearTimeout(t);
      s.off(event, on);
      resolve(p);
    };
    s.on(event, on);
  });
}

/** The next room event of a type. */
export const nextRoomEvent = (s: Socket, type: string, timeoutMs?: number) => next(s, 'room:event', (e) => e.type === type, timeoutMs);

export const settle = (ms = 300) => new Promise((r) => setTimeout(r, ms));
