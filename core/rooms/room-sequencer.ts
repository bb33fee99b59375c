/**
 * Puts a bidding room's live events back in sequence order in the browser. Across realtime nodes an
 * event can arrive after a later one (two publishers, one Redis), and during a Redis outage some never
 * arrive. Events are applied strictly in order: one that arrives early waits in a buffer; when a hole
 * stays open for a moment the client asks the server for what it missed (`room:sync`), whose answer
 * says up to which number it now has everything meant for it (numbers in between were other
 * audiences'). Nothing is dropped except copies of what was already applied.
 *
 * Pure and browser-safe: no timers, no I/O; the caller arms the gap timer when `waiting` is true.
 */
export class RoomSequencer<E extends { seq: number }> {
  #last: number;
  #buffer = new Map<number, E>();

  constructor(lastSeq = 0) {
    this.#last = lastSeq;
  }

  /** The highest sequence number up to which everything meant for this client has been applied. */
  get lastSeq() {
    return this.#last;
  }

  /** Events held back behind a hole (a lower number not yet seen). */
  get waiting() {
    return this.#buffer.size > 0;
  }

  /** The lowest number held back (undefined when nothing waits). */
  get firstWaiting(): number | undefined {
    return this.#buffer.size ? Math.min(...this.#buffer.keys()) : undefined;
  }

  /**
   * A live event arrived. Returns the events that can now be applied, in order: none when it fills
   * no hole yet, several when it closes one. A copy of an applied or buffered event is ignored.
   */
  push(e: E): E[] {
    if (e.seq <= this.#last || this.#buffer.has(e.seq)) return [];
    this.#buffer.set(e.seq, e);
    return this.#drain();
  }

  /**
   * The server's answer to a catch-up: the events after `lastSeq` meant for this client, and `through`,
   * the number up to which that list is complete. Returns everything now applicable, in order (the
   * answer's events and buffered ones merged, without copies).
   */
  fill(events: readonly E[], through: number): E[] {
    for (const e of events) if (e.seq > this.#last) this.#buffer.set(e.seq, e);
    const out: E[] = [];
    // Everything up to `through` is known now: apply what we hold below it in order, holes included.
    for (const seq of [...this.#buffer.keys()].sort((a, b) => a - b)) {
      if (seq > through) break;
      out.push(this.#buffer.get(seq)!);
      this.#buffer.delete(seq);
      this.#last = seq;
    }
    this.#last = Math.max(this.#last, through);
    return [...out, ...this.#drain()];
  }

  #drain(): E[] {
    const out: E[] = [];
    for (let next = this.#buffer.get(this.#last + 1); next; next = this.#buffer.get(this.#last + 1)) {
      this.#buffer.delete(next.seq);
      this.#last = next.seq;
      out.push(next);
    }
    return out;
  }
}
