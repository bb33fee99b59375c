/** The typed socket.io contract shared by the server and the browser. */
import type { Actor } from '../core/shared/actor';
import type { Publication } from '../core/shared/publisher';
import type { ErrorBody } from '../core/shared/app-error';
import type { RoomService } from '../core/rooms/rooms.service';
import type { RoomSnapshot, TypedRoomEvent } from '../core/rooms/rooms.schema';
import type { NegotiationMessageView } from '../core/tenders/tenders.schema';
import type { z } from 'zod';
import type { OfferResultView, StartedRoundView } from '../core/rooms/rooms.schema';
import type { VoucherFiguresPayload } from '../core/vouchers/campaigns.schema';
import type { VoucherCountsPayload } from '../core/vouchers/grabs.schema';
import type { ImportBatchView } from '../core/imports/imports.schema';
import type { ConsultationMessageView, ConsultationReceiptView, ConsultationThreadView } from '../core/tenders/consultations.schema';

export interface SiteMessagePayload {
  id: string;
  title: string;
  body: string;
  link: string | null;
  category: string;
  createdAt: string | Date;
}

/** One event of a bidding room's ordered log (see core/rooms/room-log.ts), its payload typed by its type. */
export type RoomEventPayload = TypedRoomEvent;

export type { NegotiationMessageView, RoomSnapshot };
export type { ConsultationMessageView, ConsultationReceiptView, ConsultationThreadView };
export type StartedRound = z.output<typeof StartedRoundView>;
export type OfferResult = z.output<typeof OfferResultView>;

/** A negotiation thread page as `chat:join` answers it (the caller's side, the parties, the newest messages). */
export interface NegotiationThreadPayload {
  items: NegotiationMessageView[];
  total: number;
  page: number;
  pageSize: number;
  requirement: { id: string; title: string; requirementNo: string; enterpriseName: string };
  provider: { id: string; fullName: string };
  side: 'enterprise' | 'provider';
}

/** What a requirement decision made in the room answers (选定 / 放弃). */
export interface RoomDecisionPayload {
  id: string;
  state: string;
  [key: string]: unknown;
}

/** Who is in the room now. Providers learn only whether the enterprise is there; the enterprise (and operators) which bidders are online. */
export interface RoomPresencePayload {
  requirementId: string;
  enterprisePresent: boolean;
  onlineProviderIds?: string[];
}

export interface ChatReceiptPayload {
  requirementId: string;
  providerId: string;
  kind: 'delivered' | 'read';
  messageIds: string[];
  at: string;
}

export interface ServerToClientEvents {
  'message:new': (p: { message: SiteMessagePayload; unreadCount: number }) => void;
  'message:unread': (p: { unreadCount: number }) => void;
  'room:event': (e: RoomEventPayload) => void;
  'room:presence': (p: RoomPresencePayload) => void;
  /** Redis was unreachable for a while: events may have been lost on the way, catch up by sequence number. */
  'room:resync': (p: Record<string, never>) => void;
  'chat:receipt': (p: ChatReceiptPayload) => void;
  'chat:typing': (p: { requirementId: string; providerId: string; side: 'enterprise' | 'provider' }) => void;
  /** Granted / remaining per tier of a watched voucher campaign (throttled to a few a second). */
  'vouchers:counts': (p: VoucherCountsPayload) => void;
  'vouchers:figures': (p: VoucherFiguresPayload) => void;
  /** A watched import batch's view: progress while parsing or confirming (about once a second), then its result. */
  'imports:progress': (p: ImportBatchView) => void;
  /** 咨询: a new message (or invitation line) of a consultation the socket has open, to both sides. */
  'consultation:message': (m: ConsultationMessageView) => void;
  /** The other side's client received or read messages we sent. */
  'consultation:receipt': (r: ConsultationReceiptView) => void;
  'consultation:typing': (p: { consultationId: string; side: 'enterprise' | 'provider' }) => void;
}

/** A value as a service may hand it over: Dates where the contract shows ISO strings (JSON writes them so). */
export type Sendable<T> = T extends string
  ? T | Date
  : T extends readonly (infer U)[]
    ? Sendable<U>[]
    : T extends object
      ? { [K in keyof T]: Sendable<T[K]> }
      : T;

export type AckError = { code: string; message: string; fields?: Record<string, string> };
export type AckResult<T> = { ok: true; data: T; serverTime: string } | { ok: false; error: AckError; serverTime: string };
export type Ack<T> = (r: AckResult<T>) => void;

type RoomRef = { requirementId: string };
type ThreadRef = { requirementId: string; providerId: string };

