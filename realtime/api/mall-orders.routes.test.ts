import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { address, GATEWAY_SECRET, government, individual, merchant, product, signedNotice, unitBuyer } from '../../core/testing/mall-factories';
import { createApiHarness, type ApiHarness } from './test-helpers';

let h: ApiHarness;
let opsToken: string;
beforeAll(async () => {
  h = await createApiHarness();
  opsToken = await h.operatorToken();
});
afterAll(() => h?.close());

/** A token whose session acts for the organisation the factory made (units, merchants). */
const tokenFor = async (u: { token: string; org?: { id: string } }) => {
  if (u.org) expect((await h.json('POST', '/api/v1/auth/active-organisation', { organisationId: u.org.id }, { token: u.token })).status).toBe(200);
  return u.token;
};
describe('cart and orders', () => {
  it('happy: add to cart, checkout split per merchant, pay through the gateway, merchant ships, buyer receives (typed client)', async () => {
    const m = await merchant(h.platform);
    const item = await product(h.platform, m.org.id, { priceFen: 2_000, stock: 50 });
    const b = await individual(h.platform, null);
    const addr = await address(h.platform, b.actor.userId);
    const buyer = h.api(b.token);
    const cart = await buyer.POST('/api/v1/cart/items', { body: { productId: item.id, quantity: 3 } });
    expect(cart.response.status).toBe(200);
    expect(cart.data).toMatchObject({ count: 1, selectedTotalFen: 6_000 });
    const changed = await buyer.PATCH('/api/v1/cart/items/{productId}', { params: { path: { productId: item.id } }, body: { quantity: 2 } });
    expect(changed.data!.selectedTotalFen).toBe(4_000);
    const placed = await buyer.POST('/api/v1/orders', { body: { addressId: addr.id } });
    expect(placed.response.status).toBe(201);
    const order = placed.data!.orders[0]!;
    expect(order).toMatchObject({ status: 'pending_payment', totalFen: 4_000, merchantName: m.org.fullName });
    const pay = await buyer.POST('/api/v1/payments', { body: { orderIds: [order.id], method: 'personal_online' } });
    expect(pay.response.status).toBe(201);
    expect(pay.data!.redirectUrl).toContain('/api/v1/sandbox/bank');
    const paymentNo = pay.data!.payment.paymentNo;
    const n = signedNotice(GATEWAY_SECRET, { orderNo: paymentNo, amountFen: 4_000 });
    expect((await h.app.request('/api/v1/payments/notify', { method: 'POST', headers: n.headers, body: n.raw })).status).toBe(200);
    expect((await buyer.GET('/api/v1/payments/{paymentNo}', { params: { path: { paymentNo } } })).data!.status).toBe('paid');

    const seller = h.api(await tokenFor(m));
    const console = await seller.GET('/api/v1/merchant/orders', { params: { query: { status: 'paid' } } });
    expect(console.data!.items.map((o) => o.id)).toContain(order.id);
    const shipped = await seller.POST('/api/v1/merchant/orders/{id}/ship', {
      params: { path: { id: order.id } },
      body: { carrier: '中通快递', trackingNo: 'ZT7788990011' },
    });
    expect(shipped.data!.status).toBe('shipped');
    expect((await buyer.POST('/api/v1/orders/{id}/receive', { params: { path: { id: order.id } } })).data!.status).toBe('received');
    const mine = await buyer.GET('/api/v1/orders');
    expect(mine.data).toMatchObject({ total: 1, items: [{ id: order.id, status: 'received' }] });
  });

  it('errors: field messages in Chinese; out of stock is 409 with the product named', async () => {
    const m = await merchant(h.platform);
    const item = await product(h.platform, m.org.id, { name: '巫溪洋芋', stock: 1 });
    const b = await individual(h.platform, null);
    const addr = await address(h.platform, b.actor.userId);
    const bad = await h.json('POST', '/api/v1/cart/items', { productId: 'x', quantity: 0 }, { token: b.token });
    expect(bad.status).toBe(400);
    expect(bad.json.error.fields).toMatchObject({ productId: '商品编号无效', quantity: '数量至少为 1' });
    const short = await h.json('POST', '/api/v1/orders', { addressId: addr.id, items: [{ productId: item.id, quantity: 2 }] }, { token: b.token });
    expect(short.status).toBe(409);
    expect(short.json.error).toMatchObject({ code: 'OUT_OF_STOCK', fields: { items: '「巫溪洋芋」库存不足（仅剩 1）' } });
    const badPay = await h.json('POST', '/api/v1/payments', { orderIds: [], method: 'cash' }, { token: b.token });
    expect(badPay.json.error.fields).toMatchObject({ orderIds: '请选择要支付的订单', method: '请选择支付方式' });
    expect((await h.json('GET', '/api/v1/orders?status=lost', undefined, { token: b.token })).json.error.fields).toEqual({ status: '订单状态无效' });
  });

  it('auth: anonymous 401; another buyer and another merchant see nothing', async () => {
    for (const [method, path] of [
      ['GET', '/api/v1/cart'],
      ['GET', '/api/v1/orders'],
      ['GET', '/api/v1/merchant/orders'],
      ['GET', '/api/v1/unit/reimbursements'],
      ['GET', '/api/v1/statistics/unit?from=2026-01-01&to=2026-12-31'],
    ] as const) {
      await h.expectRefusals('signed-in', { method, path });
    }
    const m = await merchant(h.platform);
    const item = await product(h.platform, m.org.id);
    const b = await individual(h.platform, null);
    const {
      orders: [o],
    } = await h.platform.services.orders.checkout(b.actor, {
      addressId: (await address(h.platform, b.actor.userId)).id,
      items: [{ productId: item.id, quantity: 1 }],
    });
    const other = await individual(h.platform, null);
    expect((await h.json('GET', `/api/v1/orders/${o!.id}`, undefined, { token: other.token })).status).toBe(404);
    const rival = await tokenFor(await merchant(h.platform));
    expect((await h.json('POST', `/api/v1/merchant/orders/${o!.id}/ship`, { carrier: '中通快递', trackingNo: 'ZT7788990011' }, { token: rival })).status).toBe(
      404,
    );
    expect((await h.json('GET', '/api/v1/merchant/orders', undefined, { token: b.token })).status).toBe(403);
    expect((await h.json('POST', '/api/v1/payments', { orderIds: [o!.id], method: 'personal_online' }, { token: other.token })).status).toBe(404);
  });
});

