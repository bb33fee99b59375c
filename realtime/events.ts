/** The typed socket.io contract shared by the server and the browser. */
import type { Actor } from '../core/shared/actor';

export interface SiteMessagePayload {
  id: string;
  title: string;
  body: string;
  link: string | null;
  category: string;
  createdAt: string | Date;
}

/** One event of a bidding room's ordered log (see core/rooms/room-log.ts). */
export interface RoomEventPayload {
  requirementId: string;
  seq: number;
  type: string;
  audience: string[];
  payload: any;
  at: string;
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
}

export type AckError = { code: string; message: string; fields?: Record<string, string> };
export type AckResult<T> = { ok: true; data: T; serverTime: string } | { ok: false; error: AckError; serverTime: string };
export type Ack<T> = (r: AckResult<T>) => void;

type RoomRef = { requirementId: string };
type ThreadRef = { requirementId: string; providerId: string };

export interface ClientToServerEvents {
  'session:whoami': (ack: Ack<{ userId: string; username: string } | null>) => void;
  /** Joins a bidding room: the snapshot, the events after `lastSeq` (a reconnect), and who is present. */
  'room:join': (p: RoomRef & { lastSeq?: number }, ack: Ack<{ snapshot: any; missed: RoomEventPayload[]; presence: RoomPresencePayload }>) => void;
  /** 暂时离开: leaves the room's live feed; the room lives on. */
  'room:leave': (p: RoomRef, ack?: Ack<null>) => void;
  /**
   * Events after `lastSeq` the caller may see (catching up without a full snapshot), and `through`: the
   * caller now has every event meant for it up to this sequence number (a gap below it is closed).
   */
  'room:sync': (p: RoomRef & { lastSeq: number }, ack: Ack<{ events: RoomEventPayload[]; through: number }>) => void;
  'round:start': (p: RoomRef & { providerIds: string[]; durationMinutes: number }, ack: Ack<any>) => void;
  /** A revised price; acknowledged only after it is committed, with the room's sequence number and the server time. */
  'bid:submit': (p: RoomRef & { priceFen: number; clientId: string }, ack: Ack<any>) => void;
  'room:select': (p: RoomRef & { providerId: string }, ack: Ack<any>) => void;
  'room:abandon': (p: RoomRef, ack: Ack<any>) => void;
  /** Opens one chat thread live: its history, and live messages and receipts from now on. */
  'chat:join': (p: ThreadRef, ack: Ack<any>) => void;
  'chat:send': (p: ThreadRef & { body: string; attachmentIds?: string[]; clientId: string }, ack: Ack<any>) => void;
  'chat:delivered': (p: ThreadRef & { messageIds: string[] }, ack?: Ack<{ ids: string[] }>) => void;
  'chat:read': (p: ThreadRef & { messageIds: string[] }, ack?: Ack<{ ids: string[] }>) => void;
  'chat:typing': (p: ThreadRef) => void;
}

export type InterServerEvents = Record<string, never>;

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
