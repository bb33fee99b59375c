export const CODE_TTL_MS = 10 * 60_000;
export const CODE_MAX_FAILED_ATTEMPTS = 5;

export interface CodeRecord {
  failedAttempts: number;
  expiresAt: Date;
  consumedAt: Date | null;
}

/**
 * A verification code is `active` until it is used, expires or takes its 5th wrong try (`burned`).
 * Only an active code can be accepted; each wrong try counts.
 */
export type CodeState = 'active' | 'consumed' | 'expired' | 'burned';

export function codeState(code: CodeRecord, now: Date): CodeState {
  if (code.consumedAt) return 'consumed';
  if (code.failedAttempts >= CODE_MAX_FAILED_ATTEMPTS) return 'burned';
  if (code.expiresAt.getTime() <= now.getTime()) return 'expired';
  return 'active';
}

export type CodeAttempt =
  | { outcome: 'accepted'; update: { consumedAt: Date } }
  | { outcome: 'wrong'; update: { failedAttempts: number }; attemptsLeft: number }
  | { outcome: 'dead'; state: Exclude<CodeState, 'active'> };

/** Decides one try at a code. Pure: the caller compares the code and passes the time. */
export function decideCodeAttempt(code: CodeRecord, matches: boolean, now: Date): CodeAttempt {
  const state = codeState(code, now);
  if (state !== 'active') return { outcome: 'dead', state };
  if (matches) return { outcome: 'accepted', update: { consumedAt: now } };
  const failedAttempts = code.failedAttempts + 1;
  return { outcome: 'wrong', update: { failedAttempts }, attemptsLeft: CODE_MAX_FAILED_ATTEMPTS - failedAttempts };
}
