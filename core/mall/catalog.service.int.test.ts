import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, desc, eq, inArray } from 'drizzle-orm';
import sharp from 'sharp';
import { organisations, productImages, products, siteMessages } from '../../db/schema';
import { createTestPlatform } from '../testing/test-platform';
import { buildUscc, registerUser } from '../testing/factories';
import { operator } from '../testing/tenders-factories';
import type { Platform } from '../platform/platform';
import type { Actor } from '../shared/actor';

let p: Platform;
let ops: Actor;
let shop: Actor;
let rival: Actor;
let buyer: Actor;

beforeAll(async () => {
  p = await createTestPlatform();
  ops = await operator(p);
  shop = (await registerUser(p, { accountType: 'merchant', organisationName: '酉阳县花田乡贡米专业合作社', uscc: buildUscc(), regionCode: '500242209' })).actor;
  rival = (await registerUser(p, { accountType: 'merchant', organisationName: '城口县高观镇腊味专业合作社', uscc: buildUscc(), regionCode: '500229107' }))
    .actor;
  buyer = (await registerUser(p, { accountType: 'enterprise' })).actor;
});
afterAll(() => p?.close());

const png = (width = 1200, height = 900, colour = '#4a7') =>
  sharp({ create: { width, height, channels: 3, background: colour } })
    .png()
    .toBuffer()
    .then((b) => new Uint8Array(b));

async function upload(actor: Actor, bytes?: Uint8Array, contentType = 'image/png') {
  return p.services.files.upload(actor, { filename: 'photo.png', contentType, bytes: bytes ?? (await png()), imageOnly: true });
}

const form = (over: Record<string, unknown> = {}) => ({
  name: '酉阳花田贡米',
  categoryCode: 'grain.rice',
  originCode: '500242209',
  priceFen: 8_800,
  unit: '袋',
  stock: 200,
  description: '海拔 800 米梯田种植，一年一季，5 公斤真空包装。',
  contactPhone: '023-75551234',
  imageIds: [] as string[],
  ...over,
});

/** A listed product of `actor` with one image. */
async function listed(actor: Actor, over: Record<string, unknown> = {}) {
  const img = await upload(actor);
  const created = await p.services.catalog.createProduct(actor, form({ imageIds: [img.id], ...over }));
  await p.services.catalog.publish(actor, created.id);
  return { ...created, imageId: img.id };
}

const searchIds = async (q: Record<string, unknown>) => (await p.services.catalog.search({ pageSize: 60, ...q })).items.map((i) => i.id);

