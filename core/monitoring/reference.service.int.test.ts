import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { monitoringCounties, monitoringPeriods } from '../../db/schema';
import { createTestPlatform } from '../testing/test-platform';
import type { Platform } from '../platform/platform';

let p: Platform;

beforeAll(async () => {
  p = await createTestPlatform();
});
afterAll(() => p?.close());

describe('reference data (migration 0020)', () => {
  it('lists every county-level division of Guangxi and Guizhou, and two open periods', async () => {
    const counties = await p.db.select().from(monitoringCounties);
    expect(counties.filter((c) => c.provinceCode === '450000')).toHaveLength(111);
    expect(counties.filter((c) => c.provinceCode === '520000')).toHaveLength(88);
    expect(counties.find((c) => c.code === '451225')).toMatchObject({
      name: '罗城仫佬族自治县',
      cityCode: '451200',
      cityName: '河池市',
      provinceName: '广西壮族自治区',
      active: true,
    });
    const periods = await p.db.select().from(monitoringPeriods);
    expect(periods.map((x) => [x.filingType, x.name, x.startsOn, x.endsOn, x.open]).sort()).toEqual([
      ['backfill', '2026年上半年购销信息补登', '2026-01-01', '2026-06-30', true],
      ['regular', '2026年7月起购销信息登记', '2026-07-01', '2026-12-31', true],
    ]);
  });
});
