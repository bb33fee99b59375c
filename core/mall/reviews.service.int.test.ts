import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { files, mallOrders, mallReviews } from '../../db/schema';
import { individual, merchant, product, unitBuyer } from '../testing/mall-factories';
import { buildRegistration, nextIp } from '../testing/factories';
import { createTestPlatform, latestCode } from '../testing/test-platform';
import type { Platform } from '../platform/platform';
import type { Actor } from '../shared/actor';
import { ordersRepo } from './orders.repo';
import { seedCompletedOrder } from './orders.seed';

let p: Platform;
beforeAll(async () => {
  p = await createTestPlatform();
});
afterAll(() => p?.close());

const reviews = () => p.services.reviews;
let n = 0;
// A 1×1 PNG.
const PNG = Uint8Array.from(Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64'));

/** A completed order of `buyer` for a new product of `m` (as the whole order flow leaves it). */
async function completedOrder(buyer: { actor: Actor }, m: { org: { id: string } }, unitId: string | null = null) {
  const name = `测试商品${++n}-${randomUUID().slice(0, 6)}`;
  const prod = await product(p, m.org.id, { name });
  const order = await seedCompletedOrder(p, {
    orderNo: `MO${Date.now()}${String(n).padStart(4, '0')}`.slice(0, 20),
    buyerUserId: buyer.actor.userId,
    unitId,
    productName: name,
    quantity: 2,
    address: { recipient: '李四', mobile: '13800138000', regionCode: '500118113', detail: '太平村 3 组 12 号' },
    placedAt: new Date('2026-10-01T02:00:00Z'),
    completedAt: new Date('2026-10-15T02:00:00Z'),
  });
  const [line] = await ordersRepo.linesOf(p.db, order!.id);
  return { order: order!, line: line!, product: prod };
}

/** A person registered in the mall under a unit, not yet confirmed by it: acting for no organisation. */
async function pendingEmployee(unitId: string, realName: string) {
  const ip = nextIp();
  const { username, mobile, password } = buildRegistration();
  await p.services.accounts.sendRegisterCode({ mobile }, { ip });
  const code = await latestCode(p, mobile);
  const s = await p.services.units.registerIndividual(
    { username, mobile, password, confirmPassword: password, agreeTerms: true, realName, regionCode: '500118', unitId, code },
    { ip },
  );
  return { actor: (await p.services.accounts.validateSessionToken(s.token))!.actor };
}

const good = (orderLineId: string, over: Record<string, unknown> = {}) => ({ orderLineId, productStars: 5, merchantStars: 4, body: '很新鲜，包装好', ...over });

describe('reviews', () => {
  it('the buyer of a completed order reviews a line with stars, text and photos; the product page shows it', async () => {
    const m = await merchant(p);
    const unit = await unitBuyer(p);
    const { order, line, product: prod } = await completedOrder(unit, m, unit.org.id);
    const photo = await p.services.files.upload(unit.actor, { filename: 'a.png', contentType: 'image/png', bytes: PNG, imageOnly: true });
    const r = await reviews().submitReview(unit.actor, order.id, good(line.id, { photoIds: [photo.id] }));
    expect(r).toMatchObject({ productStars: 5, merchantStars: 4, body: '很新鲜，包装好', photoIds: [photo.id], reply: null });
    expect(r.buyer).toMatch(/\*\*$/);
    // The photo is attached to the review and readable by anyone (the product page is public).
    expect((await p.db.select().from(files).where(eq(files.id, photo.id)))[0]).toMatchObject({ purpose: 'mall_review', subjectId: r.id });
    expect((await p.services.files.read(null, photo.id)).id).toBe(photo.id);

    const page = await reviews().productReviews(prod.id);
    expect(page.summary).toEqual({
      count: 1,
      average: 5,
      distribution: [
        { stars: 5, count: 1 },
        { stars: 4, count: 0 },
        { stars: 3, count: 0 },
        { stars: 2, count: 0 },
        { stars: 1, count: 0 },
      ],
    });
    expect(page.items.map((i) => i.id)).toEqual([r.id]);
    expect((await reviews().ratingsOf([prod.id])).get(prod.id)).toEqual({ average: 5, count: 1 });
    const mine = await reviews().orderReviews(unit.actor, order.id);
    expect(mine.byLine[line.id]?.id).toBe(r.id);
    expect(mine.canReview).toBe(true);
  });

  it('an individual buyer (acting for no organisation) attaches pictures of their own; nobody else can use or read them unattached', async () => {
    const m = await merchant(p);
    const unit = await unitBuyer(p);
    const person = await pendingEmployee(unit.org.id, '王五');
    expect(person.actor.organisation).toBeFalsy();
    const { order, line } = await completedOrder(person, m);
    // Pictures only: any other file still asks for an organisation, and stores nothing.
    const before = (await p.db.select({ id: files.id }).from(files)).length;
    await expect(p.services.files.upload(person.actor, { filename: 'a.png', contentType: 'image/png', bytes: PNG })).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
    expect((await p.db.select({ id: files.id }).from(files)).length).toBe(before);
    const photo = await p.services.files.upload(person.actor, { filename: '晒图.png', contentType: 'image/png', bytes: PNG, imageOnly: true });
    expect((await p.db.select().from(files).where(eq(files.id, photo.id)))[0]).toMatchObject({ organisationId: null, uploadedBy: person.actor.userId });
    // Unattached: the uploader reads it; another person (with or without an organisation) does not.
    const other = await pendingEmployee(unit.org.id, '赵六');
    expect((await p.services.files.read(person.actor, photo.id)).id).toBe(photo.id);
    await expect(p.services.files.read(other.actor, photo.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(p.services.files.read(unit.actor, photo.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    // Another buyer cannot put it on their review.
    const theirs = await completedOrder(other, m);
    await expect(reviews().submitReview(other.actor, theirs.order.id, good(theirs.line.id, { photoIds: [photo.id] }))).rejects.toMatchObject({
      code: 'VALIDATION',
      fields: { photoIds: '附件不存在或不能使用' },
    });
    expect(await p.db.select().from(mallReviews).where(eq(mallReviews.orderLineId, theirs.line.id))).toHaveLength(0);

    const r = await reviews().submitReview(person.actor, order.id, good(line.id, { photoIds: [photo.id] }));
    expect(r.photoIds).toEqual([photo.id]);
    expect((await p.services.files.read(null, photo.id)).id).toBe(photo.id);
  });

  it('averages, filters by stars and pages', async () => {
    const m = await merchant(p);
    const prod = await product(p, m.org.id, { name: `分页商品-${randomUUID().slice(0, 6)}`, stock: 1000 });
    const stars = [5, 4, 4, 3, 5, 5, 1, 2, 5, 4, 5, 3];
    for (const s of stars) {
      const buyer = await individual(p, null);
      const order = await seedCompletedOrder(p, {
        orderNo: `MO${Date.now()}${String(++n).padStart(4, '0')}`.slice(0, 20),
        buyerUserId: buyer.actor.userId,
        unitId: null,
        productName: prod.name,
        quantity: 1,
        address: { recipient: '李四', mobile: '13800138000', regionCode: '500118113', detail: '太平村 3 组 12 号' },
        placedAt: new Date('2026-10-01T02:00:00Z'),
        completedAt: new Date('2026-10-15T02:00:00Z'),
      });
      const [line] = await ordersRepo.linesOf(p.db, order!.id);
      await reviews().submitReview(buyer.actor, order!.id, good(line!.id, { productStars: s, body: '' }));
    }
    const first = await reviews().productReviews(prod.id);
    expect(first.summary.count).toBe(12);
    expect(first.summary.average).toBe(Math.round((stars.reduce((a, b) => a + b, 0) / 12) * 10) / 10);
    expect(first.items).toHaveLength(10);
    const second = await reviews().productReviews(prod.id, { page: 2 });
    expect(second.items).toHaveLength(2);
    expect(new Set([...first.items, ...second.items].map((i) => i.id)).size).toBe(12);
    const fives = await reviews().productReviews(prod.id, { stars: 5 });
    expect(fives.total).toBe(5);
    expect(fives.items.every((i) => i.productStars === 5)).toBe(true);
    // Nonsense paging is the first page, not an error.
    expect((await reviews().productReviews(prod.id, { page: 'abc', stars: '9' })).items).toHaveLength(10);
  });

  it('refuses bad input with Chinese field messages and writes nothing', async () => {
    const m = await merchant(p);
    const buyer = await individual(p, null);
    const { order, line } = await completedOrder(buyer, m);
    const cases: [Record<string, unknown>, Record<string, string>][] = [
      [{ orderLineId: line.id, merchantStars: 5 }, { productStars: '请选择 1–5 星' }],
      [good(line.id, { productStars: 6 }), { productStars: '请选择 1–5 星' }],
      [good(line.id, { merchantStars: 0 }), { merchantStars: '请选择 1–5 星' }],
      [good(line.id, { body: '好'.repeat(501) }), { body: '评价不超过 500 字' }],
      [good(line.id, { photoIds: [randomUUID(), randomUUID(), randomUUID(), randomUUID()] }), { photoIds: '最多 3 张图片' }],
      [good('nope'), { orderLineId: '请选择要评价的商品' }],
    ];
    for (const [input, fields] of cases) {
      const e = await reviews()
        .submitReview(buyer.actor, order.id, input)
        .catch((x) => x);
      expect(e).toMatchObject({ code: 'VALIDATION', fields });
    }
    // A line of another order; photos that are not the buyer's.
    const other = await completedOrder(buyer, m);
    expect(
      await reviews()
        .submitReview(buyer.actor, order.id, good(other.line.id))
        .catch((x) => x.fields),
    ).toEqual({ orderLineId: '该商品不在此订单中' });
    expect(
      await reviews()
        .submitReview(buyer.actor, order.id, good(line.id, { photoIds: [randomUUID()] }))
        .catch((x) => x.fields),
    ).toEqual({ photoIds: expect.stringMatching(/附件不存在或不能使用|图片无效/) });
    expect(await p.db.select().from(mallReviews).where(eq(mallReviews.orderId, order.id))).toEqual([]);
  });

  it('only the buyer of a completed order reviews it', async () => {
    const m = await merchant(p);
    const buyer = await individual(p, null);
    const stranger = await individual(p, null, '王五');
    const { order, line } = await completedOrder(buyer, m);
    for (const who of [stranger.actor, m.actor]) {
      expect(
        await reviews()
          .submitReview(who, order.id, good(line.id))
          .catch((e) => e.code),
      ).toBe('NOT_FOUND');
    }
    expect(
      await reviews()
        .orderReviews(stranger.actor, order.id)
        .catch((e) => e.code),
    ).toBe('NOT_FOUND');
    expect(
      await reviews()
        .submitReview(null, order.id, good(line.id))
        .catch((e) => e.code),
    ).toBe('UNAUTHENTICATED');
    await p.db.update(mallOrders).set({ status: 'received' }).where(eq(mallOrders.id, order.id));
    expect(
      await reviews()
        .submitReview(buyer.actor, order.id, good(line.id))
        .catch((e) => [e.code, e.message]),
    ).toEqual(['REVIEW_NOT_ALLOWED', '订单完成后才能评价']);
    expect((await reviews().orderReviews(buyer.actor, order.id)).canReview).toBe(false);
    expect(await p.db.select().from(mallReviews).where(eq(mallReviews.orderId, order.id))).toEqual([]);
  });

  it('one review per order line, also when two arrive at once', async () => {
    const m = await merchant(p);
    const buyer = await individual(p, null);
    const { order, line } = await completedOrder(buyer, m);
    const results = await Promise.allSettled([1, 2, 3, 4].map((s) => reviews().submitReview(buyer.actor, order.id, good(line.id, { productStars: s }))));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(results.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason.code)).toEqual(Array(3).fill('ORDER_LINE_REVIEWED'));
    expect(await p.db.select().from(mallReviews).where(eq(mallReviews.orderLineId, line.id))).toHaveLength(1);
    expect(
      await reviews()
        .submitReview(buyer.actor, order.id, good(line.id))
        .catch((e) => e.message),
    ).toBe('该商品已评价过了');
  });

  it('the merchant replies once (also when two replies race); nobody else replies', async () => {
    const m = await merchant(p);
    const otherMerchant = await merchant(p);
    const buyer = await individual(p, null);
    const { order, line, product: prod } = await completedOrder(buyer, m);
    const r = await reviews().submitReview(buyer.actor, order.id, good(line.id));
    for (const who of [otherMerchant.actor, buyer.actor]) {
      expect(
        await reviews()
          .replyToReview(who, r.id, { reply: '谢谢支持' })
          .catch((e) => e.code),
      ).toBe('NOT_FOUND');
    }
    expect(
      await reviews()
        .replyToReview(m.actor, r.id, { reply: '谢' })
        .catch((e) => e.fields),
    ).toEqual({ reply: '回复 2–300 字' });
    expect(
      await reviews()
        .replyToReview(m.actor, 'x', { reply: '谢谢支持' })
        .catch((e) => e.code),
    ).toBe('NOT_FOUND');
    const results = await Promise.allSettled([
      reviews().replyToReview(m.actor, r.id, { reply: '谢谢支持，欢迎再来' }),
      reviews().replyToReview(m.actor, r.id, { reply: '第二条回复' }),
    ]);
    expect(results.filter((x) => x.status === 'fulfilled')).toHaveLength(1);
    expect((results.find((x) => x.status === 'rejected') as PromiseRejectedResult).reason.code).toBe('REVIEW_REPLIED');
    const [shown] = (await reviews().productReviews(prod.id)).items;
    expect(['谢谢支持，欢迎再来', '第二条回复']).toContain(shown!.reply);
    expect(shown!.repliedAt).toBeInstanceOf(Date);
    expect((await reviews().orderReviews(m.actor, order.id)).canReply).toBe(true);
  });
});