describe('merchants keep their products', () => {
  it('creates a draft with resized images (320 and 960 px webp, once per file), then lists it', async () => {
    const a = await upload(shop, await png(1600, 1200));
    const b = await upload(shop, await png(400, 300, '#c33'));
    const created = await p.services.catalog.createProduct(shop, form({ imageIds: [a.id, b.id] }));
    expect(created).toMatchObject({
      status: 'draft',
      name: '酉阳花田贡米',
      category: { code: 'grain.rice', name: '大米', parentName: '粮油' },
      origin: { code: '500242209', name: '重庆市 酉阳土家族苗族自治县 花田乡', districtCode: '500242' },
      merchant: { name: '酉阳县花田乡贡米专业合作社', regionName: '重庆市 酉阳土家族苗族自治县 花田乡', contactPhone: '023-75551234' },
      imageIds: [a.id, b.id],
      own: true,
    });
    const copies = await p.db
      .select()
      .from(productImages)
      .where(inArray(productImages.fileId, [a.id, b.id]));
    expect(copies.map((c) => [c.fileId, c.size, c.width, c.height, c.contentType]).sort()).toEqual(
      [
        [a.id, 'detail', 960, 720, 'image/webp'],
        [a.id, 'thumb', 320, 240, 'image/webp'],
        // A small original is not enlarged.
        [b.id, 'detail', 400, 300, 'image/webp'],
        [b.id, 'thumb', 320, 240, 'image/webp'],
      ].sort(),
    );
    const thumb = await p.services.catalog.imageBytes(shop, a.id, 'thumb');
    expect(await sharp(thumb.data).metadata()).toMatchObject({ format: 'webp', width: 320 });

    // Saving again with the same images makes no new copies; dropping one detaches it.
    const before = copies.map((c) => c.data.byteLength);
    await p.services.catalog.updateProduct(shop, created.id, form({ imageIds: [a.id], name: '酉阳花田贡米 5kg' }));
    const after = await p.db
      .select()
      .from(productImages)
      .where(inArray(productImages.fileId, [a.id, b.id]));
    expect(after.map((c) => c.data.byteLength)).toEqual(before);
    await expect(p.services.files.read(buyer, b.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });

    const out = await p.services.catalog.publish(shop, created.id);
    expect(out).toMatchObject({ status: 'listed', statusLabel: '在售' });
    expect(await p.services.catalog.product(null, created.id)).toMatchObject({ name: '酉阳花田贡米 5kg', status: 'listed', own: false, takedownReason: null });
  });

  it('validates field by field: second-level category, origin, images', async () => {
    await expect(p.services.catalog.createProduct(shop, form({ categoryCode: 'grain' }))).rejects.toMatchObject({
      code: 'VALIDATION',
      fields: { categoryCode: '请选择二级商品分类' },
    });
    await expect(p.services.catalog.createProduct(shop, form({ categoryCode: 'nope.x' }))).rejects.toMatchObject({
      fields: { categoryCode: '请选择二级商品分类' },
    });
    await expect(p.services.catalog.createProduct(shop, form({ originCode: '5002' }))).rejects.toMatchObject({
      fields: { originCode: '请选择到区县（乡镇可选）' },
    });
    await expect(p.services.catalog.createProduct(shop, form({ originCode: '500242999' }))).rejects.toMatchObject({
      fields: { originCode: '请选择到区县（乡镇可选）' },
    });
    await expect(p.services.catalog.createProduct(shop, form({ priceFen: 0, stock: -1 }))).rejects.toMatchObject({
      fields: { priceFen: '价格必须大于 0', stock: '库存不能为负数' },
    });
    const seven = await Promise.all(Array.from({ length: 7 }, () => upload(shop)));
    await expect(p.services.catalog.createProduct(shop, form({ imageIds: seven.map((f) => f.id) }))).rejects.toMatchObject({
      fields: { imageIds: '最多上传 6 张图片' },
    });
    const theirs = await upload(rival);
    await expect(p.services.catalog.createProduct(shop, form({ imageIds: [theirs.id] }))).rejects.toMatchObject({
      fields: { imageIds: '图片不存在或不能使用' },
    });
    // Text declared as a PNG is refused at upload now; a file with a PNG's first bytes but no picture behind them still reaches this check.
    await expect(upload(shop, new TextEncoder().encode('not really a png'))).rejects.toMatchObject({
      fields: { file: '文件内容与类型不符：这不是一个有效的 PNG 文件' },
    });
    const notAnImage = await upload(shop, new Uint8Array([0x89, 0x50, 0x4e, 0x47, ...new TextEncoder().encode('not really a png')]));
    await expect(p.services.catalog.createProduct(shop, form({ imageIds: [notAnImage.id] }))).rejects.toMatchObject({
      fields: { imageIds: '图片无法识别，请重新上传' },
    });
    const pdf = await p.services.files.upload(shop, { filename: 'a.pdf', contentType: 'application/pdf', bytes: new TextEncoder().encode('%PDF-1.4') });
    await expect(p.services.catalog.createProduct(shop, form({ imageIds: [pdf.id] }))).rejects.toMatchObject({
      fields: { imageIds: expect.stringContaining('图片') },
    });
    // An image already on another product cannot be reused.
    const used = await listed(shop, { name: '花田贡米礼盒' });
    await expect(p.services.catalog.createProduct(shop, form({ imageIds: [used.imageId] }))).rejects.toMatchObject({
      fields: { imageIds: '图片不存在或不能使用' },
    });
  });

  it('refuses non-merchants, and another merchant’s product is NOT_FOUND', async () => {
    await expect(p.services.catalog.createProduct(buyer, form())).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(p.services.catalog.createProduct(ops, form())).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(p.services.catalog.createProduct(null, form())).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    const mine = await listed(shop, { name: '花田贡米 10kg' });
    await expect(p.services.catalog.updateProduct(rival, mine.id, form({ name: '抢来的商品' }))).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(p.services.catalog.unpublish(rival, mine.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(p.services.catalog.publish(rival, 'not-a-uuid')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect((await p.services.catalog.product(null, mine.id)).name).toBe('花田贡米 10kg');
    // A disabled merchant can no longer manage its catalog, and its products disappear.
    const gone = await registerUser(p, { accountType: 'merchant', organisationName: '巫溪县停业合作社', uscc: buildUscc(), regionCode: '500238' });
    const theirs = await listed(gone.actor, { name: '停业社土豆' });
    await p.db.update(organisations).set({ status: 'disabled' }).where(eq(organisations.id, gone.actor.organisation!.organisationId));
    const disabled = (await p.services.accounts.actorForUser(gone.actor.userId))!;
    await expect(p.services.catalog.createProduct(disabled, form())).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(p.services.catalog.product(buyer, theirs.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(await searchIds({ q: '停业社土豆' })).toEqual([]);
  });

  it('cannot list without an image, nor keep a listed product without one', async () => {
    const bare = await p.services.catalog.createProduct(shop, form({ name: '无图商品' }));
    await expect(p.services.catalog.publish(shop, bare.id)).rejects.toMatchObject({ code: 'VALIDATION', fields: { imageIds: '上架前请至少上传一张商品图片' } });
    const ok = await listed(shop, { name: '有图商品' });
    await expect(p.services.catalog.updateProduct(shop, ok.id, form({ name: '有图商品', imageIds: [] }))).rejects.toMatchObject({
      fields: { imageIds: '在售商品至少保留一张图片' },
    });
  });

  it('unlisted and draft products are invisible to others in search, detail and images; the merchant and operators still see them', async () => {
    const prod = await listed(shop, { name: '酉阳青花椒', categoryCode: 'seasoning.chili' });
    expect(await searchIds({ q: '青花椒' })).toEqual([prod.id]);
    expect((await p.services.catalog.imageBytes(null, prod.imageId, 'detail')).contentType).toBe('image/webp');
    expect((await p.services.files.read(null, prod.imageId)).contentType).toBe('image/png');

    await p.services.catalog.unpublish(shop, prod.id);
    expect(await searchIds({ q: '青花椒' })).toEqual([]);
    await expect(p.services.catalog.product(buyer, prod.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(p.services.catalog.product(rival, prod.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(p.services.catalog.imageBytes(null, prod.imageId, 'thumb')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(p.services.files.read(buyer, prod.imageId)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect((await p.services.catalog.product(shop, prod.id)).status).toBe('unlisted');
    expect((await p.services.catalog.product(ops, prod.id)).status).toBe('unlisted');
    expect((await p.services.catalog.imageBytes(shop, prod.imageId, 'thumb')).width).toBe(320);
    await expect(p.services.catalog.imageBytes(null, prod.imageId, 'huge')).rejects.toMatchObject({ code: 'NOT_FOUND' });

    const draft = await p.services.catalog.createProduct(shop, form({ name: '酉阳青花椒草稿' }));
    await expect(p.services.catalog.product(null, draft.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});

describe('operators', () => {
  it('take a product down with a reason; the merchant is told and cannot list it again until restored', async () => {
    const prod = await listed(shop, { name: '酉阳土家腊肉', categoryCode: 'meat.pork' });
    await p.services.catalog.setFeatured(ops, prod.id, true);
    await expect(p.services.catalog.takeDown(shop, prod.id, { reason: '自己下架' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(p.services.catalog.takeDown(ops, prod.id, { reason: '' })).rejects.toMatchObject({ code: 'VALIDATION', fields: { reason: '请填写下架原因' } });
    const down = await p.services.catalog.takeDown(ops, prod.id, { reason: '缺少食品生产许可证' });
    expect(down).toMatchObject({ status: 'taken_down', featured: false });

    const [msg] = await p.db.select().from(siteMessages).where(eq(siteMessages.userId, shop.userId)).orderBy(desc(siteMessages.createdAt)).limit(1);
    expect(msg).toMatchObject({ title: '商品已被平台下架', body: expect.stringContaining('缺少食品生产许可证'), link: `/mall/merchant/products/${prod.id}` });

    await expect(p.services.catalog.publish(shop, prod.id)).rejects.toMatchObject({
      code: 'PRODUCT_TAKEN_DOWN',
      message: expect.stringContaining('缺少食品生产许可证'),
    });
    await expect(p.services.catalog.unpublish(shop, prod.id)).rejects.toMatchObject({ code: 'PRODUCT_STATUS_FORBIDS' });
    // Editing keeps it taken down.
    await p.services.catalog.updateProduct(shop, prod.id, form({ name: '酉阳土家腊肉（已补证）', categoryCode: 'meat.pork', imageIds: [prod.imageId] }));
    const [row] = await p.db.select().from(products).where(eq(products.id, prod.id));
    expect(row?.status).toBe('taken_down');
    expect(await searchIds({ q: '土家腊肉' })).toEqual([]);
    await expect(p.services.catalog.product(buyer, prod.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(await p.services.catalog.product(shop, prod.id)).toMatchObject({ status: 'taken_down', takedownReason: '缺少食品生产许可证' });
    expect((await p.services.catalog.merchantProducts(shop, { status: 'taken_down' })).items.map((i) => i.id)).toContain(prod.id);

    await expect(p.services.catalog.restore(shop, prod.id)).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect(await p.services.catalog.restore(ops, prod.id)).toMatchObject({ status: 'unlisted' });
    await p.services.catalog.publish(shop, prod.id);
    expect(await searchIds({ q: '土家腊肉' })).toEqual([prod.id]);
  });

  it('feature listed products on the home page; only operators, only listed ones', async () => {
    const prod = await listed(shop, { name: '花田乡富硒米', categoryCode: 'grain.rice' });
    await expect(p.services.catalog.setFeatured(shop, prod.id, true)).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect(await p.services.catalog.setFeatured(ops, prod.id, true)).toEqual({ id: prod.id, featured: true });
    const home = await p.services.catalog.home();
    expect(home.featured.map((f) => f.id)).toContain(prod.id);
    expect(home.featured.find((f) => f.id === prod.id)).toMatchObject({
      merchantName: '酉阳县花田乡贡米专业合作社',
      imageUrl: `/api/v1/mall/images/${prod.imageId}/thumb`,
    });
    const draft = await p.services.catalog.createProduct(shop, form({ name: '未上架的米' }));
    await expect(p.services.catalog.setFeatured(ops, draft.id, true)).rejects.toMatchObject({ code: 'PRODUCT_STATUS_FORBIDS' });
    await p.services.catalog.setFeatured(ops, prod.id, false);
    expect((await p.services.catalog.home()).featured.map((f) => f.id)).not.toContain(prod.id);
  });

  it('see every product in the console list', async () => {
    await expect(p.services.catalog.adminProducts(shop)).rejects.toMatchObject({ code: 'FORBIDDEN' });
    const all = await p.services.catalog.adminProducts(ops, { merchantId: shop.organisation!.organisationId, pageSize: 100 });
    expect(all.total).toBe(all.counts.draft + all.counts.listed + all.counts.unlisted + all.counts.taken_down);
    expect(all.items.every((i) => i.merchantId === shop.organisation!.organisationId)).toBe(true);
  });
});

describe('browsing', () => {
  let rice: string;
  let bacon: string;
  let honey: string;
  let walnut: string;
  let youyang: Actor;
  let wuxi: Actor;
  beforeAll(async () => {
    youyang = (await registerUser(p, { accountType: 'merchant', organisationName: '酉阳县浏览测试合作社', uscc: buildUscc(), regionCode: '500242' })).actor;
    wuxi = (
      await registerUser(p, { accountType: 'merchant', organisationName: '巫溪县红池坝镇中蜂养殖专业合作社', uscc: buildUscc(), regionCode: '500238118' })
    ).actor;
    rice = (await listed(youyang, { name: '龚滩古镇香米', categoryCode: 'grain.rice', originCode: '500242108', priceFen: 6_800, description: '乌江边稻田' }))
      .id;
    bacon = (
      await listed(rival, {
        name: '城口老腊肉',
        categoryCode: 'meat.pork',
        originCode: '500229107',
        priceFen: 12_800,
        unit: '斤',
        description: '柴火熏制 90 天',
      })
    ).id;
    honey = (
      await listed(wuxi, {
        name: '红池坝中蜂百花蜜',
        categoryCode: 'mountain.honey',
        originCode: '500238118',
        priceFen: 15_800,
        unit: '瓶',
        description: '高山中华蜂，一年一取',
      })
    ).id;
    walnut = (await listed(rival, { name: '城口核桃', categoryCode: 'mountain.nut', originCode: '500229', priceFen: 3_900, unit: '斤' })).id;
    await p.db.update(products).set({ sold: 50 }).where(eq(products.id, walnut));
  });

  it('searches Chinese text by name, description, category and origin names', async () => {
    expect(await searchIds({ q: '老腊肉' })).toEqual([bacon]);
    expect(await searchIds({ q: '腊肉' })).toContain(bacon);
    expect(await searchIds({ q: '柴火熏制' })).toEqual([bacon]);
    // 蜂蜜 is the category's name; 巫溪 is in the origin's name.
    expect(await searchIds({ q: '蜂蜜' })).toContain(honey);
    expect(await searchIds({ q: '巫溪' })).toEqual([honey]);
    expect(await searchIds({ q: '红池坝 百花蜜' })).toEqual([honey]);
    expect(await searchIds({ q: '龚滩' })).toEqual([rice]);
    expect(await searchIds({ q: '干果坚果' })).toContain(walnut);
    expect(await searchIds({ q: '没有这种东西' })).toEqual([]);
  });

  it('filters by category (either level), origin prefix, merchant and price; sorts and pages', async () => {
    expect(await searchIds({ category: 'mountain', origin: '500229' })).toEqual([walnut]);
    expect(await searchIds({ category: 'meat.pork', origin: '500229' })).toEqual([bacon]);
    expect(new Set(await searchIds({ origin: '500229' }))).toEqual(new Set([bacon, walnut]));
    expect(await searchIds({ origin: '500238118' })).toEqual([honey]);
    expect(await searchIds({ merchantId: wuxi.organisation!.organisationId })).toEqual([honey]);
    expect(await searchIds({ origin: '500229', priceMin: 4_000 })).toEqual([bacon]);
    expect(await searchIds({ origin: '500229', priceMax: 4_000 })).toEqual([walnut]);
    expect(await searchIds({ origin: '500229', sort: 'price_desc' })).toEqual([bacon, walnut]);
    expect(await searchIds({ origin: '500229', sort: 'price_asc' })).toEqual([walnut, bacon]);
    expect(await searchIds({ origin: '500229', sort: 'sales' })).toEqual([walnut, bacon]);
    expect(await searchIds({ origin: '500229', sort: 'newest' })).toEqual([walnut, bacon]);
    const page1 = await p.services.catalog.search({ origin: '500229', pageSize: 1, sort: 'price_asc' });
    const page2 = await p.services.catalog.search({ origin: '500229', pageSize: 1, page: 2, sort: 'price_asc' });
    expect([page1.total, page1.items[0]?.id, page2.items[0]?.id]).toEqual([2, walnut, bacon]);
    expect(page1.items[0]).toMatchObject({
      name: '城口核桃',
      priceFen: 3_900,
      unit: '斤',
      originName: '重庆市 城口县',
      merchantName: '城口县高观镇腊味专业合作社',
    });
  });

  it('answers bad queries by field', async () => {
    await expect(p.services.catalog.search({ priceMin: 500, priceMax: 100 })).rejects.toMatchObject({
      code: 'VALIDATION',
      fields: { priceMax: '最高价不能低于最低价' },
    });
    await expect(p.services.catalog.search({ category: 'nope' })).rejects.toMatchObject({ code: 'VALIDATION', fields: { category: '商品分类不存在' } });
    await expect(p.services.catalog.search({ sort: 'cheapest' })).rejects.toMatchObject({ fields: { sort: '排序方式无效' } });
    await expect(p.services.catalog.search({ origin: 'x' })).rejects.toMatchObject({ fields: { origin: '产地无效' } });
  });

  it('region pages list the districts and townships with listed products, and their products', async () => {
    const cq = await p.services.catalog.regionPage('50');
    expect(cq.region).toMatchObject({ code: '50', name: '重庆市' });
    const districts = Object.fromEntries(cq.districts.map((d) => [d.code, d]));
    expect(districts['500229']).toMatchObject({ name: '城口县', count: 2 });
    expect(districts['500238']).toMatchObject({ name: '巫溪县', count: 1 });
    expect(districts['500242']?.name).toBe('酉阳土家族苗族自治县');
    expect(cq.townships.find((t) => t.code === '500238118')).toMatchObject({ name: '红池坝镇', fullName: '重庆市 巫溪县 红池坝镇', count: 1 });
    // 城口核桃 comes from the county itself, not a township.
    expect(cq.townships.find((t) => t.code === '500229107')).toMatchObject({ name: '高观镇', count: 1 });

    const county = await p.services.catalog.regionPage('500229', { sort: 'price_asc' });
    expect(county.districts).toEqual([expect.objectContaining({ code: '500229', count: 2 })]);
    expect(county.products.items.map((i) => i.id)).toEqual([walnut, bacon]);
    const township = await p.services.catalog.regionPage('500238118');
    expect(township.region).toMatchObject({ name: '红池坝镇' });
    expect(township.products.items.map((i) => i.id)).toEqual([honey]);
    expect((await p.services.catalog.regionPage(null)).districts.length).toBeGreaterThanOrEqual(3);
    await expect(p.services.catalog.regionPage('99')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(p.services.catalog.regionPage('abc')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('home shows the newest of each top category that has products', async () => {
    const home = await p.services.catalog.home({ perCategory: 2 });
    const sections = Object.fromEntries(home.sections.map((s) => [s.category.code, s.items.map((i) => i.id)]));
    expect(sections.mountain).toEqual([walnut, honey]);
    expect(sections.meat).toContain(bacon);
    expect(Object.values(sections).every((ids) => ids.length <= 2 && ids.length > 0)).toBe(true);
    expect(home.sections.map((s) => s.category.code)).not.toContain('craft');
    expect(home.districts.map((d) => d.code)).toEqual(expect.arrayContaining(['500229', '500238', '500242']));
  });

  it('product detail names the merchant, its contact phone and region', async () => {
    expect(await p.services.catalog.product(null, honey)).toMatchObject({
      name: '红池坝中蜂百花蜜',
      priceFen: 15_800,
      category: { name: '蜂蜜', parentName: '山货特产' },
      merchant: { name: '巫溪县红池坝镇中蜂养殖专业合作社', contactPhone: '023-75551234', regionName: '重庆市 巫溪县 红池坝镇' },
      images: [expect.objectContaining({ thumbUrl: expect.stringMatching(/\/thumb$/), detailUrl: expect.stringMatching(/\/detail$/) })],
    });
    await expect(p.services.catalog.product(null, crypto.randomUUID())).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('the merchant console lists only its own products, in every status, with counts', async () => {
    const own = await p.services.catalog.merchantProducts(rival, { pageSize: 100 });
    expect(own.items.every((i) => i.merchantId === rival.organisation!.organisationId)).toBe(true);
    expect(own.items.map((i) => i.id)).toEqual(expect.arrayContaining([bacon, walnut]));
    expect(own.counts.listed).toBeGreaterThanOrEqual(2);
    expect((await p.services.catalog.merchantProducts(rival, { q: '核桃' })).items.map((i) => i.id)).toEqual([walnut]);
    await expect(p.services.catalog.merchantProducts(buyer)).rejects.toMatchObject({ code: 'FORBIDDEN' });
    // Pages typed into an address bar are answered in Chinese, in the console and the operator's list alike.
    await expect(p.services.catalog.merchantProducts(rival, { page: 'abc', pageSize: '2.5' })).rejects.toMatchObject({
      code: 'VALIDATION',
      fields: { page: '页码无效', pageSize: '每页条数无效' },
    });
    await expect(p.services.catalog.adminProducts(ops, { page: 'x' })).rejects.toMatchObject({ fields: { page: '页码无效' } });
  });

  it('category tree: ten top categories with their second level', async () => {
    const tree = await p.services.catalog.categoryTree();
    expect(tree).toHaveLength(10);
    expect(tree[0]).toMatchObject({ code: 'grain', name: '粮油', children: expect.arrayContaining([{ code: 'grain.rice', name: '大米' }]) });
  });

  it('a product and its images stay attached to one product', async () => {
    const rows = await p.db
      .select()
      .from(products)
      .where(and(eq(products.id, honey)));
    expect(rows[0]?.imageIds).toHaveLength(1);
  });
});
