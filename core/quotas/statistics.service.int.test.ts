import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import { createTestPlatform, ManualClock } from '../testing/test-platform';
import type { Platform } from '../platform/platform';
import { actorFor, insertOrders, insertTree, orderParties, type TreeNode } from './statistics.fixtures';
import { createQuotaStatisticsService } from './statistics.service';

let p: Platform;
const clock = new ManualClock(new Date('2026-11-23T02:00:00Z'));
const stats = () => createQuotaStatisticsService({ db: p.db, clock, purchases: p.services.statistics });

// 财政局 → 县财政局 → 学校 (reserved 10,000.00 × 10 % = 1,000.00) and 医院 (none reserved); 局 → 机关 (reserved 500.00).
const ids = { city: randomUUID(), county: randomUUID(), school: randomUUID(), hospital: randomUUID(), office: randomUUID(), other: randomUUID() };
const tree: TreeNode[] = [
  { id: ids.city, superiorId: null, name: '重庆市财政局', role: 'finance_dept', budgetLevel: '市', annualFen: 0, ratioBp: 0 },
  { id: ids.county, superiorId: ids.city, name: '酉阳县财政局', role: 'finance_dept', budgetLevel: '县', annualFen: 0, ratioBp: 0 },
  { id: ids.school, superiorId: ids.county, name: '酉阳县第一中学', budgetLevel: '县', annualFen: 1_000_000, ratioBp: 1_000 },
  { id: ids.hospital, superiorId: ids.county, name: '酉阳县人民医院', budgetLevel: '县', annualFen: 0, ratioBp: 0 },
  { id: ids.office, superiorId: ids.city, name: '重庆市机关事务局', budgetLevel: '市', annualFen: 333_333, ratioBp: 1_500 },
  { id: ids.other, superiorId: null, name: '四川省财政厅', role: 'finance_dept', budgetLevel: '省', annualFen: 0, ratioBp: 0 },
];
const at = (iso: string) => new Date(iso);

beforeAll(async () => {
  p = await createTestPlatform({ clock });
  await insertTree(p.db, tree);
  const parties = await orderParties(p.db);
  await insertOrders(p.db, parties, [
    // The school: 300.00 completed in March, 200.00 paid in 2025 and completed on 1 January 2026 (Shanghai).
    { unitId: ids.school, status: 'completed', totalFen: 30_000, paidAt: at('2026-03-01T02:00:00Z'), completedAt: at('2026-03-10T02:00:00Z') },
    { unitId: ids.school, status: 'completed', totalFen: 20_000, paidAt: at('2025-12-20T02:00:00Z'), completedAt: at('2025-12-31T16:30:00Z') },
    // Completed on 31 December 2025 Shanghai time: last year's.
    { unitId: ids.school, status: 'completed', totalFen: 99_000, paidAt: at('2025-12-01T02:00:00Z'), completedAt: at('2025-12-31T15:59:00Z') },
    // Paid, not completed: beside, by payment month.
    { unitId: ids.school, status: 'shipped', totalFen: 7_000, paidAt: at('2026-11-02T02:00:00Z'), completedAt: null },
    { unitId: ids.school, status: 'received', totalFen: 3_000, paidAt: at('2026-11-03T02:00:00Z'), completedAt: null },
    // Never counted: refunded, cancelled, unpaid, an employee's own purchase.
    { unitId: ids.school, status: 'refunded', totalFen: 50_000, paidAt: at('2026-04-01T02:00:00Z'), completedAt: null },
    { unitId: ids.school, status: 'cancelled', totalFen: 50_000, paidAt: null, completedAt: null },
    { unitId: ids.school, status: 'pending_payment', totalFen: 50_000, paidAt: null, completedAt: null },
    {
      unitId: ids.school,
      status: 'completed',
      totalFen: 50_000,
      paidAt: at('2026-04-01T02:00:00Z'),
      completedAt: at('2026-04-08T02:00:00Z'),
      buyerKind: 'individual',
    },
    // The office: 600.00 completed (above its 500.00), the other province's unit 1.00.
    { unitId: ids.office, status: 'completed', totalFen: 60_000, paidAt: at('2026-06-01T02:00:00Z'), completedAt: at('2026-06-09T02:00:00Z') },
    { unitId: ids.other, status: 'completed', totalFen: 100, paidAt: at('2026-06-01T02:00:00Z'), completedAt: at('2026-06-09T02:00:00Z') },
  ]);
});
afterAll(() => p?.close());

