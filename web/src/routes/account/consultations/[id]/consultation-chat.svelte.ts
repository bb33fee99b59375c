import type { Socket } from 'socket.io-client';
import type { AckError, AckResult, ClientToServerEvents, ConsultationMessageView, ConsultationReceiptView, ServerToClientEvents } from '$realtime/events';

/** A message as the server loads it (Dates) or the socket delivers it (ISO strings). */
type Incoming = Omit<ConsultationMessageView, 'createdAt' | 'deliveredAt' | 'readAt'> & {
  createdAt: string | Date;
  deliveredAt: string | Date | null;
  readAt: string | Date | null;
};

type ChatSocket = Socket<ServerToClientEvents, ClientToServerEvents>;
type Side = 'enterprise' | 'provider';

/** A message on screen: a stored one, or one of ours still on its way (`pending`). */
export interface ConsultationMessage extends ConsultationMessageView {
  mine: boolean;
  pending?: boolean;
  failed?: boolean;
  clientId?: string;
}

const ACK_TIMEOUT_MS = 8000;
const TYPING_THROTTLE_MS = 2000;
const TYPING_SHOWN_MS = 3500;
const iso = (d: string | Date | null | undefined) => (d ? new Date(d).toISOString() : null);

/**
 * One consultation live, over the page's socket — the negotiation chat's behaviour (state/chat.svelte.ts)
 * for a consultation: history from 'consultation:join' (again on every reconnect, merged by id), live
 * messages from 'consultation:message', receipts from 'consultation:receipt'. Our message shows at once
 * as 发送中 with a client id made once (a resend is stored once); the other side's messages are
 * confirmed delivered on arrival and read while the page is visible.
 */
export class ConsultationChat {
  messages = $state<ConsultationMessage[]>([]);
  connected = $state(false);
  error = $state<AckError | null>(null);
  peerTyping = $state(false);
  visible = $state(true);

  #socket: ChatSocket | null = null;
  #off: (() => void)[] = [];
  #lastTyping = 0;
  #typingTimer: ReturnType<typeof setTimeout> | undefined;
  #early = new Map<string, { deliveredAt?: string; readAt?: string }>();

  constructor(
    readonly consultationId: string,
    readonly myOrgId: string,
    readonly side: Side,
    initial: Incoming[],
  ) {
    this.#merge(initial);
  }

