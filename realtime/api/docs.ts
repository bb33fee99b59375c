import { createRequire } from 'node:module';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ApiRouter } from './context';
import { buildDocument } from './openapi-document';

const require = createRequire(import.meta.url);
const swaggerDir = (() => {
  try {
    return require('swagger-ui-dist').getAbsoluteFSPath() as string;
  } catch {
    return undefined;
  }
})();

const ASSETS: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
};

/** The OpenAPI 3 document and a docs page whose assets are served from the installed package, not a CDN. */
export function registerDocs(api: ApiRouter) {
  // Built when first asked for (routes registered after this call are in it too), then kept per origin.
  const built = new Map<string, string>();
  api.get('/openapi.json', (c) => {
    const origin = new URL(c.req.url).origin;
    if (!built.has(origin)) {
      if (built.size >= 8) built.clear(); // the Host header is the caller's to choose
      built.set(origin, JSON.stringify(buildDocument(api, origin)));
    }
    return c.body(built.get(origin)!, 200, { 'content-type': 'application/json; charset=utf-8' });
  });
  api.openAPIRegistry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer', description: '`POST /auth/login` 返回的 token' });
  api.openAPIRegistry.registerComponent('securitySchemes', 'cookie', {
    type: 'apiKey',
    in: 'cookie',
    name: 'bangfu_session',
    description: '浏览器登录后的会话 Cookie',
  });

  api.get('/docs/assets/:file', async (c) => {
    const file = c.req.param('file');
    const type = ASSETS[file];
    if (!type || !swaggerDir) return c.notFound();
    return c.body(await readFile(join(swaggerDir, file)), 200, { 'content-type': type, 'cache-control': 'public, max-age=86400' });
  });
  api.get('/docs', (c) =>
    c.html(`<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>帮扶 API 文档</title><link rel="stylesheet" href="/api/v1/docs/assets/swagger-ui.css"></head>
<body><div id="ui"></div><script src="/api/v1/docs/assets/swagger-ui-bundle.js"></script>
<script>window.ui = SwaggerUIBundle({ url: '/api/v1/openapi.json', dom_id: '#ui', deepLinking: true });</script></body></html>`),
  );
}
