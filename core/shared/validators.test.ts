import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { isMainlandMobile, isValidUscc, Password, usccCheckCharacter, Username } from './validators';

// Real codes published on company registries.
const REAL_USCC = ['914403001922038216', '91110000802100433B', '91440300708461136T', '9144030071526726XG', '91330100716105852F'];

describe('USCC (GB 32100-2015)', () => {
  it.each(REAL_USCC)('accepts the real code %s', (code) => {
    expect(isValidUscc(code)).toBe(true);
  });

  it('accepts lower case input', () => {
    expect(isValidUscc('91110000802100433b')).toBe(true);
  });

  it.each([
    ['wrong check character', '91110000802100433C'],
    ['17 characters', '91110000802100433'],
    ['19 characters', '91110000802100433BB'],
    ['letter I is not in the alphabet', '9111000080210043IB'],
    ['empty', ''],
  ])('refuses %s', (_, code) => {
    expect(isValidUscc(code)).toBe(false);
  });

  it('any single-character change of a valid code is caught', () => {
    const alphabet = '0123456789ABCDEFGHJKLMNPQRTUWXY';
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 16 }), fc.integer({ min: 1, max: 30 }), (pos, shift) => {
        const code = REAL_USCC[0]!;
        const original = alphabet.indexOf(code[pos]!);
        const changed = code.slice(0, pos) + alphabet[(original + shift) % 31] + code.slice(pos + 1);
        // Positions 0-1 and 8+ may take letters; digits-only positions 2-7 must stay digits to be well formed.
        if (pos >= 2 && pos <= 7 && !/\d/.test(changed[pos]!)) return true;
        return !isValidUscc(changed);
      }),
    );
  });

  it('the computed check character always validates', () => {
    const chars = '0123456789ABCDEFGHJKLMNPQRTUWXY'.split('');
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...chars), { minLength: 10, maxLength: 10 }),
        fc.array(fc.constantFrom(...'0123456789'.split('')), { minLength: 7, maxLength: 7 }),
        (tail, digits) => {
          const first17 = '91' + digits.slice(0, 6).join('') + digits[6] + tail.slice(0, 8).join('');
          const check = usccCheckCharacter(first17)!;
          return isValidUscc(first17 + check);
        },
      ),
    );
  });
});

describe('mainland mobile', () => {
  it.each(['13800138000', '19912345678', '+8615012345678', '8617712345678'])('accepts %s', (m) => {
    expect(isMainlandMobile(m)).toBe(true);
  });
  it.each(['12800138000', '1380013800', '138001380001', 'abcdefghijk', '+1 2025550123'])('refuses %s', (m) => {
    expect(isMainlandMobile(m)).toBe(false);
  });
});

describe('username and password rules (manual 004, 一)', () => {
  it.each([
    ['abcd', true],
    ['user2026', true],
    ['abc', false],
    ['a'.repeat(21), false],
    ['用户名1234', false],
    ['user_name', false],
  ])('username %s → %s', (u, ok) => {
    expect(Username.safeParse(u).success).toBe(ok);
  });

  it.each([
    ['abcd1234', true],
    ['ABCDefgh9', true],
    ['abcdefgh', false],
    ['12345678', false],
    ['abc123', false],
    ['abcd1234!', false],
    ['a1'.repeat(17), false],
  ])('password %s → %s', (p, ok) => {
    expect(Password.safeParse(p).success).toBe(ok);
  });
});
