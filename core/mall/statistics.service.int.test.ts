import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import { createTestPlatform, ManualClock } from '../testing/test-platform';
import { address, GATEWAY_SECRET, government, individual, merchant, product, signedNotice, unitBuyer } from '../testing/mall-factories';
import { operator } from '../testing/tenders-factories';
import type { Platform } from '../platform/platform';
import type { Actor } from '../shared/actor';

let p: Platform;
const clock = new ManualClock(new Date('2026-11-23T02:00:00Z'));
let ops: Actor;
beforeAll(async () => {
  p = await createTestPlatform({ clock, env: { SESSION_IDLE_MINUTES: String(30 * 24 * 60) } });
  ops = await operator(p);
});
afterAll(() => p?.close());

const stats = () => p.services.statistics;

/** Places and pays (through the gateway notice) one order of `quantity` × product for `buyer`. */
async function buy(buyer: { actor: Actor }, productId: string, quantity: number, method: 'corporate_online' | 'personal_online') {
  const addr = await address(p, buyer.actor.userId);
  const {
    orders: [o],
  } = await p.services.orders.checkout(buyer.actor, { addressId: addr.id, items: [{ productId, quantity }] });
  const pay = await p.services.orders.pay(buyer.actor, { orderIds: [o!.id], method, ...(method === 'corporate_online' ? { bankCode: 'ICBC' } : {}) });
  const n = signedNotice(GATEWAY_SECRET, { orderNo: pay.payment.paymentNo, amountFen: o!.totalFen });
  await p.services.recharges.handleNotice(n.headers, n.raw);
  return o!;
}

