import { describe, expect, it } from 'vitest';
import { ACTIVATION_MESSAGES, ACTIVATION_TTL_MS, activationHash, activationState, newActivationCode, normaliseActivationCode } from './activation';

describe('activation codes', () => {
  it('12 characters of base32 in three groups, all different, stored only as a hash', () => {
    const codes = Array.from({ length: 10_000 }, () => newActivationCode());
    expect(codes.every((c) => /^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/.test(c.code))).toBe(true);
    expect(new Set(codes.map((c) => c.code)).size).toBe(10_000);
    const { code, hash } = codes[0]!;
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(hash).not.toContain(code.replace(/-/g, '').toLowerCase());
    expect(activationHash(normaliseActivationCode(code)!)).toBe(hash);
  });

  it('reads what people type: case, spaces, dashes, O for 0, I or L for 1; anything else is not a code', () => {
    expect(normaliseActivationCode('ab1c-d2ef-g3hk')).toBe('AB1CD2EFG3HK');
    expect(normaliseActivationCode(' o0il 1234 5678 ')).toBe('00111234 5678'.replace(/ /g, ''));
    expect(normaliseActivationCode('ABCD-EFGH-JKM')).toBeNull();
    expect(normaliseActivationCode('ABCD-EFGH-JKMU')).toBeNull();
    expect(normaliseActivationCode('')).toBeNull();
  });

  it('valid for 7 days, once', () => {
    const issued = new Date('2026-12-01T00:00:00Z');
    const a = { expiresAt: new Date(issued.getTime() + ACTIVATION_TTL_MS), usedAt: null };
    expect(activationState(a, new Date(issued.getTime() + ACTIVATION_TTL_MS - 1))).toBe('valid');
    expect(activationState(a, new Date(issued.getTime() + ACTIVATION_TTL_MS))).toBe('expired');
    expect(activationState({ ...a, usedAt: issued }, issued)).toBe('used');
    // What the sign-in page says for each refusal.
    expect(ACTIVATION_MESSAGES.expired).toContain('已过期');
    expect(ACTIVATION_MESSAGES.used).toContain('已使用');
  });
});
