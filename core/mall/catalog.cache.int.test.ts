import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import sharp from 'sharp';
import { openDb, rowsOf, type DbHandle } from '../../db/client';
import { organisations, products } from '../../db/schema';
import { createTestPlatform } from '../testing/test-platform';
import { address, individual, merchant } from '../testing/mall-factories';
import { operator } from '../testing/tenders-factories';
import { createPlatform, type Platform } from '../platform/platform';
import { loadConfig } from '../shared/config';
import type { Actor } from '../shared/actor';

// The catalog's views are cached under the catalog version (catalog.cache.ts). Two nodes here: `p` and
// `other`, each with its own services and so its own cache, on one database (its own connection pool on
// PostgreSQL), as web and realtime processes are. Every change below is made on one node and must show
// on the next read of both, with their caches warm.
let p: Platform;
let other: Platform;
let otherDb: DbHandle | undefined;
let ops: Actor;

beforeAll(async () => {
  p = await createTestPlatform();
  otherDb = p.dbHandle.kind === 'postgres' ? await openDb({ databaseUrl: p.dbHandle.url, max: 4 }) : undefined;
  other = await createPlatform(loadConfig({ NODE_ENV: 'test', REDIS_URL: process.env.REDIS_URL, APP_SECRET: 'test-secret-0123456789', SEED_DEMO: 'false' }), {
    dbHandle: otherDb ?? p.dbHandle,
    migrate: false,
    rateLimitPrefix: `test-${randomUUID()}`,
    timerKey: `test-deadlines-${randomUUID()}`,
  });
  ops = await operator(p);
});
afterAll(async () => {
  await other?.close();
  await otherDb?.close();
  await p?.close();
});

const png = () =>
  sharp({ create: { width: 400, height: 300, channels: 3, background: '#4a7' } })
    .png()
    .toBuffer()
    .then((b) => new Uint8Array(b));

const form = (imageId: string, over: Record<string, unknown> = {}) => ({
  name: `缓存测试贡米${randomUUID().slice(0, 6)}`,
  categoryCode: 'grain.rice',
  originCode: '500242209',
  priceFen: 8_800,
  unit: '袋',
  stock: 50,
  description: '梯田种植。',
  contactPhone: '023-75551234',
  imageIds: [imageId],
  ...over,
});

/** A merchant with one listed product (through the catalog, as merchants list them). */
async function listedProduct(over: Record<string, unknown> = {}) {
  const shop = await merchant(p);
  const img = await p.services.files.upload(shop.actor, { filename: 'rice.png', contentType: 'image/png', bytes: await png(), imageOnly: true });
  const created = await p.services.catalog.createProduct(shop.actor, form(img.id, over));
  await p.services.catalog.publish(shop.actor, created.id);
  return { shop, id: created.id, imageId: img.id, name: created.name };
}

const nodes = () => [p, other] as const;
/** The anonymous views of the product on both nodes: its page and its card in a search by its name. */
async function anonymousViews(id: string, name: string) {
  return Promise.all(
    nodes().map(async (n) => {
      const page = await n.services.catalog.productPage(null, id).catch((e: { code?: string }) => e.code ?? 'error');
      const card = (await n.services.catalog.search({ q: name })).items.find((c) => c.id === id);
      return { page, card };
    }),
  );
}
/** Reads twice on each node, so the second read comes from the cache when it is still valid. */
async function warm(id: string, name: string) {
  await anonymousViews(id, name);
  return anonymousViews(id, name);
}

