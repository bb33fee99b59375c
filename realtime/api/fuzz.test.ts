import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { individual, merchant } from '../../core/testing/mall-factories';
import { enrolment, fundedCampaign, grant } from '../../core/testing/vouchers-factories';
import { createApiHarness, read, type ApiHarness } from './test-helpers';

/**
 * Every operation of the published OpenAPI document, called with malformed input by an operator, a
 * signed-in enterprise user and an anonymous caller: bad-typed path and query values, control
 * characters and lone surrogates in strings, a huge body, no body, `{}`, JSON of the wrong shape.
 * Whatever the input, the answer is a 4xx (or a 2xx/3xx where the input happens to be acceptable),
 * never a 5xx, and never a stack trace (checked by `read`).
 */

interface Operation {
  method: string;
  path: string;
  parameters: { name: string; in: 'path' | 'query' | 'header' | 'cookie'; schema?: Schema }[];
  bodyType?: string;
  bodySchema?: Schema;
  secured: boolean;
}
type Schema = Record<string, any>;

const RANDOM_ID = '5b0b9c6e-4f0e-4c1a-9d55-2b9e8f1c0a11';
/** Path values: a well-formed id nobody owns, then malformed ones. */
const PATH_VALUES = [RANDOM_ID, 'not-an-id', 'a%00b', '%ED%A0%80', '1e309'];
/** Query values: bad numbers, control characters, an invalid UTF-8 sequence, a long value. */
const QUERY_VALUES = ['1.5', '1e309', '-1', 'a%00b', '%ED%A0%80', 'x'.repeat(5000)];
/** Strings put into every text field of a body shaped like the document says. */
const BAD_STRINGS = ['a\u0000b', '\ud800', 'x'.repeat(20_000)];
/** Values of the wrong type for every field. */
const WRONG_TYPES: unknown[] = [null, -1, 1.5, [], 'abc'];

const HUGE_BODY = JSON.stringify({ pad: 'x'.repeat(2 * 1024 * 1024) });
/** Requests of one operation in flight at once. */
const BATCH = 6;

let h: ApiHarness;
let operations: Operation[];
let doc: Schema;
const actors: { name: string; token?: string }[] = [];

beforeAll(async () => {
  h = await createApiHarness();
  const res = await h.call('GET', '/api/v1/openapi.json');
  expect(res.status).toBe(200);
  doc = res.json;
  operations = [];
  for (const [path, methods] of Object.entries(doc.paths as Record<string, Record<string, Schema>>)) {
    for (const [method, op] of Object.entries(methods)) {
      const content = op.requestBody?.content as Record<string, { schema: Schema }> | undefined;
      const bodyType = content ? Object.keys(content)[0] : undefined;
      operations.push({
        method: method.toUpperCase(),
        path,
        parameters: (op.parameters ?? []).map((p: Schema) => resolve(p)),
        bodyType,
        bodySchema: bodyType ? resolve(content![bodyType]!.schema) : undefined,
        secured: Boolean(op.security?.length),
      });
    }
  }
  // Signing out ends the session the later calls use: those operations go last.
  operations.sort((a, b) => Number(/logout|password$/.test(a.path)) - Number(/logout|password$/.test(b.path)));
  const operator = await h.operator();
  const member = await h.user();
  actors.push({ name: 'operator', token: operator.token }, { name: 'enterprise user', token: member.token }, { name: 'anonymous' });
}, 120_000);
afterAll(() => h?.close());

function resolve(s: Schema): Schema {
  let cur = s;
  while (cur && typeof cur.$ref === 'string') {
    const name = cur.$ref.split('/').pop()!;
    cur = doc.components?.schemas?.[name] ?? doc.components?.parameters?.[name] ?? {};
  }
  return cur;
}

/** A body shaped like the schema (so it passes type checks where it can) with `text` in every string field. */
function shaped(schema: Schema | undefined, text: string, depth = 0): unknown {
  const s = resolve(schema ?? {});
  if (depth > 4) return null;
  if (s.enum) return s.enum[0];
  if (s.const !== undefined) return s.const;
  const options = s.anyOf ?? s.oneOf;
  if (options) return shaped(options[0], text, depth + 1);
  if (s.allOf) return Object.assign({}, ...s.allOf.map((x: Schema) => shaped(x, text, depth + 1)));
  const type = Array.isArray(s.type) ? s.type.find((t: string) => t !== 'null') : s.type;
  switch (type) {
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries((s.properties ?? {}) as Record<string, Schema>)) out[k] = shaped(v, text, depth + 1);
      return out;
    }
    case 'array':
      return [shaped(s.items, text, depth + 1)];
    case 'integer':
    case 'number':
      return 1;
    case 'boolean':
      return true;
    case 'string':
      if (s.format === 'uuid') return RANDOM_ID;
      if (s.format === 'date-time') return new Date(Date.UTC(2030, 0, 1)).toISOString();
      if (s.format === 'date') return '2030-01-01';
      return text;
    default:
      return text;
  }
}

