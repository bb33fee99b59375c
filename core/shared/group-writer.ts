/**
 * Group commit per key: items submitted for one key while that key's previous write is in flight wait
 * and go together in the next write, in arrival order. Nothing is delayed on purpose: a lone item is
 * written at once; under a crowd each write carries what arrived during the one before.
 *
 * `write` answers one outcome per item: a result, an error for that item alone, or `retry` (the item goes
 * back to the front of the queue, in order, for the next write). A thrown error fails the whole batch.
 */
export type GroupOutcome<R> = { ok: R } | { error: unknown } | 'retry';

interface Waiting<I, R> {
  item: I;
  retries?: number;
  resolve: (r: R) => void;
  reject: (e: unknown) => void;
}

export interface GroupWriter<I, R> {
  submit(key: string, item: I): Promise<R>;
  /** Items waiting or being written (tests and metrics). */
  pending(): number;
}

export function createGroupWriter<I, R>(
  write: (key: string, items: I[]) => Promise<GroupOutcome<R>[]>,
  opts: { maxBatch?: number; maxRetries?: number } = {},
): GroupWriter<I, R> {
  const maxBatch = Math.max(1, opts.maxBatch ?? 256);
  /** A `retry` more often than this fails the item (a write that never makes progress cannot loop). */
  const maxRetries = opts.maxRetries ?? 10;
  const queues = new Map<string, Waiting<I, R>[]>();
  let inFlight = 0;

  async function drain(key: string, queue: Waiting<I, R>[]) {
    try {
      while (queue.length > 0) {
        const batch = queue.splice(0, maxBatch);
        inFlight += batch.length;
        let outcomes: GroupOutcome<R>[];
        try {
          outcomes = await write(
            key,
            batch.map((w) => w.item),
          );
        } catch (e) {
          for (const w of batch) w.reject(e);
          continue;
        } finally {
          inFlight -= batch.length;
        }
        const again: Waiting<I, R>[] = [];
        batch.forEach((w, i) => {
          const o = Array.isArray(outcomes) ? outcomes[i] : undefined;
          if (o === 'retry' && (w.retries = (w.retries ?? 0) + 1) <= maxRetries) again.push(w);
          else if (o && typeof o === 'object' && 'ok' in o) w.resolve(o.ok as R);
          else if (o && typeof o === 'object' && 'error' in o) w.reject(o.error);
          else w.reject(new Error(o === 'retry' ? 'group writer: an item was sent back too often' : 'group writer: no outcome for an item'));
        });
        queue.unshift(...again);
      }
    } finally {
      queues.delete(key);
    }
  }

  return {
    submit(key, item) {
      return new Promise<R>((resolve, reject) => {
        const queue = queues.get(key);
        if (queue) {
          queue.push({ item, resolve, reject });
          return;
        }
        const fresh: Waiting<I, R>[] = [{ item, resolve, reject }];
        queues.set(key, fresh);
        // drain settles every item itself; nothing it throws may go unhandled.
        drain(key, fresh).catch((e: unknown) => {
          for (const w of fresh.splice(0)) w.reject(e);
        });
      });
    },
    pending: () => inFlight + [...queues.values()].reduce((n, q) => n + q.length, 0),
  };
}
