import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { getRequestListener } from '@hono/node-server';
import { Hono } from 'hono';
import type { Platform } from '../core/platform/platform';
import { createApiApp } from './api/app';
import { attachSocketIo } from './sockets/io';

export type NodeHandler = (req: IncomingMessage, res: ServerResponse, next: () => void) => void;

export interface ServerOptions {
  /** all: pages + API + socket.io; web: pages + API; realtime: API + socket.io. */
  role: 'all' | 'web' | 'realtime';
  /** The SvelteKit adapter-node handler (absent for the realtime role). */
  webHandler?: NodeHandler;
  /** How often each node re-checks who is present in its rooms (a dead node's sockets go stale). */
  presenceRefreshMs?: number;
}

/**
 * One HTTP server: `/healthz`, `/readyz`, the Hono API under `/api/v1`, socket.io on `/socket.io`,
 * and every other path to SvelteKit.
 */
export function createApplication(platform: Platform, opts: ServerOptions) {
  const app = new Hono();
  app.get('/healthz', (c) => c.json({ status: 'ok', role: opts.role }));
  app.get('/readyz', async (c) => {
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
    if (url.startsWith('/api/') || url === '/healthz' || url.startsWith('/readyz') || url.startsWith('/healthz?')) {
      void honoListener(req, res);
      return;
    }
    if (url.startsWith('/socket.io')) return; // socket.io handles its own requests on this server
    if (opts.webHandler) {
      // Set from the socket, never from the client: see PROTOCOL_HEADER in main.ts.
      req.headers['x-bangfu-proto'] = (req.socket as { encrypted?: boolean }).encrypted ? 'https' : 'http';
      opts.webHandler(req, res, () => {
        res.statusCode = 404;
        res.end('Not found');
      });
      return;
    }
    res.statusCode = 404;
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ error: { code: 'NOT_FOUND', message: '这是实时服务节点，页面请访问 Web 服务' } }));
  });

  const sockets = opts.role === 'web' ? undefined : attachSocketIo(server, platform, { corsOrigin: platform.config.ORIGIN, presenceRefreshMs: opts.presenceRefreshMs });

  return {
    server,
    io: sockets?.io,
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
      const closed = new Promise<void>((r) => server.close(() => r()));
      server.closeIdleConnections();
      await sockets?.close();
      const drain = setTimeout(() => server.closeAllConnections(), drainMs);
      await closed;
      clearTimeout(drain);
    },
  };
}
