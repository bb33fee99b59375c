import { sql } from 'drizzle-orm';
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

it('seeds the same market twice, with balanced money: ledger, escrow and the mall statistics agree', async () => {
  const figures = [];
  for (let i = 0; i < 2; i++) {
    const p = await createTestPlatform();
    platforms.push(p);
    const started = Date.now();
    expect(await seedDemoData(p)).toBe(true);
    console.log(`demo seed ${i + 1}: ${Date.now() - started} ms`);
    expect((await p.services.ledger.check()).ok).toBe(true);
    expect(await p.services.escrow.check()).toMatchObject({ ok: true });
    figures.push(await keyFigures(p));
  }
  expect(figures[1]).toEqual(figures[0]);
  const f = figures[0]!;
  console.log(JSON.stringify(f, null, 1));
}, 600_000);
