import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { sql } from 'drizzle-orm';
import ExcelJS from 'exceljs';
import { rowsOf } from '../../db/client';
import { createTestPlatform, ManualClock } from '../testing/test-platform';
import type { Platform } from '../platform/platform';
import { CATEGORIES } from './monitoring.schema';
import { addMember, FIXTURE_COUNTIES, insertRecords, insertReference, insertUnit, type FixtureRecord, type FixtureUnit } from './rollup.fixtures';
import { createMonitoringRollupService, type MonitoringRollupService } from './rollup.service';
import { GROUP_BYS, NO_CITY, type RollupGroupBy } from './rollup.schema';

/**
 * The roll-up equals a plain computation over the approved records of each viewer's scope: random records in
 * random states, reporters, periods, origins, units of measure and approval times, rolled up by every group-by
 * with random filters, for the province, two cities and a market and a chain. A city never sees another's sums.
 */

let p: Platform;
let s: MonitoringRollupService;
const clock = new ManualClock(new Date('2026-12-01T02:00:00Z'));
let periods: { id: string; name: string }[];
let u: Record<
  'province' | 'gz' | 'gzAuditor' | 'sz' | 'market' | 'wholesaler' | 'chain' | 'store' | 'szEcommerce' | 'gzEnterprise' | 'direct' | 'provinceReporter',
  FixtureUnit
>;
let reporters: FixtureUnit[];

beforeAll(async () => {
  p = await createTestPlatform({ clock });
  s = createMonitoringRollupService({ db: p.db, clock });
  ({ periods } = await insertReference(p.db));
  const province = await insertUnit(p.db, { kind: 'province', name: '广东省乡村振兴局', role: 'admin' });
  const gz = await insertUnit(p.db, {
    kind: 'city',
    name: '广州市乡村振兴局',
    role: 'admin',
    parentId: province.id,
    departmentId: province.id,
    cityCode: '440100',
  });
  const gzAuditor = await addMember(p.db, gz, 'auditor');
  const sz = await insertUnit(p.db, {
    kind: 'city',
    name: '深圳市乡村振兴局',
    role: 'auditor',
    parentId: province.id,
    departmentId: province.id,
    cityCode: '440300',
  });
  const under = (dept: FixtureUnit) => ({ parentId: dept.id, departmentId: dept.id, cityCode: dept.cityCode });
  const market = await insertUnit(p.db, { kind: 'market', name: '广州江南果菜批发市场', role: 'reporter', ...under(gz) });
  const wholesaler = await insertUnit(p.db, { kind: 'wholesaler', name: '广州丰收果蔬商行', role: 'reporter', ...under(gz), parentId: market.id });
  const chain = await insertUnit(p.db, { kind: 'chain', name: '深圳连锁商超', role: 'reporter', ...under(sz) });
  const store = await insertUnit(p.db, { kind: 'store', name: '深圳连锁商超福田店', role: 'reporter', ...under(sz), parentId: chain.id });
  const szEcommerce = await insertUnit(p.db, { kind: 'ecommerce', name: '深圳农品电商', role: 'reporter', ...under(sz) });
  const gzEnterprise = await insertUnit(p.db, { kind: 'enterprise', name: '广州粤丰食品有限公司', role: 'reporter', ...under(gz) });
  // 单列: a market listed directly under the province (no city).
  const direct = await insertUnit(p.db, {
    kind: 'market',
    name: '广东东西部扶贫协作交易市场',
    role: 'reporter',
    parentId: province.id,
    departmentId: province.id,
  });
  const provinceReporter = await insertUnit(p.db, {
    kind: 'ecommerce',
    name: '省直属电商',
    role: 'reporter',
    parentId: province.id,
    departmentId: province.id,
  });
  u = { province, gz, gzAuditor, sz, market, wholesaler, chain, store, szEcommerce, gzEnterprise, direct, provinceReporter };
  reporters = [market, wholesaler, chain, store, szEcommerce, gzEnterprise, direct, provinceReporter];
});
afterAll(() => p?.close());

const STATUSES = ['draft', 'filed', 'submitted', 'approved', 'approved', 'approved', 'returned'] as const;
const MEASURES = ['吨', '公斤', '箱'] as const;
const APPROVED_AT = fc.integer({ min: Date.parse('2026-01-01T00:00:00Z'), max: Date.parse('2026-11-30T00:00:00Z') });

