import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { RoomSequencer } from './room-sequencer';

const ev = (seq: number) => ({ seq, type: `e${seq}` });
const seqs = (es: { seq: number }[]) => es.map((e) => e.seq);

describe('room event sequencer', () => {
  it('applies events in order at once when they come in order', () => {
    const s = new RoomSequencer(3);
    expect(seqs(s.push(ev(4)))).toEqual([4]);
    expect(seqs(s.push(ev(5)))).toEqual([5]);
    expect(s.waiting).toBe(false);
    expect(s.lastSeq).toBe(5);
  });

  it('holds a later event until the earlier one arrives, then applies both in order (never drops the late one)', () => {
    const s = new RoomSequencer(10);
    expect(s.push(ev(12))).toEqual([]);
    expect(s.waiting).toBe(true);
    expect(s.firstWaiting).toBe(12);
    expect(seqs(s.push(ev(11)))).toEqual([11, 12]);
    expect(s.waiting).toBe(false);
  });

  it('ignores copies of applied and of buffered events', () => {
    const s = new RoomSequencer(0);
    s.push(ev(1));
    expect(s.push(ev(1))).toEqual([]);
    s.push(ev(3));
    expect(s.push(ev(3))).toEqual([]);
    expect(seqs(s.push(ev(2)))).toEqual([2, 3]);
  });

  it('a catch-up closes a hole of events meant for others: numbers up to `through` are known', () => {
    const s = new RoomSequencer(5);
    s.push(ev(8)); // 6 and 7 were for another bidder
    s.push(ev(9));
    expect(seqs(s.fill([ev(8)], 8))).toEqual([8, 9]);
    expect(s.lastSeq).toBe(9);
    expect(s.waiting).toBe(false);
  });

  it('a catch-up brings the missed events, merged with the buffered ones without copies', () => {
    const s = new RoomSequencer(1);
    s.push(ev(4));
    expect(seqs(s.fill([ev(2), ev(4), ev(5)], 6))).toEqual([2, 4, 5]);
    expect(s.lastSeq).toBe(6);
    expect(seqs(s.push(ev(7)))).toEqual([7]);
  });

  it('events above `through` keep waiting for the next hole to close', () => {
    const s = new RoomSequencer(0);
    s.push(ev(9));
    expect(seqs(s.fill([ev(1)], 5))).toEqual([1]);
    expect(s.waiting).toBe(true);
    expect(seqs(s.push(ev(6)))).toEqual([6]);
    expect(seqs(s.fill([ev(9)], 9))).toEqual([9]);
  });

  it('after an outage (nothing arrived) a catch-up delivers everything missed in order', () => {
    const s = new RoomSequencer(3);
    expect(seqs(s.fill([ev(4), ev(6), ev(7)], 7))).toEqual([4, 6, 7]);
  });

  it('any arrival order and any duplicates: every event applied exactly once, in increasing order', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 80 }), (arrivals) => {
        const s = new RoomSequencer<{ seq: number }>(0);
        const applied: number[] = [];
        for (const n of arrivals) applied.push(...seqs(s.push({ seq: n })));
        const all = [...new Set(arrivals)].sort((a, b) => a - b);
        applied.push(...seqs(s.fill([], Math.max(...all))));
        expect(applied).toEqual(all);
        expect(s.waiting).toBe(false);
      }),
    );
  });
});
