/** The typed socket.io contract shared by the server and the browser. */
export interface SiteMessagePayload {
  id: string;
  title: string;
  body: string;
  link: string | null;
  category: string;
  createdAt: string | Date;
}

export interface ServerToClientEvents {
  'message:new': (p: { message: SiteMessagePayload; unreadCount: number }) => void;
  'message:unread': (p: { unreadCount: number }) => void;
}

export type Ack<T> = (r: { ok: true; data: T; serverTime: string } | { ok: false; error: { code: string; message: string; fields?: Record<string, string> } }) => void;

export interface ClientToServerEvents {
  'session:whoami': (ack: Ack<{ userId: string; username: string } | null>) => void;
}

export type InterServerEvents = Record<string, never>;

export interface SocketData {
  userId: string | null;
  username: string | null;
}
