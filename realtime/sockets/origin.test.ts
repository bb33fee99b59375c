import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io as connect } from 'socket.io-client';
import { registerUser } from '../../core/testing/factories';
import { createTestPlatform } from '../../core/testing/test-platform';
import type { Platform } from '../../core/platform/platform';
import { createApplication } from '../server';
import { FOREIGN_ORIGIN_MESSAGE, isAllowedSocketOrigin } from './origin';

/** Connects like a browser page at `origin` carrying the session cookie; resolves with who the server thinks we are, or the refusal. */
function handshake(url: string, origin: string | undefined, token: string, transport: 'websocket' | 'polling' = 'websocket') {
  const s = connect(url, {
    transports: [transport],
    extraHeaders: { cookie: `bangfu_session=${token}`, ...(origin ? { origin } : {}) },
    reconnection: false,
    forceNew: true,
  });
  return new Promise<{ ok: true; userId: string | null } | { ok: false; message: string }>((resolve) => {
    s.once('connect', () =>
      s.emit('session:whoami', (ack: { data: { userId: string } | null }) => {
        resolve({ ok: true, userId: ack.data?.userId ?? null });
        s.close();
      }),
    );
    s.once('connect_error', (e) => {
      resolve({ ok: false, message: e.message });
      s.close();
    });
  });
}

describe.each([
  ['ORIGIN unset: same origin as the handshake Host', undefined],
  ['ORIGIN set (the web origin in split set-ups)', 'http://bangfu.test:3000'],
])('socket.io handshake Origin check — %s', (_name, configured) => {
  let p: Platform;
  let app: ReturnType<typeof createApplication>;
  let url: string;
  beforeAll(async () => {
    p = await createTestPlatform({ env: configured ? { ORIGIN: configured } : {} });
    app = createApplication(p, { role: 'realtime' });
    url = `http://127.0.0.1:${await app.listen(0, '127.0.0.1')}`;
  });
  afterAll(async () => {
    await app?.close();
    await p?.close();
  });

  it.each(['websocket', 'polling'] as const)('a foreign Origin riding on the session cookie is refused (%s)', async (transport) => {
    const u = await registerUser(p);
    const res = await handshake(url, 'https://evil.example', u.token, transport);
    expect(res).toEqual({ ok: false, message: FOREIGN_ORIGIN_MESSAGE });
  });

  it('the site’s own pages connect and are signed in; a non-browser client without Origin too', async () => {
    const u = await registerUser(p);
    expect(await handshake(url, configured ?? url, u.token)).toEqual({ ok: true, userId: u.actor.userId });
    expect(await handshake(url, undefined, u.token)).toEqual({ ok: true, userId: u.actor.userId });
    if (configured) {
      // With ORIGIN configured, the node's own address is not a page origin.
      expect(await handshake(url, url, u.token)).toMatchObject({ ok: false });
    }
  });
});

describe('isAllowedSocketOrigin', () => {
  it.each([
    ['http://localhost:3000', 'localhost:3000', undefined, true],
    ['http://127.0.0.1:3000', '127.0.0.1:3000', undefined, true],
    ['http://192.168.1.20:3000', '192.168.1.20:3000', undefined, true],
    ['http://localhost:3000', '127.0.0.1:3000', undefined, false],
    ['https://evil.example', 'localhost:3000', undefined, false],
    ['null', 'localhost:3000', undefined, false],
    ['https://bangfu.example.cn', 'rt1.internal:3001', 'https://bangfu.example.cn', true],
    ['https://bangfu.example.cn:443', 'rt1.internal:3001', 'https://bangfu.example.cn/', true],
    ['http://rt1.internal:3001', 'rt1.internal:3001', 'https://bangfu.example.cn', false],
    [undefined, 'localhost:3000', 'https://bangfu.example.cn', true],
  ])('%s at %s with ORIGIN=%s → %s', (origin, host, configured, expected) => {
    expect(isAllowedSocketOrigin(origin, host, configured)).toBe(expected);
  });
});
