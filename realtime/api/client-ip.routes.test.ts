import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestPlatform } from '../../core/testing/test-platform';
import { buildMobile } from '../../core/testing/factories';
import type { Platform } from '../../core/platform/platform';
import { createApiApp } from './app';
import { connectionFrom, read } from './test-helpers';

// Per-IP limits hold whatever X-Forwarded-For a client writes; the header counts only through a trusted proxy.
describe.each([
  ['no TRUSTED_PROXY', {}],
  ['TRUSTED_PROXY=1', { TRUSTED_PROXY: '1' }],
])('per-IP limits with %s', (_name, env) => {
  let p: Platform;
  let app: ReturnType<typeof createApiApp>;
  beforeAll(async () => {
    p = await createTestPlatform({ env });
    app = createApiApp(p);
  });
  afterAll(() => p?.close());

  const post = async (path: string, body: unknown, socket: string, forwardedFor: string) =>
    read(
      await app.request(
        path,
        { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': forwardedFor }, body: JSON.stringify(body) },
        connectionFrom(socket),
      ),
    );

  it('a fresh X-Forwarded-For on every login try does not escape the 30-per-IP limit', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 31; i++) {
      // Behind one trusted proxy, the proxy appends the real client (198.51.100.50) after the forged entry.
      const xff = 'TRUSTED_PROXY' in env ? `192.0.2.${i}, 198.51.100.50` : `192.0.2.${i}`;
      const res = await post('/api/v1/auth/login', { identifier: `nobody${i}x${Date.now()}`, password: 'Wrong1234' }, '10.0.0.2', xff);
      statuses.push(res.status);
    }
    expect(statuses.slice(0, 30).every((s) => s === 401)).toBe(true);
    expect(statuses[30]).toBe(429);
  });

  it('a fresh X-Forwarded-For on every code request does not escape the 20-per-IP limit', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 21; i++) {
      const xff = 'TRUSTED_PROXY' in env ? `192.0.2.${i}, 198.51.100.60` : `192.0.2.${i}`;
      statuses.push((await post('/api/v1/auth/register-code', { mobile: buildMobile() }, '10.0.0.3', xff)).status);
    }
    expect(statuses.slice(0, 20).every((s) => s === 200)).toBe(true);
    expect(statuses[20]).toBe(429);
  });

  if ('TRUSTED_PROXY' in env) {
    it('behind the trusted proxy, two real clients are limited separately', async () => {
      const a = await post('/api/v1/auth/login', { identifier: `x${Date.now()}`, password: 'Wrong1234' }, '10.0.0.2', '198.51.100.50');
      const b = await post('/api/v1/auth/login', { identifier: `y${Date.now()}`, password: 'Wrong1234' }, '10.0.0.2', '198.51.100.51');
      expect(a.status).toBe(429);
      expect(b.status).toBe(401);
    });
  }
});
