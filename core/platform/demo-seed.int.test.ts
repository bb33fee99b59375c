import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestPlatform } from '../testing/test-platform';
import type { Platform } from './platform';
import { seedDemo } from '../accounts/accounts.seed';
import { seedDemoTenders } from '../tenders/tenders.seed';
import { DEMO_MALL_LOGINS, seedDemoMall } from '../mall/mall.seed';
import { DEMO_LOGINS, DEMO_PASSWORD } from './seed';

let p: Platform;
beforeAll(async () => {
  p = await createTestPlatform();
});
afterAll(() => p?.close());

it('seeds the demo once, with a marketplace that a visitor can browse and a balanced ledger', async () => {
  const lines: string[] = [];
  expect(await seedDemo(p.db, (l) => lines.push(l))).toBe(true);
  await seedDemoTenders(p, (l) => lines.push(l));
  expect(await seedDemo(p.db)).toBe(false);
  expect(lines.some((l) => l.includes('requirements'))).toBe(true);

  const hall = await p.services.requirements.hall({});
  expect(hall.items.map((r) => r.title).sort()).toEqual(['年度代理记账与税务申报服务', '稀土永磁材料专利检索与申请', '青禾食品品牌包装升级设计'].sort());
  expect(hall.items.find((r) => r.title === '年度代理记账与税务申报服务')?.bidderCount).toBe(2);

  const showcase = await p.services.storefronts.showcase({});
  expect(showcase.total).toBe(3);
  expect((await p.services.ledger.check()).ok).toBe(true);
});

it('seeds the mall once: units of the manual, employees, merchants in assisted counties with listed, searchable products', async () => {
  const lines: string[] = [];
  expect(await seedDemoMall(p, (l) => lines.push(l))).toBe(true);
  expect(await seedDemoMall(p)).toBe(false);
  expect(lines.some((l) => l.includes('酉阳县花田乡贡米专业合作社'))).toBe(true);
  // The start-up banner lists the mall's logins with the others.
  for (const l of DEMO_MALL_LOGINS) expect(DEMO_LOGINS.map((d) => d.username)).toContain(l.username);
  for (const username of ['shuilibu', 'liuyang', 'huatian', 'youyangzx']) {
    const session = await p.services.accounts.login({ identifier: username, password: DEMO_PASSWORD }, { ip: `198.51.100.${username.length}` });
    expect(session.user.username).toBe(username);
  }

  const rice = await p.services.catalog.search({ q: '贡米' });
  expect(rice.items.map((i) => i.name)).toEqual(['花田贡米 5kg']);
  expect(rice.items[0]).toMatchObject({ merchantName: '酉阳县花田乡贡米专业合作社', originName: '重庆市 酉阳土家族苗族自治县 花田乡' });
  const thumb = await p.services.catalog.imageBytes(null, rice.items[0]!.imageUrl!.split('/').at(-2)!, 'thumb');
  expect(thumb).toMatchObject({ contentType: 'image/webp', width: 320 });
  expect((await p.services.catalog.search({ q: '腊肉' })).items.map((i) => i.name)).toContain('城口老腊肉');
  expect((await p.services.catalog.search({ q: '富硒' })).total).toBeGreaterThanOrEqual(2);

  const chongqing = await p.services.catalog.regionPage('50');
  expect(chongqing.districts.map((d) => d.name)).toEqual(expect.arrayContaining(['酉阳土家族苗族自治县', '城口县', '巫溪县']));
  expect(chongqing.townships.map((t) => t.name)).toEqual(expect.arrayContaining(['花田乡', '巴山镇', '红池坝镇']));
  const home = await p.services.catalog.home();
  expect(home.featured.length).toBeGreaterThanOrEqual(4);
  expect(home.districts.map((d) => d.code)).toContain('360731');

  expect((await p.services.units.searchUnits('村头'))[0]?.fullName).toBe('重庆村头科技发展有限公司');
  expect((await p.services.units.searchUnits('水利部'))[0]?.groupName).toBe('水利部');
  const liuyang = await p.services.accounts.actorForUser(
    (await p.services.accounts.login({ identifier: 'liuyang', password: DEMO_PASSWORD }, { ip: '198.51.100.99' })).user.id,
  );
  expect(await p.services.units.getIndividual(liuyang)).toMatchObject({ realName: '刘洋', unit: { fullName: '重庆财经职业学院' } });
  expect((await p.services.addresses.list(liuyang))[0]).toMatchObject({ isDefault: true });
  // The department sees its own region's statistics (酉阳).
  const youyangzx = await p.services.accounts.actorForUser(
    (await p.services.accounts.login({ identifier: 'youyangzx', password: DEMO_PASSWORD }, { ip: '198.51.100.98' })).user.id,
  );
  expect(youyangzx.organisation).toMatchObject({ kind: 'government', fullName: '酉阳县乡村振兴局' });
  expect((await p.services.statistics.region(youyangzx, { from: '2026-01-01', to: '2026-12-31' })).region.code).toBe('500242');
  // Every category has products to browse, each with its drawn picture.
  const categories = await p.services.catalog.search({ pageSize: 50 });
  expect(categories.total).toBeGreaterThanOrEqual(60);
  for (const top of ['grain', 'meat', 'fresh', 'tea', 'mountain', 'seasoning', 'liquor', 'craft', 'snack', 'aquatic'])
    expect((await p.services.catalog.search({ category: top })).total, top).toBeGreaterThanOrEqual(3);
}, 300_000);
