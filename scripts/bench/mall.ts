/**
 * npm run bench:mall — requests per second for the mall's catalog search page and a product page
 * under concurrent load on PostgreSQL, next to a baseline of a static page of the same app (/about:
 * server-rendered, no database) in the same run, against the same server. Prints all three and the
 * ratios. Starts its own server on a fresh database with the demo data, and removes both afterwards.
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npm run bench:mall [-- --connections 16 --seconds 10]
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { freePort, freshDatabase, numberOption } from './support';

const CONNECTIONS = numberOption('connections', 16);
const SECONDS = numberOption('seconds', 10);
const baseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const root = fileURLToPath(new URL('../..', import.meta.url));

async function waitReady(url: string, ms = 180_000) {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    try {
      if ((await fetch(`${url}/readyz`)).ok) return;
    } catch {
      /* not yet */
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error('server did not become ready');
}

async function measure(label: string, url: string) {
  const r = await autocannon({ url, connections: CONNECTIONS, duration: SECONDS, headers: { accept: 'text/html' } });
  const bad = r.non2xx + r.errors + r.timeouts;
  console.log(
    `${label.padEnd(30)} ${r.requests.average.toFixed(0).padStart(7)} req/s   p50 ${String(r.latency.p50).padStart(4)} ms   p99 ${String(r.latency.p99).padStart(4)} ms   ${bad ? `${bad} bad responses` : 'all 200'}`,
  );
  return r.requests.average;
}

async function main() {
  const fresh = await freshDatabase(baseUrl, 'bangfu_bench_mall');
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const server = spawn(process.execPath, ['scripts/start.mjs'], {
    cwd: root,
    env: {
      ...process.env,
      DATABASE_URL: fresh.url,
      REDIS_URL: '',
      PORT: String(port),
      HOST: '127.0.0.1',
      SEED_DEMO: 'true',
      LOG_LEVEL: 'warn',
      NODE_ENV: 'production',
      APP_SECRET: randomBytes(24).toString('hex'),
      ORIGIN: origin,
      SANDBOX_GATEWAYS: 'true',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  try {
    console.log(`Starting Bangfu on PostgreSQL (${fresh.name}) with the demo data…`);
    await waitReady(origin);
    const products = (await (await fetch(`${origin}/api/v1/mall/products?pageSize=1`)).json()) as { items: { id: string }[] };
    const productId = products.items[0]?.id;
    if (!productId) throw new Error('no listed product in the demo data');
    // Warm up every page once (module loading, query plans).
    for (const path of ['/about', '/mall/search?q=大米', `/mall/products/${productId}`]) await fetch(`${origin}${path}`);

    console.log(`\n${CONNECTIONS} connections, ${SECONDS} s each, same server, same run:\n`);
    const base = await measure('baseline: static page /about', `${origin}/about`);
    const search = await measure('catalog search /mall/search', `${origin}/mall/search?q=${encodeURIComponent('大米')}`);
    const product = await measure('product page', `${origin}/mall/products/${productId}`);
    console.log(`\nratio search / baseline:  ${(search / base).toFixed(2)}`);
    console.log(`ratio product / baseline: ${(product / base).toFixed(2)}`);
  } finally {
    // Let the last in-flight requests finish before the server shuts its database pool.
    await new Promise((r) => setTimeout(r, 2000));
    server.kill('SIGTERM');
    await new Promise((r) => server.once('exit', r));
    await fresh.drop();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
