import { count, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestPlatform } from '../testing/test-platform';
import type { Platform } from './platform';
import { addresses, negotiationMessages, platformSettings, products, proposals, providerCases, requirements, serviceItems, users } from '../../db/schema';
import { seedDemo } from '../accounts/accounts.seed';
import { seedDemoData } from './seed';
import { MARKET_PROVIDERS, MARKET_REQUIREMENTS } from '../tenders/market.seed';

/** A log that stops the seed (like Ctrl-C would) when it reaches a given line. */
const stopAt = (text: string) => (line: string) => {
  if (line.includes(text)) throw new Error(`interrupted at ${text}`);
};

describe('demo seeding interrupted and resumed', () => {
  let p: Platform;
  beforeAll(async () => {
    p = await createTestPlatform();
  });
  afterAll(() => p?.close());

  it('an interrupted seed is completed by the next start, each part exactly once', async () => {
    await expect(seedDemoData(p, stopAt('seeding requirements'))).rejects.toThrow(/interrupted/);
    expect((await p.db.select({ n: count() }).from(requirements))[0]!.n).toBe(0);
    expect((await p.db.select({ n: count() }).from(serviceItems))[0]!.n).toBe(7);

    // The next start carries on, and is itself stopped half-way through the mall's products.
    await expect(seedDemoData(p, stopAt('城口县巴山镇山货专业合作社'))).rejects.toThrow(/interrupted/);
    const productsBefore = (await p.db.select({ n: count() }).from(products))[0]!.n;
    expect(productsBefore).toBeGreaterThan(0);

    expect(await seedDemoData(p)).toBe(true);
    expect(await seedDemoData(p)).toBe(false);

    // Everything there, nothing twice.
    const n = async (
      table: typeof serviceItems | typeof providerCases | typeof requirements | typeof proposals | typeof negotiationMessages | typeof addresses,
    ) => (await p.db.select({ n: count() }).from(table))[0]!.n;
    // The base demo's (7 items, 2 cases, 5 requirements, 2 proposals, 2 messages) and the market's.
    expect(await n(serviceItems)).toBe(7 + MARKET_PROVIDERS.reduce((a, x) => a + x.items.length, 0));
    expect(await n(providerCases)).toBe(2 + MARKET_PROVIDERS.reduce((a, x) => a + x.cases.length, 0));
    expect(await n(requirements)).toBe(5 + MARKET_REQUIREMENTS.length);
    const bids = MARKET_REQUIREMENTS.filter((r) => r.mode === 'competitive' && !['draft', 'pending_review', 'rejected', 'withdrawn'].includes(r.goal));
    expect(await n(proposals)).toBe(2 + bids.reduce((a, r) => a + r.bidders.length, 0));
    expect(await n(negotiationMessages)).toBe(2);
    expect(await n(addresses)).toBe(2);
    const names = (await p.db.select({ name: products.name }).from(products)).map((r) => r.name);
    expect(new Set(names).size).toBe(names.length);
    expect(names.length).toBeGreaterThan(productsBefore);
    const hall = await p.services.requirements.hall({});
    expect(hall.items.find((r) => r.title === '年度代理记账与税务申报服务')?.bidderCount).toBe(2);
    expect((await p.services.catalog.search({ q: '腊肉' })).items.map((i) => i.name)).toContain('城口老腊肉');
    expect((await p.services.ledger.check()).ok).toBe(true);
  }, 600_000);
});

describe('demo data seeded by an earlier version (no recorded steps)', () => {
  let p: Platform;
  beforeAll(async () => {
    p = await createTestPlatform();
  });
  afterAll(() => p?.close());

  it('is left as it is: nothing is seeded twice', async () => {
    await seedDemo(p.db);
    await p.db.delete(platformSettings).where(eq(platformSettings.key, 'demo_seed:base'));
    const lines: string[] = [];
    expect(await seedDemoData(p, (l) => lines.push(l))).toBe(false);
    expect(lines.join('\n')).toMatch(/earlier version/);
    expect((await p.db.select({ n: count() }).from(users).where(eq(users.username, 'operator')))[0]!.n).toBe(1);
    expect((await p.db.select({ n: count() }).from(requirements))[0]!.n).toBe(0);
  });
});