/** The same shape with every leaf field replaced by `value`. */
function wrongTyped(schema: Schema | undefined, value: unknown): unknown {
  const s = resolve(schema ?? {});
  if (s.type === 'object' || s.properties) {
    return Object.fromEntries(Object.keys(s.properties ?? {}).map((k) => [k, value]));
  }
  return value;
}

function fill(path: string, value: string) {
  return path.replace(/\{[^}]+\}/g, value);
}

function queryString(op: Operation, value: string) {
  const names = op.parameters.filter((p) => p.in === 'query').map((p) => p.name);
  return names.length ? `?${names.map((n) => `${n}=${value}`).join('&')}` : '';
}

interface Attempt {
  label: string;
  url: string;
  body?: BodyInit;
  type?: string;
}

function attempts(op: Operation): Attempt[] {
  const base = fill(op.path, RANDOM_ID);
  const list: Attempt[] = [];
  if (op.path.includes('{')) for (const v of PATH_VALUES) list.push({ label: `path ${v.slice(0, 20)}`, url: fill(op.path, v) });
  if (op.parameters.some((p) => p.in === 'query')) {
    for (const v of QUERY_VALUES) list.push({ label: `query ${v.slice(0, 20)}`, url: base + queryString(op, v) });
    const names = op.parameters.filter((p) => p.in === 'query').map((p) => p.name);
    list.push({ label: 'query repeated', url: `${base}?${names.map((n) => `${n}=1&${n}=2`).join('&')}` });
  }
  if (op.method === 'GET' || op.method === 'DELETE') {
    list.push({ label: 'plain', url: base });
    return list;
  }
  const json = 'application/json';
  list.push({ label: 'no body', url: base });
  list.push({ label: 'empty JSON body', url: base, body: '', type: json });
  for (const raw of ['{}', 'null', '{']) list.push({ label: `body ${raw}`, url: base, body: raw, type: json });
  list.push({ label: 'huge body', url: base, body: HUGE_BODY, type: json });
  list.push({ label: 'invalid UTF-8 body', url: base, body: new Uint8Array([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xed, 0xa0, 0x80, 0x22, 0x7d]), type: json });
  list.push({ label: 'text/plain body', url: base, body: 'hello', type: 'text/plain' });
  if (op.bodyType === json || !op.bodyType) {
    for (const text of BAD_STRINGS) {
      list.push({ label: `shaped body with ${JSON.stringify(text.slice(0, 8))}`, url: base, body: JSON.stringify(shaped(op.bodySchema, text)), type: json });
    }
    for (const v of WRONG_TYPES) {
      list.push({ label: `wrong-typed body ${JSON.stringify(v)}`, url: base, body: JSON.stringify(wrongTyped(op.bodySchema, v)), type: json });
    }
  }
  if (op.bodyType === 'multipart/form-data') {
    const forms: [string, () => FormData][] = [
      ['empty form', () => new FormData()],
      [
        'text instead of a file',
        () => {
          const f = new FormData();
          f.set('file', 'a\u0000b');
          return f;
        },
      ],
      [
        'file with control characters in its name',
        () => {
          const f = new FormData();
          f.set('file', new File([new Uint8Array([1, 2, 3])], 'a\u0000\u202Eb.png', { type: 'image/png' }));
          return f;
        },
      ],
      [
        'empty file',
        () => {
          const f = new FormData();
          f.set('file', new File([], 'x.pdf', { type: 'application/pdf' }));
          f.set('imageOnly', '\u0000');
          return f;
        },
      ],
    ];
    for (const [label, make] of forms) list.push({ label, url: base, body: make() });
  }
  return list;
}

