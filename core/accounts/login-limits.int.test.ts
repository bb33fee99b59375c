import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestPlatform } from '../testing/test-platform';
import { nextIp, registerUser } from '../testing/factories';
import type { Platform } from '../platform/platform';

// Runs on PGlite with in-process limits by default, and on PostgreSQL + Redis when DATABASE_URL and
// REDIS_URL are set (the limits are then Redis buckets shared by every node).
let p: Platform;

beforeAll(async () => {
  p = await createTestPlatform();
});
afterAll(() => p?.close());

const login = (identifier: string, password: string, ip = nextIp()) =>
  p.services.accounts.login({ identifier, password }, { ip }).then(
    () => 'signed_in',
    (e: { code?: string }) => e.code ?? String(e),
  );

/** The ways registration accepts one mainland mobile. */
const spellingsOf = (m: string) => [
  m,
  `+86${m}`,
  `+86 ${m}`,
  `86${m}`,
  `${m.slice(0, 3)} ${m.slice(3, 7)} ${m.slice(7)}`,
  `${m.slice(0, 3)}-${m.slice(3, 7)}-${m.slice(7)}`,
  `+86 ${m.slice(0, 3)} ${m.slice(3, 7)} ${m.slice(7)}`,
  ` ${m} `,
];

describe('per-account login failures', () => {
  it('8 spellings of one mobile count as one account: 5 passwords checked, then refused', async () => {
    const { input } = await registerUser(p);
    const outcomes: string[] = [];
    for (const spelling of spellingsOf(input.mobile)) outcomes.push(await login(spelling, 'Wrong1234'));
    expect(outcomes.filter((o) => o === 'INVALID_CREDENTIALS')).toHaveLength(5);
    expect(outcomes.slice(5)).toEqual(['RATE_LIMITED', 'RATE_LIMITED', 'RATE_LIMITED']);
  });

  it('the right password with another spelling is refused while the username is locked', async () => {
    const { input } = await registerUser(p);
    for (let i = 0; i < 5; i++) expect(await login(input.username, 'Wrong1234')).toBe('INVALID_CREDENTIALS');
    for (const identifier of [input.username.toUpperCase(), input.mobile, `+86 ${input.mobile}`]) {
      expect(await login(identifier, input.password), identifier).toBe('RATE_LIMITED');
    }
  });

  it('unknown identifiers share one bucket per normalised spelling', async () => {
    const name = `nobody${Date.now()}`;
    const outcomes: string[] = [];
    for (const spelling of [name, name.toUpperCase(), ` ${name}`, `${name} `, name, name.toUpperCase()]) outcomes.push(await login(spelling, 'Wrong1234'));
    expect(outcomes).toEqual([
      'INVALID_CREDENTIALS',
      'INVALID_CREDENTIALS',
      'INVALID_CREDENTIALS',
      'INVALID_CREDENTIALS',
      'INVALID_CREDENTIALS',
      'RATE_LIMITED',
    ]);
  });

  it('25 concurrent wrong passwords: at most 5 are checked; the right one afterwards is refused', async () => {
    const { input } = await registerUser(p);
    const outcomes = await Promise.all(Array.from({ length: 25 }, () => login(input.username, 'Wrong1234')));
    expect(outcomes.filter((o) => o === 'INVALID_CREDENTIALS').length).toBeLessThanOrEqual(5);
    expect(outcomes.filter((o) => o === 'RATE_LIMITED').length).toBeGreaterThanOrEqual(20);
    expect(outcomes.every((o) => o === 'INVALID_CREDENTIALS' || o === 'RATE_LIMITED')).toBe(true);
    expect(await login(input.mobile, input.password)).toBe('RATE_LIMITED');
  });

  it('the right password empties the bucket: 4 wrong, right, 4 wrong, right still signs in', async () => {
    const { input } = await registerUser(p);
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 4; i++) expect(await login(input.username, 'Wrong1234')).toBe('INVALID_CREDENTIALS');
      expect(await login(input.mobile, input.password)).toBe('signed_in');
    }
  });
});
