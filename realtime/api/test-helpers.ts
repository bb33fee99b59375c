import { expect } from 'vitest';
import { memberships, organisations } from '../../db/schema';
import { registerUser } from '../../core/testing/factories';
import { createTestPlatform, type ManualClock } from '../../core/testing/test-platform';
import type { Platform } from '../../core/platform/platform';
import { createApiApp } from './app';

export interface CallOptions {
  token?: string;
  cookie?: string;
  body?: unknown;
  headers?: Record<string, string>;
}

/** A real platform on a fresh test database and its API app, called in-process with `app.request`. */
export async function createApiHarness(opts: { clock?: ManualClock } = {}) {
  const platform = await createTestPlatform({ clock: opts.clock });
  const app = createApiApp(platform);

  async function call(method: string, path: string, o: CallOptions = {}) {
    const res = await app.request(path, {
      method,
      headers: {
        ...(o.body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(o.token ? { authorization: `Bearer ${o.token}` } : {}),
        ...(o.cookie ? { cookie: o.cookie } : {}),
        ...o.headers,
      },
      body: o.body !== undefined ? JSON.stringify(o.body) : undefined,
    });
    const text = await res.text();
    let json: any;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    return { status: res.status, headers: res.headers, json, text };
  }

  /** A registered user (enterprise by default) with a bearer token. */
  const user = (over: Record<string, unknown> = {}) => registerUser(platform, over);

  /** A platform operator: a user who is a member of a `platform` organisation. */
  async function operator() {
    const u = await registerUser(platform);
    const [org] = await platform.db.insert(organisations).values({ kind: 'platform', fullName: `运营中心${Math.random().toString(36).slice(2, 7)}` }).returning();
    await platform.db.insert(memberships).values({ userId: u.actor.userId, organisationId: org!.id, role: 'admin' });
    return u;
  }

  /**
   * The refusals every protected route shares: no credentials → 401 UNAUTHENTICATED; with
   * `operatorOnly`, a signed-in non-operator → 403 FORBIDDEN. Nothing in the body leaks data.
   */
  async function expectRefusals(method: string, path: string, o: { body?: unknown; operatorOnly?: boolean } = {}) {
    const anon = await call(method, path, { body: o.body });
    expect(anon.status, `${method} ${path} without credentials`).toBe(401);
    expect(anon.json.error.code).toBe('UNAUTHENTICATED');
    const bogus = await call(method, path, { body: o.body, token: 'not-a-real-token' });
    expect(bogus.status, `${method} ${path} with a made-up token`).toBe(401);
    if (o.operatorOnly) {
      const u = await user();
      const res = await call(method, path, { body: o.body, token: u.token });
      expect(res.status, `${method} ${path} as a non-operator`).toBe(403);
      expect(res.json.error.code).toBe('FORBIDDEN');
      expect(res.json.items).toBeUndefined();
    }
  }

  return { platform, app, call, user, operator, expectRefusals, close: () => platform.close() };
}

export type ApiHarness = Awaited<ReturnType<typeof createApiHarness>>;
export type { Platform };