describe('fuzz: every operation of the OpenAPI document answers malformed input with a 4xx', () => {
  it('no 5xx for any actor, operation or malformed input', async () => {
    const failures: string[] = [];
    const slow = new Map<string, number>();
    let calls = 0;
    for (const actor of actors) {
      for (const op of operations) {
        // Anonymous callers of protected operations are refused before any input is read: a few calls suffice.
        // Malformed path values are refused before the caller matters: the operator covers them.
        const list = attempts(op);
        const chosen =
          !actor.token && op.secured
            ? list.slice(0, 3)
            : actor.name === 'operator'
              ? list
              : list.filter((a) => !a.label.startsWith('path ') || a.label.includes(RANDOM_ID.slice(0, 20)));
        const started = performance.now();
        // The attempts of one operation go in small concurrent batches: the answers do not depend on
        // each other, and waiting for each in turn left the database and the password hashing idle.
        // Operations still run one after the other (signing out must come last).
        const send = async (a: Attempt) => {
          const n = calls++;
          const headers: Record<string, string> = { 'x-forwarded-for': `10.9.${n % 250}.${(n >> 8) % 250}` };
          if (actor.token) headers.authorization = `Bearer ${actor.token}`;
          if (a.type) headers['content-type'] = a.type;
          const res = await read(await h.app.request(`http://localhost${a.url}`, { method: op.method, headers, body: a.body }));
          if (res.status >= 500) failures.push(`${actor.name}: ${op.method} ${op.path} [${a.label}] → ${res.status} ${res.text.slice(0, 120)}`);
        };
        for (let i = 0; i < chosen.length; i += BATCH) await Promise.all(chosen.slice(i, i + BATCH).map(send));
        slow.set(`${op.method} ${op.path}`, (slow.get(`${op.method} ${op.path}`) ?? 0) + performance.now() - started);
      }
    }
    if (process.env.FUZZ_TIMING)
      console.log(
        [...slow]
          .sort((x, y) => y[1] - x[1])
          .slice(0, 15)
          .map(([k, ms]) => `${Math.round(ms)} ms ${k}`)
          .join('\n'),
      );
    expect(calls).toBeGreaterThan(1000);
    expect(failures, failures.join('\n')).toEqual([]);
  }, 300_000);
});

describe('fuzz: voucher routes with real ids answer malformed input with a 4xx in Chinese', () => {
  it('the bureau, an approved merchant and a resident with a coupon: no 5xx, every 4xx message in Chinese', async () => {
    const p = h.platform;
    const c = await fundedCampaign(p, { validDays: 3 });
    const activate = async (token: string, organisationId: string) =>
      expect((await h.json('POST', '/api/v1/auth/active-organisation', { organisationId }, { token })).status).toBe(200);
    await activate(c.bureau.token, c.bureau.org.id);
    const shop = await merchant(p, '綦江区古南街道老灶火锅店', '500110');
    await activate(shop.token, shop.org.id);
    const enrolled = await h.json('POST', `/api/v1/vouchers/campaigns/${c.campaign.id}/merchants`, await enrolment(p, shop.actor), { token: shop.token });
    expect(enrolled.status, enrolled.text).toBe(201);
    expect((await h.json('POST', `/api/v1/vouchers/merchants/${enrolled.json.id}/approve`, undefined, { token: c.bureau.token })).status).toBe(200);
    const resident = await individual(p, null);
    await grant(p, c, resident.actor.userId, 2);
    await grant(p, c, resident.actor.userId, 0);
    const code = await h.json('POST', '/api/v1/vouchers/payment-codes', undefined, { token: resident.token });
    expect(code.status, code.text).toBe(201);
    const redemption = await h.json('POST', '/api/v1/vouchers/redemptions', { code: code.json.digits, billFen: 12_000 }, { token: shop.token });
    expect(redemption.status, redemption.text).toBe(201);
    const idFor = (path: string) =>
      path.includes('/campaigns/') || path.includes('/public-campaigns/')
        ? c.campaign.id
        : path.includes('/issuances/')
          ? c.issuance.id
          : path.includes('/merchants/')
            ? enrolled.json.id
            : path.includes('/payment-codes/')
              ? code.json.id
              : redemption.json.id;
    const who = [
      { name: 'bureau', token: c.bureau.token },
      { name: 'merchant', token: shop.token },
      { name: 'resident', token: resident.token },
    ];
    const failures: string[] = [];
    let calls = 0;
    for (const op of operations.filter((o) => o.path.startsWith('/api/v1/vouchers'))) {
      const id = idFor(op.path);
      const list = attempts(op)
        .filter((a) => !a.label.startsWith('path '))
        .map((a) => ({ ...a, url: a.url.replaceAll(RANDOM_ID, id) }));
      for (const actor of who) {
        for (const a of list) {
          const headers: Record<string, string> = { 'x-forwarded-for': `10.8.${calls % 250}.${(calls++ >> 8) % 250}`, authorization: `Bearer ${actor.token}` };
          if (a.type) headers['content-type'] = a.type;
          const res = await read(await h.app.request(`http://localhost${a.url}`, { method: op.method, headers, body: a.body }));
          const where = `${actor.name}: ${op.method} ${op.path} [${a.label}] → ${res.status} ${res.text.slice(0, 160)}`;
          if (res.status >= 500) failures.push(where);
          else if (res.status >= 400 && !/\p{Script=Han}/u.test(String(res.json?.error?.message))) failures.push(`not in Chinese: ${where}`);
          else if (res.status === 400 && res.json?.error?.code === 'VALIDATION' && res.json.error.fields)
            for (const [field, message] of Object.entries(res.json.error.fields as Record<string, string>))
              if (!/\p{Script=Han}/u.test(message)) failures.push(`field ${field} not in Chinese: ${where}`);
        }
      }
    }
    expect(calls).toBeGreaterThan(300);
    expect(failures, failures.join('\n')).toEqual([]);
  }, 300_000);
});
