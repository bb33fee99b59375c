import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import { memberships } from '../../db/schema';
import { insertOrders, insertTree, orderParties } from '../../core/quotas/statistics.fixtures';
import { ManualClock } from '../../core/testing/test-platform';
import { createApiHarness, type ApiHarness } from './test-helpers';

let h: ApiHarness;
const ids = { bureau: randomUUID(), school: randomUUID(), clinic: randomUUID(), other: randomUUID() };
/** Tokens acting for the bureau (admin), the school (admin), the school (plain member) and the other bureau (admin). */
const t = { bureau: '', school: '', member: '', other: '' };

async function signedInFor(organisationId: string, role: 'admin' | 'member') {
  const u = await h.user();
  await h.platform.db.insert(memberships).values({ userId: u.actor.userId, organisationId, role });
  const res = await h.json('POST', '/api/v1/auth/active-organisation', { organisationId }, { token: u.token });
  expect(res.status, res.text).toBe(200);
  return u.token;
}

beforeAll(async () => {
  h = await createApiHarness({ clock: new ManualClock(new Date('2026-11-23T02:00:00Z')) });
  await insertTree(h.platform.db, [
    { id: ids.bureau, superiorId: null, name: '酉阳县财政局', role: 'finance_dept', annualFen: 0, ratioBp: 0 },
    { id: ids.school, superiorId: ids.bureau, name: '酉阳县第二中学', annualFen: 2_000_000, ratioBp: 1_000 },
    { id: ids.clinic, superiorId: ids.bureau, name: '酉阳县妇幼保健院', annualFen: 1_000_000, ratioBp: 500 },
    { id: ids.other, superiorId: null, name: '秀山县财政局', role: 'finance_dept', annualFen: 0, ratioBp: 0 },
  ]);
  await insertOrders(h.platform.db, await orderParties(h.platform.db), [
    { unitId: ids.school, status: 'completed', totalFen: 150_000, paidAt: new Date('2026-05-01T02:00:00Z'), completedAt: new Date('2026-05-09T02:00:00Z') },
    { unitId: ids.school, status: 'paid', totalFen: 8_000, paidAt: new Date('2026-11-20T02:00:00Z'), completedAt: null },
  ]);
  t.bureau = await signedInFor(ids.bureau, 'admin');
  t.school = await signedInFor(ids.school, 'admin');
  t.member = await signedInFor(ids.school, 'member');
  t.other = await signedInFor(ids.other, 'admin');
}, 120_000);
afterAll(() => h?.close());

describe('统计报表 API', () => {
  it('happy: a unit’s year and months, the bureau’s subtree with bands, a drill-down to orders, the XLSX export', async () => {
    const unit = await h.json('GET', '/api/v1/quotas/statistics/unit?year=2026', undefined, { token: t.school });
    expect(unit.status, unit.text).toBe(200);
    expect(unit.json).toMatchObject({ reservedFen: 200_000, actualFen: 150_000, pendingFen: 8_000, completionBp: 7_500, band: 'mid' });
    expect(unit.json.months).toHaveLength(12);

    const sub = await h.json('GET', '/api/v1/quotas/statistics/subtree?year=2026&groupBy=unit', undefined, { token: t.bureau });
    expect(sub.status, sub.text).toBe(200);
    expect(sub.json.totals).toMatchObject({ reservedFen: 250_000, actualFen: 150_000, units: 3 });
    expect(sub.json.bands.find((b: { key: string }) => b.key === 'none').units).toBe(1);
    expect(sub.json.rows.items[0]).toMatchObject({ name: '酉阳县妇幼保健院', band: 'none' });
    const laggards = await h.json('GET', '/api/v1/quotas/statistics/subtree?year=2026&band=none', undefined, { token: t.bureau });
    expect(laggards.json.rows.total).toBe(1);

    const drill = await h.json('GET', `/api/v1/quotas/statistics/unit?unitId=${ids.school}&year=2026`, undefined, { token: t.bureau });
    expect(drill.json.actualFen).toBe(150_000);
    const orders = await h.json('GET', `/api/v1/quotas/statistics/orders?unitId=${ids.school}&year=2026`, undefined, { token: t.bureau });
    expect(orders.status, orders.text).toBe(200);
    expect(orders.json.orders.items.map((o: { counted: string }) => o.counted)).toEqual(['pending', 'completed']);

    const file = await h.app.request('/api/v1/quotas/statistics/export?year=2026&groupBy=region', { headers: { authorization: `Bearer ${t.bureau}` } });
    expect(file.status).toBe(200);
    expect(file.headers.get('content-type')).toContain('spreadsheetml');
    expect(decodeURIComponent(file.headers.get('content-disposition')!)).toContain('酉阳县财政局-统计报表-2026-按地区.xlsx');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await file.arrayBuffer()) as never);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['汇总', '按地区']);
  });

  it('errors: bad queries are 400 with Chinese field messages, never 5xx', async () => {
    for (const q of ['year=1', 'year=二〇二六', 'groupBy=x', 'band=x', 'page=-1', 'pageSize=9999', 'unitId=%00', `unitId=${'a'.repeat(5000)}`]) {
      const res = await h.json('GET', `/api/v1/quotas/statistics/subtree?${q}`, undefined, { token: t.bureau });
      expect(res.status, q).toBe(400);
      expect(res.json.error.code).toBe('VALIDATION');
      expect(JSON.stringify(res.json.error.fields)).toMatch(/[\u4e00-\u9fa5]/);
    }
    const noUnit = await h.json('GET', '/api/v1/quotas/statistics/orders', undefined, { token: t.bureau });
    expect(noUnit.status).toBe(400);
  });

  it('auth: anonymous 401; a plain member, an enterprise 403; another bureau’s unit or a superior 404; nothing leaks', async () => {
    for (const path of [
      '/api/v1/quotas/statistics/unit',
      '/api/v1/quotas/statistics/subtree',
      `/api/v1/quotas/statistics/orders?unitId=${ids.school}`,
      '/api/v1/quotas/statistics/export',
    ])
      await h.expectRefusals('signed-in', { method: 'GET', path });
    expect((await h.json('GET', '/api/v1/quotas/statistics/unit', undefined, { token: t.member })).status).toBe(403);
    expect((await h.json('GET', '/api/v1/quotas/statistics/unit', undefined, { token: (await h.user()).token })).status).toBe(403);
    for (const [token, unitId] of [
      [t.other, ids.school],
      [t.school, ids.bureau],
      [t.school, ids.clinic],
    ] as const) {
      const res = await h.json('GET', `/api/v1/quotas/statistics/orders?unitId=${unitId}`, undefined, { token });
      expect(res.status).toBe(404);
      expect(res.json.error.message).toMatch(/预算单位/);
      expect(Object.keys(res.json)).toEqual(['error']);
    }
  });
});
