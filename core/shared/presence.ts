/**
 * Whether anyone is watching a socket.io room right now, across every realtime node. The realtime
 * layer provides it; without sockets (a web-only process, tests without sockets) nobody is online.
 */
export interface Presence {
  isWatched(room: string): Promise<boolean>;
}

export const offlinePresence: Presence = { isWatched: async () => false };
