import { randomInt } from 'node:crypto';
import { PAYMENT_CODE_TTL_MS } from './vouchers.constants';

/**
 * 付款码 (payment codes), pure: the 18 digits a resident's phone shows (under a QR code of the same
 * digits) and the rules of their life — single use, PAYMENT_CODE_TTL_MS long, bound to one user.
 *
 * Digits: the prefix 66, 15 random digits from the operating system's generator, and a Luhn check
 * digit, so a mistyped or made-up code is refused before any lookup.
 */
export const PAYMENT_CODE_PREFIX = '66';
const PAYMENT_CODE_LENGTH = 18;

/** The Luhn check digit of a string of digits (the digit appended to make the whole string valid). */
export function luhnCheckDigit(body: string): number {
  let sum = 0;
  for (let i = 0; i < body.length; i++) {
    // Doubling starts at the rightmost digit of the body (it is next to the check digit).
    let d = body.charCodeAt(body.length - 1 - i) - 48;
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return (10 - (sum % 10)) % 10;
}

/** A new code: prefix + 15 random digits + check digit. */
export function makePaymentCodeDigits(random: (max: number) => number = (max) => randomInt(0, max)): string {
  // 15 random digits in three draws of 5 (randomInt's range is below 2^48).
  const body = PAYMENT_CODE_PREFIX + [0, 1, 2].map(() => String(random(100_000)).padStart(5, '0')).join('');
  return body + luhnCheckDigit(body);
}

/** Spaces and dashes people type are ignored; anything else non-digit makes it malformed. */
export const normaliseCodeInput = (raw: string) => raw.replace(/[\s-]/g, '');

/** Whether the text is shaped like one of our codes: 18 digits, our prefix, a correct check digit. */
export function isWellFormedCode(digits: string): boolean {
  if (!/^\d{18}$/.test(digits) || !digits.startsWith(PAYMENT_CODE_PREFIX)) return false;
  return luhnCheckDigit(digits.slice(0, -1)) === Number(digits.at(-1));
}

/** Groups of 4 for reading aloud and typing: "6612 3456 7890 1234 56". */
export const formatCodeDigits = (digits: string) => digits.replace(/(\d{4})(?=\d)/g, '$1 ');

export interface PaymentCodeState {
  userId: string;
  expiresAt: Date;
  usedAt: Date | null;
}

export type CodeVerdict = { ok: true } | { ok: false; reason: 'used' | 'expired' };

/** Whether a stored code may be used now: unused and not past its expiry. */
export function codeVerdict(code: PaymentCodeState, now: Date): CodeVerdict {
  if (code.usedAt) return { ok: false, reason: 'used' };
  if (code.expiresAt.getTime() <= now.getTime()) return { ok: false, reason: 'expired' };
  return { ok: true };
}

/** The expiry of a code issued now. */
export const codeExpiry = (now: Date, ttlMs = PAYMENT_CODE_TTL_MS) => new Date(now.getTime() + ttlMs);

/** Seconds a code has left (0 when over): the page's countdown. */
export const secondsLeft = (expiresAt: Date, now: Date) => Math.max(0, Math.ceil((expiresAt.getTime() - now.getTime()) / 1000));
