import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { auditLog, monitoringCounties, monitoringPeriods } from '../../db/schema';
import { createTestPlatform } from '../testing/test-platform';
import { registerUser } from '../testing/factories';
import type { Platform } from '../platform/platform';
import type { Actor } from '../shared/actor';
import { divisionOfCounty } from './reference.service';
import { monitoringPerson } from './reference.fixtures';

let p: Platform;
let provinceAdmin: Actor;
let provinceAuditor: Actor;
let cityAdmin: Actor;
let reporter: Actor;
let outsider: Actor;

beforeAll(async () => {
  p = await createTestPlatform();
  const province = await monitoringPerson(p, { kind: 'province', role: 'admin', name: '广东省乡村振兴局（测试）' });
  provinceAdmin = province.actor;
  const auditor = await monitoringPerson(p, { kind: 'province', role: 'auditor' });
  provinceAuditor = auditor.actor;
  const city = await monitoringPerson(p, { kind: 'city', role: 'admin', departmentId: province.orgId, cityCode: '440100' });
  cityAdmin = city.actor;
  reporter = (await monitoringPerson(p, { kind: 'market', role: 'reporter', departmentId: city.orgId, cityCode: '440100' })).actor;
  outsider = (await registerUser(p)).actor;
});
afterAll(() => p?.close());

const svc = () => p.services.monitoringReference;

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

describe('counties and provinces (public)', () => {
  it('groups active counties province → city → county, one province when asked', async () => {
    const all = await svc().counties();
    expect(all.provinces.map((x) => x.name)).toEqual(['广西壮族自治区', '贵州省']);
    const gx = await svc().counties({ provinceCode: '450000' });
    expect(gx.provinces).toHaveLength(1);
    const hechi = gx.provinces[0]!.cities.find((c) => c.code === '451200')!;
    expect(hechi.name).toBe('河池市');
    expect(hechi.counties).toContainEqual({ code: '451225', name: '罗城仫佬族自治县' });
    expect(gx.provinces[0]!.cities.reduce((n, c) => n + c.counties.length, 0)).toBe(111);
  });

  it('refuses a malformed province code with a Chinese field message', async () => {
    await expect(svc().counties({ provinceCode: '45' })).rejects.toMatchObject({ code: 'VALIDATION', fields: { provinceCode: '请选择省份' } });
  });

  it('counts each province’s active counties', async () => {
    const { items } = await svc().provinces();
    expect(items.find((x) => x.code === '520000')).toMatchObject({ name: '贵州省', total: 88 });
  });

  it('maps GB/T 2260 codes to the list’s shape, refusing non-county codes', () => {
    expect(divisionOfCounty('451225')).toEqual({
      code: '451225',
      name: '罗城仫佬族自治县',
      cityCode: '451200',
      cityName: '河池市',
      provinceCode: '450000',
      provinceName: '广西壮族自治区',
    });
    expect(divisionOfCounty('500242')).toMatchObject({ cityCode: '500200', cityName: '重庆市', provinceCode: '500000' });
    expect(divisionOfCounty('451200')).toBeUndefined();
    expect(divisionOfCounty('999999')).toBeUndefined();
    expect(divisionOfCounty('45122')).toBeUndefined();
  });
});

