import type { Socket } from 'socket.io-client';
import type { AckResult, ClientToServerEvents, RoomEventPayload, RoomPresencePayload, ServerToClientEvents } from '$realtime/events';
import type { RoomSnapshot } from '$core/rooms/rooms.service';
import { RoomSequencer } from '$core/rooms/room-sequencer';
import { clockOffset, isStale, sleptBetween, TICK_MS } from '$core/rooms/room-clock';

type RoomSocket = Socket<ServerToClientEvents, ClientToServerEvents>;
export type { RoomSnapshot };
export type ProviderSnapshot = Extract<RoomSnapshot, { role: 'provider' }>;
export type EnterpriseSnapshot = Exclude<RoomSnapshot, { role: 'provider' }>;

/** What a failed room action says, for the page to show next to the control. */
export interface RoomActionError {
  code: string;
  message: string;
  fields?: Record<string, string>;
}

const ACK_TIMEOUT_MS = 8000;
/** How long a hole in the sequence may stay open before the page asks the server for what it missed. */
const GAP_WAIT_MS = 300;
/** Events after which the page refreshes its snapshot (the structure of the room changed). */
const STRUCTURAL = new Set([
  'round:started',
  'round:closed',
  'room:selected',
  'room:result',
  'room:abandoned',
  'room:withdrawn',
  'room:retendered',
  'bidders:changed',
]);

/**
 * One live bidding room in the browser. Joins over the page's socket, keeps the server's snapshot,
 * applies room events strictly in sequence order (`RoomSequencer`: an early event waits for the ones
 * before it, a hole that stays open is filled from the server, copies are ignored), catches up when
 * the server says Redis was away (`room:resync`), and on every reconnect joins again with the last
 * sequence it saw, so nothing is lost and nothing counts twice.
 * Countdowns use the server's clock: `now()` is the local time corrected by the offset measured on
 * every acknowledgement. Back from standby (the page becomes visible again, or its tick comes seconds
 * late) the room reads the server's clock again and catches up before it shows a time (`clockSynced`),
 * and a connection that has heard nothing for longer than the server's pings allow reads as stale
 * (core/rooms/room-clock.ts).
 */
export class LiveRoom {
  snapshot = $state<RoomSnapshot | null>(null);
  presence = $state<RoomPresencePayload | null>(null);
  /** The newest events first (for an activity list). */
  feed = $state<RoomEventPayload[]>([]);
  connected = $state(false);
  joining = $state(false);
  error = $state<RoomActionError | null>(null);
  /** Ticks every second so countdowns re-render. */
  tick = $state(Date.now());
  /** False from a return from standby until the server's clock has been read again: countdowns wait. */
  clockSynced = $state(true);
  /** Connected, but nothing heard from the server for longer than its pings allow. */
  stale = $state(false);

  #seq = new RoomSequencer<RoomEventPayload>();
  #gap: ReturnType<typeof setTimeout> | undefined;
  #syncing = false;
  #syncAgain = false;
  #offsetMs = 0;
  #lastHeard = Date.now();
  #recalibrating: ReturnType<typeof setTimeout> | undefined;
  #socket: RoomSocket | null = null;
  #buffer: RoomEventPayload[] | null = null;
  #off: (() => void)[] = [];
  #refresh: ReturnType<typeof setTimeout> | undefined;
  #timer: ReturnType<typeof setInterval> | undefined;
  #listeners = new Set<(e: RoomEventPayload) => void>();

  constructor(readonly requirementId: string) {}

  /** Server time now (milliseconds since the epoch). */
  now() {
    return this.tick + this.#offsetMs;
  }

  /** Milliseconds until `at` by the server's clock (never negative). */
  msUntil(at: string | Date | null | undefined) {
    return at ? Math.max(0, new Date(at).getTime() - this.now()) : 0;
  }

