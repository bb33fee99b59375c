import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { CODE_MAX_FAILED_ATTEMPTS, codeState, decideCodeAttempt, type CodeRecord } from './codes.machine';
import { decideSession } from './sessions';

const now = new Date('2026-03-01T08:00:00Z');
const fresh = (over: Partial<CodeRecord> = {}): CodeRecord => ({
  failedAttempts: 0,
  expiresAt: new Date(now.getTime() + 10 * 60_000),
  consumedAt: null,
  ...over,
});

describe('verification code', () => {
  it.each([
    ['active', fresh(), 'active'],
    ['consumed', fresh({ consumedAt: now }), 'consumed'],
    ['expired at exactly 10 minutes', fresh({ expiresAt: now }), 'expired'],
    ['burned after 5 wrong tries', fresh({ failedAttempts: 5 }), 'burned'],
  ])('%s', (_, code, state) => {
    expect(codeState(code, now)).toBe(state);
  });

  it('accepts a matching active code once', () => {
    const r = decideCodeAttempt(fresh(), true, now);
    expect(r.outcome).toBe('accepted');
    if (r.outcome !== 'accepted') return;
    expect(decideCodeAttempt(fresh({ consumedAt: r.update.consumedAt }), true, now)).toEqual({ outcome: 'dead', state: 'consumed' });
  });

  it('refuses even the right code after expiry', () => {
    expect(decideCodeAttempt(fresh({ expiresAt: new Date(now.getTime() - 1) }), true, now)).toEqual({ outcome: 'dead', state: 'expired' });
  });

  it('the 5th wrong try burns the code, so the right one no longer works', () => {
    let code = fresh();
    for (let i = 1; i <= CODE_MAX_FAILED_ATTEMPTS; i++) {
      const r = decideCodeAttempt(code, false, now);
      expect(r.outcome).toBe('wrong');
      if (r.outcome === 'wrong') {
        expect(r.attemptsLeft).toBe(CODE_MAX_FAILED_ATTEMPTS - i);
        code = { ...code, ...r.update };
      }
    }
    expect(decideCodeAttempt(code, true, now)).toEqual({ outcome: 'dead', state: 'burned' });
  });

  it('property: no sequence of tries accepts a code twice or after 5 failures', () => {
    fc.assert(
      fc.property(fc.array(fc.boolean(), { maxLength: 12 }), (tries) => {
        let code = fresh();
        let accepted = 0;
        let failures = 0;
        for (const matches of tries) {
          const r = decideCodeAttempt(code, matches, now);
          if (r.outcome === 'accepted') {
            accepted++;
            expect(failures).toBeLessThan(CODE_MAX_FAILED_ATTEMPTS);
            code = { ...code, ...r.update };
          } else if (r.outcome === 'wrong') {
            failures++;
            code = { ...code, ...r.update };
          }
        }
        expect(accepted).toBeLessThanOrEqual(1);
      }),
    );
  });
});

describe('session expiry', () => {
  const policy = { idleMs: 60 * 60_000, absoluteMs: 30 * 86_400_000 };
  const s = (lastSeenAgoMs: number, expiresInMs: number) => ({
    lastSeenAt: new Date(now.getTime() - lastSeenAgoMs),
    expiresAt: new Date(now.getTime() + expiresInMs),
  });
  it.each([
    ['just used', s(1000, 86_400_000), 'valid'],
    ['used 2 minutes ago: record the use', s(120_000, 86_400_000), 'touch'],
    ['idle for the whole idle window', s(60 * 60_000, 86_400_000), 'expired'],
    ['past the absolute expiry even if active', s(1000, 0), 'expired'],
  ])('%s', (_, times, expected) => {
    expect(decideSession(times, policy, now)).toBe(expected);
  });
});
