import { count, sql } from 'drizzle-orm';
import type { AnyPgTable } from 'drizzle-orm/pg-core';
import { addresses, negotiationMessages, products, proposals, providerCases, requirements, serviceItems } from '../../db/schema';
import { MARKET_PROVIDERS, MARKET_REQUIREMENTS } from '../tenders/market.seed';
import { afterAll, expect, it } from 'vitest';
import { createTestPlatform } from '../testing/test-platform';
import type { Platform } from './platform';
import { seedDemoData } from './seed';

/** The figures a visitor sees of the demo market and mall, read straight from the tables. */
async function keyFigures(p: Platform) {
  const one = async (q: ReturnType<typeof sql>) => {
    const r = await p.db.execute(q);
    return ((Array.isArray(r) ? r : (r as { rows: unknown[] }).rows) as Record<string, unknown>[]).map((x) => Object.values(x).map(String).join(' '));
  };
  return {
    requirements: await one(sql`select state, mode, count(*) from requirements group by 1, 2 order by 1, 2`),
    budgets: await one(sql`select sum(budget_min_fen) lo, sum(budget_max_fen) hi from requirements`),
    proposals: await one(sql`select status, count(*) n, sum(price_fen) p from proposals group by 1 order by 1`),
    rounds: await one(sql`select status, count(*) from price_rounds group by 1 order by 1`),
    agreements: await one(sql`select status, count(*) n, sum(total_fen) t from agreements group by 1 order by 1`),
    milestones: await one(sql`select status, count(*) n, sum(amount_fen) a from milestones group by 1 order by 1`),
    ratings: await one(
      sql`select o.full_name, s.rating_count, round(s.rating_avg::numeric, 2) from storefronts s join organisations o on o.id = s.organisation_id order by 1`,
    ),
    products: await one(sql`select split_part(category_code, '.', 1) c, count(*) n, sum(price_fen) p, sum(sold) s from products group by 1 order by 1`),
    orders: await one(sql`select to_char(paid_at, 'YYYY-MM') m, buyer_kind k, count(*) n, sum(total_fen) t from mall_orders group by 1, 2 order by 1, 2`),
    balances: await one(sql`select a.kind, sum(b.balance_fen) from ledger_balances b join ledger_accounts a on a.id = b.account_id group by 1 order by 1`),
  };
}

const platforms: Platform[] = [];
afterAll(async () => {
  for (const p of platforms) await p.close();
});

/** A log that stops the seed (like Ctrl-C would) when it reaches a given line. */
const stopAt = (text: string) => (line: string) => {
  if (line.includes(text)) throw new Error(`interrupted at ${text}`);
};
const rows = async (p: Platform, table: AnyPgTable) => (await p.db.select({ n: count() }).from(table))[0]!.n;

it('seeds the same market twice — straight through, and stopped twice and resumed — with balanced money: ledger, escrow and the mall statistics agree', async () => {
  const straight = await createTestPlatform();
  platforms.push(straight);
  const started = Date.now();
  expect(await seedDemoData(straight)).toBe(true);
  console.log(`demo seed: ${Date.now() - started} ms`);

  // A first start stopped before the requirements (like Ctrl-C), the next stopped half-way through the
  // mall's products, the third finishes: each part exactly once, and the same market as straight through.
  const resumed = await createTestPlatform();
  platforms.push(resumed);
  await expect(seedDemoData(resumed, stopAt('seeding requirements'))).rejects.toThrow(/interrupted/);
  expect(await rows(resumed, requirements)).toBe(0);
  expect(await rows(resumed, serviceItems)).toBe(7);
  await expect(seedDemoData(resumed, stopAt('城口县巴山镇山货专业合作社'))).rejects.toThrow(/interrupted/);
  const productsBefore = await rows(resumed, products);
  expect(productsBefore).toBeGreaterThan(0);
  expect(await seedDemoData(resumed)).toBe(true);
  expect(await seedDemoData(resumed)).toBe(false);
  expect(await rows(resumed, products)).toBeGreaterThan(productsBefore);

  // Everything there, nothing twice: the base demo's (7 items, 2 cases, 5 requirements, 2 proposals,
  // 2 messages, 2 addresses) and the market's.
  expect(await rows(resumed, serviceItems)).toBe(7 + MARKET_PROVIDERS.reduce((a, x) => a + x.items.length, 0));
  expect(await rows(resumed, providerCases)).toBe(2 + MARKET_PROVIDERS.reduce((a, x) => a + x.cases.length, 0));
  expect(await rows(resumed, requirements)).toBe(5 + MARKET_REQUIREMENTS.length);
  const bids = MARKET_REQUIREMENTS.filter((r) => r.mode === 'competitive' && !['draft', 'pending_review', 'rejected', 'withdrawn'].includes(r.goal));
  expect(await rows(resumed, proposals)).toBe(2 + bids.reduce((a, r) => a + r.bidders.length, 0));
  expect(await rows(resumed, negotiationMessages)).toBe(2);
  expect(await rows(resumed, addresses)).toBe(2);
  const names = (await resumed.db.select({ name: products.name }).from(products)).map((r) => r.name);
  expect(new Set(names).size).toBe(names.length);
  expect((await resumed.services.requirements.hall({})).items.find((r) => r.title === '年度代理记账与税务申报服务')?.bidderCount).toBe(2);
  expect((await resumed.services.catalog.search({ q: '腊肉' })).items.map((i) => i.name)).toContain('城口老腊肉');

  for (const p of [straight, resumed]) {
    expect((await p.services.ledger.check()).ok).toBe(true);
    expect(await p.services.escrow.check()).toMatchObject({ ok: true });
  }
  const f = await keyFigures(straight);
  expect(await keyFigures(resumed)).toEqual(f);
  console.log(JSON.stringify(f, null, 1));
}, 600_000);
