import type { ApiRouter } from './context';

/**
 * Makes route registration independent of order. Hono answers with the first matching handler in
 * registration order, so `/requirements/{id}` registered before `/requirements/invitable` would take
 * `invitable` for an id. While `register` runs, operations are collected (and entered in the API
 * document at once, so the document keeps the order they were declared in); then they are handed to
 * the router sorted so that, at the first segment where two paths differ in kind, a fixed segment
 * comes before a path parameter. Paths of the same shape keep their order.
 */
export function registerInAnyOrder(api: ApiRouter, register: () => void) {
  const original = api.openapi;
  const collected: { route: Parameters<ApiRouter['openapi']>[0]; rest: unknown[] }[] = [];
  api.openapi = ((route: Parameters<ApiRouter['openapi']>[0], ...rest: unknown[]) => {
    if (!route.hide) {
      const { middleware: _middleware, hide: _hide, ...declared } = route;
      api.openAPIRegistry.registerPath(declared);
    }
    collected.push({ route: { ...route, hide: true }, rest });
    return api;
  }) as ApiRouter['openapi'];
  try {
    register();
  } finally {
    api.openapi = original;
  }
  const sorted = collected.map((c, i) => ({ ...c, i, shape: pathShape(c.route.path) })).sort((a, b) => byShape(a, b) || a.i - b.i);
  for (const { route, rest } of sorted) (original as (route: unknown, ...rest: unknown[]) => unknown)(route, ...rest);
}

/** A path's kind per segment: '0' fixed, '1' parameter (`/requirements/{id}` → '001'). */
export const pathShape = (path: string) =>
  path
    .split('/')
    .map((segment) => (segment.startsWith('{') ? '1' : '0'))
    .join('');

/** Fixed segments before parameters, at the first segment where two paths differ in kind. */
export const byShape = (a: { shape: string }, b: { shape: string }) => (a.shape < b.shape ? -1 : a.shape > b.shape ? 1 : 0);