export interface ClientToServerEvents {
  'session:whoami': (ack: Ack<{ userId: string; username: string } | null>) => void;
  /** Joins a bidding room: the snapshot, the events after `lastSeq` (a reconnect), and who is present. */
  'room:join': (p: RoomRef & { lastSeq?: number }, ack: Ack<{ snapshot: RoomSnapshot; missed: RoomEventPayload[]; presence: RoomPresencePayload }>) => void;
  /** 暂时离开: leaves the room's live feed; the room lives on. */
  'room:leave': (p: RoomRef, ack?: Ack<null>) => void;
  /**
   * Events after `lastSeq` the caller may see (catching up without a full snapshot), and `through`: the
   * caller now has every event meant for it up to this sequence number (a gap below it is closed).
   */
  'room:sync': (p: RoomRef & { lastSeq: number }, ack: Ack<{ events: RoomEventPayload[]; through: number }>) => void;
  'round:start': (p: RoomRef & { providerIds: string[]; durationMinutes: number }, ack: Ack<StartedRound>) => void;
  /** A revised price; acknowledged only after it is committed, with the room's sequence number and the server time. */
  'bid:submit': (p: RoomRef & { priceFen: number; clientId: string }, ack: Ack<OfferResult>) => void;
  'room:select': (p: RoomRef & { providerId: string }, ack: Ack<RoomDecisionPayload>) => void;
  'room:abandon': (p: RoomRef, ack: Ack<RoomDecisionPayload>) => void;
  /** Opens one chat thread live: its history, and live messages and receipts from now on. */
  'chat:join': (p: ThreadRef, ack: Ack<NegotiationThreadPayload>) => void;
  'chat:send': (p: ThreadRef & { body: string; attachmentIds?: string[]; clientId: string }, ack: Ack<NegotiationMessageView>) => void;
  'chat:delivered': (p: ThreadRef & { messageIds: string[] }, ack?: Ack<{ ids: string[] }>) => void;
  'chat:read': (p: ThreadRef & { messageIds: string[] }, ack?: Ack<{ ids: string[] }>) => void;
  'chat:typing': (p: ThreadRef) => void;
  /** Live grab counts of a voucher campaign (public): the current counts, then `vouchers:counts` pushes. */
  'vouchers:watch': (p: { campaignId: string }, ack: Ack<VoucherCountsPayload>) => void;
  'vouchers:unwatch': (p: { campaignId: string }, ack?: Ack<null>) => void;
  /** The owning bureau's live console: joins the counts room and the bureau room (`vouchers:figures`); answers both now. */
  'vouchers:console': (p: { campaignId: string }, ack: Ack<{ counts: VoucherCountsPayload; figures: VoucherFiguresPayload }>) => void;
  /** Follows an import batch (rights as its preview): the current view now, then `imports:progress` pushes. */
  'imports:watch': (p: { batchId: string }, ack: Ack<ImportBatchView>) => void;
  'imports:unwatch': (p: { batchId: string }, ack?: Ack<null>) => void;
  /** Opens a consultation live (either side only): its newest messages (the other side's marked read), then live messages and receipts. */
  'consultation:join': (p: { consultationId: string }, ack: Ack<ConsultationThreadView>) => void;
  'consultation:leave': (p: { consultationId: string }, ack?: Ack<null>) => void;
  /** Acknowledged once committed; a resend with the same clientId is stored once. */
  'consultation:send': (p: { consultationId: string; body: string; clientId: string }, ack: Ack<ConsultationMessageView>) => void;
  'consultation:delivered': (p: { consultationId: string; messageIds: string[] }, ack?: Ack<{ ids: string[] }>) => void;
  'consultation:read': (p: { consultationId: string; messageIds: string[] }, ack?: Ack<{ ids: string[] }>) => void;
  'consultation:typing': (p: { consultationId: string }) => void;
}

/** Between realtime nodes: publications each node delivers to its own sockets (realtime/sockets/io.ts). */
/** A bid handed to the node that owns its room (realtime/sockets/bid-owners.ts), and that node's answer. */
export interface ForwardedBid {
  owner: string;
  actor: Actor;
  requirementId: string;
  input: { priceFen: unknown; clientId: unknown };
}
export type ForwardedAnswer = { ok: true; data: Awaited<ReturnType<RoomService['submitOffer']>> } | { ok: false; error: ErrorBody } | null;

/** Per bidding room, who of one node's sockets is there: whether the enterprise is, and which bidders. */
export type PresenceSummary = Record<string, { enterprise: boolean; providers: string[] }>;

export interface InterServerEvents {
  'publish:batch': (items: Publication[]) => void;
  /** A room's presence as a node just announced it (each node remembers it: rooms.handlers.ts). */
  'presence:seen': (full: RoomPresencePayload) => void;
  /** Asks the other nodes who of their sockets is in these rooms (rooms.handlers.ts refreshPresence). */
  'presence:query': (requirementIds: string[], answer: (summary: PresenceSummary) => void) => void;
  /** A bid handed to the node that owns its room, answered by that node (null from the others: bid-owners.ts). */
  'bid:forward': (bid: ForwardedBid, answer: (a: ForwardedAnswer) => void) => void;
}

export interface RoomMembership {
  role: 'enterprise' | 'provider' | 'operator';
  orgId?: string;
}

export interface SocketData {
  userId: string | null;
  username: string | null;
  /** Resolved from the session at connection (server only; never sent to clients). */
  actor: Actor | null;
  /** Bidding rooms this socket is in, with its role there (read by presence across nodes). */
  rooms: Record<string, RoomMembership>;
}