describe('quota statistics', () => {
  it('a unit: reserved, completed purchases of the year by completion month, paid-not-completed beside it', async () => {
    const s = await stats().unit(actorFor(ids.school), { year: 2026 });
    expect(s).toMatchObject({ year: 2026, reservedFen: 100_000, actualFen: 50_000, pendingFen: 10_000, completionBp: 5_000, band: 'mid', subtree: null });
    expect(s.unit).toMatchObject({ name: '酉阳县第一中学', superiorName: '酉阳县财政局', annualFen: 1_000_000, ratioBp: 1_000 });
    expect(s.months.map((m) => m.actualFen)).toEqual([20_000, 0, 30_000, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(s.months[10]).toEqual({ month: 11, actualFen: 0, pendingFen: 10_000 });
    expect((await stats().unit(actorFor(ids.school), { year: 2025 })).actualFen).toBe(99_000);
    // This year by default (the clock's, Shanghai).
    expect((await stats().unit(actorFor(ids.school), {})).year).toBe(2026);
  });

  it('a department: its subtree rolled up by unit (laggards first), by level and by region, with the band distribution', async () => {
    const s = await stats().subtree(actorFor(ids.city), { year: 2026 });
    // Reserved: 1,000.00 + 500.00 (333,333 × 15 % = 49,999.95 → 50,000); actual 500.00 + 600.00.
    expect(s.totals).toEqual({ reservedFen: 150_000, actualFen: 110_000, pendingFen: 10_000, completionBp: 7_333, units: 5 });
    expect(s.bands.map((b) => [b.key, b.units])).toEqual([
      ['none', 0],
      ['low', 0],
      ['mid', 1],
      ['done', 1],
      ['unset', 3],
    ]);
    expect(s.rows.items.map((r) => r.name)).toEqual(['酉阳县第一中学', '重庆市机关事务局', '重庆市财政局', '酉阳县财政局', '酉阳县人民医院']);
    const county = s.rows.items.find((r) => r.key === ids.county)!;
    expect(county.subtree).toEqual({ reservedFen: 100_000, actualFen: 50_000, pendingFen: 10_000, completionBp: 5_000, units: 3 });
    expect(s.rows.items.find((r) => r.key === ids.school)!.subtree).toBeNull();

    const byLevel = await stats().subtree(actorFor(ids.city), { year: 2026, groupBy: 'level' });
    expect(byLevel.rows.items.map((r) => [r.key, r.units, r.reservedFen, r.actualFen])).toEqual([
      ['市', 2, 50_000, 60_000],
      ['县', 3, 100_000, 50_000],
    ]);
    const byRegion = await stats().subtree(actorFor(ids.city), { year: 2026, groupBy: 'region' });
    expect(byRegion.rows.items.map((r) => [r.name, r.units, r.actualFen, r.bands.mid])).toEqual([
      ['重庆市财政局', 2, 60_000, 0],
      ['酉阳县财政局', 3, 50_000, 1],
    ]);
    const done = await stats().subtree(actorFor(ids.city), { year: 2026, band: 'done', pageSize: 1 });
    expect(done.rows).toMatchObject({ total: 1, items: [{ key: ids.office, band: 'done', completionBp: 12_000 }] });
    const page2 = await stats().subtree(actorFor(ids.city), { year: 2026, page: 2, pageSize: 2 });
    expect(page2.rows.items.map((r) => r.name)).toEqual(['重庆市财政局', '酉阳县财政局']);
  });

  it('drills down to a unit below and its orders; refuses what lies outside the subtree, plain members and other organisations', async () => {
    const school = await stats().unit(actorFor(ids.city), { unitId: ids.school, year: 2026 });
    expect(school.actualFen).toBe(50_000);
    const orders = await stats().orders(actorFor(ids.county), { unitId: ids.school, year: 2026 });
    expect(orders.orders.total).toBe(4);
    expect(orders.orders.items.map((o) => [o.totalFen, o.counted])).toEqual([
      [3_000, 'pending'],
      [7_000, 'pending'],
      [30_000, 'completed'],
      [20_000, 'completed'],
    ]);
    await expect(stats().unit(actorFor(ids.school), { unitId: ids.office })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(stats().orders(actorFor(ids.other), { unitId: ids.school })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(stats().subtree(actorFor(ids.school), { unitId: ids.county })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(stats().unit(actorFor(ids.school, 'member'), {})).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(stats().unit(actorFor(ids.school, 'buyer'), {})).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(stats().unit(actorFor(randomUUID()), {})).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(stats().unit(null, {})).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    // A department's admin, acting for a unit below it through its own membership, sees it too.
    const upper = actorFor(ids.county);
    const viaParent = { ...upper, organisation: { ...upper.memberships[0]!, organisationId: ids.school, role: 'member' as const } };
    viaParent.memberships = [...upper.memberships];
    expect((await stats().unit(viaParent, { year: 2026 })).actualFen).toBe(50_000);
  });

  it('refuses bad queries with Chinese field messages', async () => {
    for (const q of [{ year: '1999' }, { year: 'abc' }, { unitId: 'nope' }, { groupBy: 'city' }, { band: 'worst' }, { page: '0' }, { pageSize: '1000' }])
      await expect(stats().subtree(actorFor(ids.city), q)).rejects.toMatchObject({ code: 'VALIDATION' });
    await expect(stats().orders(actorFor(ids.city), {})).rejects.toMatchObject({
      code: 'VALIDATION',
      fields: { unitId: expect.stringMatching(/[\u4e00-\u9fa5]/) },
    });
  });

  it('exports the subtree table as XLSX (every row, the totals on a first sheet)', async () => {
    const file = await stats().exportSubtree(actorFor(ids.city), { year: 2026, groupBy: 'unit' });
    expect(file.filename).toBe('重庆市财政局-统计报表-2026-按单位.xlsx');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(Buffer.from(file.bytes) as never);
    const [summary, table] = wb.worksheets;
    expect(summary!.getRow(5).values).toEqual([undefined, '预留金额（元）', 1500]);
    expect(table!.rowCount).toBe(6);
    expect(table!.getRow(2).values).toEqual([undefined, '酉阳县第一中学', '县', '酉阳县财政局', 1000, 500, 100, '50.00%', '50%–100%', '', '', '']);
  });
});
