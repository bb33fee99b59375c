import { createHash, randomBytes } from 'node:crypto';

/**
 * One-time activation codes for generated accounts (management and trading accounts): sent by SMS with
 * the login, valid 7 days, stored only as SHA-256. Generating 10,000 accounts hashes no password: the
 * first sign-in with the code sets it. 12 characters of Crockford's base32 (60 random bits, no I, L, O
 * or U), shown as XXXX-XXXX-XXXX; what people type is read leniently (case, spaces, dashes, O for 0,
 * I or L for 1).
 */
export const ACTIVATION_TTL_MS = 7 * 24 * 3600_000;
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const LENGTH = 12;

/** A fresh code as shown to people, and the hash to store. */
export function newActivationCode(): { code: string; hash: string } {
  const bytes = randomBytes(LENGTH);
  let raw = '';
  for (const b of bytes) raw += ALPHABET[b & 31];
  const code = raw.match(/.{4}/g)!.join('-');
  return { code, hash: activationHash(raw) };
}

/** What a person typed → the code's canonical form, or null when it cannot be one. */
export function normaliseActivationCode(typed: string): string | null {
  const s = typed
    .toUpperCase()
    .replace(/[\s\-_]/g, '')
    .replace(/O/g, '0')
    .replace(/[IL]/g, '1');
  return s.length === LENGTH && [...s].every((c) => ALPHABET.includes(c)) ? s : null;
}

export const activationHash = (canonical: string) => createHash('sha256').update(`activation:${canonical}`).digest('hex');

export type ActivationState = 'valid' | 'expired' | 'used';

export function activationState(a: { expiresAt: Date; usedAt: Date | null }, now: Date): ActivationState {
  if (a.usedAt) return 'used';
  return now.getTime() < a.expiresAt.getTime() ? 'valid' : 'expired';
}

export const ACTIVATION_MESSAGES: Record<Exclude<ActivationState, 'valid'>, string> = {
  expired: '激活码已过期（有效期 7 天），请联系上级单位重新发送',
  used: '激活码已使用，请直接用账号和密码登录',
};