  attach(socket: RoomSocket) {
    if (this.#socket) return;
    this.#socket = socket;
    const onConnect = () => {
      this.connected = true;
      void this.join();
    };
    const onDisconnect = () => (this.connected = false);
    const onPing = () => this.#heard();
    const onVisibility = () => {
      if (document.visibilityState === 'visible') this.#recalibrate();
    };
    const onEvent = (e: RoomEventPayload) => {
      if (e.requirementId !== this.requirementId) return;
      this.#heard();
      if (this.#buffer) this.#buffer.push(e);
      else this.#receive(e);
    };
    const onResync = () => void this.sync();
    const onPresence = (p: RoomPresencePayload) => {
      if (p.requirementId === this.requirementId) this.presence = p;
    };
    socket.on('connect', onConnect);
    socket.on('disconnect', onDisconnect);
    socket.on('room:event', onEvent);
    socket.on('room:presence', onPresence);
    socket.on('room:resync', onResync);
    socket.io.on('ping', onPing);
    document.addEventListener('visibilitychange', onVisibility);
    this.#off = [
      () => socket.io.off('ping', onPing),
      () => document.removeEventListener('visibilitychange', onVisibility),
      () => socket.off('connect', onConnect),
      () => socket.off('disconnect', onDisconnect),
      () => socket.off('room:event', onEvent),
      () => socket.off('room:presence', onPresence),
      () => socket.off('room:resync', onResync),
    ];
    this.#timer = setInterval(() => {
      const now = Date.now();
      if (sleptBetween(this.tick, now)) this.#recalibrate();
      this.tick = now;
      this.stale = isStale(this.connected, this.#lastHeard, now);
    }, TICK_MS);
    if (socket.connected) onConnect();
  }

