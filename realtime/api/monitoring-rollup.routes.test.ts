import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import { sql } from 'drizzle-orm';
import { memberships } from '../../db/schema';
import { insertRecords, insertReference, insertUnit, type FixtureUnit } from '../../core/monitoring/rollup.fixtures';
import { ManualClock } from '../../core/testing/test-platform';
import { createApiHarness, type ApiHarness } from './test-helpers';

let h: ApiHarness;
const t = { province: '', gz: '', sz: '', market: '', enterprise: '', stranger: '' };
let gzMarket: FixtureUnit;

/** A signed-in person who is `unit`'s monitoring member (replacing the fixture's own), acting for it. */
async function signedInFor(unit: FixtureUnit, role: 'admin' | 'auditor' | 'reporter') {
  const u = await h.user();
  const db = h.platform.db;
  await db
    .insert(memberships)
    .values({ userId: u.actor.userId, organisationId: unit.id, role: role === 'reporter' ? 'owner' : role === 'admin' ? 'admin' : 'member' });
  await db.execute(
    sql`insert into monitoring_members (user_id, organisation_id, role, contact_name) values (${u.actor.userId}, ${unit.id}, ${role}, '联系人')`,
  );
  const res = await h.json('POST', '/api/v1/auth/active-organisation', { organisationId: unit.id }, { token: u.token });
  expect(res.status, res.text).toBe(200);
  return u.token;
}

beforeAll(async () => {
  h = await createApiHarness({ clock: new ManualClock(new Date('2026-12-01T02:00:00Z')) });
  const db = h.platform.db;
  const { periods } = await insertReference(db);
  const province = await insertUnit(db, { kind: 'province', name: '广东省乡村振兴局', role: 'admin' });
  const gz = await insertUnit(db, {
    kind: 'city',
    name: '广州市乡村振兴局',
    role: 'admin',
    parentId: province.id,
    departmentId: province.id,
    cityCode: '440100',
  });
  const sz = await insertUnit(db, {
    kind: 'city',
    name: '深圳市乡村振兴局',
    role: 'admin',
    parentId: province.id,
    departmentId: province.id,
    cityCode: '440300',
  });
  gzMarket = await insertUnit(db, { kind: 'market', name: '广州江南果菜批发市场', role: 'reporter', parentId: gz.id, departmentId: gz.id, cityCode: '440100' });
  const szChain = await insertUnit(db, { kind: 'chain', name: '深圳连锁商超', role: 'reporter', parentId: sz.id, departmentId: sz.id, cityCode: '440300' });
  const enterprise = await insertUnit(db, {
    kind: 'enterprise',
    name: '广州粤丰食品有限公司',
    role: 'reporter',
    parentId: gz.id,
    departmentId: gz.id,
    cityCode: '440100',
  });
  const at = new Date('2026-08-03T02:00:00Z');
  const base = { periodId: periods[1]!.id, countyCode: '522601', category: '蔬菜', unit: '吨', milli: 2500, approvedAt: at };
  await insertRecords(db, [
    { ...base, reporter: gzMarket, status: 'approved', amountFen: 120_000 },
    { ...base, reporter: gzMarket, status: 'approved', amountFen: 30_050, unit: '箱', category: '水果' },
    { ...base, reporter: gzMarket, status: 'submitted', amountFen: 999_999, approvedAt: null },
    { ...base, reporter: szChain, status: 'approved', amountFen: 70_000 },
    { ...base, reporter: enterprise, status: 'approved', amountFen: 5_000, countyCode: '451225' },
  ]);
  t.province = await signedInFor(province, 'auditor');
  t.gz = await signedInFor(gz, 'admin');
  t.sz = await signedInFor(sz, 'auditor');
  t.market = await signedInFor(gzMarket, 'reporter');
  t.enterprise = await signedInFor(enterprise, 'reporter');
  t.stranger = (await h.user()).token;
}, 120_000);
afterAll(() => h?.close());

