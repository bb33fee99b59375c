/**
 * When a bidding room in the browser may not trust what it shows (pure and browser-safe, like
 * room-sequencer.ts; LiveRoom in web/src/lib/state/room.svelte.ts acts on the answers).
 *
 * - A phone back from standby, or a laptop woken up, has a countdown computed from a clock offset measured
 *   before it slept and may have missed events: it reads the server's clock again before it shows a time.
 *   It knows it slept when the page becomes visible, or when its one-second tick comes much later.
 * - The server pings every socket every 25 s (socket.io's pingInterval): a connection that has heard
 *   nothing for longer is stale (socket.io itself gives up at 45 s), and the room says so.
 * - A clock offset is half a round trip's guess: an answer that took seconds (sent before a standby) says
 *   little about the server's clock and is not used.
 */
export const TICK_MS = 1000;
export const SLEPT_AFTER_MS = 5000;
export const STALE_AFTER_MS = 35_000;
export const MAX_CLOCK_ROUND_TRIP_MS = 2000;

/** The tick that should have come `TICK_MS` after `lastTickAt` came at `now`: did the device sleep between? */
export const sleptBetween = (lastTickAt: number, now: number) => now - lastTickAt > TICK_MS + SLEPT_AFTER_MS;

/** Connected, yet nothing heard from the server (an answer, an event, a ping) for too long. */
export const isStale = (connected: boolean, lastHeardAt: number, now: number) => connected && now - lastHeardAt > STALE_AFTER_MS;

/**
 * The server clock's offset from the local one, from a call sent at `sentAt` and answered at `receivedAt`
 * with the server's time then; null when the round trip was too long to tell.
 */
export function clockOffset(sentAt: number, receivedAt: number, serverTime: number): number | null {
  if (receivedAt - sentAt > MAX_CLOCK_ROUND_TRIP_MS || receivedAt < sentAt) return null;
  // Half the round trip is the best guess of when the server read its clock.
  return serverTime - (sentAt + receivedAt) / 2;
}
