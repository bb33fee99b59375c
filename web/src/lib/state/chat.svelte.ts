import type { Socket } from 'socket.io-client';
import type { AckError, AckResult, ChatReceiptPayload, ClientToServerEvents, RoomEventPayload, ServerToClientEvents } from '$realtime/events';

type ChatSocket = Socket<ServerToClientEvents, ClientToServerEvents>;
export type ChatSide = 'enterprise' | 'provider';

/** A message of the thread as the server describes it (the negotiation message view). */
export interface ChatMessageView {
  id: string;
  requirementId: string;
  providerId: string;
  senderOrgId: string;
  senderName: string;
  body: string;
  attachments: { id: string; filename: string; sizeBytes: number; url: string }[];
  deliveredAt: string | null;
  readAt: string | null;
  createdAt: string;
}

export type ChatStatus = 'sending' | 'failed' | 'sent' | 'delivered' | 'read';

/** A message on screen: a stored one, or one of ours still on its way (`pending`). */
export interface ChatMessage extends ChatMessageView {
  mine: boolean;
  pending?: boolean;
  failed?: boolean;
  clientId?: string;
}

export const CHAT_STATUS_LABELS: Record<ChatStatus, string> = {
  sending: '发送中',
  failed: '发送失败',
  sent: '已发送',
  delivered: '已送达',
  read: '已读',
};

export const statusOf = (m: ChatMessage): ChatStatus =>
  m.failed ? 'failed' : m.pending ? 'sending' : m.readAt ? 'read' : m.deliveredAt ? 'delivered' : 'sent';

const ACK_TIMEOUT_MS = 8000;
const TYPING_THROTTLE_MS = 2000;
const TYPING_SHOWN_MS = 3500;

const toTime = (d: string | Date) => new Date(d).getTime();
const asString = (d: string | Date | null | undefined) => (d ? new Date(d).toISOString() : null);

/** Tells the server that messages reached this device (for a thread whose panel is closed). */
export function markDelivered(socket: ChatSocket | null, ref: { requirementId: string; providerId: string }, messageIds: string[]) {
  if (!socket?.connected || !messageIds.length) return;
  socket.emit('chat:delivered', { ...ref, messageIds });
}

/**
 * One live chat thread (交谈) between the enterprise and one provider of a bidding room, over the
 * page's socket. History comes from 'chat:join' (run again on every reconnect and merged by id), live
 * messages from the room's 'chat:message' events, receipts from 'chat:receipt'. A message we send
 * shows at once as 发送中 with a client id made once; a lost answer is resent with the same id and the
 * server stores it once. Messages from the other side are confirmed delivered on arrival and read
 * while the panel is visible.
 */
export class LiveChat {
  messages = $state<ChatMessage[]>([]);
  loading = $state(false);
  connected = $state(false);
  error = $state<AckError | null>(null);
  /** Until when (local ms) the other side is shown typing. */
  peerTypingUntil = $state(0);
  /** Whether the thread is on screen (panel open and the tab visible): incoming messages are read. */
  visible = $state(false);

  #socket: ChatSocket | null = null;
  #off: (() => void)[] = [];
  #lastTyping = 0;
  #typingTimer: ReturnType<typeof setTimeout> | undefined;
  /** Receipts for messages not on screen yet (a receipt can overtake the send's answer). */
  #early = new Map<string, { deliveredAt?: string; readAt?: string }>();
  #joined = false;

  constructor(
    readonly requirementId: string,
    readonly providerId: string,
    readonly side: ChatSide,
  ) {}

  get ref() {
    return { requirementId: this.requirementId, providerId: this.providerId };
  }

  get peerTyping() {
    return this.peerTypingUntil > 0;
  }