const recordArb = fc.record({
  reporter: fc.nat(7),
  status: fc.constantFrom(...STATUSES),
  period: fc.nat(1),
  county: fc.nat(FIXTURE_COUNTIES.length - 1),
  category: fc.constantFrom(...CATEGORIES.slice(0, 4)),
  unit: fc.constantFrom(...MEASURES),
  milli: fc.integer({ min: 1, max: 50_000_000 }),
  amountFen: fc.integer({ min: 1, max: 5_000_000_000 }),
  approvedAt: APPROVED_AT,
});

type Viewer = 'province' | 'gz' | 'gzAuditor' | 'sz' | 'market' | 'chain';
const VIEWERS: Viewer[] = ['province', 'gz', 'gzAuditor', 'sz', 'market', 'chain'];

/** Which approved records a viewer's roll-up counts (the brief's scopes, written independently of the SQL). */
function inScope(v: Viewer, r: FixtureRecord): boolean {
  if (r.status !== 'approved') return false;
  const rep = r.reporter;
  const parent = rep.kind === 'wholesaler' || rep.kind === 'store' ? rep.parentId : null;
  switch (v) {
    case 'province':
      return true;
    case 'gz':
    case 'gzAuditor':
      return rep.departmentId === u.gz.id;
    case 'sz':
      return rep.departmentId === u.sz.id;
    case 'market':
      return rep.id === u.market.id || parent === u.market.id;
    case 'chain':
      return rep.id === u.chain.id || parent === u.chain.id;
  }
}

const shanghaiMonth = (d: Date) => new Date(d.getTime() + 8 * 3600_000).toISOString().slice(0, 7);
const shanghaiDay = (d: Date) => new Date(d.getTime() + 8 * 3600_000).toISOString().slice(0, 10);

function keyOf(g: RollupGroupBy, r: FixtureRecord): string {
  const county = FIXTURE_COUNTIES.find((c) => c.code === r.countyCode)!;
  switch (g) {
    case 'city':
      return r.reporter.cityCode ?? NO_CITY;
    case 'category':
      return r.category;
    case 'originProvince':
      return county.provinceCode;
    case 'originCounty':
      return county.code;
    case 'period':
      return r.periodId;
    case 'month':
      return shanghaiMonth(r.approvedAt!);
    case 'reporterKind':
      return r.reporter.kind;
    case 'reporter':
      return r.reporter.id;
  }
}

const milliText = (m: number) => {
  const frac = String(m % 1000)
    .padStart(3, '0')
    .replace(/0+$/, '');
  return `${Math.floor(m / 1000)}${frac ? `.${frac}` : ''}`;
};

/** The expected view in memory: per key, amount, count and quantity per unit of measure; the totals likewise. */
function expected(records: FixtureRecord[], g: RollupGroupBy) {
  const rows = new Map<string, { amountFen: number; records: number; q: Map<string, number> }>();
  const totals = { amountFen: 0, records: 0, q: new Map<string, number>() };
  for (const r of records) {
    const k = keyOf(g, r);
    const row = rows.get(k) ?? { amountFen: 0, records: 0, q: new Map() };
    for (const acc of [row, totals]) {
      acc.amountFen += r.amountFen;
      acc.records += 1;
      acc.q.set(r.unit, (acc.q.get(r.unit) ?? 0) + r.milli);
    }
    rows.set(k, row);
  }
  const qs = (m: Map<string, number>) => Object.fromEntries([...m].map(([unit, milli]) => [unit, milliText(milli)]));
  return {
    totals: { amountFen: totals.amountFen, records: totals.records, q: qs(totals.q) },
    rows: Object.fromEntries([...rows].map(([k, r]) => [k, { amountFen: r.amountFen, records: r.records, q: qs(r.q) }])),
  };
}

function actual(view: Awaited<ReturnType<MonitoringRollupService['rollup']>>) {
  const qs = (list: { unit: string; quantity: string }[]) => Object.fromEntries(list.map((x) => [x.unit, x.quantity]));
  return {
    totals: { amountFen: view.totals.amountFen, records: view.totals.records, q: qs(view.totals.quantityByUnit) },
    rows: Object.fromEntries(view.rows.map((r) => [r.key, { amountFen: r.amountFen, records: r.records, q: qs(r.quantities) }])),
  };
}

async function replaceRecords(records: FixtureRecord[]) {
  await p.db.execute(sql`delete from monitoring_records`);
  await insertRecords(p.db, records);
}

