import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { individualProfiles, mallOrders, memberships, products } from '../../db/schema';
import { createTestPlatform, ManualClock } from '../testing/test-platform';
import { address, GATEWAY_SECRET, individual, merchant, product, signedNotice, unitBuyer } from '../testing/mall-factories';
import { operator } from '../testing/tenders-factories';
import { registerUser } from '../testing/factories';
import type { Platform } from '../platform/platform';
import type { Actor } from '../shared/actor';
import { DAY, MINUTE } from '../shared/clock';

let p: Platform;
const clock = new ManualClock(new Date('2026-11-23T02:00:00Z'));
let ops: Actor;
beforeAll(async () => {
  p = await createTestPlatform({ clock, env: { SESSION_IDLE_MINUTES: String(30 * 24 * 60) } });
  ops = await operator(p);
});
afterAll(() => p?.close());

const orders = () => p.services.orders;
const stockOf = async (id: string) => (await p.db.select({ s: products.stock }).from(products).where(eq(products.id, id)))[0]!.s;
const balanced = async () => expect((await p.services.ledger.check()).ok).toBe(true);
/** What the mall holds for paid, unsettled orders (its own account, apart from tender escrow). */
const escrowFen = async () => p.services.ledger.balanceOf(p.db, await p.services.ledger.platformAccount('mall_clearing'));
/** Pays through the sandbox gateway's signed notice, as the real endpoint receives it. */
const notify = async (paymentNo: string, amountFen: number, result: 'SUCCESS' | 'FAILED' = 'SUCCESS') => {
  const n = signedNotice(GATEWAY_SECRET, { orderNo: paymentNo, amountFen, result });
  return p.services.recharges.handleNotice(n.headers, n.raw);
};

