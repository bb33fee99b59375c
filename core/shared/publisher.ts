/** Realtime fan-out: services publish after commit; the realtime service delivers to socket.io rooms. */
export interface Publisher {
  /** To one socket.io room, or to several at once (a socket in more than one of them gets it once). */
  publish(room: string | string[], event: string, payload: unknown): Promise<void> | void;
}

/** In-process fan-out used in the single-process mode and tests: listeners get every publish. */
export class LocalPublisher implements Publisher {
  private listeners = new Set<(room: string | string[], event: string, payload: unknown) => void>();
  publish(room: string | string[], event: string, payload: unknown) {
    for (const l of this.listeners) l(room, event, payload);
  }
  subscribe(listener: (room: string | string[], event: string, payload: unknown) => void) {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
