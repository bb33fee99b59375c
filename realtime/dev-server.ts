import type { ViteDevServer } from 'vite';
import { getRequestListener } from '@hono/node-server';
import { Hono } from 'hono';
import { getPlatform } from '../core/platform/registry';
import { seedDemoData } from '../core/platform/seed';
import { createApiApp } from './api/app';
import { attachSocketIo } from './sockets/io';

/** Mounts the API, health checks and socket.io on vite's dev server (see dev-plugin.ts). */
export async function mountOnDevServer(server: ViteDevServer) {
  const platform = await getPlatform();
  if (platform.config.SEED_DEMO) await seedDemoData(platform);
  await platform.startJobs();
  const app = new Hono();
  app.get('/healthz', (c) => c.json({ status: 'ok', role: 'dev' }));
  app.get('/readyz', async (c) => (await platform.ready(), c.json({ status: 'ready' })));
  app.route('/', createApiApp(platform));
  const listener = getRequestListener(app.fetch);
  server.middlewares.use((req, res, next) => {
    const url = req.url ?? '';
    if (url.startsWith('/api/') || url.startsWith('/healthz') || url.startsWith('/readyz')) return void listener(req, res);
    next();
  });
  if (server.httpServer) attachSocketIo(server.httpServer as never, platform);
}
