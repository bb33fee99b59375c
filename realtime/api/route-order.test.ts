import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EDGE_LIST, type EdgeEntry } from '../contexts';
import { createApiApp } from './app';
import type { ApiRouter } from './context';
import { read, createApiHarness, type ApiHarness } from './test-helpers';
import { registerInAnyOrder } from './route-order';

const byId = createRoute({ method: 'get', path: '/things/{id}', request: { params: z.object({ id: z.uuid() }) }, responses: { 200: { description: 'one' } } });
const listed = createRoute({ method: 'get', path: '/things/listed', responses: { 200: { description: 'listed' } } });

describe('route registration', () => {
  it('lets a fixed segment win over a parameter whichever is registered first, and keeps the document order', async () => {
    for (const order of [
      [byId, listed],
      [listed, byId],
    ]) {
      const api = new OpenAPIHono() as unknown as ApiRouter;
      registerInAnyOrder(api, () => {
        for (const route of order) api.openapi(route, (c) => c.text(route === byId ? 'by id' : 'listed'));
      });
      expect(await (await api.request('/things/listed')).text()).toBe('listed');
      expect(await (await api.request('/things/7d0d3c5e-7a8c-4b39-9b0c-3f3f0a1d2e4b')).text()).toBe('by id');
      expect(Object.keys(api.getOpenAPI31Document({ openapi: '3.1.0', info: { title: 't', version: '1' } }).paths ?? {})).toEqual(order.map((r) => r.path));
    }
  });
});

/** Every context's routes, the contexts and each one's routes reversed. */
const reversed: EdgeEntry[] = EDGE_LIST.toReversed().map(([name, edge]) => [name, { ...edge, routes: edge.routes.toReversed() }]);
const concrete = (path: string) =>
  path.replace(/\{[^}]+\}/g, (p) => (/code/i.test(p) ? '999999' : /size/.test(p) ? 'thumb' : '00000000-0000-4000-8000-000000000000'));

describe('the API registered in reverse order', () => {
  let h: ApiHarness;
  let usualApp: ReturnType<typeof createApiApp>;
  let other: ReturnType<typeof createApiApp>;
  let token: string;
  beforeAll(async () => {
    h = await createApiHarness();
    // Both built here, so the comparison is of routing alone (the harness's app also checks bodies).
    usualApp = createApiApp(h.platform);
    other = createApiApp(h.platform, { contexts: reversed });
    token = (await h.user()).token;
  }, 180_000);
  afterAll(() => h?.close());

  it('answers every GET operation as the usual order does (the fixed paths next to a parameter included)', async () => {
    const doc = (await h.call('GET', '/api/v1/openapi.json')).json as { paths: Record<string, Record<string, unknown>> };
    const paths = Object.keys(doc.paths).filter((p) => doc.paths[p]!.get && !p.endsWith('/export') && !p.endsWith('.csv') && !p.endsWith('/pdf'));
    expect(paths).toEqual(
      expect.arrayContaining(['/api/v1/requirements/invitable', '/api/v1/requirements/mine', '/api/v1/agreements/awaiting', '/api/v1/storefronts/me']),
    );
    for (const path of paths) {
      const url = concrete(path);
      const init = { headers: { authorization: `Bearer ${token}` } };
      const usual = await read(await usualApp.request(url, init));
      const turned = await read(await other.request(url, init));
      expect({ path, status: turned.status, code: turned.json?.error?.code }).toEqual({ path, status: usual.status, code: usual.json?.error?.code });
    }
    // The fixed paths reach their own operation, not the one taking an id (which would refuse them as a malformed id).
    for (const path of ['/api/v1/requirements/invitable', '/api/v1/requirements/mine', '/api/v1/agreements/awaiting', '/api/v1/storefronts/me']) {
      expect((await read(await other.request(path, { headers: { authorization: `Bearer ${token}` } }))).json?.error?.code, path).not.toBe('VALIDATION');
    }
  }, 120_000);
});
