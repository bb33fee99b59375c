import createClient, { type Client } from 'openapi-fetch';
import type { paths } from './generated/openapi';

/**
 * A client typed by the published API document (`npm run openapi` generates `./generated/openapi.d.ts`).
 * Calls go through the document's paths, parameters and bodies, so a route that drifts from its
 * document fails the type check, and a document that drifts from its route fails the test.
 */
export type ApiClient = Client<paths, 'application/json'>;

export interface ApiClientOptions {
  /** Sent as `Authorization: Bearer <token>`. */
  token?: string;
  /** Sent as the `cookie` header (a browser's session). */
  cookie?: string;
  /** The connection's address for each request (what the Node server's socket would report). */
  ip?: string | (() => string);
  headers?: Record<string, string>;
  /** Looks at every response (a clone) before the caller does. */
  inspect?: (response: Response) => Promise<void> | void;
}

/** Anything with Hono's `request`: the API app, called in-process without a server. */
interface InProcessApp {
  request(input: Request, init?: RequestInit, env?: unknown): Response | Promise<Response>;
}

export function createApiClient(app: InProcessApp, o: ApiClientOptions = {}): ApiClient {
  return createClient<paths>({
    baseUrl: 'http://localhost',
    headers: {
      ...(o.token ? { authorization: `Bearer ${o.token}` } : {}),
      ...(o.cookie ? { cookie: o.cookie } : {}),
      ...o.headers,
    },
    fetch: async (request) => {
      const ip = typeof o.ip === 'function' ? o.ip() : o.ip;
      const response = await app.request(request, undefined, ip ? { incoming: { socket: { remoteAddress: ip } } } : undefined);
      await o.inspect?.(response.clone());
      return response;
    },
  });
}
