import { sha256 } from '@oslojs/crypto/sha2';
import { encodeBase32LowerCaseNoPadding, encodeHexLowerCase } from '@oslojs/encoding';

/** 20 random bytes, base32: what the cookie or bearer header carries. */
export function generateSessionToken(): string {
  const bytes = new Uint8Array(20);
  crypto.getRandomValues(bytes);
  return encodeBase32LowerCaseNoPadding(bytes);
}

/** The database keeps only the SHA-256 of a token, so a leaked table cannot be replayed. */
export function sessionIdFromToken(token: string): string {
  return encodeHexLowerCase(sha256(new TextEncoder().encode(token)));
}

export interface SessionTimes {
  lastSeenAt: Date;
  expiresAt: Date;
}

export interface SessionPolicy {
  idleMs: number;
  absoluteMs: number;
}

/** Do not write last_seen_at on every request: once a minute is precise enough for idle expiry. */
export const SESSION_TOUCH_INTERVAL_MS = 60_000;

/**
 * A session dies at its absolute expiry or after `idleMs` without use, whichever is first.
 * `touch` says whether to record this use.
 */
export function decideSession(s: SessionTimes, policy: SessionPolicy, now: Date): 'expired' | 'touch' | 'valid' {
  const t = now.getTime();
  if (t >= s.expiresAt.getTime()) return 'expired';
  if (t - s.lastSeenAt.getTime() >= policy.idleMs) return 'expired';
  return t - s.lastSeenAt.getTime() >= SESSION_TOUCH_INTERVAL_MS ? 'touch' : 'valid';
}
