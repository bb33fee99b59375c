import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestPlatform } from '../../core/testing/test-platform';
import type { Platform } from '../../core/platform/platform';
import { seedDemo } from './demo';
import { seedDemoTenders } from './demo-tenders';

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
