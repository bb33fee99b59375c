/**
 * npm run bench:weight — how heavy the mall is to load (issue 19). For the mall home `/mall`, a product
 * page and the home page `/`: the bytes on the wire of the HTML and of the CSS and JS it links, sent as is
 * (no Accept-Encoding) and as br and gzip. Then the mall home's full load (the `load` event, cold cache)
 * in a real Chromium at 390 and 1280 px, with compression and without it (Accept-Encoding: identity, the
 * baseline) in turn in the same run, with the pictures and bytes fetched before `load`. Aim: under 0.5 s.
 * Starts its own server (built pages, NODE_ENV=production) on a fresh database with the demo data, and
 * removes both afterwards.
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/test CHROMIUM_PATH=/usr/bin/chromium npm run bench:weight [-- --loads 7]
 */
import { request } from 'node:http';
import { chromium } from '@playwright/test';
import { findSystemChromium } from '../browser.mjs';
import { demoServer, numberOption } from './support';

const LOADS = numberOption('loads', 7);
const baseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const ENCODINGS = ['identity', 'br', 'gzip'] as const;
type Encoding = (typeof ENCODINGS)[number];

/** The bytes of a body as they come over the wire (fetch would decode them), its Content-Encoding and Link header. */
function wire(url: string, encoding: Encoding) {
  return new Promise<{ status: number; bytes: Buffer; encoding: string; link: string }>((resolve, reject) => {
    const headers = encoding === 'identity' ? {} : { 'accept-encoding': encoding };
    request(url, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          bytes: Buffer.concat(chunks),
          encoding: String(res.headers['content-encoding'] ?? 'identity'),
          link: String(res.headers['link'] ?? ''),
        }),
      );
    })
      .on('error', reject)
      .end();
  });
}

/**
 * The CSS and JS a page loads at once: SvelteKit's Link header (stylesheets and module preloads), the page's
 * own tags and its inline start-up imports. Their addresses are relative (`./_app/…`): resolved against the page.
 */
function linkedAssets(pageUrl: string, html: string, link: string) {
  const urls = new Set<string>();
  const add = (u: string) => urls.add(new URL(u, pageUrl).pathname);
  for (const m of link.matchAll(/<([^>]+\.(?:css|js))>/g)) add(m[1]!);
  for (const m of html.matchAll(/(?:href|src)="([^"]*_app\/[^"]+\.(?:css|js))"/g)) add(m[1]!);
  for (const m of html.matchAll(/import\("([^"]*_app\/[^"]+\.js)"\)/g)) add(m[1]!);
  return [...urls];
}

const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

/** HTML, CSS and JS of one page in each encoding; says when an asset came back in another encoding than asked. */
async function pageWeight(origin: string, path: string) {
  const sizes = { html: {} as Record<Encoding, number>, css: {} as Record<Encoding, number>, js: {} as Record<Encoding, number> };
  const notAsAsked: string[] = [];
  const page = await wire(`${origin}${path}`, 'identity');
  if (page.status !== 200) throw new Error(`${path} answered ${page.status}`);
  const assets = linkedAssets(`${origin}${path}`, page.bytes.toString(), page.link);
  for (const enc of ENCODINGS) {
    const html = await wire(`${origin}${path}`, enc);
    sizes.html[enc] = html.bytes.length;
    if (html.encoding !== enc) notAsAsked.push(`${path} ${enc}→${html.encoding}`);
    sizes.css[enc] = 0;
    sizes.js[enc] = 0;
    for (const a of assets) {
      const r = await wire(`${origin}${a}`, enc);
      sizes[a.endsWith('.css') ? 'css' : 'js'][enc] += r.bytes.length;
      if (r.encoding !== enc && r.bytes.length >= 1024) notAsAsked.push(`${a} ${enc}→${r.encoding}`);
    }
  }
  return { sizes, assets: assets.length, notAsAsked };
}

interface Load {
  loadMs: number;
  bytes: number;
  images: number;
  imageBytes: number;
  encoded: number;
}

