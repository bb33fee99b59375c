import { appendFileSync } from 'node:fs';
import { expect } from 'vitest';
import { memberships, organisations } from '../../db/schema';
import { nextIp, registerUser } from '../../core/testing/factories';
import { createTestPlatform, type ManualClock } from '../../core/testing/test-platform';
import { createApiApp } from './app';
import { createApiClient, type ApiClientOptions } from './api-client';
import { checkResponse, formatMismatch, KNOWN_RESPONSE_MISMATCHES, routeTable, type ResponseMismatch } from './response-contract';

export interface CallOptions {
  token?: string;
  cookie?: string;
  body?: unknown;
  headers?: Record<string, string>;
  /** The connection's address (what a socket would report); unset: none, as in-process calls have. */
  ip?: string;
}

export interface ApiResponse {
  status: number;
  headers: Headers;
  /** The parsed body, undefined when it is empty or not JSON. */
  json: any;
  text: string;
}

export interface RouteCall {
  method: string;
  path: string;
  body?: unknown;
}

/** The Node server's `incoming` request as @hono/node-server passes it: the connection's remote address. */
export const connectionFrom = (remoteAddress: string) => ({ incoming: { socket: { remoteAddress } } });

/** What a stack trace looks like in a body: `at fn (/path/file.ts:12:3)` or a bare `file.ts:12:3`. */
const STACK_TRACE = /\bat .*\(?\S+\.(ts|js|mjs):\d+(:\d+)?\)?|\/(core|realtime|db|node_modules)\/\S+\.(ts|js):\d+/;

/**
 * A real platform on a fresh test database and its API app, called in-process with `app.request`.
 * Every response is checked for a leaked stack trace.
 */
export async function createApiHarness(opts: { clock?: ManualClock } = {}) {
  const platform = await createTestPlatform({ clock: opts.clock });
  const app = createApiApp(platform);
  holdToResponseSchemas(app);

  async function call(method: string, path: string, o: CallOptions = {}): Promise<ApiResponse> {
    const body = o.body !== undefined ? JSON.stringify(o.body) : undefined;
    const init: RequestInit = {
      method,
      headers: {
        // As a real client sends them: the type and the length of the body.
        ...(body !== undefined ? { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) } : {}),
        ...(o.token ? { authorization: `Bearer ${o.token}` } : {}),
        ...(o.cookie ? { cookie: o.cookie } : {}),
        ...o.headers,
      },
      body,
    };
    const res = await app.request(path, init, o.ip ? connectionFrom(o.ip) : undefined);
    return read(res);
  }

  /** `json('POST', '/api/v1/auth/login', { identifier, password }, { token })`: a JSON call from its own client address. */
  const json = (method: string, path: string, body?: unknown, o: { token?: string; cookie?: string; headers?: Record<string, string>; ip?: string } = {}) =>
    call(method, path, { body, token: o.token, cookie: o.cookie, headers: o.headers, ip: o.ip ?? nextIp() });

  /** A registered user (enterprise by default) with a bearer token, made through the service. */
  const user = (over: Record<string, unknown> = {}) => registerUser(platform, over);

  /** Signs in through the API with the user's username and password; returns the bearer token. */
  async function loginAs(input: { username: string; password: string }): Promise<string> {
    const res = await json('POST', '/api/v1/auth/login', { identifier: input.username, password: input.password });
    expect(res.status, `login as ${input.username}: ${res.text}`).toBe(200);
    return res.json.token as string;
  }

  /** A platform operator: a user who is a member of a `platform` organisation (written directly to the db). */
  async function operator() {
    const u = await registerUser(platform);
    const [org] = await platform.db
      .insert(organisations)
      .values({ kind: 'platform', fullName: `运营中心${Math.random().toString(36).slice(2, 7)}` })
      .returning();
    await platform.db.insert(memberships).values({ userId: u.actor.userId, organisationId: org!.id, role: 'admin' });
    // Sign in again so the session sees the new membership.
    return { ...u, token: await loginAs(u.input) };
  }

  const operatorToken = async () => (await operator()).token;

  /**
   * The refusals every protected route shares: no credentials → 401 UNAUTHENTICATED (a made-up
   * token likewise); for `operator` routes, a signed-in non-operator → 403 FORBIDDEN with no data.
   */
  async function expectRefusals(route: 'signed-in' | 'operator', { method, path, body }: RouteCall) {
    for (const token of [undefined, 'not-a-real-token']) {
      const res = await call(method, path, { body, token });
      expect(res.status, `${method} ${path} ${token ? 'with a made-up token' : 'without credentials'}`).toBe(401);
      expect(res.json).toMatchObject({ error: { code: 'UNAUTHENTICATED' } });
      expect(Object.keys(res.json)).toEqual(['error']);
    }
    if (route === 'operator') {
      const u = await user();
      const res = await call(method, path, { body, token: u.token });
      expect(res.status, `${method} ${path} as a non-operator`).toBe(403);
      expect(res.json).toMatchObject({ error: { code: 'FORBIDDEN' } });
      expect(Object.keys(res.json)).toEqual(['error']);
    }
  }

  /**
   * The client typed by the published document, as the caller with this token (anonymous without one):
   * `const { data, error, response } = await h.api(token).POST('/api/v1/wallet/recharges/online', { body })`.
   * Each request comes from its own client address unless `ip` is given; every answer is checked for a stack trace.
   */
  const api = (token?: string, o: Omit<ApiClientOptions, 'token' | 'inspect'> = {}) =>
    createApiClient(app, { token, ip: nextIp, ...o, inspect: async (res) => void (await read(res)) });

  return { platform, app, call, json, api, user, loginAs, operator, operatorToken, expectRefusals, close: () => platform.close() };
}

