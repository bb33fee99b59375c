import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiHarness, type ApiHarness } from './test-helpers';
import { buildDocument, OPERATION_IDS } from './openapi-document';

/** The document tells the truth: what each operation answers is what its entry lists. */

let h: ApiHarness;
let doc: any;
let userToken: string;
beforeAll(async () => {
  h = await createApiHarness();
  const res = await h.call('GET', '/api/v1/openapi.json');
  expect(res.status).toBe(200);
  doc = res.json;
  userToken = (await h.user()).token;
}, 180_000);
afterAll(() => h?.close());

const METHODS = ['get', 'put', 'post', 'patch', 'delete'];
const operations = () =>
  Object.entries<any>(doc.paths).flatMap(([path, item]) => METHODS.filter((m) => item[m]).map((method) => ({ method, path, op: item[method] as any })));
/** The lint's explicit exceptions (public lists that take no input and have no 4xx answer). */
const noErrorAnswers = readFileSync(new URL('../../.redocly.lint-ignore.yaml', import.meta.url), 'utf8')
  .split('\n')
  .filter((l) => l.trim().startsWith("- '#/paths/"))
  .map((l) => l.trim().slice(3, -1).split('/')[2]!.replaceAll('~1', '/'));

/** A concrete URL for a path template: made-up ids that exist nowhere. */
const concrete = (path: string) =>
  path.replace(/\{[^}]+\}/g, (p) => (/code/i.test(p) ? '999999' : /size/.test(p) ? 'thumb' : '00000000-0000-4000-8000-000000000000'));
const documented = (op: any, status: number) => Object.keys(op.responses).includes(String(status));

describe('the API document', () => {
  it('is what buildDocument makes, served at /api/v1/openapi.json, with every operation named once', () => {
    const ops = operations();
    expect(ops.length).toBeGreaterThan(150);
    const ids = ops.map((o) => o.op.operationId);
    expect(
      ids.every((id) => /^[a-z][A-Za-z0-9]+$/.test(id)),
      ids.filter((id) => !/^[a-z][A-Za-z0-9]+$/.test(id)).join(', '),
    ).toBe(true);
    expect(ids.filter((id, i) => ids.indexOf(id) !== i)).toEqual([]);
    expect({ ...doc, servers: [] }).toEqual({ ...JSON.parse(JSON.stringify(buildDocument(h.app))), servers: [] });
  });

  it('names every explicit operationId in the table after an operation that exists', () => {
    const keys = new Set(operations().map(({ method, path }) => `${method.toUpperCase()} ${path.replace(/^\/api\/v1/, '')}`));
    expect(Object.keys(OPERATION_IDS).filter((k) => !keys.has(k))).toEqual([]);
  });

  it('declares security on every operation: an empty list on public ones, the cookie or the bearer token on the rest (optional where `{}` is one choice)', () => {
    expect(Object.keys(doc.components.securitySchemes).sort()).toEqual(['bearer', 'cookie']);
    for (const { method, path, op } of operations()) {
      expect(Array.isArray(op.security), `${method} ${path}`).toBe(true);
      if (op.security.length)
        expect(
          op.security.filter((r: object) => Object.keys(r).length),
          `${method} ${path}`,
        ).toEqual([{ cookie: [] }, { bearer: [] }]);
    }
  });

  it('lists at least one error answer for every operation, each with the shared error schema', () => {
    for (const { method, path, op } of operations()) {
      const errors = Object.keys(op.responses).filter((s) => s.startsWith('4'));
      if (noErrorAnswers.includes(path)) expect(errors, `${method} ${path}`).toEqual([]);
      else expect(errors.length, `${method} ${path} lists no 4xx`).toBeGreaterThan(0);
      for (const s of errors) expect(op.responses[s].$ref, `${method} ${path} ${s}`).toMatch(/^#\/components\/responses\//);
    }
    for (const r of Object.values<any>(doc.components.responses)) expect(r.content['application/json'].schema).toEqual({ $ref: '#/components/schemas/Error' });
  });
});

describe('what each operation answers is listed in its entry', () => {
  it('anonymous callers: signed-in operations answer 401, public ones never do; every 4xx is documented', async () => {
    const undocumented: string[] = [];
    const wrongAuth: string[] = [];
    for (const { method, path, op } of operations()) {
      // Not `{}`: an empty PATCH is refused for what it is before anything else.
      const body = op.requestBody?.content?.['application/json'] ? { probe: 1 } : undefined;
      const res = await h.json(method.toUpperCase(), concrete(path), body);
      if (res.status >= 500) continue; // no 5xx at all is the fuzz test's proof
      const secured = op.security.length > 0 && !op.security.some((r: object) => Object.keys(r).length === 0);
      if (secured && res.status !== 401) wrongAuth.push(`${method.toUpperCase()} ${path} → ${res.status} without a session`);
      if (!secured && res.status === 401) wrongAuth.push(`${method.toUpperCase()} ${path} is public but answered 401`);
      if (res.status >= 400 && !documented(op, res.status)) undocumented.push(`${method.toUpperCase()} ${path} → ${res.status} ${res.json?.error?.code ?? ''}`);
    }
    expect(wrongAuth).toEqual([]);
    expect(undocumented).toEqual([]);
  }, 180_000);

  it('a signed-in member with an empty body and made-up ids: every 4xx is documented', async () => {
    const undocumented: string[] = [];
    for (const { method, path, op } of operations()) {
      if (method === 'post' && /logout$/.test(path)) continue; // would end the session the loop uses
      const body = op.requestBody?.content?.['application/json'] ? {} : undefined;
      const res = await h.json(method.toUpperCase(), concrete(path), body, { token: userToken });
      if (res.status >= 400 && res.status < 500 && !documented(op, res.status))
        undocumented.push(`${method.toUpperCase()} ${path} → ${res.status} ${res.json?.error?.code ?? ''}`);
    }
    expect(undocumented).toEqual([]);
  }, 180_000);

  it('a body that is not JSON is refused with the documented 415 on every JSON operation', async () => {
    const undocumented: string[] = [];
    for (const { method, path, op } of operations()) {
      if (!op.requestBody?.content?.['application/json']) continue;
      const sent = await h.app.request(concrete(path), {
        method: method.toUpperCase(),
        headers: { authorization: `Bearer ${userToken}`, 'content-type': 'text/plain', 'content-length': '8' },
        body: 'amount=1',
      });
      expect(sent.status, `${method} ${path}`).toBe(415);
      if (!documented(op, 415)) undocumented.push(`${method.toUpperCase()} ${path}`);
    }
    expect(undocumented).toEqual([]);
  }, 180_000);
});
