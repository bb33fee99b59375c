import type { Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents } from '$realtime/events';
import { inbox } from '$lib/state/inbox.svelte';
import type { LiveRoom } from '$lib/state/room.svelte';

export type PageSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** How often to ask again when a deadline has passed but the server has not moved the room on yet. */
const RECHECK_MS = 3000;

/**
 * Takes a bidding room live for the lifetime of the calling component (call during init): waits for
 * the page's socket (the root layout connects it), attaches the room, detaches on unmount, and asks
 * for a fresh snapshot when a time-based boundary passes (waiting room opens, opening, a round's
 * deadline) — those move the room on without an event.
 */
export function goLive(room: LiveRoom) {
  const state = $state({ socket: null as PageSocket | null, wasConnected: false });

  $effect(() => {
    if (state.socket) return;
    const grab = () => {
      if (inbox.socket) state.socket = inbox.socket;
    };
    grab();
    const t = setInterval(grab, 200);
    return () => clearInterval(t);
  });

  $effect(() => {
    const s = state.socket;
    if (!s) return;
    room.attach(s);
    return () => void room.detach();
  });

  $effect(() => {
    if (room.connected) state.wasConnected = true;
  });

  let askedAt = 0;
  $effect(() => {
    const snap = room.snapshot;
    if (!snap || !room.connected || room.joining) return;
    const passed = (at: string | Date | null | undefined) => Boolean(at) && room.msUntil(at) === 0;
    const due =
      (snap.phase === 'scheduled' && passed(snap.timing.waitingRoomOpensAt)) ||
      (snap.phase === 'waiting' && passed(snap.requirement.openingAt)) ||
      (snap.phase === 'second_round' && passed(snap.currentRound?.closesAt));
    // Reading the tick re-runs this every second.
    if (due && room.tick - askedAt >= RECHECK_MS) {
      askedAt = room.tick;
      void room.join();
    }
  });

  return state;
}