/**
 * `API_RESPONSE_CHECK=report` records every mismatch and fails none (to survey the routes);
 * by default a mismatch fails the call unless its operation is in KNOWN_RESPONSE_MISMATCHES.
 * `API_RESPONSE_REPORT=<file>` appends each recorded mismatch there as a JSON line.
 */
const RESPONSE_CHECK = process.env.API_RESPONSE_CHECK === 'report' ? 'report' : 'strict';

/**
 * Every answer of the app, however it is called (`call`, `json`, the typed client or `app.request`),
 * is checked against the response schema its route publishes: a 2xx JSON body that does not match
 * fails the test with where and what differs.
 */
function holdToResponseSchemas(app: ReturnType<typeof createApiApp>) {
  const table = routeTable(app as never);
  const request = app.request;
  app.request = (async (input: RequestInfo | URL, init?: RequestInit, ...rest: unknown[]) => {
    const res = await (request as (...a: unknown[]) => Response | Promise<Response>)(input, init, ...rest);
    const url = new URL(input instanceof Request ? input.url : String(input), 'http://localhost');
    const method = init?.method ?? (input instanceof Request ? input.method : 'GET');
    // Only answers of documented routes are read twice.
    if (res.status < 200 || res.status >= 300 || !table.find(method, url.pathname)) return res;
    const type = res.headers.get('content-type');
    let body: unknown;
    if (type?.toLowerCase().includes('application/json')) {
      try {
        const text = await res.clone().text();
        body = text ? JSON.parse(text) : undefined;
      } catch {
        return res;
      }
    }
    const mismatches = checkResponse(table, method, url.pathname, res.status, type, body);
    const failing = mismatches.filter((m) => RESPONSE_CHECK === 'strict' && !KNOWN_RESPONSE_MISMATCHES.has(m.operationId));
    if (mismatches.length) recordMismatches(mismatches);
    if (failing.length) throw new Error(failing.map(formatMismatch).join('\n'));
    return res;
  }) as typeof app.request;
}

function recordMismatches(mismatches: ResponseMismatch[]) {
  const file = process.env.API_RESPONSE_REPORT;
  if (!file) return;
  appendFileSync(file, mismatches.map((m) => `${JSON.stringify({ ...m, test: expect.getState().currentTestName })}\n`).join(''));
}

/** Reads a response once, parses JSON when it is JSON, and refuses any body that carries a stack trace. */
export async function read(res: Response): Promise<ApiResponse> {
  const text = await res.text();
  let json: any;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  expect(text, 'a response body carries a stack trace').not.toMatch(STACK_TRACE);
  return { status: res.status, headers: res.headers, json, text };
}

export type ApiHarness = Awaited<ReturnType<typeof createApiHarness>>;
