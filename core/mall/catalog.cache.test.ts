import { describe, expect, it } from 'vitest';
import { coalescedRead, VersionedCache } from './catalog.cache';

/** A read whose answers the test releases by hand. */
function manualRead() {
  const pending: ((v: string) => void)[] = [];
  let started = 0;
  const read = () => {
    started++;
    return new Promise<string>((resolve) => pending.push(resolve));
  };
  return { read, pending, started: () => started };
}
const tick = () => new Promise((r) => setTimeout(r, 0));

describe('coalescedRead', () => {
  it('never answers a caller with a read that started before it asked; callers arriving meanwhile share the next read', async () => {
    const m = manualRead();
    const current = coalescedRead(m.read);
    const a = current();
    expect(m.started()).toBe(1);
    const b = current();
    const c = current();
    expect(m.started()).toBe(1); // b and c wait: the running read began before they asked
    m.pending[0]!('1');
    expect(await a).toBe('1');
    await tick();
    expect(m.started()).toBe(2);
    m.pending[1]!('2');
    expect([await b, await c]).toEqual(['2', '2']);
    const d = current();
    expect(m.started()).toBe(3);
    m.pending[2]!('3');
    expect(await d).toBe('3');
  });

  it('goes on after a failed read', async () => {
    let n = 0;
    const current = coalescedRead(() => (++n === 1 ? Promise.reject(new Error('down')) : Promise.resolve(String(n))));
    const a = current();
    const b = current();
    await expect(a).rejects.toThrow('down');
    expect(await b).toBe('2');
  });
});

describe('VersionedCache', () => {
  it('serves an entry only under its version, shares concurrent loads, and keeps at most max entries', async () => {
    const cache = new VersionedCache<{ n: number }>(2);
    let loads = 0;
    const load = () => Promise.resolve({ n: ++loads });
    const [x, y] = await Promise.all([cache.get('1', 'a', load), cache.get('1', 'a', load)]);
    expect(x).toBe(y);
    expect(loads).toBe(1);
    expect(await cache.get('1', 'a', load)).toEqual({ n: 1 });
    expect(await cache.get('2', 'a', load)).toEqual({ n: 2 });
    // A late reader that took the older version neither gets nor replaces the newer entry.
    expect(await cache.get('1', 'a', load)).toEqual({ n: 3 });
    expect(await cache.get('2', 'a', load)).toEqual({ n: 2 });
    await cache.get('2', 'b', load);
    await cache.get('2', 'c', load);
    expect(cache.size).toBe(2);
    expect(Object.isFrozen(await cache.get('2', 'c', load))).toBe(true);
  });

  it('does not keep a failed load', async () => {
    const cache = new VersionedCache<number>(10);
    await expect(cache.get('1', 'a', () => Promise.reject(new Error('down')))).rejects.toThrow('down');
    expect(await cache.get('1', 'a', () => Promise.resolve(5))).toBe(5);
  });
});
