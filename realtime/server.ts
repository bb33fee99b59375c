import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { constants as zlib } from 'node:zlib';
import compression from 'compression';
import { getRequestListener } from '@hono/node-server';
import { Hono } from 'hono';
import { routePath } from 'hono/route';
import type { Platform } from '../core/platform/platform';
import { createApiApp } from './api/app';
import { createMetrics, type MetricsSources } from './metrics';
import { attachSocketIo } from './sockets/io';

export type NodeHandler = (req: IncomingMessage, res: ServerResponse, next: () => void) => void;

export interface ServerOptions {
  /** all: pages + API + socket.io; web: pages + API; realtime: API + socket.io. */
  role: 'all' | 'web' | 'realtime';
  /** The SvelteKit adapter-node handler (absent for the realtime role). */
  webHandler?: NodeHandler;
  /** How often each node re-checks who is present in its rooms (a dead node's sockets go stale). */
  presenceRefreshMs?: number;
  /** Numbers /metrics reads from the platform at scrape time (job queue, outbox). */
  metricsSources?: Omit<MetricsSources, 'socketConnections'>;
}

/**
 * Pages, API answers and static files not precompressed at build go out as br or gzip when the client
 * accepts it (`Vary: Accept-Encoding` always): only compressible types (text, JSON, JS, CSS, SVG; not images,
 * PDF or XLSX), not below 1 KB, not what is already encoded (adapter-node's .br/.gz files), not HEAD and not
 * partial content. Every write is flushed, so a streamed page (SvelteKit streams promises) keeps streaming.
 * socket.io answers its own requests and is never wrapped.
 */
const COMPRESS_FROM_BYTES = 1024;
const compress = compression({
  threshold: COMPRESS_FROM_BYTES,
  flush: zlib.Z_SYNC_FLUSH,
  brotli: { flush: zlib.BROTLI_OPERATION_FLUSH },
  filter: (req, res) => !res.getHeader('content-range') && !tinyHonoBody(res) && compression.filter(req, res),
});
/**
 * @hono/node-server gives a short body's length to node:http directly (its internal `_contentLength`)
 * instead of a Content-Length header, so the threshold above cannot see it: read it the same way.
 */
const tinyHonoBody = (res: ServerResponse) => {
  const length = (res as unknown as { _contentLength?: unknown })._contentLength;
  return typeof length === 'number' && length < COMPRESS_FROM_BYTES;
};

/**
 * One HTTP server: `/healthz`, `/readyz`, `/metrics` (with METRICS_TOKEN), the Hono API under
 * `/api/v1`, socket.io on `/socket.io`, and every other path to SvelteKit.
 */
export function createApplication(platform: Platform, opts: ServerOptions) {
  let sockets: ReturnType<typeof attachSocketIo> | undefined;
  const metrics = createMetrics(platform, {
    jobStats: async () => {
      const s = await platform.jobs.stats();
      return {
        byStatus: s.byStatus,
        oldestDueAgeSeconds: s.oldestDueAgeMs / 1000,
        failed: s.failures.waiting,
        attemptFailures: s.failures.total,
        outboxLagSeconds: s.outboxLagMs / 1000,
      };
    },
    ...opts.metricsSources,
    socketConnections: () => sockets?.io.engine.clientsCount ?? 0,
  });
  /** Set when shutdown begins: /readyz answers 503 so a load balancer stops sending new work here. */
  let draining = false;
  const app = new Hono();
  // Latency by the matched route pattern (`/api/v1/requirements/:id`), never the raw path.
  app.use('*', async (c, next) => {
    const started = performance.now();
    try {
      await next();
    } finally {
      metrics.observe(c.req.method, routePath(c, -1), c.res.status, (performance.now() - started) / 1000);
    }
  });
  app.get('/healthz', (c) => c.json({ status: 'ok', role: opts.role }));
  app.get('/readyz', async (c) => {
    if (draining) return c.json({ status: 'draining' }, 503);
    try {
      await platform.ready();
      return c.json({ status: 'ready', database: platform.dbHandle.kind, redis: platform.redis ? 'ok' : 'not configured' });
    } catch (e) {
      return c.json({ status: 'not ready', error: (e as Error).message }, 503);
    }
  });
  app.route('/', createApiApp(platform));
  const honoListener = getRequestListener(app.fetch);

  const server = createServer((req, res) => {
    const url = req.url ?? '/';
    if (url === '/metrics' || url.startsWith('/metrics?')) {
      void metrics.handle(req, res).catch(() => {
        res.statusCode = 500;
        res.end();
      });
      return;
    }
    if (url.startsWith('/api/') || url === '/healthz' || url.startsWith('/readyz') || url.startsWith('/healthz?')) {
      compress(req, res, () => void honoListener(req, res));
      return;
    }
    if (url.startsWith('/socket.io')) return; // socket.io handles its own requests on this server
    if (opts.webHandler) {
      // Set from the socket, never from the client: see PROTOCOL_HEADER in main.ts.
      req.headers['x-bangfu-proto'] = (req.socket as { encrypted?: boolean }).encrypted ? 'https' : 'http';
      const started = performance.now();
      res.once('finish', () => metrics.observe(req.method ?? 'GET', '(pages)', res.statusCode, (performance.now() - started) / 1000));
      const webHandler = opts.webHandler;
      compress(req, res, () =>
        webHandler(req, res, () => {
          res.statusCode = 404;
          res.end('Not found');
        }),
      );
      return;
    }
    res.statusCode = 404;
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ error: { code: 'NOT_FOUND', message: '这是实时服务节点，页面请访问 Web 服务' } }));
  });

  sockets =
    opts.role === 'web' ? undefined : attachSocketIo(server, platform, { corsOrigin: platform.config.ORIGIN, presenceRefreshMs: opts.presenceRefreshMs });
  sockets?.io.on('connection', (socket) => {
    metrics.socketConnected();
    socket.onAny((event: string) => metrics.socketEvent(event));
  });

  return {
    server,
    io: sockets?.io,
    metrics,
    listen(port: number, host = '0.0.0.0') {
      return new Promise<number>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          const addr = server.address();
          resolve(typeof addr === 'object' && addr ? addr.port : port);
        });
      });
    },
    /** Stops taking connections, lets requests in flight finish (up to `drainMs`), then closes the rest. */
    async close(drainMs = 5_000) {
      draining = true;
      const closed = new Promise<void>((r) => server.close(() => r()));
      server.closeIdleConnections();
      await sockets?.close();
      const drain = setTimeout(() => server.closeAllConnections(), drainMs);
      await closed;
      clearTimeout(drain);
    },
  };
}