type RawRecord = typeof recordArb extends fc.Arbitrary<infer T> ? T : never;
const build = (raw: RawRecord[]): FixtureRecord[] =>
  raw.map((r) => ({
    reporter: reporters[r.reporter]!,
    status: r.status,
    periodId: periods[r.period]!.id,
    countyCode: FIXTURE_COUNTIES[r.county]!.code,
    category: r.category,
    unit: r.unit,
    milli: r.milli,
    amountFen: r.amountFen,
    approvedAt: r.status === 'approved' ? new Date(r.approvedAt) : null,
  }));

describe('monitoring roll-up', () => {
  it('equals an in-memory computation over the approved records of each scope, for every group-by and random filters', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(recordArb, { minLength: 0, maxLength: 40 }),
        fc.constantFrom(...VIEWERS),
        fc.constantFrom(...GROUP_BYS),
        fc.record(
          {
            category: fc.constantFrom(...CATEGORIES.slice(0, 4)),
            period: fc.nat(1),
            originProvinceCode: fc.constantFrom('520000', '450000', '440000'),
            from: APPROVED_AT,
          },
          { requiredKeys: [] },
        ),
        async (raw, viewer, groupBy, f) => {
          const records = build(raw);
          await replaceRecords(records);
          const from = f.from === undefined ? undefined : shanghaiDay(new Date(f.from));
          const kept = records.filter(
            (r) =>
              inScope(viewer, r) &&
              (f.category === undefined || r.category === f.category) &&
              (f.period === undefined || r.periodId === periods[f.period]!.id) &&
              (f.originProvinceCode === undefined || FIXTURE_COUNTIES.find((c) => c.code === r.countyCode)!.provinceCode === f.originProvinceCode) &&
              (from === undefined || shanghaiDay(r.approvedAt!) >= from),
          );
          const view = await s.rollup(u[viewer].actor, {
            groupBy,
            category: f.category,
            periodId: f.period === undefined ? undefined : periods[f.period]!.id,
            originProvinceCode: f.originProvinceCode,
            from,
          });
          expect(actual(view)).toEqual(expected(kept, groupBy));
          // The row's main unit is the one most of its records use; mixed rows say so.
          for (const r of view.rows) {
            expect(r.quantity).toEqual(r.quantities[0]);
            expect(r.mixedUnits).toBe(r.quantities.length > 1);
            expect(r.label).not.toBe('');
          }
        },
      ),
      { numRuns: 30 },
    );
  }, 120_000);

  it('equals a plain GROUP BY over the approved rows of the scope, and a city never sees another city’s sums', async () => {
    const raw = fc.sample(recordArb, { numRuns: 150, seed: 17 });
    await replaceRecords(build(raw));
    const plain = async (where: ReturnType<typeof sql>) =>
      Object.fromEntries(
        rowsOf<{ k: string; amount: string; n: string }>(
          await p.db.execute(
            sql`select coalesce(city_code, 'none') as k, sum(amount_fen)::text as amount, count(*)::text as n from monitoring_records where status = 'approved' and ${where} group by 1`,
          ),
        ).map((r) => [r.k, { amountFen: Number(r.amount), records: Number(r.n) }]),
      );
    const mine = (view: Awaited<ReturnType<MonitoringRollupService['rollup']>>) =>
      Object.fromEntries(view.rows.map((r) => [r.key, { amountFen: r.amountFen, records: r.records }]));

    expect(mine(await s.rollup(u.province.actor, {}))).toEqual(await plain(sql`true`));
    const gz = await s.rollup(u.gz.actor, { groupBy: 'city' });
    expect(mine(gz)).toEqual(await plain(sql`department_id = ${u.gz.id}`));
    expect(Object.keys(mine(gz))).toEqual(['440100']);
    const sz = await s.rollup(u.sz.actor, { groupBy: 'reporter' });
    expect(sz.rows.map((r) => r.key).sort()).toEqual([u.chain.id, u.store.id, u.szEcommerce.id].filter((id) => sz.rows.some((r) => r.key === id)).sort());
    // Asking for the other city's code gives nothing, not its sums.
    const peek = await s.rollup(u.sz.actor, { cityCode: '440100' });
    expect(peek.totals).toEqual({ amountFen: 0, records: 0, quantityByUnit: [] });
    const drill = await s.drill(u.sz.actor, { cityCode: '440100' });
    expect(drill).toMatchObject({ items: [], hasMore: false });
    // The province sees the 单列 units' records as their own group.
    const province = await s.rollup(u.province.actor, { groupBy: 'city' });
    expect(province.rows.find((r) => r.key === NO_CITY)?.label ?? '省直属（单列）').toBe('省直属（单列）');
    expect(province.rows.find((r) => r.key === '440100')?.label).toBe('广州市');
  });

  it('drills into the approved records behind a row, within the scope, paged', async () => {
    const raw = fc.sample(recordArb, { numRuns: 80, seed: 5 });
    const records = build(raw);
    await replaceRecords(records);
    const view = await s.rollup(u.gz.actor, { groupBy: 'category' });
    for (const row of view.rows) {
      const first = await s.drill(u.gz.actor, { category: row.key, pageSize: 5 });
      expect(first.items.length).toBe(Math.min(5, row.records));
      expect(first.hasMore).toBe(row.records > 5);
      let sum = 0;
      let seen = 0;
      for (let page = 1; ; page++) {
        const pg = await s.drill(u.gz.actor, { category: row.key, pageSize: '5', page: String(page) });
        for (const it of pg.items) {
          expect(it.category).toBe(row.key);
          expect(it.cityCode).toBe('440100');
          sum += it.amountFen;
          seen++;
        }
        if (!pg.hasMore) break;
      }
      expect(seen).toBe(row.records);
      expect(sum).toBe(row.amountFen);
    }
    const byMonth = await s.rollup(u.province.actor, { groupBy: 'month' });
    const count = async (actor: FixtureUnit['actor'], q: Record<string, string>) => {
      let n = 0;
      for (let page = 1; ; page++) {
        const pg = await s.drill(actor, { ...q, page, pageSize: 100 });
        n += pg.items.length;
        if (!pg.hasMore) return n;
      }
    };
    for (const row of byMonth.rows.slice(0, 3)) expect(await count(u.province.actor, { month: row.key })).toBe(row.records);
    const byReporter = await s.rollup(u.market.actor, { groupBy: 'reporter' });
    expect(byReporter.rows.every((r) => r.key === u.market.id || r.key === u.wholesaler.id)).toBe(true);
    for (const row of byReporter.rows) expect(await count(u.market.actor, { reporterId: row.key })).toBe(row.records);
  });

  it('refuses those without a roll-up scope, and answers bad filters per field', async () => {
    for (const who of [u.gzEnterprise, u.wholesaler, u.store, u.szEcommerce, u.provinceReporter]) {
      await expect(s.rollup(who.actor, {})).rejects.toMatchObject({ code: 'MONITORING_ROLE_REQUIRED' });
      await expect(s.drill(who.actor, {})).rejects.toMatchObject({ code: 'MONITORING_ROLE_REQUIRED' });
      await expect(s.exportXlsx(who.actor, {})).rejects.toMatchObject({ code: 'MONITORING_ROLE_REQUIRED' });
    }
    await expect(s.rollup(null, {})).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    const stranger = { ...u.gz.actor, userId: '00000000-0000-4000-8000-000000000000' };
    await expect(s.rollup(stranger, {})).rejects.toMatchObject({ code: 'MONITORING_NOT_A_MEMBER' });
    await expect(s.rollup(u.province.actor, { groupBy: 'county', cityCode: '4401', from: '2026-02-30', periodId: 'x' })).rejects.toMatchObject({
      code: 'VALIDATION',
      fields: { groupBy: '汇总方式无效', cityCode: '地级市无效', from: '日期无效', periodId: '填报期间无效' },
    });
    await expect(s.rollup(u.province.actor, { from: '2026-05-02', to: '2026-05-01' })).rejects.toMatchObject({
      fields: { to: '开始日期不能晚于结束日期' },
    });
    await expect(s.drill(u.province.actor, { month: '2026-13', pageSize: '1000' })).rejects.toMatchObject({ code: 'VALIDATION' });
  });

  it('exports the rows and totals as XLSX', async () => {
    await replaceRecords(build(fc.sample(recordArb, { numRuns: 30, seed: 9 })));
    const view = await s.rollup(u.province.actor, { groupBy: 'originCounty' });
    const file = await s.exportXlsx(u.province.actor, { groupBy: 'originCounty' });
    expect(file.filename).toBe('广东省乡村振兴局-消费扶贫监测汇总-原产地县.xlsx');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(file.bytes as unknown as ArrayBuffer);
    const sheet = wb.worksheets[1]!;
    expect(sheet.rowCount).toBe(view.rows.length + 2);
    const last = sheet.getRow(sheet.rowCount);
    expect(last.getCell(1).value).toBe('合计');
    expect(last.getCell(3).value).toBe(view.totals.amountFen / 100);
    expect(sheet.getRow(2).getCell(1).value).toBe(view.rows[0]!.label);
  });
});
