import { describe, expect, it } from 'vitest';
import {
  codeExpiry,
  codeVerdict,
  formatCodeDigits,
  isWellFormedCode,
  luhnCheckDigit,
  makePaymentCodeDigits,
  normaliseCodeInput,
  secondsLeft,
} from './payment-codes';

describe('payment code digits', () => {
  it('are 18 digits: prefix 66, 15 random digits, a Luhn check digit', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 1000; i++) {
      const d = makePaymentCodeDigits();
      expect(d).toMatch(/^66\d{16}$/);
      expect(isWellFormedCode(d)).toBe(true);
      seen.add(d);
    }
    expect(seen.size).toBe(1000);
  });

  it('computes the Luhn digit as the standard does', () => {
    expect(luhnCheckDigit('7992739871')).toBe(3); // the textbook example 79927398713
    expect(luhnCheckDigit('66' + '0'.repeat(15))).toBe((10 - ((6 * 2 - 9 + 6) % 10)) % 10);
  });

  it('refuses any single mistyped digit, a swap of neighbours, a wrong length or prefix', () => {
    const d = makePaymentCodeDigits(() => 12_345);
    for (let i = 0; i < 18; i++) {
      const wrong = d.slice(0, i) + String((Number(d[i]) + 1) % 10) + d.slice(i + 1);
      expect(isWellFormedCode(wrong)).toBe(false);
    }
    const swapped = d.slice(0, 5) + d[6] + d[5] + d.slice(7);
    if (d[5] !== d[6] && !((d[5] === '0' && d[6] === '9') || (d[5] === '9' && d[6] === '0'))) expect(isWellFormedCode(swapped)).toBe(false);
    expect(isWellFormedCode(d.slice(1))).toBe(false);
    expect(isWellFormedCode('77' + d.slice(2))).toBe(false);
    expect(isWellFormedCode('66abcdefghijklmnop')).toBe(false);
  });

  it('reads typed input with spaces and dashes; shows groups of four', () => {
    const d = makePaymentCodeDigits();
    expect(normaliseCodeInput(formatCodeDigits(d))).toBe(d);
    expect(normaliseCodeInput(` ${d.slice(0, 6)}-${d.slice(6)} `)).toBe(d);
    expect(formatCodeDigits('661234567890123456')).toBe('6612 3456 7890 1234 56');
  });
});

describe('payment code lifecycle', () => {
  const now = new Date('2026-12-03T02:00:00Z');
  const code = (over: Partial<{ expiresAt: Date; usedAt: Date | null }> = {}) => ({ userId: 'u', expiresAt: codeExpiry(now), usedAt: null, ...over });

  it('is live for 60 seconds, then expired', () => {
    expect(codeVerdict(code(), now)).toEqual({ ok: true });
    expect(codeVerdict(code(), new Date(now.getTime() + 59_999))).toEqual({ ok: true });
    expect(codeVerdict(code(), new Date(now.getTime() + 60_000))).toEqual({ ok: false, reason: 'expired' });
    expect(secondsLeft(codeExpiry(now), now)).toBe(60);
    expect(secondsLeft(codeExpiry(now), new Date(now.getTime() + 90_000))).toBe(0);
  });

  it('is single use: a used code is refused as used even while it would still be live', () => {
    expect(codeVerdict(code({ usedAt: now }), now)).toEqual({ ok: false, reason: 'used' });
    expect(codeVerdict(code({ usedAt: now }), new Date(now.getTime() + 120_000))).toEqual({ ok: false, reason: 'used' });
  });
});
