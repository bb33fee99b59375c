import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { mallOrderLines, mallOrders, monitoringEvidence, monitoringRecords } from '../../db/schema';
import { merchant, product } from '../testing/mall-factories';
import { createTestPlatform } from '../testing/test-platform';
import type { Platform } from '../platform/platform';
import type { Actor } from '../shared/actor';
import { monitoringPerson } from './reference.fixtures';

let p: Platform;
let reporter: Actor;
let other: Actor;
let reporterOrg: string;
let otherOrg: string;
let merchantId: string;

async function order(
  buyerOrg: string,
  buyerUserId: string,
  lines: { origin: string; name: string; qty: number; priceFen: number; category?: string; unit?: string }[],
  status: 'completed' | 'paid' = 'completed',
) {
  const orderId = randomUUID();
  const total = lines.reduce((s, l) => s + l.qty * l.priceFen, 0);
  await p.db.insert(mallOrders).values({
    id: orderId,
    orderNo: `T${Date.now()}${Math.floor(Math.random() * 1e6)}`,
    checkoutId: randomUUID(),
    buyerUserId,
    buyerKind: 'unit',
    unitId: buyerOrg,
    merchantId,
    status,
    totalFen: total,
    address: { recipient: '李四', mobile: '13800138000', regionCode: '440106', regionName: '广东省 广州市 天河区', detail: '1 号' },
    completedAt: status === 'completed' ? new Date('2026-08-15T04:00:00Z') : null,
    createdAt: new Date('2026-08-01T04:00:00Z'),
    updatedAt: new Date('2026-08-15T04:00:00Z'),
  });
  for (const l of lines) {
    const prod = await product(p, merchantId, { name: l.name, originCode: l.origin, categoryCode: l.category ?? 'grain.rice', unit: l.unit ?? '袋' });
    await p.db.insert(mallOrderLines).values({
      orderId,
      productId: prod.id,
      name: l.name,
      unit: l.unit ?? '袋',
      categoryCode: l.category ?? 'grain.rice',
      originCode: l.origin,
      quantity: l.qty,
      listPriceFen: l.priceFen,
      priceFen: l.priceFen,
    });
  }
  return orderId;
}

beforeAll(async () => {
  p = await createTestPlatform();
  const province = await monitoringPerson(p, { kind: 'province', role: 'admin' });
  const city = await monitoringPerson(p, { kind: 'city', role: 'admin', departmentId: province.orgId, cityCode: '440100' });
  const r = await monitoringPerson(p, { kind: 'enterprise', role: 'reporter', departmentId: city.orgId, cityCode: '440100' });
  const o = await monitoringPerson(p, { kind: 'enterprise', role: 'reporter', departmentId: city.orgId, cityCode: '440100' });
  reporter = r.actor;
  reporterOrg = r.orgId;
  other = o.actor;
  otherOrg = o.orgId;
  merchantId = (await merchant(p, '罗城县测试农产品合作社', '451225')).org.id;
});
afterAll(() => p?.close());

const svc = () => p.services.monitoringMallOrders;

