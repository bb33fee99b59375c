import { describe, expect, it } from 'vitest';
import { makeOrderNo } from './recharge.machine';

describe('makeOrderNo', () => {
  it('is the prefix, the Shanghai date and ten digits', () => {
    // 2026-11-22 17:00 UTC is already the 23rd in Shanghai.
    expect(makeOrderNo('R', new Date('2026-11-22T17:00:00Z'), () => 42)).toBe('R202611230000000042');
    expect(makeOrderNo('W', new Date('2026-11-22T03:00:00Z'))).toMatch(/^W20261122\d{10}$/);
  });

  it('draws its digits from the system generator (no repeats over many numbers)', () => {
    const now = new Date('2026-11-22T03:00:00Z');
    const seen = new Set(Array.from({ length: 2000 }, () => makeOrderNo('R', now)));
    expect(seen.size).toBe(2000);
  });
});
