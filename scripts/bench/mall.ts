/**
 * npm run bench:mall — requests per second for the mall's catalog search page and a product page
 * under concurrent load on PostgreSQL, next to a baseline of a static page of the same app (/about:
 * server-rendered, no database) in the same run, against the same server. Prints all three and the
 * ratios. Starts its own server on a fresh database with the demo data, and removes both afterwards.
 * The three are warmed under load first (`--warmup` seconds each: the static page keeps getting faster for
 * several seconds, so a baseline measured cold flatters the ratios), then taken in turn, `--rounds` times
 * (`--seconds` each), and compared by their medians: a burst of other work on the machine then falls on one
 * turn instead of on one page's whole measurement.
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npm run bench:mall [-- --connections 16 --seconds 5 --rounds 3 --warmup 5]
 */
import autocannon from 'autocannon';
import { demoServer, numberOption } from './support';

const CONNECTIONS = numberOption('connections', 16);
const SECONDS = numberOption('seconds', 5);
const ROUNDS = numberOption('rounds', 3);
const WARMUP = numberOption('warmup', 5);
const baseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

async function measure(label: string, url: string) {
  const r = await autocannon({ url, connections: CONNECTIONS, duration: SECONDS, headers: { accept: 'text/html' } });
  const bad = r.non2xx + r.errors + r.timeouts;
  console.log(
    `${label.padEnd(30)} ${r.requests.average.toFixed(0).padStart(7)} req/s   p50 ${String(r.latency.p50).padStart(4)} ms   p99 ${String(r.latency.p99).padStart(4)} ms   ${bad ? `${bad} bad responses` : 'all 200'}`,
  );
  return r.requests.average;
}

async function main() {
  const server = await demoServer(baseUrl, 'bangfu_bench_mall');
  const origin = server.origin;
  try {
    console.log(`Starting Bangfu on PostgreSQL (${server.database}) with the demo data…`);
    await server.ready();
    const products = (await (await fetch(`${origin}/api/v1/mall/products?pageSize=1`)).json()) as { items: { id: string }[] };
    const productId = products.items[0]?.id;
    if (!productId) throw new Error('no listed product in the demo data');
    // Warm up every page under load (module loading, query plans, the JIT), unmeasured.
    for (const path of ['/about', `/mall/search?q=${encodeURIComponent('大米')}`, `/mall/products/${productId}`]) {
      await autocannon({ url: `${origin}${path}`, connections: CONNECTIONS, duration: WARMUP, headers: { accept: 'text/html' } });
    }

    console.log(`\n${CONNECTIONS} connections, ${SECONDS} s each, taken in turn ${ROUNDS} times, same server, same run:`);
    const pages = {
      base: ['baseline: static page /about', `${origin}/about`],
      search: ['catalog search /mall/search', `${origin}/mall/search?q=${encodeURIComponent('大米')}`],
      product: ['product page', `${origin}/mall/products/${productId}`],
    } as const;
    const rates = { base: [] as number[], search: [] as number[], product: [] as number[] };
    for (let round = 1; round <= ROUNDS; round++) {
      console.log(`\nround ${round}`);
      for (const key of ['base', 'search', 'product'] as const) rates[key].push(await measure(pages[key][0], pages[key][1]));
    }
    const base = median(rates.base);
    const perRound = (key: 'search' | 'product') => rates[key].map((r, i) => (r / rates.base[i]!).toFixed(2)).join(' ');
    console.log(`\nmedians: /about ${base.toFixed(0)} req/s, search ${median(rates.search).toFixed(0)}, product page ${median(rates.product).toFixed(0)}`);
    console.log(`ratio search / baseline:  ${(median(rates.search) / base).toFixed(2)}   (per round: ${perRound('search')})`);
    console.log(`ratio product / baseline: ${(median(rates.product) / base).toFixed(2)}   (per round: ${perRound('product')})`);
  } finally {
    // Let the last in-flight requests finish before the server shuts its database pool.
    await new Promise((r) => setTimeout(r, 2000));
    await server.stop();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
