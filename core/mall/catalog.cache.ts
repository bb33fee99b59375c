/**
 * The catalog's cache: what every visitor of the catalog sees alike (search results, a product with its
 * merchant) kept in this process under the catalog version it was read after.
 *
 * The version lives in PostgreSQL (or PGlite) beside the data: triggers add 1 to it in the same
 * transaction as any change of a product (price, stock, sales, listing state, text, images) or of a
 * merchant's name, region or status (migration 0023). A read takes the version first and then the data,
 * so an entry holds data at least as new as its version, and an entry is served only while its version
 * is still the current one. Every process (the single one, web and realtime nodes, any number of them)
 * checks the version on every read, so a change committed anywhere is seen by the next request
 * everywhere: there is no TTL and no message to miss. The check is one read of 16 rows, shared by the
 * reads that arrive while one is on its way (`coalescedRead`).
 *
 * Nothing personal goes in: callers cache only views that do not depend on the actor (the viewer's
 * rights, own-product flags and takedown reasons are applied after the cache, per request).
 */

/** The current catalog version, as the sum of its stripes (a decimal string: it may pass 2^53 one day). */
export interface CatalogVersion {
  current(): Promise<string>;
}

/**
 * Shares reads among callers without ever answering one with a read that started before it asked:
 * the first caller starts a read; callers arriving while it runs wait for it to end and share the next
 * one, started for all of them. So a caller's answer is never older than its call (a change committed
 * before the call is seen), and under load one read is in flight at a time instead of one per request.
 */
export function coalescedRead<T>(read: () => Promise<T>): () => Promise<T> {
  let inFlight: Promise<void> | undefined;
  let next: Promise<T> | undefined;
  const launch = () => {
    const answer = read();
    const settled = answer.then(
      () => undefined,
      () => undefined,
    );
    inFlight = settled;
    void settled.then(() => {
      if (inFlight === settled) inFlight = undefined;
    });
    return answer;
  };
  return () => {
    if (!inFlight) return launch();
    next ??= inFlight.then(() => {
      next = undefined;
      return launch();
    });
    return next;
  };
}

/** The version read from the database through `readVersion`, shared as `coalescedRead` does. */
export function createCatalogVersion(readVersion: () => Promise<string>): CatalogVersion {
  return { current: coalescedRead(readVersion) };
}

/** `a` > `b` for versions written as decimal strings without leading zeros (no BigInt on every lookup). */
const newer = (a: string, b: string) => (a.length === b.length ? a > b : a.length > b.length);

/** Makes a shared value read-only, so no caller can change what the next visitor is served. */
function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value) && !(value instanceof Date) && !ArrayBuffer.isView(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/**
 * Values by key, each under the version it was read after; at most `max` (least recently used leave
 * first). Concurrent misses of one key share one load; a failed load is not kept.
 */
export class VersionedCache<V> {
  private readonly entries = new Map<string, { version: string; value: Promise<V> }>();
  private seen = '0';

  constructor(private readonly max: number) {}

  get(version: string, key: string, load: () => Promise<V>): Promise<V> {
    if (newer(version, this.seen)) {
      // Every entry is older than this version: drop them at once rather than one by one on lookup.
      this.seen = version;
      this.entries.clear();
    }
    const hit = this.entries.get(key);
    if (hit && hit.version === version) {
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit.value;
    }
    const value = load().then(deepFreeze);
    // A reader that took an older version than the entry's (it asked first, answered last) is not stored over it.
    if (hit && newer(hit.version, version)) return value;
    const entry = { version, value };
    this.entries.delete(key);
    this.entries.set(key, entry);
    if (this.entries.size > this.max) this.entries.delete(this.entries.keys().next().value!);
    value.catch(() => {
      if (this.entries.get(key) === entry) this.entries.delete(key);
    });
    return value;
  }

  /** Entries held (tests). */
  get size() {
    return this.entries.size;
  }
}
