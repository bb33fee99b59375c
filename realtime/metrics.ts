import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sql } from 'drizzle-orm';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Platform } from '../core/platform/platform';

/** Socket events counted by name; anything else a client sends is counted as `other` (names are client input). */
const KNOWN_SOCKET_EVENTS = new Set([
  'session:whoami',
  'room:join',
  'room:leave',
  'room:sync',
  'round:start',
  'bid:submit',
  'room:select',
  'room:abandon',
  'chat:join',
  'chat:send',
  'chat:delivered',
  'chat:read',
  'chat:typing',
]);

/** What a scrape may ask the platform for; every part is optional so a node without it still answers. */
export interface MetricsSources {
  /** Queue depth by status, age of the oldest due job, failures, outbox lag (the jobs context). */
  jobStats?: () => Promise<{
    byStatus: Record<string, number>;
    oldestDueAgeSeconds: number;
    failed: number;
    /** Failed attempts on this node since it started (each retried or, at the last attempt, failed for good). */
    attemptFailures?: number;
    outboxLagSeconds: number;
  }>;
  /** Open sockets on this node. */
  socketConnections?: () => number;
}

/**
 * The Prometheus metrics of one node (one registry per application, so tests may build several in a
 * process). HTTP latency is labelled by the matched route pattern, never by the raw path, so an
 * attacker cannot grow the label set.
 */
export function createMetrics(platform: Platform, sources: MetricsSources = {}) {
  const registry = new Registry();
  registry.setDefaultLabels({ role: platform.config.ROLE });
  collectDefaultMetrics({ register: registry, prefix: 'bangfu_process_' });

  const httpDuration = new Histogram({
    name: 'bangfu_http_request_duration_seconds',
    help: 'HTTP request latency by route pattern, method and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const socketEvents = new Counter({
    name: 'bangfu_socket_events_total',
    help: 'Socket.io events received, by event name',
    labelNames: ['event'] as const,
    registers: [registry],
  });
  const socketConnectionsTotal = new Counter({
    name: 'bangfu_socket_connections_total',
    help: 'Socket.io connections accepted since start',
    registers: [registry],
  });
  new Gauge({
    name: 'bangfu_socket_connections',
    help: 'Socket.io connections open on this node',
    registers: [registry],
    collect() {
      this.set(sources.socketConnections?.() ?? 0);
    },
  });
  const jobs = new Gauge({ name: 'bangfu_jobs', help: 'Jobs by status', labelNames: ['status'] as const, registers: [registry] });
  const jobAge = new Gauge({ name: 'bangfu_jobs_oldest_due_age_seconds', help: 'Age of the oldest job that is due and not yet done', registers: [registry] });
  const jobFailures = new Gauge({
    name: 'bangfu_jobs_failed',
    help: 'Jobs that used up their attempts (operators retry them on /admin/jobs)',
    registers: [registry],
  });
  const attemptFailures = new Gauge({ name: 'bangfu_job_attempt_failures', help: 'Failed job attempts on this node since it started', registers: [registry] });
  const outboxLag = new Gauge({ name: 'bangfu_outbox_lag_seconds', help: 'Age of the oldest undelivered outbox row', registers: [registry] });
  const dbConnections = new Gauge({
    name: 'bangfu_db_connections',
    help: 'Database connections of this process by state (PostgreSQL: pg_stat_activity; embedded: one)',
    labelNames: ['state'] as const,
    registers: [registry],
  });
  const dbPoolMax = new Gauge({ name: 'bangfu_db_pool_max', help: 'Largest number of database connections this process opens', registers: [registry] });

  /** Reads the slower numbers only when scraped. */
  async function collectOnScrape() {
    if (sources.jobStats) {
      try {
        const s = await sources.jobStats();
        jobs.reset();
        for (const [status, n] of Object.entries(s.byStatus)) jobs.set({ status }, n);
        jobAge.set(s.oldestDueAgeSeconds);
        jobFailures.set(s.failed);
        attemptFailures.set(s.attemptFailures ?? 0);
        outboxLag.set(s.outboxLagSeconds);
      } catch {
        // A scrape during a database outage still answers with what it has.
      }
    }
    dbConnections.reset();
    if (platform.dbHandle.kind === 'pglite') {
      dbPoolMax.set(1);
      dbConnections.set({ state: 'open' }, 1);
      return;
    }
    dbPoolMax.set(platform.dbHandle.poolMax ?? 0);
    try {
      const rows = (await platform.db.execute(
        sql`select coalesce(state, 'unknown') as state, count(*)::int as n from pg_stat_activity where application_name = ${platform.dbHandle.applicationName ?? ''} group by 1`,
      )) as unknown as { state: string; n: number }[];
      for (const r of Array.from(rows)) dbConnections.set({ state: r.state }, Number(r.n));
    } catch {
      // as above
    }
  }

  const token = platform.config.METRICS_TOKEN;
  return {
    registry,
    /** Times one HTTP request; `route` is the matched pattern (or a fixed name for pages and sockets). */
    observe(method: string, route: string, status: number, seconds: number) {
      httpDuration.observe({ method: /^(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)$/.test(method) ? method : 'OTHER', route, status: String(status) }, seconds);
    },
    socketConnected() {
      socketConnectionsTotal.inc();
    },
    socketEvent(event: string) {
      socketEvents.inc({ event: KNOWN_SOCKET_EVENTS.has(event) ? event : 'other' });
    },
    /**
     * GET /metrics: answers only a caller that presents METRICS_TOKEN as a bearer token. Without the
     * setting the endpoint does not exist (404), so nothing about the deployment leaks by default.
     */
    async handle(req: IncomingMessage, res: ServerResponse) {
      if (!token)
        return send(res, 404, 'application/json', JSON.stringify({ error: { code: 'NOT_FOUND', message: '未启用监控指标（需配置 METRICS_TOKEN）' } }));
      const given = /^bearer\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1]?.trim() ?? '';
      if (!sameSecret(given, token)) {
        res.setHeader('www-authenticate', 'Bearer realm="metrics"');
        return send(res, 401, 'application/json', JSON.stringify({ error: { code: 'UNAUTHENTICATED', message: '需要监控令牌' } }));
      }
      await collectOnScrape();
      send(res, 200, registry.contentType, await registry.metrics());
    },
  };
}

function send(res: ServerResponse, status: number, type: string, body: string) {
  res.statusCode = status;
  res.setHeader('content-type', type);
  res.setHeader('cache-control', 'no-store');
  res.end(body);
}

function sameSecret(given: string, expected: string) {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