describe('汇总 API', () => {
  it('happy: the province’s roll-up by city, a city’s by category, a market’s own, the drill-down, the XLSX export', async () => {
    const all = await h.json('GET', '/api/v1/monitoring/rollup', undefined, { token: t.province });
    expect(all.status, all.text).toBe(200);
    expect(all.json.totals).toMatchObject({ amountFen: 225_050, records: 4 });
    expect(all.json.rows.map((r: { label: string; amountFen: number }) => [r.label, r.amountFen])).toEqual([
      ['广州市', 155_050],
      ['深圳市', 70_000],
    ]);
    const gz = await h.json('GET', '/api/v1/monitoring/rollup?groupBy=category', undefined, { token: t.gz });
    expect(gz.json.rows).toMatchObject([
      { key: '蔬菜', amountFen: 125_000, records: 2, quantity: { unit: '吨', quantity: '5' }, mixedUnits: false },
      { key: '水果', amountFen: 30_050, records: 1, quantity: { unit: '箱', quantity: '2.5' } },
    ]);
    const county = await h.json('GET', '/api/v1/monitoring/rollup?groupBy=originCounty&category=蔬菜', undefined, { token: t.gz });
    expect(county.json.rows.map((r: { label: string }) => r.label)).toEqual(['贵州省 黔东南苗族侗族自治州 凯里市', '广西壮族自治区 河池市 罗城仫佬族自治县']);
    const market = await h.json('GET', '/api/v1/monitoring/rollup?groupBy=reporter', undefined, { token: t.market });
    expect(market.json.rows).toMatchObject([{ key: gzMarket.id, label: '广州江南果菜批发市场', amountFen: 150_050 }]);
    const drill = await h.json('GET', '/api/v1/monitoring/rollup/records?category=水果&pageSize=5', undefined, { token: t.gz });
    expect(drill.status, drill.text).toBe(200);
    expect(drill.json).toMatchObject({ hasMore: false, items: [{ reporterName: '广州江南果菜批发市场', amountFen: 30_050, cityName: '广州市' }] });

    const file = await h.app.request('/api/v1/monitoring/rollup/export?groupBy=city', { headers: { authorization: `Bearer ${t.province}` } });
    expect(file.status).toBe(200);
    expect(file.headers.get('content-type')).toContain('spreadsheetml');
    expect(decodeURIComponent(file.headers.get('content-disposition')!)).toContain('广东省乡村振兴局-消费扶贫监测汇总-地级市.xlsx');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await file.arrayBuffer()) as never);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['汇总', '按地级市']);
    expect(wb.worksheets[1]!.getRow(2).values).toEqual([undefined, '广州市', 3, 1550.5, '吨', 5, '5 吨；2.5 箱']);
  });

  it('errors: bad queries are 400 with Chinese field messages, never 5xx', async () => {
    for (const q of [
      'groupBy=x',
      'category=肉',
      'periodId=1',
      'cityCode=44',
      'from=2026-13-01',
      'from=2026-05-02&to=2026-05-01',
      'reporterKind=x',
      `originCountyCode=${'1'.repeat(3000)}`,
    ]) {
      const res = await h.json('GET', `/api/v1/monitoring/rollup?${q}`, undefined, { token: t.province });
      expect(res.status, q).toBe(400);
      expect(res.json.error.code).toBe('VALIDATION');
      expect(JSON.stringify(res.json.error.fields)).toMatch(/[\u4e00-\u9fa5]/);
    }
    for (const q of ['month=2026-1', 'reporterId=x', 'page=0', 'pageSize=500']) {
      const res = await h.json('GET', `/api/v1/monitoring/rollup/records?${q}`, undefined, { token: t.province });
      expect(res.status, q).toBe(400);
    }
  });

  it('auth: anonymous 401; no monitoring account, a plain enterprise 403; a city never sees another city’s sums', async () => {
    for (const path of ['/api/v1/monitoring/rollup', '/api/v1/monitoring/rollup/records', '/api/v1/monitoring/rollup/export'])
      await h.expectRefusals('signed-in', { method: 'GET', path });
    const stranger = await h.json('GET', '/api/v1/monitoring/rollup', undefined, { token: t.stranger });
    expect([stranger.status, stranger.json.error.code]).toEqual([403, 'MONITORING_NOT_A_MEMBER']);
    const enterprise = await h.json('GET', '/api/v1/monitoring/rollup', undefined, { token: t.enterprise });
    expect([enterprise.status, enterprise.json.error.code]).toEqual([403, 'MONITORING_ROLE_REQUIRED']);
    const sz = await h.json('GET', '/api/v1/monitoring/rollup?cityCode=440100', undefined, { token: t.sz });
    expect(sz.json.totals).toEqual({ amountFen: 0, records: 0, quantityByUnit: [] });
    const szOwn = await h.json('GET', '/api/v1/monitoring/rollup?groupBy=reporter', undefined, { token: t.sz });
    expect(szOwn.json.rows.map((r: { label: string }) => r.label)).toEqual(['深圳连锁商超']);
    const szDrill = await h.json('GET', '/api/v1/monitoring/rollup/records', undefined, { token: t.sz });
    expect(szDrill.json.items.every((r: { cityCode: string }) => r.cityCode === '440300')).toBe(true);
  });
});