describe('mall orders → records', () => {
  it('lists only completed assisted-area orders of the organisation, and makes one draft per order with the order as evidence', async () => {
    const one = await order(reporterOrg, reporter.userId, [
      { origin: '451225001', name: '罗城毛葡萄', qty: 3, priceFen: 5_000, category: 'fresh.fruit', unit: '箱' },
    ]);
    const several = await order(reporterOrg, reporter.userId, [
      { origin: '522631', name: '黎平香禾糯', qty: 2, priceFen: 8_000 },
      { origin: '522631', name: '黎平茶油', qty: 1, priceFen: 3_000, category: 'grain.oil', unit: '瓶' },
    ]);
    const outside = await order(reporterOrg, reporter.userId, [{ origin: '500242', name: '酉阳大米', qty: 1, priceFen: 1_000 }]);
    const unpaid = await order(reporterOrg, reporter.userId, [{ origin: '451225', name: '未完成', qty: 1, priceFen: 1_000 }], 'paid');
    const others = await order(otherOrg, other.userId, [{ origin: '451225', name: '别人的', qty: 1, priceFen: 1_000 }]);

    const page = await svc().eligibleMallOrders(reporter);
    expect(page.items.map((i) => i.id).sort()).toEqual([one, several].sort());
    expect(page.items.find((i) => i.id === several)).toMatchObject({
      productName: '黎平香禾糯 等 2 种',
      quantity: '3',
      unit: '件',
      amountFen: 19_000,
      category: '粮食',
    });

    const res = await svc().fromMallOrders(reporter, { orderIds: [one, several, outside, unpaid, others] });
    expect(res.created).toBe(2);
    const by = new Map(res.items.map((i) => [i.orderId, i]));
    expect(by.get(outside)).toMatchObject({ ok: false, reason: '商品产地不在帮扶县名单中' });
    expect(by.get(unpaid)).toMatchObject({ ok: false, reason: '不是本单位已完成的商城订单' });
    expect(by.get(others)).toMatchObject({ ok: false, reason: '不是本单位已完成的商城订单' });
    const [rec] = await p.db
      .select()
      .from(monitoringRecords)
      .where(eq(monitoringRecords.id, by.get(one)!.recordId!));
    expect(rec).toMatchObject({
      status: 'draft',
      filingType: 'regular',
      directFromOrigin: true,
      originCountyCode: '451225',
      originCityCode: '451200',
      productName: '罗城毛葡萄',
      unit: '箱',
      quantity: '3.000',
      amountFen: 15_000,
      category: '水果',
      mallOrderId: one,
      reporterId: reporterOrg,
    });
    const evidence = await p.db.select().from(monitoringEvidence).where(eq(monitoringEvidence.recordId, rec!.id));
    expect(evidence).toEqual([expect.objectContaining({ kind: 'mall_order', mallOrderId: one })]);

    const again = await svc().fromMallOrders(reporter, { orderIds: [one] });
    expect(again.items[0]).toMatchObject({ ok: false, reason: '该订单已生成购销记录' });
    expect((await svc().eligibleMallOrders(reporter)).items).toEqual([]);
  });

  it('two calls at once for one order make one record', async () => {
    const id = await order(reporterOrg, reporter.userId, [{ origin: '451225', name: '罗城红心香柚', qty: 5, priceFen: 2_000, category: 'fresh.fruit' }]);
    const [a, b] = await Promise.all([svc().fromMallOrders(reporter, { orderIds: [id] }), svc().fromMallOrders(reporter, { orderIds: [id] })]);
    expect(a.created + b.created).toBe(1);
    expect([a.items[0]!.reason, b.items[0]!.reason]).toContain('该订单已生成购销记录');
    expect(await p.db.select().from(monitoringRecords).where(eq(monitoringRecords.mallOrderId, id))).toHaveLength(1);
  });

  it('editing a record made from an order keeps the order as evidence (the form sends only files), and it can be submitted', async () => {
    const id = await order(reporterOrg, reporter.userId, [{ origin: '451225', name: '罗城毛葡萄汁', qty: 4, priceFen: 2_500, category: 'fresh.fruit' }]);
    const made = await svc().fromMallOrders(reporter, { orderIds: [id] });
    const recordId = made.items[0]!.recordId!;
    const records = p.services.monitoringRecords;
    const before = await records.detail(reporter, recordId);
    const form = {
      filingType: before.filingType,
      periodId: before.periodId,
      directFromOrigin: before.directFromOrigin,
      originCountyCode: before.originCountyCode,
      category: before.category,
      productName: before.productName,
      unit: before.unit,
      quantity: '5',
      amountYuan: '125.00',
    };
    // No files at all (the edit form leaves the order out of its list).
    const edited = await records.update(reporter, recordId, { ...form, seq: before.seq, evidence: [] });
    expect(edited).toMatchObject({ quantity: '5', amountFen: 12_500, evidenceCount: 1, mallOrderId: id });
    // A file added, then taken away again: the order stays each time.
    const file = await p.services.files.upload(reporter, {
      filename: '运单.pdf',
      contentType: 'application/pdf',
      bytes: new TextEncoder().encode('%PDF-1.4\n%%EOF\n'),
    });
    const withFile = await records.update(reporter, recordId, { ...form, seq: edited.seq, evidence: [{ fileId: file.id, kind: 'waybill' }] });
    expect(withFile.evidenceCount).toBe(2);
    const without = await records.update(reporter, recordId, { ...form, seq: withFile.seq, evidence: [] });
    const detail = await records.detail(reporter, recordId);
    expect(detail.evidence).toEqual([expect.objectContaining({ kind: 'mall_order', mallOrder: expect.objectContaining({ id }) })]);
    const submitted = await records.submit(reporter, recordId, { seq: without.seq });
    expect(submitted.status).toBe('submitted');
  });

  it('refuses bad input, non-reporters and other organisations’ orders', async () => {
    await expect(svc().fromMallOrders(reporter, { orderIds: [] })).rejects.toMatchObject({ code: 'VALIDATION', fields: { orderIds: '请至少选择一个订单' } });
    await expect(svc().fromMallOrders(reporter, { orderIds: ['x'] })).rejects.toMatchObject({ code: 'VALIDATION' });
    await expect(svc().fromMallOrders(null, { orderIds: [randomUUID()] })).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    const mine = await order(reporterOrg, reporter.userId, [{ origin: '451225', name: '罗城糯米', qty: 1, priceFen: 1_000 }]);
    const res = await svc().fromMallOrders(other, { orderIds: [mine] });
    expect(res.items[0]).toMatchObject({ ok: false, reason: '不是本单位已完成的商城订单' });
    expect(await p.db.select().from(monitoringRecords).where(eq(monitoringRecords.mallOrderId, mine))).toHaveLength(0);
  });
});
