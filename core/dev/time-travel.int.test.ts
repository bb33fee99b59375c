import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { priceRounds } from '../../db/schema';
import { createTestPlatform, ManualClock } from '../testing/test-platform';
import { enterprise, openRequirement, operator, proposalInput, provider } from '../testing/tenders-factories';
import { address, GATEWAY_SECRET, merchant, product, signedNotice, unitBuyer } from '../testing/mall-factories';
import type { Platform } from '../platform/platform';
import type { Actor } from '../shared/actor';
import { loadConfig } from '../shared/config';
import { createTimeTravel, timeTravelEnabled } from './time-travel';

let p: Platform;
const clock = new ManualClock(new Date('2026-11-23T02:00:00Z'));
let ops: Actor;
beforeAll(async () => {
  p = await createTestPlatform({ clock });
  ops = await operator(p);
});
afterAll(() => p?.close());

const travel = () => createTimeTravel({ db: p.db, clock: p.clock, timer: p.timer, requirements: p.services.requirements });

async function tender() {
  clock.set(new Date('2026-11-23T02:00:00Z'));
  const e = await enterprise(p, 20_000);
  const r = await openRequirement(p, e.actor, ops, { minBidders: 1 });
  const b = await provider(p);
  await p.services.proposals.submit(b.actor, r.id, proposalInput(2_000_000));
  return { e, r, b, providerId: b.actor.organisation!.organisationId };
}

describe('dev time travel', () => {
  it('is served only with dev tools on and never in production', () => {
    const secret = 'a-production-secret-0123456789';
    expect(timeTravelEnabled(loadConfig({ NODE_ENV: 'development' }))).toBe(true);
    expect(timeTravelEnabled(loadConfig({ NODE_ENV: 'development', DEV_TOOLS: 'false' }))).toBe(false);
    expect(timeTravelEnabled(loadConfig({ NODE_ENV: 'production', APP_SECRET: secret, ORIGIN: 'https://bangfu.example.cn', SANDBOX_GATEWAYS: 'true' }))).toBe(
      false,
    );
    expect(
      timeTravelEnabled(
        loadConfig({ NODE_ENV: 'production', APP_SECRET: secret, ORIGIN: 'https://bangfu.example.cn', SANDBOX_GATEWAYS: 'true', DEV_TOOLS: 'true' }),
      ),
    ).toBe(false);
  });

  it('moves the opening time: the room derives its phase from it', async () => {
    const { e, r } = await tender();
    expect((await p.services.rooms.snapshot(e.actor, r.id)).phase).toBe('scheduled');
    const moved = await travel().move(e.actor, { requirementId: r.id, openingInSeconds: 240 });
    expect(moved.openingAt!.getTime()).toBe(clock.now().getTime() + 240_000);
    expect((await p.services.rooms.snapshot(e.actor, r.id)).phase).toBe('waiting');
    await travel().move(ops, { requirementId: r.id, openingInSeconds: 0 });
    expect((await p.services.rooms.snapshot(e.actor, r.id)).phase).toBe('bidding');
  });

  it('moves an open round deadline near; the deadline timer closes it then, and later bids are refused', async () => {
    const { e, r, b, providerId } = await tender();
    await travel().move(e.actor, { requirementId: r.id, openingInSeconds: 0 });
    const round = await p.services.rooms.startRound(e.actor, r.id, { providerIds: [providerId], durationMinutes: 5 });
    await expect(travel().move(e.actor, { requirementId: r.id, openingInSeconds: 60 })).rejects.toMatchObject({ code: 'INVALID_TRANSITION' });
    const moved = await travel().move(e.actor, { requirementId: r.id, roundClosesInSeconds: 2 });
    expect(moved.round).toEqual({ id: round.id, closesAt: new Date(clock.now().getTime() + 2_000) });
    await p.timer.runDue();
    expect((await p.db.select().from(priceRounds).where(eq(priceRounds.id, round.id)))[0]!.status).toBe('open');
    clock.set(new Date(clock.now().getTime() + 2_000));
    await expect(p.services.rooms.submitOffer(b.actor, r.id, { priceFen: 1_900_000, clientId: randomUUID() })).rejects.toMatchObject({ code: 'ROUND_CLOSED' });
    await p.timer.runDue();
    expect((await p.db.select().from(priceRounds).where(eq(priceRounds.id, round.id)))[0]!.status).toBe('closed');
    await expect(travel().move(e.actor, { requirementId: r.id, roundClosesInSeconds: 2 })).rejects.toMatchObject({ code: 'ROUND_CLOSED' });
  });

  it('refuses strangers, invitation requirements and empty requests', async () => {
    const { r } = await tender();
    const other = await enterprise(p);
    await expect(travel().move(null, { requirementId: r.id, openingInSeconds: 0 })).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    await expect(travel().move(other.actor, { requirementId: r.id, openingInSeconds: 0 })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(travel().move(ops, { requirementId: r.id })).rejects.toMatchObject({ code: 'VALIDATION' });
    await expect(travel().move(ops, { requirementId: r.id, roundClosesInSeconds: 7_200 })).rejects.toMatchObject({ code: 'VALIDATION' });
    const e = await enterprise(p, 20_000);
    const inv = await openRequirement(p, e.actor, ops, { mode: 'invitation', openingAt: null, minBidders: null });
    await expect(travel().move(e.actor, { requirementId: inv.id, openingInSeconds: 0 })).rejects.toMatchObject({ code: 'INVALID_TRANSITION' });
  });

  it('completes a received mall order now, as the completion job would; only its buyer or an operator, only once received', async () => {
    const m = await merchant(p);
    const item = await product(p, m.org.id);
    const unit = await unitBuyer(p);
    const {
      orders: [o],
    } = await p.services.orders.checkout(unit.actor, { addressId: (await address(p, unit.actor.userId)).id, items: [{ productId: item.id, quantity: 1 }] });
    const orders = createTimeTravel({ db: p.db, clock: p.clock, timer: p.timer, requirements: p.services.requirements, mallOrders: p.services.orders });
    const pay = await p.services.orders.pay(unit.actor, { orderIds: [o!.id], method: 'corporate_online', bankCode: 'SPDB' });
    const n = signedNotice(GATEWAY_SECRET, { orderNo: pay.payment.paymentNo, amountFen: 8_800 });
    await p.services.recharges.handleNotice(n.headers, n.raw);
    await p.services.orders.ship(m.actor, o!.id, { carrier: '顺丰速运', trackingNo: 'SF1234567890' });
    await expect(orders.completeOrder(unit.actor, { orderId: o!.id, completeNow: true })).rejects.toMatchObject({ code: 'INVALID_TRANSITION' });
    await p.services.orders.receive(unit.actor, o!.id);
    await expect(orders.completeOrder(m.actor, { orderId: o!.id, completeNow: true })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(orders.completeOrder(unit.actor, { orderId: o!.id })).rejects.toMatchObject({ code: 'VALIDATION' });
    expect(await orders.completeOrder(unit.actor, { orderId: o!.id, completeNow: true })).toMatchObject({ completed: true });
    const after = await p.services.orders.get(unit.actor, o!.id);
    expect(after.status).toBe('completed');
    expect(after.history.map((e) => e.type)).toEqual(['created', 'paid', 'shipped', 'received', 'completed']);
    await expect(orders.completeOrder(ops, { orderId: o!.id, completeNow: true })).rejects.toMatchObject({ code: 'INVALID_TRANSITION' });
  });
});