/** One cold load of `url` in a fresh context; compressed unless `identity`. */
async function browserLoad(browser: import('@playwright/test').Browser, url: string, width: number, identity: boolean): Promise<Load> {
  const context = await browser.newContext({
    viewport: { width, height: width < 640 ? 844 : 800 },
    deviceScaleFactor: width < 640 ? 3 : 1,
    extraHTTPHeaders: identity ? { 'accept-encoding': 'identity' } : {},
  });
  const page = await context.newPage();
  let encoded = 0;
  page.on('response', (r) => {
    if (r.headers()['content-encoding']) encoded++;
  });
  try {
    await page.goto(url, { waitUntil: 'load' });
    const t = await page.evaluate(() => {
      const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
      const before = (performance.getEntriesByType('resource') as PerformanceResourceTiming[]).filter((r) => r.responseEnd <= nav.loadEventStart);
      const images = before.filter((r) => r.initiatorType === 'img');
      return {
        loadMs: nav.loadEventStart - nav.startTime,
        bytes: nav.transferSize + before.reduce((n, r) => n + r.transferSize, 0),
        images: images.length,
        imageBytes: images.reduce((n, r) => n + r.transferSize, 0),
      };
    });
    return { ...t, encoded };
  } finally {
    await context.close();
  }
}

async function main() {
  const executablePath = process.env.CHROMIUM_PATH ?? findSystemChromium();
  const server = await demoServer(baseUrl, 'bangfu_bench_weight');
  const origin = server.origin;
  const browser = await chromium.launch({ executablePath });
  try {
    console.log(`Starting Bangfu on PostgreSQL (${server.database}) with the demo data…`);
    await server.ready();
    const products = (await (await fetch(`${origin}/api/v1/mall/products?pageSize=1`)).json()) as { items: { id: string }[] };
    const productId = products.items[0]?.id;
    if (!productId) throw new Error('no listed product in the demo data');

    console.log('\nBytes on the wire (HTML, and the CSS and JS it links): as is → br / gzip');
    const pages = [
      ['mall home /mall', '/mall'],
      ['product page', `/mall/products/${productId}`],
      ['home page /', '/'],
    ] as const;
    for (const [label, path] of pages) {
      const w = await pageWeight(origin, path);
      console.log(`\n${label} (${w.assets} CSS/JS files)`);
      for (const kind of ['html', 'css', 'js'] as const) {
        const s = w.sizes[kind];
        console.log(
          `  ${kind.toUpperCase().padEnd(5)} ${kb(s.identity).padStart(9)} → br ${kb(s.br).padStart(9)} (${((s.br / s.identity) * 100).toFixed(0).padStart(2)} %) / gzip ${kb(s.gzip).padStart(9)} (${((s.gzip / s.identity) * 100).toFixed(0).padStart(2)} %)`,
        );
      }
      const total = (e: Encoding) => w.sizes.html[e] + w.sizes.css[e] + w.sizes.js[e];
      console.log(`  total ${kb(total('identity')).padStart(9)} → br ${kb(total('br')).padStart(9)} / gzip ${kb(total('gzip')).padStart(9)}`);
      if (w.notAsAsked.length) {
        const more = w.notAsAsked.length > 3 ? ` and ${w.notAsAsked.length - 3} more` : '';
        console.log(`  ${w.notAsAsked.length} answers not in the encoding asked for: ${w.notAsAsked.slice(0, 3).join(', ')}${more}`);
      }
    }

    // Warm the server (the first renders and pictures are slow), unmeasured.
    for (let i = 0; i < 3; i++) await browserLoad(browser, `${origin}/mall`, 1280, false);

    console.log(`\nMall home in Chromium: cold-cache loads, to the load event, ${LOADS} of each taken in turn (medians)`);
    const configs = [
      ['390 px, compressed', 390, false],
      ['390 px, as is (baseline)', 390, true],
      ['1280 px, compressed', 1280, false],
      ['1280 px, as is (baseline)', 1280, true],
    ] as const;
    const results: Load[][] = configs.map(() => []);
    for (let round = 0; round < LOADS; round++) {
      for (const [i, [, width, identity]] of configs.entries()) results[i]!.push(await browserLoad(browser, `${origin}/mall`, width, identity));
    }
    for (const [i, [label]] of configs.entries()) {
      const r = results[i]!;
      const ms = r.map((x) => x.loadMs);
      console.log(
        `  ${label.padEnd(26)} load ${median(ms).toFixed(0).padStart(4)} ms (${Math.min(...ms).toFixed(0)}–${Math.max(...ms).toFixed(0)})   ${kb(median(r.map((x) => x.bytes))).padStart(9)} before load, ${median(r.map((x) => x.images))} pictures (${kb(median(r.map((x) => x.imageBytes)))}), ${median(r.map((x) => x.encoded))} compressed responses`,
      );
    }
    const compressed = median([...results[0]!, ...results[2]!].map((x) => x.loadMs));
    console.log(
      `\nAim: the mall home loaded in under 500 ms. Median of the compressed loads: ${compressed.toFixed(0)} ms — ${compressed < 500 ? 'met' : 'NOT met'}.`,
    );
  } finally {
    await browser.close();
    await server.stop();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