  attach(socket: ChatSocket) {
    if (this.#socket) return;
    this.#socket = socket;
    const onConnect = () => {
      this.connected = true;
      void this.join();
    };
    const onDisconnect = () => (this.connected = false);
    const onMessage = (m: ConsultationMessageView) => {
      if (m.consultationId !== this.consultationId) return;
      if (m.senderOrgId === this.myOrgId && !this.messages.some((x) => x.id === m.id)) {
        // Our own message can come back live before the send is answered: it takes the pending one's place.
        const i = this.messages.findIndex((x) => x.pending && !x.failed && x.body === m.body);
        if (i >= 0) this.messages.splice(i, 1);
      }
      this.#merge([m]);
      if (m.senderOrgId !== this.myOrgId) {
        clearTimeout(this.#typingTimer);
        this.peerTyping = false;
        this.#confirm();
      }
    };
    const onReceipt = (r: ConsultationReceiptView) => {
      if (r.consultationId === this.consultationId) this.#applyReceipt(r);
    };
    const onTyping = (p: { consultationId: string; side: Side }) => {
      if (p.consultationId !== this.consultationId || p.side === this.side) return;
      this.peerTyping = true;
      clearTimeout(this.#typingTimer);
      this.#typingTimer = setTimeout(() => (this.peerTyping = false), TYPING_SHOWN_MS);
    };
    socket.on('connect', onConnect);
    socket.on('disconnect', onDisconnect);
    socket.on('consultation:message', onMessage);
    socket.on('consultation:receipt', onReceipt);
    socket.on('consultation:typing', onTyping);
    this.#off = [
      () => socket.off('connect', onConnect),
      () => socket.off('disconnect', onDisconnect),
      () => socket.off('consultation:message', onMessage),
      () => socket.off('consultation:receipt', onReceipt),
      () => socket.off('consultation:typing', onTyping),
    ];
    if (socket.connected) onConnect();
  }

  detach() {
    for (const off of this.#off) off();
    this.#off = [];
    clearTimeout(this.#typingTimer);
    if (this.#socket?.connected) this.#socket.emit('consultation:leave', { consultationId: this.consultationId });
    this.#socket = null;
    this.connected = false;
  }

  async join() {
    const r = await this.#call<{ items: ConsultationMessageView[] }>('consultation:join', { consultationId: this.consultationId });
    if (!r.ok) {
      this.error = r.error;
      return;
    }
    this.error = null;
    this.#merge(r.data.items);
    this.#confirm();
  }

  /** Sends a message: shown at once as 发送中, then replaced by the stored one. False when it could not go live (the form posts instead). */
  async send(body: string) {
    const text = body.trim();
    if (!text) return;
    const clientId = crypto.randomUUID();
    const pending: ConsultationMessage = {
      id: `pending:${clientId}`,
      consultationId: this.consultationId,
      kind: 'text',
      senderOrgId: this.myOrgId,
      senderName: '',
      body: text,
      invitation: null,
      deliveredAt: null,
      readAt: null,
      createdAt: new Date().toISOString(),
      mine: true,
      pending: true,
      clientId,
    };
    this.messages = [...this.messages, pending];
    await this.#deliver(pending);
  }

  async retry(id: string) {
    const m = this.messages.find((x) => x.id === id);
    if (!m?.clientId || !m.failed) return;
    m.failed = false;
    await this.#deliver(m);
  }

  typing() {
    const now = Date.now();
    if (!this.#socket?.connected || now - this.#lastTyping < TYPING_THROTTLE_MS) return;
    this.#lastTyping = now;
    this.#socket.emit('consultation:typing', { consultationId: this.consultationId });
  }

  setVisible(v: boolean) {
    this.visible = v;
    if (v) this.#confirm();
  }

  /** Adds a message the page got another way (the 转为邀请 form's answer). */
  add(m: Incoming) {
    this.#merge([m]);
  }

  async #deliver(m: ConsultationMessage) {
    const payload = { consultationId: this.consultationId, body: m.body, clientId: m.clientId! };
    let r = await this.#call<ConsultationMessageView>('consultation:send', payload);
    if (!r.ok && (r.error.code === 'TIMEOUT' || r.error.code === 'OFFLINE')) {
      await this.#waitConnected(10_000);
      r = await this.#call<ConsultationMessageView>('consultation:send', payload);
    }
    const i = this.messages.findIndex((x) => x.clientId === m.clientId && x.pending);
    if (!r.ok) {
      if (i >= 0) this.messages[i] = { ...this.messages[i]!, failed: true };
      this.error = r.error;
      return;
    }
    this.error = null;
    if (i >= 0) this.messages.splice(i, 1);
    this.#merge([r.data]);
  }

  #merge(list: Incoming[]) {
    const next = [...this.messages];
    for (const raw of list) {
      const early = this.#early.get(raw.id);
      this.#early.delete(raw.id);
      const m: ConsultationMessage = {
        ...raw,
        createdAt: iso(raw.createdAt)!,
        deliveredAt: iso(raw.deliveredAt) ?? early?.deliveredAt ?? null,
        readAt: iso(raw.readAt) ?? early?.readAt ?? null,
        mine: raw.senderOrgId === this.myOrgId,
      };
      const i = next.findIndex((x) => x.id === m.id);
      if (i >= 0) {
        const old = next[i]!;
        next[i] = { ...old, ...m, deliveredAt: m.deliveredAt ?? old.deliveredAt, readAt: m.readAt ?? old.readAt };
      } else next.push(m);
    }
    const stored = next.filter((x) => !x.pending).sort((a, b) => new Date(a.createdAt).getTime() - new Date(b.createdAt).getTime() || a.id.localeCompare(b.id));
    this.messages = [...stored, ...next.filter((x) => x.pending)];
  }

  #applyReceipt(r: ConsultationReceiptView) {
    const ids = new Set(r.messageIds);
    const at = iso(r.at)!;
    this.messages = this.messages.map((m) =>
      !ids.has(m.id) ? m : r.kind === 'read' ? { ...m, readAt: m.readAt ?? at, deliveredAt: m.deliveredAt ?? at } : { ...m, deliveredAt: m.deliveredAt ?? at },
    );
    for (const id of ids) {
      if (this.messages.some((m) => m.id === id)) continue;
      const e = this.#early.get(id) ?? {};
      this.#early.set(id, r.kind === 'read' ? { ...e, readAt: at, deliveredAt: e.deliveredAt ?? at } : { ...e, deliveredAt: at });
    }
  }

  /** Confirms the other side's messages: delivered always, read while visible. */
  #confirm() {
    const s = this.#socket;
    if (!s?.connected) return;
    const theirs = this.messages.filter((m) => !m.mine && !m.pending);
    const unread = this.visible ? theirs.filter((m) => !m.readAt).map((m) => m.id) : [];
    const undelivered = theirs.filter((m) => !m.deliveredAt && !m.readAt && !unread.includes(m.id)).map((m) => m.id);
    const now = new Date().toISOString();
    const ref = { consultationId: this.consultationId };
    if (unread.length) {
      s.emit('consultation:read', { ...ref, messageIds: unread.slice(-200) });
      const set = new Set(unread);
      this.messages = this.messages.map((m) => (set.has(m.id) ? { ...m, readAt: now, deliveredAt: m.deliveredAt ?? now } : m));
    }
    if (undelivered.length) {
      s.emit('consultation:delivered', { ...ref, messageIds: undelivered.slice(-200) });
      const set = new Set(undelivered);
      this.messages = this.messages.map((m) => (set.has(m.id) ? { ...m, deliveredAt: now } : m));
    }
  }

  async #call<T>(event: 'consultation:join' | 'consultation:send', payload: unknown): Promise<AckResult<T>> {
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
