import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { describe, expect, it } from 'vitest';
import { checkResponse, formatMismatch, KNOWN_RESPONSE_MISMATCHES, routeTable } from './response-contract';
import { buildDocument } from './openapi-document';
import { createApiApp } from './app';
import type { Platform } from '../../core/platform/platform';

/** A tiny documented app: one static and one parameterised route over the same prefix. */
function tinyApp() {
  const api = new OpenAPIHono().basePath('/api/v1');
  const Thing = z.object({ id: z.string(), priceFen: z.number().int(), note: z.string().nullable() });
  api.openapi(
    createRoute({
      method: 'get',
      path: '/things/{id}',
      request: { params: z.object({ id: z.string() }) },
      responses: { 200: { description: 'one', content: { 'application/json': { schema: Thing } } } },
    }),
    (c) => c.json({ id: '1', priceFen: 1, note: null }, 200),
  );
  api.openapi(
    createRoute({
      method: 'get',
      path: '/things/mine',
      responses: { 200: { description: 'mine', content: { 'application/json': { schema: z.object({ items: z.array(Thing) }) } } } },
    }),
    (c) => c.json({ items: [] }, 200),
  );
  return api;
}

describe('response contract check', () => {
  const table = routeTable(tinyApp() as never);
  const check = (path: string, body: unknown, status = 200) => checkResponse(table, 'GET', path, status, 'application/json', body);

  it('accepts an answer that matches, and finds the static route before the parameterised one', () => {
    expect(check('/api/v1/things/abc', { id: 'abc', priceFen: 100, note: null })).toEqual([]);
    expect(check('/api/v1/things/mine', { items: [{ id: 'a', priceFen: 1, note: 'x' }] })).toEqual([]);
    expect(table.find('get', '/api/v1/things/mine')?.operationId).toBe('getThingsMine');
  });

  it('names where the body differs and what was there', () => {
    const [m] = check('/api/v1/things/abc', { id: 'abc', priceFen: '100' });
    expect(m).toMatchObject({ kind: 'invalid', operationId: 'getThing', path: '/api/v1/things/{id}' });
    expect(m!.detail).toContain('priceFen');
    expect(m!.detail).toContain('got "100"');
    expect(m!.detail).toContain('note');
    expect(formatMismatch(m!)).toMatch(/^GET \/api\/v1\/things\/\{id\} \(getThing\) 200/);
  });

  it('reports fields the schema does not declare (zod would strip them unseen), nested in arrays too', () => {
    const [m] = check('/api/v1/things/mine', { items: [{ id: 'a', priceFen: 1, note: null, rivalName: '某公司' }], debug: true });
    expect(m).toMatchObject({ kind: 'undocumented' });
    expect(m!.detail).toContain('items[].rivalName');
    expect(m!.detail).toContain('debug');
  });

  it('reports a status the route does not declare; ignores errors, non-JSON answers and unknown paths', () => {
    expect(check('/api/v1/things/abc', { id: 'abc' }, 201)[0]).toMatchObject({ kind: 'undeclared-status' });
    expect(check('/api/v1/things/abc', { anything: true }, 404)).toEqual([]);
    expect(checkResponse(table, 'GET', '/api/v1/things/abc', 200, 'text/csv', 'a,b')).toEqual([]);
    expect(check('/api/v1/nowhere', {})).toEqual([]);
  });

  it('the list of known mismatches names only operations the API has (so it can only shrink)', () => {
    const notStarted = new Proxy({} as Platform, {
      get: () => {
        throw new Error('no platform needed to build the document');
      },
    });
    const doc = buildDocument(createApiApp(notStarted));
    const ids = new Set(
      Object.values(doc.paths ?? {}).flatMap((item) => Object.values(item as Record<string, { operationId?: string }>).map((op) => op?.operationId)),
    );
    expect([...KNOWN_RESPONSE_MISMATCHES].filter((id) => !ids.has(id))).toEqual([]);
  });
});