describe('statistics', () => {
  it('unit and region statistics equal the sum of the counted orders; refunded, cancelled and unpaid ones never count', async () => {
    const youyang = await merchant(p, '酉阳县花田乡贡米合作社', '500242');
    const chengkou = await merchant(p, '城口县修齐镇山货合作社', '500229');
    const rice = await product(p, youyang.org.id, { name: '花田贡米', priceFen: 9_900, originCode: '500242123', categoryCode: 'grain.rice', stock: 1000 });
    const honey = await product(p, youyang.org.id, { name: '酉阳土蜂蜜', priceFen: 16_800, originCode: '500242', categoryCode: 'mountain.honey', stock: 1000 });
    const walnut = await product(p, chengkou.org.id, { name: '城口核桃', priceFen: 5_500, originCode: '500229', categoryCode: 'mountain.nut', stock: 1000 });
    const unit = await unitBuyer(p, '重庆财经职业学院');
    const zhang = await individual(p, unit.org.id, '张三');
    const li = await individual(p, unit.org.id, '李四');
    const outsider = await individual(p, null, '王五');

    clock.set(new Date('2026-10-15T02:00:00Z'));
    const o1 = await buy(zhang, rice.id, 2, 'personal_online'); // 19,800
    const o2 = await buy(unit, honey.id, 10, 'corporate_online'); // 168,000
    clock.set(new Date('2026-11-10T02:00:00Z'));
    const o3 = await buy(li, walnut.id, 3, 'personal_online'); // 16,500
    const o4 = await buy(zhang, honey.id, 1, 'personal_online'); // 16,800 — refunded below
    await p.services.orders.cancel(zhang.actor, o4.id, { reason: '买错了' });
    await buy(outsider, rice.id, 5, 'personal_online'); // not the unit's, but the region's: 49,500
    const addr = await address(p, li.actor.userId);
    await p.services.orders.checkout(li.actor, { addressId: addr.id, items: [{ productId: rice.id, quantity: 7 }] }); // unpaid: never counts

    const s = await stats().unit(unit.actor, { from: '2026-10-01', to: '2026-11-30' });
    const counted = [o1, o2, o3];
    expect(s.totals).toMatchObject({ amountFen: counted.reduce((t, o) => t + o.totalFen, 0), orders: 3 });
    expect(s.unitOwn).toEqual({ orders: 1, amountFen: 168_000 });
    expect(s.employees.map((e) => [e.name, e.orders, e.amountFen])).toEqual([
      ['张三', 1, 19_800],
      ['李四', 1, 16_500],
    ]);
    expect(s.periods).toEqual([
      { period: '2026-10', employeeFen: 19_800, unitFen: 168_000, orders: 2 },
      { period: '2026-11', employeeFen: 16_500, unitFen: 0, orders: 1 },
    ]);
    const sum = s.periods.reduce((t, x) => t + x.employeeFen + x.unitFen, 0);
    expect(sum).toBe(s.totals.amountFen);

    // 酉阳县 (500242) oversees its own produce: rice from a township, honey from the county.
    const bureau = await government(p, '酉阳县乡村振兴局', '500242');
    const r = await stats().region(bureau.actor, { from: '2026-10-01', to: '2026-11-30', granularity: 'month' });
    expect(r.region.name).toContain('酉阳');
    expect(r.totals.amountFen).toBe(19_800 + 168_000 + 49_500);
    expect(r.districts).toEqual([expect.objectContaining({ code: '500242', amountFen: 237_300 })]);
    expect(r.townships).toEqual([expect.objectContaining({ code: '500242123', amountFen: 69_300, quantity: 7 })]);
    expect(r.categories.map((c) => [c.name, c.amountFen])).toEqual([
      ['山货特产', 168_000],
      ['粮油', 69_300],
    ]);
    expect(r.periods.reduce((t, x) => t + x.amountFen, 0)).toBe(r.totals.amountFen);

    // A city-level department sees every county under it; operators choose the region.
    const city = await government(p, '重庆市乡村振兴局', '50');
    const all = await stats().region(city.actor, { from: '2026-10-01', to: '2026-11-30' });
    expect(all.districts.map((d) => d.code).sort()).toEqual(['500229', '500242']);
    expect((await stats().region(ops, { from: '2026-10-01', to: '2026-11-30', region: '500229' })).totals.amountFen).toBe(16_500);

    // Exports carry the same numbers.
    const xlsx = await stats().exportUnit(unit.actor, { from: '2026-10-01', to: '2026-11-30' }, 'xlsx');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(Buffer.from(xlsx.bytes) as never);
    expect(wb.getWorksheet('员工消费')!.getRow(2).values).toEqual([undefined, '张三', zhang.input.username, 1, '198.00']);
    const csv = new TextDecoder('utf-8', { ignoreBOM: true }).decode(
      (await stats().exportRegion(bureau.actor, { from: '2026-10-01', to: '2026-11-30' }, 'csv')).bytes,
    );
    expect(csv.slice(0, 12)).toBe('\uFEFF区县,代码,金额（元）');
    expect(csv).toContain('2373.00');
  });

  it('refuses anyone but the unit’s admins and the region’s department, and bad dates, with field messages', async () => {
    const unit = await unitBuyer(p);
    const staff = await individual(p, unit.org.id);
    const bureau = await government(p, '城口县商务局', '500229');
    await expect(stats().unit(staff.actor, { from: '2026-10-01', to: '2026-11-30' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(stats().region(unit.actor, { from: '2026-10-01', to: '2026-11-30' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(stats().region(bureau.actor, { from: '2026-10-01', to: '2026-11-30', region: '500242' })).rejects.toMatchObject({
      code: 'FORBIDDEN',
      message: '只能查看本部门所辖区域',
    });
    await expect(stats().region(ops, { from: '2026-10-01', to: '2026-11-30' })).rejects.toMatchObject({ fields: { region: '请选择地区' } });
    expect(await stats().regionScope(bureau.actor)).toEqual({ code: '500229', name: '重庆市 城口县', anyRegion: false });
    expect(await stats().regionScope(ops)).toMatchObject({ code: null, anyRegion: true });
    await expect(stats().regionScope(unit.actor)).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(stats().unit(unit.actor, { from: '2026-11-30', to: '2026-10-01' })).rejects.toMatchObject({ fields: { to: '结束日期不能早于开始日期' } });
    await expect(stats().unit(unit.actor, { from: '2026/10/01', to: '2026-11-30' })).rejects.toMatchObject({ fields: { from: '开始日期格式为 YYYY-MM-DD' } });
  });
});
