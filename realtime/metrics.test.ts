import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Platform } from '../core/platform/platform';
import { createTestPlatform } from '../core/testing/test-platform';
import { createApplication } from './server';
import { settle, socketClients } from './sockets/test-clients';

const TOKEN = 'metrics-token-0123456789';
let p: Platform;
let open: ReturnType<typeof createApplication>;
let guarded: ReturnType<typeof createApplication>;
let openUrl: string;
let url: string;
const { client, closeAll } = socketClients();

beforeAll(async () => {
  p = await createTestPlatform({ env: { METRICS_TOKEN: TOKEN } });
  guarded = createApplication(p, {
    role: 'realtime',
    metricsSources: { jobStats: async () => ({ byStatus: { pending: 3, failed: 1 }, oldestDueAgeSeconds: 7, failed: 1, outboxLagSeconds: 2 }) },
  });
  url = `http://127.0.0.1:${await guarded.listen(0, '127.0.0.1')}`;
  // The same platform without the setting: a second application reading a config without the token.
  open = createApplication({ ...p, config: { ...p.config, METRICS_TOKEN: undefined } }, { role: 'realtime' });
  openUrl = `http://127.0.0.1:${await open.listen(0, '127.0.0.1')}`;
});
afterAll(async () => {
  closeAll();
  await guarded?.close();
  await open?.close();
  await p?.close();
});

const scrape = (base: string, token?: string) => fetch(`${base}/metrics`, token ? { headers: { authorization: `Bearer ${token}` } } : {});

describe('/metrics', () => {
  it('does not exist without METRICS_TOKEN, and asks for the token when it is set', async () => {
    expect((await scrape(openUrl, TOKEN)).status).toBe(404);
    const anonymous = await scrape(url);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toMatch(/Bearer/);
    expect((await scrape(url, `${TOKEN}x`)).status).toBe(401);
    expect((await scrape(url, 'short')).status).toBe(401);
  });

  it('labels HTTP latency by route pattern, never by the raw path', async () => {
    const id = '00000000-0000-4000-8000-000000000001';
    await fetch(`${url}/api/v1/requirements/${id}`);
    await fetch(`${url}/api/v1/no/such/path/${id}`);
    const res = await scrape(url, TOKEN);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/plain/);
    const text = await res.text();
    expect(text).toMatch(/bangfu_http_request_duration_seconds_count\{[^}]*route="\/api\/v1\/requirements\/:id"/);
    expect(text).not.toContain(id);
    expect(text).toContain('bangfu_process_');
  });

  it('counts sockets and their events (unknown event names as `other`), the job queue and the outbox', async () => {
    const s = await client(url);
    s.emit('session:whoami', () => {});
    s.emit('made-up-event-name-123' as never);
    await settle(100);
    const text = await (await scrape(url, TOKEN)).text();
    expect(text).toMatch(/bangfu_socket_connections\{[^}]*\} 1/);
    expect(text).toMatch(/bangfu_socket_events_total\{[^}]*event="session:whoami"[^}]*\} 1/);
    expect(text).toMatch(/bangfu_socket_events_total\{[^}]*event="other"[^}]*\} 1/);
    expect(text).not.toContain('made-up-event-name-123');
    expect(text).toMatch(/bangfu_jobs\{[^}]*status="pending"[^}]*\} 3/);
    expect(text).toMatch(/bangfu_jobs_failed\{[^}]*\} 1/);
    expect(text).toMatch(/bangfu_outbox_lag_seconds\{[^}]*\} 2/);
    expect(text).toMatch(/bangfu_db_connections\{/);
  });
});

describe('/metrics on the platform’s own numbers', () => {
  it('reads the job queue of the platform when no source is given', async () => {
    const app = createApplication(p, { role: 'realtime' });
    const base = `http://127.0.0.1:${await app.listen(0, '127.0.0.1')}`;
    try {
      const text = await (await scrape(base, TOKEN)).text();
      expect(text).toMatch(/bangfu_jobs\{[^}]*status="failed"[^}]*\} \d+/);
      expect(text).toMatch(/bangfu_outbox_lag_seconds\{[^}]*\} [\d.]+/);
      expect(text).toMatch(/bangfu_job_attempt_failures\{[^}]*\} \d+/);
    } finally {
      await app.close(100);
    }
  });
});
