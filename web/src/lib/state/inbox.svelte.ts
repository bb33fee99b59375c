import type { Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents, SiteMessagePayload } from '$realtime/events';

type Listener = (m: SiteMessagePayload) => void;

/**
 * The signed-in user's live inbox: the unread count pushed over socket.io and the messages that
 * arrived since the page loaded. Only ever connected in the browser (from the root layout).
 */
class Inbox {
  /** The live unread count, or null until the server has said something newer than the page data. */
  unread = $state<number | null>(null);
  /** Whether live updates are flowing (the socket is connected and in the user's room). */
  connected = $state(false);
  #socket: Socket<ServerToClientEvents, ClientToServerEvents> | null = null;
  #listeners = new Set<Listener>();
  #seen = new Set<string>();
  /** Moves on at every connect and disconnect, so a client library that loads late never connects a stale call. */
  #generation = 0;

  /**
   * Connects the page's socket. The socket.io client (about 75 KB) is loaded only here, for signed-in
   * people: visitors' pages never download it.
   */
  connect(url: string | null) {
    if (this.#socket) return;
    const generation = ++this.#generation;
    void import('socket.io-client').then(({ io }) => {
      if (generation !== this.#generation || this.#socket) return;
      this.#open(io, url);
    });
  }

  #open(io: typeof import('socket.io-client').io, url: string | null) {
    const opts = { withCredentials: true, transports: ['websocket', 'polling'] };
    const socket: Socket<ServerToClientEvents, ClientToServerEvents> = url ? io(url, opts) : io(opts);
    socket.on('message:new', ({ message, unreadCount }) => {
      this.unread = unreadCount;
      // Delivery is at least once (the server's outbox retries after a crash): show each message once.
      if (this.#seen.has(message.id)) return;
      this.#seen.add(message.id);
      if (this.#seen.size > 500) this.#seen.delete(this.#seen.values().next().value!);
      for (const l of this.#listeners) l(message);
    });
    socket.on('connect', () => (this.connected = true));
    socket.on('disconnect', () => (this.connected = false));
    socket.on('message:unread', ({ unreadCount }) => {
      this.unread = unreadCount;
    });
    this.#socket = socket;
  }

  disconnect() {
    this.#generation++;
    this.#socket?.disconnect();
    this.#socket = null;
    this.unread = null;
    this.connected = false;
  }

  /** The page's one socket (bidding rooms and live chat share it); null until the layout connected it. */
  get socket() {
    return this.#socket;
  }

  /** Calls `fn` for every message that arrives; returns the unsubscribe function. */
  onMessage(fn: Listener) {
    this.#listeners.add(fn);
    return () => void this.#listeners.delete(fn);
  }
}

export const inbox = new Inbox();
