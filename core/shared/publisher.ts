/** Realtime fan-out: services publish after commit; the realtime service delivers to socket.io rooms. */
export interface Publisher {
  /** To one socket.io room, or to several at once (a socket in more than one of them gets it once). */
  publish(room: string | string[], event: string, payload: unknown): Promise<void> | void;
  /** Several publications at once, in order: between realtime nodes they travel as one message. */
  publishAll(items: Publication[]): Promise<void> | void;
}

export interface Publication {
  room: string | string[];
  event: string;
  payload: unknown;
}

type Listener = (room: string | string[], event: string, payload: unknown) => void;

/**
 * In-process fan-out used in the single-process mode and tests: listeners get every publish. A listener
 * that also takes batches (`all`) gets a `publishAll` as one call; every other gets its items one by one.
 */
export class LocalPublisher implements Publisher {
  private listeners = new Set<{ one: Listener; all?: (items: Publication[]) => void }>();
  publish(room: string | string[], event: string, payload: unknown) {
    for (const l of this.listeners) l.one(room, event, payload);
  }
  publishAll(items: Publication[]) {
    for (const l of this.listeners) {
      if (l.all) l.all(items);
      else for (const i of items) l.one(i.room, i.event, i.payload);
    }
  }
  subscribe(listener: Listener, all?: (items: Publication[]) => void) {
    const entry = { one: listener, all };
    this.listeners.add(entry);
    return () => this.listeners.delete(entry);
  }
}