describe('periods', () => {
  it('lists periods to any monitoring member, filtered by type and openness; refuses others', async () => {
    const regular = await svc().periods(reporter, { filingType: 'regular' });
    expect(regular.items.map((x) => x.name)).toContain('2026年7月起购销信息登记');
    expect(regular.items.every((x) => x.filingType === 'regular' && x.filingTypeLabel === '购销信息登记')).toBe(true);
    await expect(svc().periods(outsider)).rejects.toMatchObject({ code: 'MONITORING_NOT_A_MEMBER' });
    await expect(svc().periods(null)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    await expect(svc().periods(reporter, { filingType: 'weekly' as never })).rejects.toMatchObject({
      code: 'VALIDATION',
      fields: { filingType: '请选择填报类型' },
    });
  });

  it('lets the province administrator create, rename, move and close a period (audited)', async () => {
    const created = await svc().createPeriod(provinceAdmin, {
      filingType: 'regular',
      name: ' 2027年上半年购销信息登记 ',
      startsOn: '2027-01-01',
      endsOn: '2027-06-30',
    });
    expect(created).toMatchObject({ name: '2027年上半年购销信息登记', open: true, startsOn: '2027-01-01' });
    const closed = await svc().updatePeriod(provinceAdmin, created.id, { open: false, name: '2027年上半年登记', endsOn: '2027-07-31' });
    expect(closed).toMatchObject({ open: false, name: '2027年上半年登记', startsOn: '2027-01-01', endsOn: '2027-07-31' });
    expect((await svc().periods(reporter, { openOnly: true })).items.map((x) => x.id)).not.toContain(created.id);
    expect((await svc().periods(reporter, { openOnly: 'false' as never })).items.map((x) => x.id)).toContain(created.id);
    const audits = await p.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.targetType, 'monitoring_period'), eq(auditLog.targetId, created.id)));
    expect(audits.map((a) => a.action).sort()).toEqual(['monitoring.period_create', 'monitoring.period_update']);
  });

  it('answers every bad input with a field message', async () => {
    await expect(
      svc().createPeriod(provinceAdmin, { filingType: 'regular', name: '期间', startsOn: '2027-02-30', endsOn: '2027-01-01' }),
    ).rejects.toMatchObject({
      code: 'VALIDATION',
      fields: { startsOn: '开始日期不是有效的日期' },
    });
    await expect(
      svc().createPeriod(provinceAdmin, { filingType: 'regular', name: '期间', startsOn: '2027-03-01', endsOn: '2027-01-01' }),
    ).rejects.toMatchObject({
      fields: { endsOn: '结束日期不能早于开始日期' },
    });
    await expect(svc().createPeriod(provinceAdmin, {} as never)).rejects.toMatchObject({
      fields: { filingType: '请选择填报类型', name: '请填写期间名称', startsOn: '请填写开始日期', endsOn: '请填写结束日期' },
    });
    await expect(
      svc().createPeriod(provinceAdmin, { filingType: 'backfill', name: '2026年上半年购销信息补登', startsOn: '2026-01-01', endsOn: '2026-06-30' }),
    ).rejects.toMatchObject({
      code: 'VALIDATION',
      fields: { name: '已有同名的填报期间' },
    });
    const [first] = (await svc().periods(provinceAdmin, { filingType: 'backfill' })).items;
    await expect(svc().updatePeriod(provinceAdmin, first!.id, { startsOn: '2026-07-01' })).rejects.toMatchObject({
      fields: { startsOn: '开始日期不能晚于结束日期' },
    });
    await expect(svc().updatePeriod(provinceAdmin, '00000000-0000-4000-8000-000000000000', { open: false })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(svc().updatePeriod(provinceAdmin, 'not-a-uuid', { open: false })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('two periods created at once under one name: one is kept, the other hears a field message', async () => {
    const input = { filingType: 'regular' as const, name: '并发测试期间', startsOn: '2028-01-01', endsOn: '2028-06-30' };
    const results = await Promise.allSettled([svc().createPeriod(provinceAdmin, input), svc().createPeriod(provinceAdmin, input)]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(results.find((r) => r.status === 'rejected')).toMatchObject({ reason: { code: 'VALIDATION', fields: { name: '已有同名的填报期间' } } });
  });

  it('refuses everyone but the province administrator', async () => {
    const input = { filingType: 'regular' as const, name: '越权期间', startsOn: '2029-01-01', endsOn: '2029-06-30' };
    await expect(svc().createPeriod(provinceAuditor, input)).rejects.toMatchObject({ code: 'MONITORING_ROLE_REQUIRED' });
    await expect(svc().createPeriod(cityAdmin, input)).rejects.toMatchObject({
      code: 'MONITORING_ROLE_REQUIRED',
      message: '只有省级扶贫部门管理员可以维护填报期间和帮扶县名单',
    });
    await expect(svc().createPeriod(reporter, input)).rejects.toMatchObject({ code: 'MONITORING_ROLE_REQUIRED' });
    await expect(svc().createPeriod(outsider, input)).rejects.toMatchObject({ code: 'MONITORING_NOT_A_MEMBER' });
    const [first] = (await svc().periods(reporter)).items;
    await expect(svc().updatePeriod(cityAdmin, first!.id, { open: false })).rejects.toMatchObject({ code: 'MONITORING_ROLE_REQUIRED' });
    expect((await p.db.select().from(monitoringPeriods).where(eq(monitoringPeriods.name, input.name))).length).toBe(0);
  });
});

describe('county list maintenance', () => {
  it('switches a county off and on: off the cascading lists, still in the admin list', async () => {
    const off = await svc().setCountyActive(provinceAdmin, '520102', { active: false });
    expect(off).toMatchObject({ code: '520102', name: '南明区', active: false });
    const gz = await svc().counties({ provinceCode: '520000' });
    expect(gz.provinces[0]!.cities.flatMap((c) => c.counties.map((x) => x.code))).not.toContain('520102');
    const admin = await svc().adminCounties(provinceAdmin, { provinceCode: '520000', keyword: '南明' });
    expect(admin.items).toEqual([expect.objectContaining({ code: '520102', active: false })]);
    expect(await svc().findActiveCounty(p.db, '520102')).toBeUndefined();
    await svc().setCountyActive(provinceAdmin, '520102', { active: true });
    expect(await svc().findActiveCounty(p.db, '520102')).toMatchObject({ name: '南明区' });
  });

  it('adds any county-level division of GB/T 2260, refusing other codes', async () => {
    const added = await svc().addCounty(provinceAdmin, { code: '530102' });
    expect(added).toMatchObject({ code: '530102', name: '五华区', cityName: '昆明市', provinceName: '云南省', active: true });
    expect((await svc().provinces()).items.map((x) => x.name)).toContain('云南省');
    await expect(svc().addCounty(provinceAdmin, { code: '530100' })).rejects.toMatchObject({
      code: 'VALIDATION',
      fields: { code: '不是县级行政区划代码（GB/T 2260），请核对' },
    });
    await expect(svc().addCounty(provinceAdmin, { code: 'abc' })).rejects.toMatchObject({ fields: { code: '请填写 6 位县级行政区划代码（如 451225）' } });
    await expect(svc().setCountyActive(provinceAdmin, '530103', { active: false })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(svc().setCountyActive(provinceAdmin, '530102', {} as never)).rejects.toMatchObject({ fields: { active: '请选择启用或停用' } });
  });

  it('refuses everyone but the province administrator', async () => {
    await expect(svc().setCountyActive(cityAdmin, '451225', { active: false })).rejects.toMatchObject({ code: 'MONITORING_ROLE_REQUIRED' });
    await expect(svc().addCounty(reporter, { code: '530103' })).rejects.toMatchObject({ code: 'MONITORING_ROLE_REQUIRED' });
    await expect(svc().adminCounties(provinceAuditor)).rejects.toMatchObject({ code: 'MONITORING_ROLE_REQUIRED' });
    expect(await svc().findActiveCounty(p.db, '451225')).toBeDefined();
  });
});