describe('units: negotiated prices, large transfers, statistics', () => {
  it('a bulk order is repriced by its merchant, paid by a large offline transfer confirmed by an operator, and counted in the statistics', async () => {
    const m = await merchant(h.platform, '酉阳县花田乡贡米合作社', '500242');
    const item = await product(h.platform, m.org.id, { priceFen: 12_000, stock: 500, originCode: '500242' });
    const unit = await unitBuyer(h.platform);
    const ut = await tokenFor(unit);
    const mt = await tokenFor(m);
    const addr = await address(h.platform, unit.actor.userId);
    const placed = await h.json('POST', '/api/v1/orders', { addressId: addr.id, bulk: true, items: [{ productId: item.id, quantity: 100 }] }, { token: ut });
    const order = placed.json.orders[0];
    expect(order).toMatchObject({ buyerKind: 'unit', bulk: true, totalFen: 1_200_000 });
    const noReason = await h.json(
      'POST',
      `/api/v1/merchant/orders/${order.id}/reprice`,
      { changes: [{ lineId: order.lines[0].id, priceFen: 10_500 }], reason: '' },
      { token: mt },
    );
    expect(noReason.json.error.fields).toEqual({ reason: '请填写改价原因' });
    const repriced = await h.json(
      'POST',
      `/api/v1/merchant/orders/${order.id}/reprice`,
      { changes: [{ lineId: order.lines[0].id, priceFen: 10_500 }], reason: '100 袋批量价' },
      { token: mt },
    );
    expect(repriced.json).toMatchObject({ totalFen: 1_050_000 });
    expect(
      (
        await h.json(
          'POST',
          `/api/v1/merchant/orders/${order.id}/reprice`,
          { changes: [{ lineId: order.lines[0].id, priceFen: 1 }], reason: '买家改价' },
          { token: ut },
        )
      ).status,
    ).toBe(404);

    const pay = await h.json('POST', '/api/v1/payments', { orderIds: [order.id], method: 'offline_transfer' }, { token: ut });
    expect(pay.json.transfer).toMatchObject({ accountNo: '215500709', amountFen: 1_050_000, note: `消费帮扶+${order.orderNo}` });
    const file = await h.platform.services.files.upload((await h.platform.services.accounts.validateSessionToken(ut))!.actor, {
      filename: '回单.pdf',
      contentType: 'application/pdf',
      bytes: new TextEncoder().encode('%PDF-1.4 回单'),
    });
    expect(
      (
        await h.json(
          'POST',
          `/api/v1/payments/${pay.json.payment.paymentNo}/receipt`,
          { receiptFileId: file.id, payerAccountName: unit.org.fullName },
          { token: ut },
        )
      ).status,
    ).toBe(200);
    await h.expectRefusals('operator', { method: 'GET', path: '/api/v1/admin/mall/transfers' });
    const queue = await h.json('GET', '/api/v1/admin/mall/transfers', undefined, { token: opsToken });
    expect(queue.json.find((x: { paymentNo: string }) => x.paymentNo === pay.json.payment.paymentNo)).toMatchObject({ note: `消费帮扶+${order.orderNo}` });
    const bad = await h.json('POST', `/api/v1/admin/mall/transfers/${pay.json.payment.paymentNo}/review`, { decision: 'reject' }, { token: opsToken });
    expect(bad.json.error.fields).toEqual({ reason: '请填写驳回原因' });
    expect(
      (await h.json('POST', `/api/v1/admin/mall/transfers/${pay.json.payment.paymentNo}/review`, { decision: 'confirm' }, { token: opsToken })).json.status,
    ).toBe('paid');
    expect((await h.json('GET', `/api/v1/orders/${order.id}`, undefined, { token: ut })).json.status).toBe('paid');

    const today = new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);
    const s = await h.json('GET', `/api/v1/statistics/unit?from=${today}&to=${today}`, undefined, { token: ut });
    expect(s.json.unitOwn).toEqual({ orders: 1, amountFen: 1_050_000 });
    const bureau = await government(h.platform, '酉阳县乡村振兴局', '500242');
    const bt = await tokenFor(bureau);
    const r = await h.json('GET', `/api/v1/statistics/region?from=${today}&to=${today}`, undefined, { token: bt });
    expect(r.json.totals.amountFen).toBeGreaterThanOrEqual(1_050_000);
    const xlsx = await h.app.request(`/api/v1/statistics/region/export?from=${today}&to=${today}&format=xlsx`, { headers: { authorization: `Bearer ${bt}` } });
    expect(xlsx.headers.get('content-type')).toContain('spreadsheetml');
    expect(xlsx.headers.get('content-disposition')).toContain('.xlsx');
    expect((await h.json('GET', `/api/v1/statistics/region?from=${today}&to=${today}`, undefined, { token: ut })).status).toBe(403);
    void randomUUID;
  });

  it('the routes are in the OpenAPI document', async () => {
    const doc = await h.json('GET', '/api/v1/openapi.json');
    for (const path of [
      '/cart',
      '/cart/items',
      '/orders',
      '/orders/{id}',
      '/payments',
      '/payments/{paymentNo}/receipt',
      '/merchant/orders',
      '/merchant/orders/{id}/reprice',
      '/statistics/unit',
      '/statistics/region/export',
      '/admin/mall/transfers',
    ]) {
      expect(Object.keys(doc.json.paths)).toContain(`/api/v1${path}`);
    }
  });
});