describe('a cached anonymous catalog view changes on the next read after', () => {
  it('a price change (by the merchant, and by a write the service did not make)', async () => {
    const { shop, id, imageId, name } = await listedProduct();
    for (const v of await warm(id, name)) expect(v).toMatchObject({ page: { product: { priceFen: 8_800 } }, card: { priceFen: 8_800 } });

    await p.services.catalog.updateProduct(shop.actor, id, form(imageId, { name, priceFen: 9_900 }));
    for (const v of await anonymousViews(id, name)) expect(v).toMatchObject({ page: { product: { priceFen: 9_900 } }, card: { priceFen: 9_900 } });

    // Any writer of the table counts: the version is kept by the database, not by the service.
    await other.db.update(products).set({ priceFen: 7_700 }).where(eq(products.id, id));
    for (const v of await anonymousViews(id, name)) expect(v).toMatchObject({ page: { product: { priceFen: 7_700 } }, card: { priceFen: 7_700 } });
  });

  it('an order (stock and sales)', async () => {
    const { id, name } = await listedProduct({ stock: 10 });
    for (const v of await warm(id, name)) expect(v).toMatchObject({ page: { product: { stock: 10 } }, card: { stock: 10 } });

    const buyer = await individual(other, null);
    const addr = await address(other, buyer.actor.userId);
    await other.services.orders.checkout(buyer.actor, { addressId: addr.id, items: [{ productId: id, quantity: 3 }] });
    for (const v of await anonymousViews(id, name)) expect(v).toMatchObject({ page: { product: { stock: 7 } }, card: { stock: 7 } });
  });

  it('the product delisted by its merchant, taken down by an operator, or its merchant disabled', async () => {
    const a = await listedProduct();
    await warm(a.id, a.name);
    await p.services.catalog.unpublish(a.shop.actor, a.id);
    for (const v of await anonymousViews(a.id, a.name)) expect(v).toEqual({ page: 'NOT_FOUND', card: undefined });

    const b = await listedProduct();
    await warm(b.id, b.name);
    await other.services.catalog.takeDown(ops, b.id, { reason: '图片与实物不符' });
    for (const v of await anonymousViews(b.id, b.name)) expect(v).toEqual({ page: 'NOT_FOUND', card: undefined });

    const c = await listedProduct();
    await warm(c.id, c.name);
    await p.db.update(organisations).set({ status: 'disabled' }).where(eq(organisations.id, c.shop.org.id));
    for (const v of await anonymousViews(c.id, c.name)) expect(v).toEqual({ page: 'NOT_FOUND', card: undefined });
  });

  it("the merchant's name", async () => {
    const { shop, id, name } = await listedProduct();
    await warm(id, name);
    await other.db.update(organisations).set({ fullName: '酉阳县新名字农产品专业合作社' }).where(eq(organisations.id, shop.org.id));
    for (const v of await anonymousViews(id, name)) {
      expect(v).toMatchObject({
        page: { product: { merchant: { name: '酉阳县新名字农产品专业合作社' } } },
        card: { merchantName: '酉阳县新名字农产品专业合作社' },
      });
    }
  });
});

describe('a signed-in view is never the anonymous one when it differs', () => {
  it("the merchant sees its own product as its own, and its unlisted or taken-down product with the reason; anonymous visitors don't", async () => {
    const { shop, id, name } = await listedProduct();
    await warm(id, name);
    for (const n of nodes()) {
      expect((await n.services.catalog.productPage(shop.actor, id)).product).toMatchObject({ own: true });
      expect((await n.services.catalog.productPage(null, id)).product).toMatchObject({ own: false, takedownReason: null });
    }
    await p.services.catalog.takeDown(ops, id, { reason: '图片与实物不符' });
    for (const n of nodes()) {
      await expect(n.services.catalog.productPage(null, id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
      expect((await n.services.catalog.productPage(shop.actor, id)).product).toMatchObject({
        status: 'taken_down',
        own: true,
        takedownReason: '图片与实物不符',
      });
      expect((await n.services.catalog.productPage(ops, id)).product).toMatchObject({ status: 'taken_down', own: false, takedownReason: '图片与实物不符' });
      // The anonymous answer after the merchant's read is still NOT_FOUND (nothing of the merchant's view was kept for others).
      await expect(n.services.catalog.product(null, id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    }
  });

  it('a shared view cannot be changed by one reader for the next', async () => {
    const { id, name } = await listedProduct();
    const first = await p.services.catalog.search({ q: name });
    expect(() => (first.items as { priceFen: number }[])[0]!.priceFen++).toThrow(TypeError);
    const page = await p.services.catalog.productPage(null, id);
    page.product.imageIds.push('x'); // the detail is the reader's own copy
    expect((await p.services.catalog.productPage(null, id)).product.imageIds).toHaveLength(1);
  });
});

describe('the catalog version', () => {
  it('moves once per committing transaction that changes the catalog, and not for a rolled-back one', async () => {
    const { shop, id } = await listedProduct();
    const read = async () => BigInt(rowsOf<{ v: string }>(await p.db.execute(sql`select sum(version)::text as v from catalog_versions`))[0]!.v);
    const before = await read();
    await p.db.transaction(async (tx) => {
      await tx.update(products).set({ stock: 40 }).where(eq(products.id, id));
      await tx.update(products).set({ stock: 41 }).where(eq(products.id, id));
      await tx.update(organisations).set({ fullName: '改名一次' }).where(eq(organisations.id, shop.org.id));
    });
    expect(await read()).toBe(before + 1n);
    await p.db
      .transaction(async (tx) => {
        await tx.update(products).set({ stock: 42 }).where(eq(products.id, id));
        throw new Error('rolled back');
      })
      .catch(() => undefined);
    expect(await read()).toBe(before + 1n);
    // A change that touches no shown merchant field does not move it.
    await p.db.update(organisations).set({ intro: '简介' }).where(eq(organisations.id, shop.org.id));
    expect(await read()).toBe(before + 1n);
  });
});