describe('cart and checkout', () => {
  it('groups the cart by merchant, splits the checkout into one order per merchant and reserves stock', async () => {
    const m1 = await merchant(p);
    const m2 = await merchant(p, '城口县山地鸡养殖专业合作社', '500229');
    const rice = await product(p, m1.org.id, { stock: 10 });
    const chicken = await product(p, m2.org.id, {
      name: '城口山地鸡',
      priceFen: 12_800,
      unit: '只',
      categoryCode: 'meat.poultry',
      originCode: '500229',
      stock: 5,
    });
    const buyer = await individual(p, null);
    const addr = await address(p, buyer.actor.userId);
    await orders().addToCart(buyer.actor, { productId: rice.id, quantity: 2 });
    await orders().addToCart(buyer.actor, { productId: rice.id, quantity: 1 });
    const cart = await orders().addToCart(buyer.actor, { productId: chicken.id, quantity: 1 });
    expect(cart.groups.map((g) => g.merchantName).sort()).toEqual([m1.org.fullName, m2.org.fullName].sort());
    expect(cart.selectedTotalFen).toBe(3 * 8_800 + 12_800);
    await orders().updateCart(buyer.actor, chicken.id, { selected: false });

    const { orders: placed } = await orders().checkout(buyer.actor, { addressId: addr.id });
    expect(placed).toHaveLength(1);
    expect(placed[0]).toMatchObject({ status: 'pending_payment', totalFen: 26_400, buyerKind: 'individual', unitId: null });
    expect(await stockOf(rice.id)).toBe(7);
    expect((await orders().cart(buyer.actor)).count).toBe(1); // the unticked chicken stays in the cart

    await orders().updateCart(buyer.actor, chicken.id, { selected: true });
    await orders().addToCart(buyer.actor, { productId: rice.id, quantity: 1 });
    const both = await orders().checkout(buyer.actor, { addressId: addr.id });
    expect(both.orders.map((o) => o.merchantId).sort()).toEqual([m1.org.id, m2.org.id].sort());
    expect(new Set(both.orders.map((o) => o.checkoutId)).size).toBe(1);
  });

  it('the checkout preview groups the ticked lines per merchant with the totals checkout charges; the buyer rule is the one checkout applies', async () => {
    const m1 = await merchant(p);
    const m2 = await merchant(p, '巫溪县洋芋种植专业合作社', '500238');
    const rice = await product(p, m1.org.id, { stock: 10 });
    const potato = await product(p, m2.org.id, { name: '巫溪洋芋', priceFen: 1_250, unit: '袋', originCode: '500238', stock: 1 });
    const unit = await unitBuyer(p);
    const staff = await individual(p, unit.org.id, '赵六');
    await orders().addToCart(staff.actor, { productId: rice.id, quantity: 2 });
    await orders().addToCart(staff.actor, { productId: potato.id, quantity: 3 });
    const preview = await orders().checkoutPreview(staff.actor);
    expect(preview).toMatchObject({ totalFen: 2 * 8_800 + 3 * 1_250, quantity: 5 });
    expect(preview.groups.find((g) => g.merchantId === m2.org.id)).toMatchObject({ totalFen: 3_750, items: [{ problem: '库存仅剩 1', amountFen: 3_750 }] });
    await orders().updateCart(staff.actor, potato.id, { selected: false });
    expect((await orders().checkoutPreview(staff.actor)).groups.map((g) => g.merchantId)).toEqual([m1.org.id]);
    expect(await orders().checkoutPreview(staff.actor, { productId: potato.id, quantity: 1 })).toMatchObject({
      totalFen: 1_250,
      groups: [{ merchantName: '巫溪县洋芋种植专业合作社' }],
    });
    await p.db.update(products).set({ status: 'unlisted' }).where(eq(products.id, potato.id));
    await expect(orders().checkoutPreview(staff.actor, { productId: potato.id, quantity: 1 })).rejects.toMatchObject({ code: 'NOT_FOUND' });

    expect(await orders().buyer(staff.actor)).toEqual({ kind: 'individual', unitId: unit.org.id, unitName: unit.org.fullName, isIndividual: true });
    expect(await orders().buyer(unit.actor)).toEqual({ kind: 'unit', unitId: unit.org.id, unitName: unit.org.fullName, isIndividual: false });
    const addr = await address(p, staff.actor.userId);
    const { orders: placed } = await orders().checkout(staff.actor, { addressId: addr.id });
    expect(placed.map((o) => o.totalFen)).toEqual([17_600]);
  });

  it('never oversells: 50 buyers race for the last 10 items', async () => {
    const m = await merchant(p);
    const item = await product(p, m.org.id, { stock: 10 });
    const buyers = await Promise.all(
      Array.from({ length: 50 }, async () => {
        const b = await individual(p, null);
        return { b, addr: await address(p, b.actor.userId) };
      }),
    );
    const results = await Promise.allSettled(
      buyers.map(({ b, addr }) => orders().checkout(b.actor, { addressId: addr.id, items: [{ productId: item.id, quantity: 1 }] })),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(10);
    const refused = results.filter((r) => r.status === 'rejected') as PromiseRejectedResult[];
    expect(refused.every((r) => r.reason.code === 'OUT_OF_STOCK')).toBe(true);
    expect(refused[0]!.reason.message).toContain('库存不足');
    expect(await stockOf(item.id)).toBe(0);
  }, 60_000);

  it('one cart checked out 10 times at once places exactly one set of orders and empties the cart once', async () => {
    const m1 = await merchant(p);
    const m2 = await merchant(p, '城口县山地鸡养殖专业合作社', '500229');
    const rice = await product(p, m1.org.id, { stock: 100 });
    const chicken = await product(p, m2.org.id, {
      name: '城口山地鸡',
      priceFen: 12_800,
      unit: '只',
      categoryCode: 'meat.poultry',
      originCode: '500229',
      stock: 100,
    });
    const b = await individual(p, null);
    const addr = await address(p, b.actor.userId);
    await orders().addToCart(b.actor, { productId: rice.id, quantity: 2 });
    await orders().addToCart(b.actor, { productId: chicken.id, quantity: 1 });

    const results = await Promise.allSettled(Array.from({ length: 10 }, () => orders().checkout(b.actor, { addressId: addr.id })));
    const placed = results.filter((r) => r.status === 'fulfilled');
    expect(placed).toHaveLength(1);
    const refused = results.filter((r) => r.status === 'rejected') as PromiseRejectedResult[];
    expect(refused.every((r) => r.reason.code === 'VALIDATION' && r.reason.fields?.items === '请选择要购买的商品')).toBe(true);
    const mine = await p.db.select().from(mallOrders).where(eq(mallOrders.buyerUserId, b.actor.userId));
    expect(mine).toHaveLength(2);
    expect(await stockOf(rice.id)).toBe(98);
    expect(await stockOf(chicken.id)).toBe(99);
    expect((await orders().cart(b.actor)).count).toBe(0);
  }, 60_000);

  it('refuses unlisted products, someone else’s address, and an empty checkout with field messages', async () => {
    const m = await merchant(p);
    const hidden = await product(p, m.org.id, { status: 'unlisted' });
    const b = await individual(p, null);
    const other = await individual(p, null);
    const addr = await address(p, b.actor.userId);
    await expect(orders().addToCart(b.actor, { productId: hidden.id })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(orders().checkout(b.actor, { addressId: (await address(p, other.actor.userId)).id, items: [] })).rejects.toMatchObject({
      fields: { addressId: '请选择收货地址' },
    });
    await expect(orders().checkout(b.actor, { addressId: addr.id })).rejects.toMatchObject({ fields: { items: '请选择要购买的商品' } });
    await expect(orders().checkout(b.actor, { addressId: addr.id, items: [{ productId: hidden.id, quantity: 1 }] })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
  });
});

describe('paying as a unit and as an individual', () => {
  it('corporate online payment through the gateway: escrow holds it, repeated notices pay once, completion pays the merchant', async () => {
    const m = await merchant(p);
    const item = await product(p, m.org.id, { priceFen: 50_000 });
    const unit = await unitBuyer(p);
    const addr = await address(p, unit.actor.userId);
    const {
      orders: [o],
    } = await orders().checkout(unit.actor, { addressId: addr.id, items: [{ productId: item.id, quantity: 3 }] });
    expect(o).toMatchObject({ buyerKind: 'unit', unitId: unit.org.id });
    await expect(orders().pay(unit.actor, { orderIds: [o!.id], method: 'corporate_online', bankCode: 'GZB' })).rejects.toMatchObject({
      fields: { bankCode: expect.stringContaining('17 家银行') },
    });
    await expect(orders().pay(unit.actor, { orderIds: [o!.id], method: 'personal_online' })).rejects.toMatchObject({ code: 'VALIDATION' });
    const pay = await orders().pay(unit.actor, { orderIds: [o!.id], method: 'corporate_online', bankCode: 'SPDB' });
    expect(pay.redirectUrl).toContain('/api/v1/sandbox/bank');
    const escrow = await escrowFen();
    for (let i = 0; i < 3; i++) await notify(pay.payment.paymentNo, 150_000);
    expect(await escrowFen()).toBe(escrow + 150_000);
    await expect(notify(pay.payment.paymentNo, 1)).rejects.toMatchObject({ code: 'NOTICE_MISMATCH' });

    await expect(orders().ship(unit.actor, o!.id, { carrier: '顺丰速运', trackingNo: 'SF1234567890' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(orders().ship(m.actor, o!.id, { carrier: '顺丰速运', trackingNo: '12' })).rejects.toMatchObject({
      fields: { trackingNo: '运单号为 6–40 位字母或数字' },
    });
    await orders().ship(m.actor, o!.id, { carrier: '顺丰速运', trackingNo: 'SF1234567890' });
    await orders().receive(unit.actor, o!.id);
    const wallet = (await p.services.ledger.walletBalances(p.db, m.org.id)).availableFen;
    expect(await orders().complete(o!.id)).toBe(false); // 7 days not yet passed
    clock.advance(7 * DAY);
    expect((await Promise.all([orders().complete(o!.id), orders().complete(o!.id), orders().runDueJobs()])).filter((x) => x === true || x === 1)).toHaveLength(
      1,
    );
    expect((await p.services.ledger.walletBalances(p.db, m.org.id)).availableFen).toBe(wallet + 150_000);
    expect((await orders().get(unit.actor, o!.id)).history.map((e) => e.type)).toEqual(['created', 'paid', 'shipped', 'received', 'completed']);
    await balanced();
  });

  it('large offline transfer (≥ ¥10,000): remittance note, receipt, operator confirms; a rejected receipt may be resubmitted', async () => {
    const m = await merchant(p);
    const item = await product(p, m.org.id, { priceFen: 600_000 });
    const unit = await unitBuyer(p);
    const addr = await address(p, unit.actor.userId);
    const {
      orders: [small],
    } = await orders().checkout(unit.actor, { addressId: addr.id, items: [{ productId: item.id, quantity: 1 }] });
    await expect(orders().pay(unit.actor, { orderIds: [small!.id], method: 'offline_transfer' })).rejects.toMatchObject({
      fields: { method: '大额支付适用于 ¥10,000.00 及以上的订单' },
    });

    const {
      orders: [big],
    } = await orders().checkout(unit.actor, { addressId: addr.id, items: [{ productId: item.id, quantity: 2 }] });
    expect(big!.remittance).toMatchObject({ accountNo: '215500709', note: `消费帮扶+${big!.orderNo}` });
    const transfer = await orders().pay(unit.actor, { orderIds: [big!.id], method: 'offline_transfer' });
    expect(transfer.transfer).toMatchObject({ amountFen: 1_200_000, note: `消费帮扶+${big!.orderNo}` });

    const receipt = await p.services.files.upload(unit.actor, {
      filename: '转账回单.png',
      contentType: 'image/png',
      bytes: new Uint8Array([137, 80, 78, 71, 1, 2, 3]),
    });
    await orders().submitTransferReceipt(unit.actor, transfer.payment.paymentNo, { receiptFileId: receipt.id, payerAccountName: unit.org.fullName });
    expect((await orders().get(unit.actor, big!.id)).expiresAt).toBeNull();
    await expect(orders().reviewTransfer(unit.actor, transfer.payment.paymentNo, { decision: 'confirm' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect((await orders().pendingTransfers(ops)).find((x) => x.paymentNo === transfer.payment.paymentNo)).toMatchObject({
      receiptUrl: `/api/v1/files/${receipt.id}`,
      receipt: { filename: '转账回单.png', contentType: 'image/png', isImage: true },
    });
    await orders().reviewTransfer(ops, transfer.payment.paymentNo, { decision: 'reject', reason: '回单金额与订单不符' });
    expect((await orders().get(unit.actor, big!.id)).status).toBe('pending_payment');

    const again = await orders().pay(unit.actor, { orderIds: [big!.id], method: 'offline_transfer' });
    await orders().submitTransferReceipt(unit.actor, again.payment.paymentNo, {
      receiptFileId: (
        await p.services.files.upload(unit.actor, { filename: 'r2.png', contentType: 'image/png', bytes: new Uint8Array([137, 80, 78, 71, 1, 2, 3]) })
      ).id,
      payerAccountName: unit.org.fullName,
    });
    await orders().reviewTransfer(ops, again.payment.paymentNo, { decision: 'confirm' });
    await expect(orders().reviewTransfer(ops, again.payment.paymentNo, { decision: 'confirm' })).rejects.toMatchObject({ code: 'TRANSFER_ALREADY_REVIEWED' });
    expect((await orders().get(unit.actor, big!.id)).status).toBe('paid');
    await balanced();
  });

  it('self-purchase for reimbursement: an employee pays personally under ¥10,000; the order is attributed to the unit at purchase time', async () => {
    const m = await merchant(p);
    const item = await product(p, m.org.id, { priceFen: 30_000 });
    const unit = await unitBuyer(p);
    const other = await unitBuyer(p);
    const staff = await individual(p, unit.org.id, '王五');
    const addr = await address(p, staff.actor.userId);
    await expect(
      orders().checkout(staff.actor, { addressId: addr.id, reimbursable: true, items: [{ productId: item.id, quantity: 40 }] }),
    ).rejects.toMatchObject({ fields: { reimbursable: expect.stringContaining('单位账号下单') } });
    const {
      orders: [o],
    } = await orders().checkout(staff.actor, { addressId: addr.id, reimbursable: true, items: [{ productId: item.id, quantity: 2 }] });
    expect(o).toMatchObject({ reimbursable: true, unitId: unit.org.id, buyerKind: 'individual' });
    await expect(orders().pay(staff.actor, { orderIds: [o!.id], method: 'corporate_online', bankCode: 'ICBC' })).rejects.toMatchObject({
      fields: { method: '个人用户请使用在线支付' },
    });
    const pay = await orders().pay(staff.actor, { orderIds: [o!.id], method: 'personal_online' });
    await notify(pay.payment.paymentNo, 60_000);

    // The employee moves to another unit: the past order stays with the first one.
    await p.db.update(individualProfiles).set({ unitId: other.org.id }).where(eq(individualProfiles.userId, staff.actor.userId));
    await p.db.insert(memberships).values({ userId: staff.actor.userId, organisationId: other.org.id, role: 'member' });
    const list = await orders().reimbursements(unit.actor, {});
    expect(list.items.map((x) => x.id)).toEqual([o!.id]);
    expect(list.items[0]).toMatchObject({ buyerName: '王五', buyerUsername: staff.actor.username });
    expect((await orders().reimbursements(other.actor, {})).items).toHaveLength(0);
    await expect(orders().reimbursements(staff.actor, {})).rejects.toMatchObject({ code: 'FORBIDDEN' });
    const {
      orders: [later],
    } = await orders().checkout(staff.actor, { addressId: addr.id, items: [{ productId: item.id, quantity: 1 }] });
    expect(later!.unitId).toBe(other.org.id);
  });
});

describe('negotiated prices (议价)', () => {
  it('only the order’s merchant reprices, only unpaid bulk orders, with a reason kept in the history', async () => {
    const m = await merchant(p);
    const rival = await merchant(p);
    const item = await product(p, m.org.id, { priceFen: 10_000, stock: 1_000 });
    const unit = await unitBuyer(p);
    const addr = await address(p, unit.actor.userId);
    const staff = await individual(p, unit.org.id);
    await expect(
      orders().checkout(staff.actor, { addressId: (await address(p, staff.actor.userId)).id, bulk: true, items: [{ productId: item.id, quantity: 1 }] }),
    ).rejects.toMatchObject({ fields: { bulk: '议价采购须由单位账号下单' } });
    const {
      orders: [normal],
    } = await orders().checkout(unit.actor, { addressId: addr.id, items: [{ productId: item.id, quantity: 10 }] });
    const {
      orders: [bulk],
    } = await orders().checkout(unit.actor, { addressId: addr.id, bulk: true, items: [{ productId: item.id, quantity: 100 }] });
    const lineId = bulk!.lines[0]!.id;
    await expect(
      orders().reprice(m.actor, normal!.id, { changes: [{ lineId: normal!.lines[0]!.id, priceFen: 9_000 }], reason: '老客户优惠' }),
    ).rejects.toMatchObject({ code: 'ORDER_NOT_REPRICEABLE' });
    await expect(orders().reprice(rival.actor, bulk!.id, { changes: [{ lineId, priceFen: 9_000 }], reason: '抢着改价' })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    await expect(orders().reprice(unit.actor, bulk!.id, { changes: [{ lineId, priceFen: 9_000 }], reason: '买家自己改' })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    const stale = await orders().pay(unit.actor, { orderIds: [bulk!.id], method: 'corporate_online', bankCode: 'ICBC' });
    const repriced = await orders().reprice(m.actor, bulk!.id, { changes: [{ lineId, priceFen: 8_500 }], reason: '批量 100 袋，每袋优惠 ¥15' });
    expect(repriced).toMatchObject({ totalFen: 850_000 });
    expect(repriced.history.at(-1)).toMatchObject({ type: 'repriced', detail: { fromFen: 1_000_000, toFen: 850_000, reason: '批量 100 袋，每袋优惠 ¥15' } });
    // A payment of the old amount no longer pays the order.
    await notify(stale.payment.paymentNo, 1_000_000).catch(() => undefined);
    expect((await orders().get(unit.actor, bulk!.id)).status).toBe('pending_payment');
    const pay = await orders().pay(unit.actor, { orderIds: [bulk!.id], method: 'corporate_online', bankCode: 'ICBC' });
    await notify(pay.payment.paymentNo, 850_000);
    expect((await orders().get(unit.actor, bulk!.id)).status).toBe('paid');
    await expect(orders().reprice(m.actor, bulk!.id, { changes: [{ lineId, priceFen: 1 }], reason: '付款后再改' })).rejects.toMatchObject({
      code: 'ORDER_NOT_REPRICEABLE',
    });
    await balanced();
  });
});

describe('order states', () => {
  it('cancel unpaid (stock back), cancel paid before shipping (refunded), refund after shipping decided by the merchant; refused transitions', async () => {
    const m = await merchant(p);
    const item = await product(p, m.org.id, { stock: 20, priceFen: 5_000 });
    const b = await individual(p, null);
    const addr = await address(p, b.actor.userId);
    const place = async () => (await orders().checkout(b.actor, { addressId: addr.id, items: [{ productId: item.id, quantity: 2 }] })).orders[0]!;
    const payNow = async (id: string) => {
      const pay = await orders().pay(b.actor, { orderIds: [id], method: 'personal_online' });
      await notify(pay.payment.paymentNo, 10_000);
    };

    const o1 = await place();
    expect(await stockOf(item.id)).toBe(18);
    await expect(orders().receive(b.actor, o1.id)).rejects.toMatchObject({ code: 'ORDER_STATUS_FORBIDS' });
    await expect(orders().ship(m.actor, o1.id, { carrier: '邮政', trackingNo: 'EMS123456' })).rejects.toMatchObject({ code: 'ORDER_STATUS_FORBIDS' });
    await orders().cancel(b.actor, o1.id, { reason: '不想要了' });
    expect(await stockOf(item.id)).toBe(20);
    await expect(orders().pay(b.actor, { orderIds: [o1.id], method: 'personal_online' })).rejects.toMatchObject({ code: 'ORDER_STATUS_FORBIDS' });

    const o2 = await place();
    await payNow(o2.id);
    const escrow = await escrowFen();
    expect((await orders().cancel(b.actor, o2.id, { reason: '地址填错了' })).status).toBe('refunded');
    expect(await escrowFen()).toBe(escrow - 10_000);
    expect(await stockOf(item.id)).toBe(20);

    const o3 = await place();
    await payNow(o3.id);
    await orders().ship(m.actor, o3.id, { carrier: '邮政', trackingNo: 'EMS123456' });
    await expect(orders().cancel(b.actor, o3.id, { reason: '发货后取消' })).rejects.toMatchObject({ code: 'ORDER_STATUS_FORBIDS' });
    await orders().requestRefund(b.actor, o3.id, { reason: '收到的米有霉变' });
    await expect(orders().requestRefund(b.actor, o3.id, { reason: '再申请一次' })).rejects.toMatchObject({ code: 'REFUND_REQUESTED' });
    await orders().decideRefund(m.actor, o3.id, { decision: 'decline', reason: '请提供照片' });
    await orders().requestRefund(b.actor, o3.id, { reason: '照片已上传到留言' });
    const refunded = await orders().decideRefund(m.actor, o3.id, { decision: 'approve' });
    expect(refunded).toMatchObject({ status: 'refunded', refundStatus: 'approved' });
    await expect(orders().decideRefund(m.actor, o3.id, { decision: 'approve' })).rejects.toMatchObject({ code: 'NO_REFUND_REQUEST' });
    await balanced();
  });

  it('unpaid orders expire after 30 minutes (individuals) and give their stock back; a late payment does not revive them', async () => {
    const m = await merchant(p);
    const item = await product(p, m.org.id, { stock: 5, priceFen: 5_000 });
    const b = await individual(p, null);
    const addr = await address(p, b.actor.userId);
    const {
      orders: [o],
    } = await orders().checkout(b.actor, { addressId: addr.id, items: [{ productId: item.id, quantity: 5 }] });
    const pay = await orders().pay(b.actor, { orderIds: [o!.id], method: 'personal_online' });
    clock.advance(29 * MINUTE);
    expect(await orders().expire(o!.id)).toBe(false);
    clock.advance(2 * MINUTE);
    expect((await Promise.all([orders().expire(o!.id), orders().expire(o!.id)])).filter(Boolean)).toHaveLength(1);
    expect(await stockOf(item.id)).toBe(5);
    const escrow = await escrowFen();
    await notify(pay.payment.paymentNo, 25_000);
    const after = await orders().get(b.actor, o!.id);
    expect(after.status).toBe('cancelled');
    expect(after.history.map((e) => e.type)).toContain('late_payment_returned');
    expect(await escrowFen()).toBe(escrow);
    await balanced();
  });

  it('mall payments have their own account: the escrow check stays green after a paid order and still turns red on a real discrepancy', async () => {
    const ledger = p.services.ledger;
    const escrowId = await ledger.platformAccount('escrow');
    const m = await merchant(p);
    const item = await product(p, m.org.id, { stock: 5, priceFen: 7_000 });
    const b = await individual(p, null);
    const addr = await address(p, b.actor.userId);
    const escrowBefore = await ledger.balanceOf(p.db, escrowId);
    const {
      orders: [o],
    } = await orders().checkout(b.actor, { addressId: addr.id, items: [{ productId: item.id, quantity: 2 }] });
    const pay = await orders().pay(b.actor, { orderIds: [o!.id], method: 'personal_online' });
    const held = await escrowFen();
    await notify(pay.payment.paymentNo, 14_000);
    expect(await escrowFen()).toBe(held + 14_000);
    expect(await ledger.balanceOf(p.db, escrowId)).toBe(escrowBefore);
    expect(await p.services.escrow.check()).toMatchObject({ ok: true });

    // An order paid into escrow before the mall had its own account: counted until it is refunded from there.
    const {
      orders: [earlier],
    } = await orders().checkout(b.actor, { addressId: addr.id, items: [{ productId: item.id, quantity: 1 }] });
    await ledger.transfer(p.db, {
      debitAccountId: await ledger.platformAccount('gateway_clearing'),
      creditAccountId: escrowId,
      amountFen: 7_000,
      kind: 'mall_payment',
      reference: `订单 ${earlier!.orderNo}`,
      idempotencyKey: `mall:pay:${earlier!.id}`,
    });
    await p.db
      .update(mallOrders)
      .set({ status: 'paid', paidAt: clock.now(), payMethod: 'personal_online', expiresAt: null })
      .where(eq(mallOrders.id, earlier!.id));
    expect(await p.services.escrow.check()).toMatchObject({ ok: true });
    expect((await orders().cancel(b.actor, earlier!.id, { reason: '不要了' })).status).toBe('refunded');
    expect(await ledger.balanceOf(p.db, escrowId)).toBe(escrowBefore);
    expect(await p.services.escrow.check()).toMatchObject({ ok: true });

    // A real discrepancy in escrow (money no milestone accounts for) is visible.
    const revenue = await ledger.platformAccount('revenue');
    await ledger.transfer(p.db, {
      debitAccountId: revenue,
      creditAccountId: escrowId,
      amountFen: 1,
      kind: 'adjustment',
      reference: '测试差错',
      idempotencyKey: `test:escrow-break:${o!.id}`,
    });
    expect(await p.services.escrow.check()).toMatchObject({ ok: false });
    await ledger.transfer(p.db, {
      debitAccountId: escrowId,
      creditAccountId: revenue,
      amountFen: 1,
      kind: 'adjustment',
      reference: '测试差错冲回',
      idempotencyKey: `test:escrow-mend:${o!.id}`,
    });
    expect(await p.services.escrow.check()).toMatchObject({ ok: true });
    await balanced();
  });

  it('only the buyer, the merchant and operators see an order', async () => {
    const m = await merchant(p);
    const item = await product(p, m.org.id);
    const b = await individual(p, null);
    const {
      orders: [o],
    } = await orders().checkout(b.actor, { addressId: (await address(p, b.actor.userId)).id, items: [{ productId: item.id, quantity: 1 }] });
    const stranger = await registerUser(p);
    await expect(orders().get(stranger.actor, o!.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(orders().get((await merchant(p)).actor, o!.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect((await orders().get(m.actor, o!.id)).role).toBe('merchant');
    expect((await orders().get(ops, o!.id)).role).toBe('operator');
    expect((await orders().listMine(stranger.actor, {})).total).toBe(0);
    await expect(orders().listForMerchant(b.actor, {})).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });
});
