import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { clockOffset, isStale, MAX_CLOCK_ROUND_TRIP_MS, sleptBetween, STALE_AFTER_MS, TICK_MS } from './room-clock';

describe('room clock', () => {
  it('a tick that comes seconds late means the device slept; an ordinary late tick does not', () => {
    expect(sleptBetween(0, TICK_MS)).toBe(false);
    expect(sleptBetween(0, TICK_MS + 1500)).toBe(false);
    expect(sleptBetween(0, 60_000)).toBe(true);
  });

  it('stale only while connected and silent for longer than the ping interval allows', () => {
    expect(isStale(true, 0, STALE_AFTER_MS)).toBe(false);
    expect(isStale(true, 0, STALE_AFTER_MS + 1)).toBe(true);
    expect(isStale(false, 0, 10 * STALE_AFTER_MS)).toBe(false);
  });

  it('the offset is exact for a symmetric round trip and refused for a long one', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 40 }),
        fc.integer({ min: 0, max: MAX_CLOCK_ROUND_TRIP_MS / 2 }),
        fc.integer({ min: -1e9, max: 1e9 }),
        (sent, half, skew) => {
          // The server read its clock at the middle of the trip, `skew` ahead of the local clock.
          expect(clockOffset(sent, sent + 2 * half, sent + half + skew)).toBe(skew);
        },
      ),
    );
    expect(clockOffset(0, MAX_CLOCK_ROUND_TRIP_MS + 1, 5)).toBeNull();
    expect(clockOffset(10, 5, 5)).toBeNull();
  });
});