  /** A message was written by our side when its sender is (or is not) the thread's provider. */
  #isMine(m: Pick<ChatMessageView, 'senderOrgId'>) {
    return (m.senderOrgId === this.providerId) === (this.side === 'provider');
  }

  attach(socket: ChatSocket) {
    if (this.#socket) return;
    this.#socket = socket;
    const onConnect = () => {
      this.connected = true;
      void this.join();
    };
    const onDisconnect = () => (this.connected = false);
    const onEvent = (e: RoomEventPayload) => {
      if (e.type !== 'chat:message' || e.requirementId !== this.requirementId) return;
      const m = e.payload as ChatMessageView;
      if (m?.providerId !== this.providerId) return;
      this.#receive(m);
    };
    const onReceipt = (r: ChatReceiptPayload) => {
      if (r.requirementId !== this.requirementId || r.providerId !== this.providerId) return;
      this.#applyReceipt(r);
    };
    const onTyping = (p: { requirementId: string; providerId: string; side: ChatSide }) => {
      if (p.requirementId !== this.requirementId || p.providerId !== this.providerId || p.side === this.side) return;
      this.peerTypingUntil = Date.now() + TYPING_SHOWN_MS;
      clearTimeout(this.#typingTimer);
      this.#typingTimer = setTimeout(() => (this.peerTypingUntil = 0), TYPING_SHOWN_MS);
    };
    socket.on('connect', onConnect);
    socket.on('disconnect', onDisconnect);
    socket.on('room:event', onEvent);
    socket.on('chat:receipt', onReceipt);
    socket.on('chat:typing', onTyping);
    this.#off = [
      () => socket.off('connect', onConnect),
      () => socket.off('disconnect', onDisconnect),
      () => socket.off('room:event', onEvent),
      () => socket.off('chat:receipt', onReceipt),
      () => socket.off('chat:typing', onTyping),
    ];
    if (socket.connected) onConnect();
  }

  detach() {
    for (const off of this.#off) off();
    this.#off = [];
    clearTimeout(this.#typingTimer);
    this.#socket = null;
    this.connected = false;
  }

  /** Loads the newest history (and on a reconnect, whatever arrived meanwhile), merged by id. */
  async join() {
    if (!this.#socket) return;
    this.loading = !this.#joined;
    try {
      const r = await this.#call<{ items: ChatMessageView[] }>('chat:join', this.ref);
      if (!r.ok) {
        this.error = r.error;
        return;
      }
      this.error = null;
      this.#joined = true;
      this.#merge(r.data.items);
      // Opening the thread marked the other side's messages read on the server; confirm the rest.
      this.#confirm();
    } finally {
      this.loading = false;
    }
  }

  /** Sends a message: shown at once as 发送中, then replaced by the stored message. */
  async send(body: string) {
    const text = body.trim();
    if (!text) return;
    const clientId = crypto.randomUUID();
    const now = new Date().toISOString();
    const pending: ChatMessage = {
      id: `pending:${clientId}`,
      requirementId: this.requirementId,
      providerId: this.providerId,
      senderOrgId: '',
      senderName: '',
      body: text,
      attachments: [],
      deliveredAt: null,
      readAt: null,
      createdAt: now,
      mine: true,
      pending: true,
      clientId,
    };
    this.messages = [...this.messages, pending];
    await this.#deliver(pending);
  }

  /** Tries a failed message again (same client id: the server keeps it once). */
  async retry(id: string) {
    const m = this.messages.find((x) => x.id === id);
    if (!m?.clientId || !m.failed) return;
    m.failed = false;
    await this.#deliver(m);
  }

  /** Tells the other side we are typing, at most once every 2 s. */
  typing() {
    const now = Date.now();
    if (!this.#socket?.connected || now - this.#lastTyping < TYPING_THROTTLE_MS) return;
    this.#lastTyping = now;
    this.#socket.emit('chat:typing', this.ref);
  }

  setVisible(v: boolean) {
    this.visible = v;
    if (v) this.#confirm();
  }

  async #deliver(m: ChatMessage) {
    const payload = { ...this.ref, body: m.body, clientId: m.clientId! };
    let r = await this.#call<ChatMessageView>('chat:send', payload);
    if (!r.ok && (r.error.code === 'TIMEOUT' || r.error.code === 'OFFLINE')) {
      // Not answered: wait for the connection and send the same message once more.
      await this.#waitConnected(10_000);
      r = await this.#call<ChatMessageView>('chat:send', payload);
    }
    const i = this.messages.findIndex((x) => x.clientId === m.clientId && x.pending);
    if (!r.ok) {
      if (i >= 0) this.messages[i] = { ...this.messages[i]!, failed: true };
      this.error = r.error.code === 'TIMEOUT' || r.error.code === 'OFFLINE' ? null : r.error;
      return;
    }
    if (i >= 0) this.messages.splice(i, 1);
    this.#merge([r.data]);
  }

  #receive(m: ChatMessageView) {
    if (this.#isMine(m) && !this.messages.some((x) => x.id === m.id)) {
      // Our own message can come back live before the send is answered: it takes the pending one's place.
      const i = this.messages.findIndex((x) => x.pending && !x.failed && x.body === m.body);
      if (i >= 0) this.messages.splice(i, 1);
    }
    this.#merge([m]);
    if (!this.#isMine(m)) {
      // The message the other side was typing has arrived: it is no longer typing.
      clearTimeout(this.#typingTimer);
      this.peerTypingUntil = 0;
      this.#confirm();
    }
  }

  #merge(list: ChatMessageView[]) {
    const next = [...this.messages];
    for (const raw of list) {
      const early = this.#early.get(raw.id);
      this.#early.delete(raw.id);
      const m: ChatMessage = {
        ...raw,
        createdAt: asString(raw.createdAt)!,
        deliveredAt: asString(raw.deliveredAt) ?? early?.deliveredAt ?? null,
        readAt: asString(raw.readAt) ?? early?.readAt ?? null,
        mine: this.#isMine(raw),
      };
      const i = next.findIndex((x) => x.id === m.id);
      if (i >= 0) {
        const old = next[i]!;
        next[i] = { ...old, ...m, deliveredAt: m.deliveredAt ?? old.deliveredAt, readAt: m.readAt ?? old.readAt };
      } else next.push(m);
    }
    // Stored messages by time; ours still on the way stay last in the order they were written.
    const stored = next.filter((x) => !x.pending).sort((a, b) => toTime(a.createdAt) - toTime(b.createdAt) || a.id.localeCompare(b.id));
    this.messages = [...stored, ...next.filter((x) => x.pending)];
  }

  #applyReceipt(r: ChatReceiptPayload) {
    const ids = new Set(r.messageIds);
    let seen = 0;
    this.messages = this.messages.map((m) => {
      if (!ids.has(m.id)) return m;
      seen++;
      return r.kind === 'read' ? { ...m, readAt: m.readAt ?? r.at, deliveredAt: m.deliveredAt ?? r.at } : { ...m, deliveredAt: m.deliveredAt ?? r.at };
    });
    if (seen < ids.size) {
      for (const id of ids) {
        if (this.messages.some((m) => m.id === id)) continue;
        const e = this.#early.get(id) ?? {};
        this.#early.set(id, r.kind === 'read' ? { ...e, readAt: r.at, deliveredAt: e.deliveredAt ?? r.at } : { ...e, deliveredAt: r.at });
      }
    }
  }

  /** Confirms the other side's messages: delivered always, read while visible. */
  #confirm() {
    const s = this.#socket;
    if (!s?.connected) return;
    const theirs = this.messages.filter((m) => !m.mine && !m.pending);
    const undelivered = theirs.filter((m) => !m.deliveredAt && !m.readAt).map((m) => m.id);
    const unread = this.visible ? theirs.filter((m) => !m.readAt).map((m) => m.id) : [];
    const now = new Date().toISOString();
    if (unread.length) {
      s.emit('chat:read', { ...this.ref, messageIds: unread.slice(-200) });
      const set = new Set(unread);
      this.messages = this.messages.map((m) => (set.has(m.id) ? { ...m, readAt: now, deliveredAt: m.deliveredAt ?? now } : m));
    }
    const stillUndelivered = undelivered.filter((id) => !unread.includes(id));
    if (stillUndelivered.length) {
      s.emit('chat:delivered', { ...this.ref, messageIds: stillUndelivered.slice(-200) });
      const set = new Set(stillUndelivered);
      this.messages = this.messages.map((m) => (set.has(m.id) ? { ...m, deliveredAt: now } : m));
    }
  }

  async #call<T>(event: 'chat:join' | 'chat:send', payload: unknown): Promise<AckResult<T>> {
    const s = this.#socket;
    if (!s?.connected) return { ok: false, error: { code: 'OFFLINE', message: '网络连接已断开，正在重连…' }, serverTime: new Date().toISOString() };
    try {
      return (await (s.timeout(ACK_TIMEOUT_MS) as unknown as { emitWithAck(e: string, p: unknown): Promise<AckResult<T>> }).emitWithAck(
        event,
        payload,
      )) as AckResult<T>;
    } catch {
      return { ok: false, error: { code: 'TIMEOUT', message: '服务器没有及时响应，请重试' }, serverTime: new Date().toISOString() };
    }
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
