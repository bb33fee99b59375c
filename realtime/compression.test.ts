/**
 * Issue 19: pages and API answers go out as br or gzip when the client asks (identity when it does not),
 * with `Vary: Accept-Encoding`; tiny bodies, downloads and socket.io are left alone, and a streamed
 * page keeps streaming through the compressor.
 */
import { request } from 'node:http';
import { brotliDecompressSync, constants, gunzipSync } from 'node:zlib';
import ExcelJS from 'exceljs';
import { io as connect } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerUser } from '../core/testing/factories';
import { createTestPlatform } from '../core/testing/test-platform';
import type { Platform } from '../core/platform/platform';
import { createApplication, type NodeHandler } from './server';

const PAGE = `<!doctype html><html><body>${'<p class="text-sm text-gray-700">帮扶好物 重庆市 酉阳土家族苗族自治县</p>'.repeat(200)}</body></html>`;

/** Lets the test release the second half of /stream. */
let releaseStream: () => void = () => {};

/** Stands in for the SvelteKit handler: a page, a tiny page, and a page streamed in two parts. */
const webHandler: NodeHandler = (req, res, next) => {
  if (req.url === '/page') {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-length': String(Buffer.byteLength(PAGE)) });
    res.end(PAGE);
  } else if (req.url === '/tiny') {
    res.setHeader('content-type', 'text/html');
    res.end('<p>ok</p>');
  } else if (req.url === '/stream') {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.write(PAGE.slice(0, 3000));
    releaseStream = () => res.end('<script>streamed()</script></body></html>');
  } else next();
};

interface Raw {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** The bytes on the wire. */
  body: Buffer;
  /** The body decoded by its Content-Encoding. */
  text: Buffer;
}

function get(url: string, path: string, headers: Record<string, string> = {}): Promise<Raw> {
  return new Promise((resolve, reject) => {
    request(`${url}${path}`, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        const enc = res.headers['content-encoding'];
        const text = enc === 'br' ? brotliDecompressSync(body) : enc === 'gzip' ? gunzipSync(body) : body;
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, text });
      });
    })
      .on('error', reject)
      .end();
  });
}

let p: Platform;
let app: ReturnType<typeof createApplication>;
let url: string;
beforeAll(async () => {
  p = await createTestPlatform();
  app = createApplication(p, { role: 'all', webHandler });
  url = `http://127.0.0.1:${await app.listen(0, '127.0.0.1')}`;
});
afterAll(async () => {
  await app?.close();
  await p?.close();
});

describe('compressed responses', () => {
  it.each([
    ['/page', 'br, gzip, deflate', 'br'],
    ['/page', 'gzip, deflate', 'gzip'],
    ['/page', 'gzip;q=1, br;q=0.5', 'gzip'],
    ['/api/v1/openapi.json', 'gzip, deflate, br, zstd', 'br'],
    ['/api/v1/openapi.json', 'gzip', 'gzip'],
  ])('%s with Accept-Encoding %s → %s, Vary set, same body', async (path, accept, expected) => {
    const plain = await get(url, path);
    const packed = await get(url, path, { 'accept-encoding': accept });
    expect(packed.status).toBe(200);
    expect(packed.headers['content-encoding']).toBe(expected);
    expect(packed.headers['vary']).toMatch(/accept-encoding/i);
    expect(packed.headers['content-length']).toBeUndefined();
    expect(packed.text.equals(plain.body)).toBe(true);
    expect(packed.body.length).toBeLessThan(plain.body.length / 3);
  });

  it.each(['/page', '/api/v1/openapi.json'])('%s without Accept-Encoding (or identity only) is sent as is, Vary set', async (path) => {
    for (const headers of [{}, { 'accept-encoding': 'identity' }] as Record<string, string>[]) {
      const r = await get(url, path, headers);
      expect(r.status).toBe(200);
      expect(r.headers['content-encoding']).toBeUndefined();
      expect(r.headers['vary']).toMatch(/accept-encoding/i);
      expect(r.body.length).toBeGreaterThan(2000);
    }
    const page = await get(url, '/page');
    expect(page.body.toString()).toBe(PAGE);
  });

  it('a body under 1 KB (a page or a short JSON answer) is not compressed', async () => {
    const tiny = await get(url, '/tiny', { 'accept-encoding': 'br, gzip' });
    expect(tiny.headers['content-encoding']).toBeUndefined();
    expect(tiny.body.toString()).toBe('<p>ok</p>');
    const health = await get(url, '/healthz', { 'accept-encoding': 'br, gzip' });
    expect(health.headers['content-encoding']).toBeUndefined();
    expect(JSON.parse(health.body.toString())).toMatchObject({ status: 'ok' });
  });

  it('a streamed page keeps streaming: the first part arrives, decodable, before the rest is written', async () => {
    for (const enc of ['br', 'gzip'] as const) {
      const { first, rest } = await new Promise<{ first: Buffer; rest: Promise<Buffer> }>((resolve, reject) => {
        request(`${url}/stream`, { headers: { 'accept-encoding': enc } }, (res) => {
          expect(res.headers['content-encoding']).toBe(enc);
          const chunks: Buffer[] = [];
          let resolveRest: (b: Buffer) => void = () => {};
          const rest = new Promise<Buffer>((r) => (resolveRest = r));
          res.on('data', (c: Buffer) => {
            chunks.push(c);
            if (chunks.length === 1) resolve({ first: c, rest });
          });
          res.on('end', () => resolveRest(Buffer.concat(chunks)));
        })
          .on('error', reject)
          .end();
      });
      // Nothing of the second part has been written yet, and what arrived already reads as the page's start.
      const partial =
        enc === 'br'
          ? brotliDecompressSync(first, { finishFlush: constants.BROTLI_OPERATION_FLUSH })
          : gunzipSync(first, { finishFlush: constants.Z_SYNC_FLUSH });
      expect(partial.toString()).toBe(PAGE.slice(0, 3000));
      releaseStream();
      const all = await rest;
      const text = enc === 'br' ? brotliDecompressSync(all) : gunzipSync(all);
      expect(text.toString()).toBe(`${PAGE.slice(0, 3000)}<script>streamed()</script></body></html>`);
    }
  });

  it('an XLSX download is sent as is (already compressed) and opens', async () => {
    const u = await registerUser(p, { agreeTerms: true }); // agreeTerms: registration is gaining a terms checkbox
    const r = await get(url, '/api/v1/imports/templates/quotas.budget_units', { authorization: `Bearer ${u.token}`, 'accept-encoding': 'br, gzip' });
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toMatch(/spreadsheetml/);
    expect(r.headers['content-encoding']).toBeUndefined();
    expect(r.body.subarray(0, 2).toString()).toBe('PK');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(r.body as never);
    expect(wb.worksheets.length).toBeGreaterThan(0);
  });

  it.each(['websocket', 'polling'] as const)('socket.io still connects and answers (%s)', async (transport) => {
    const s = connect(url, { transports: [transport], extraHeaders: { 'accept-encoding': 'br, gzip' }, reconnection: false, forceNew: true });
    try {
      const ack = await new Promise<{ data: unknown }>((resolve, reject) => {
        s.once('connect', () => s.emit('session:whoami', resolve));
        s.once('connect_error', reject);
      });
      expect(ack).toMatchObject({ data: null });
    } finally {
      s.close();
    }
  });
});
