import type { Plugin } from 'vite';

/**
 * `npm run dev`: vite's dev server serves the pages with hot reload; this plugin mounts the same
 * `/healthz`, `/readyz`, `/api/v1` and socket.io on it. The server code is loaded through vite's own
 * module runner (so the config stays small and pages and API share one platform instance).
 */
export function bangfuDevServer(): Plugin {
  return {
    name: 'bangfu-dev-server',
    apply: 'serve',
    async configureServer(server) {
      const mod = (await server.ssrLoadModule('/realtime/dev-server.ts')) as typeof import('./dev-server');
      await mod.mountOnDevServer(server);
    },
  };
}