  /** 暂时离开: stop the live feed; the room itself goes on without us. */
  async detach() {
    clearInterval(this.#timer);
    clearTimeout(this.#recalibrating);
    clearTimeout(this.#refresh);
    clearTimeout(this.#gap);
    for (const off of this.#off) off();
    this.#off = [];
    const s = this.#socket;
    this.#socket = null;
    if (s?.connected)
      await s
        .timeout(2000)
        .emitWithAck('room:leave', { requirementId: this.requirementId })
        .catch(() => undefined);
  }

  /** Calls `fn` for each new event (after it is applied); returns the unsubscribe function. */
  onEvent(fn: (e: RoomEventPayload) => void) {
    this.#listeners.add(fn);
    return () => void this.#listeners.delete(fn);
  }

  /** (Re)joins: a fresh snapshot plus what was missed since the last sequence seen. */
  async join() {
    const s = this.#socket;
    if (!s) return;
    this.joining = true;
    this.#buffer ??= [];
    try {
      const r = await this.#call<{ snapshot: RoomSnapshot; missed: RoomEventPayload[]; presence: RoomPresencePayload }>('room:join', {
        requirementId: this.requirementId,
        lastSeq: this.#seq.lastSeq,
      });
      if (!r.ok) {
        this.error = r.error;
        return;
      }
      this.snapshot = r.data.snapshot;
      this.presence = r.data.presence;
      // The snapshot is complete up to its sequence number; the missed events are complete past it.
      for (const e of this.#seq.fill(r.data.missed, r.data.snapshot.seq)) this.#apply(e, false);
      this.error = null;
    } finally {
      const pending = this.#buffer ?? [];
      this.#buffer = null;
      for (const e of pending) this.#receive(e);
      this.joining = false;
    }
  }

  /**
   * Catches up without a fresh snapshot: the events after the last one applied, and the number up to
   * which the server says we now have everything (closing holes left by other audiences' events).
   */
  async sync() {
    if (!this.#socket || this.#buffer) return;
    if (this.#syncing) {
      this.#syncAgain = true; // a hint that came during a catch-up may cover events it did not see
      return;
    }
    this.#syncing = true;
    clearTimeout(this.#gap);
    this.#gap = undefined;
    try {
      const r = await this.#call<{ events: RoomEventPayload[]; through: number }>('room:sync', {
        requirementId: this.requirementId,
        lastSeq: this.#seq.lastSeq,
      });
      if (r.ok) for (const e of this.#seq.fill(r.data.events, r.data.through)) this.#apply(e);
    } finally {
      this.#syncing = false;
      if (this.#syncAgain) {
        this.#syncAgain = false;
        void this.sync();
      } else this.#watchGap();
    }
  }

  #receive(e: RoomEventPayload) {
    for (const ready of this.#seq.push(e)) this.#apply(ready);
    this.#watchGap();
  }

  /** A hole that is still open after a moment is filled from the server (never skipped). */
  #watchGap() {
    if (!this.#seq.waiting) {
      clearTimeout(this.#gap);
      this.#gap = undefined;
      return;
    }
    this.#gap ??= setTimeout(() => {
      this.#gap = undefined;
      if (this.#seq.waiting) void this.sync();
    }, GAP_WAIT_MS);
  }

  #apply(e: RoomEventPayload, refresh = true) {
    this.feed = [e, ...this.feed].slice(0, 50);
    this.#patch(e);
    for (const l of this.#listeners) l(e);
    if (refresh && STRUCTURAL.has(e.type)) {
      clearTimeout(this.#refresh);
      this.#refresh = setTimeout(() => void this.join(), 150);
    }
  }

  /** Small events update the snapshot in place; structural ones trigger a fresh snapshot. */
  #patch(e: RoomEventPayload) {
    const snap = this.snapshot;
    if (!snap?.currentRound) return;
    // Events of another (older) round do not touch the current one.
    if ('roundId' in e.payload && e.payload.roundId !== snap.currentRound.id) return;
    if (e.type === 'round:extended') {
      snap.currentRound.closesAt = e.payload.closesAt;
      snap.currentRound.extensions = e.payload.extensions;
    } else if (snap.role === 'provider' && (e.type === 'round:rank' || e.type === 'offer:accepted')) {
      snap.currentRound.myRank = e.payload.rank ?? null;
      if (e.type === 'offer:accepted' && snap.mine) {
        snap.mine.currentPriceFen = e.payload.priceFen;
        snap.mine.offers = [...snap.mine.offers, { roundNumber: snap.currentRound.number, priceFen: e.payload.priceFen, at: e.payload.at }];
        snap.currentRound.maxPriceFen = e.payload.maxPriceFen;
      }
    } else if (snap.role !== 'provider' && e.type === 'offer:received') {
      const { providerId, offerCount, at } = e.payload;
      const part = snap.currentRound.participants.find((x) => x.providerId === providerId);
      if (part) Object.assign(part, { offerCount, lastOfferAt: at });
    }
  }

  async #call<T>(event: keyof ClientToServerEvents, payload: unknown): Promise<AckResult<T>> {
    const s = this.#socket;
    if (!s?.connected) return { ok: false, error: { code: 'OFFLINE', message: '网络连接已断开，正在重连…' }, serverTime: new Date().toISOString() };
    const sent = Date.now();
    try {
      const r = (await (s.timeout(ACK_TIMEOUT_MS) as unknown as { emitWithAck(e: string, p: unknown): Promise<AckResult<T>> }).emitWithAck(
        event,
        payload,
      )) as AckResult<T>;
      const received = Date.now();
      // An answer that took seconds (sent before a standby, say) tells little about the server's clock.
      const offset = clockOffset(sent, received, new Date(r.serverTime).getTime());
      if (offset !== null) {
        this.#offsetMs = offset;
        this.clockSynced = true;
      }
      this.tick = received;
      this.#heard();
      return r;
    } catch {
      return { ok: false, error: { code: 'TIMEOUT', message: '服务器没有及时响应，请重试' }, serverTime: new Date().toISOString() };
    }
  }

  /**
   * A revised price. The client id is made once per bid: if the answer is lost (timeout, reconnect)
   * the same bid is sent again and the server counts it once.
   */
  async bid(priceFen: number) {
    const clientId = crypto.randomUUID();
    let r = await this.#call<{ rank: number; seq: number }>('bid:submit', { requirementId: this.requirementId, priceFen, clientId });
    if (!r.ok && (r.error.code === 'TIMEOUT' || r.error.code === 'OFFLINE')) {
      await this.#waitConnected(10_000);
      r = await this.#call('bid:submit', { requirementId: this.requirementId, priceFen, clientId });
    }
    return r;
  }

  startRound(providerIds: string[], durationMinutes: number) {
    return this.#call<{ id: string }>('round:start', { requirementId: this.requirementId, providerIds, durationMinutes });
  }

  select(providerId: string) {
    return this.#call<unknown>('room:select', { requirementId: this.requirementId, providerId });
  }

  abandon() {
    return this.#call<unknown>('room:abandon', { requirementId: this.requirementId });
  }

  #heard() {
    this.#lastHeard = Date.now();
    this.stale = false;
  }

  /**
   * Back from standby: hold the countdowns until the server's clock is read again, and catch up on what was
   * missed meanwhile (a reconnect's join does both by itself). Tried again each second until a quick answer
   * has set the clock.
   */
  #recalibrate() {
    this.clockSynced = false;
    clearTimeout(this.#recalibrating);
    const attempt = async () => {
      if (this.clockSynced || !this.#socket) return;
      if (this.#socket.connected) await this.sync();
      if (!this.clockSynced) this.#recalibrating = setTimeout(() => void attempt(), TICK_MS);
    };
    void attempt();
  }

  #waitConnected(ms: number) {
    return new Promise<void>((resolve) => {
      const s = this.#socket;
      if (!s || s.connected) return resolve();
      const t = setTimeout(resolve, ms);
      s.once('connect', () => {
        clearTimeout(t);
        resolve();
      });
    });
  }
}
