import type { Plugin } from 'vite';

/**
 * `npm run dev`: vite's dev server serves the pages with hot reload; this plugin mounts the same
 * `/healthz`, `/readyz`, `/api/v1` and socket.io on it, using the platform the pages use.
 */
export function bangfuDevServer(): Plugin {
  return {
    name: 'bangfu-dev-server',
    apply: 'serve',
    async configureServer(server) {
      const [{ getRequestListener }, { Hono }, { getPlatform }, { createApiApp }, { attachSocketIo }, { seedDemo }] = await Promise.all([
        import('@hono/node-server'),
        import('hono'),
        import('../core/platform/registry'),
        import('./api/app'),
        import('./sockets/io'),
        import('../db/seed/demo'),
      ]);
      const platform = await getPlatform();
      if (platform.config.SEED_DEMO) await seedDemo(platform.db);
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
    },
  };
}
