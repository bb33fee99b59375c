import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestPlatform, ManualClock } from '../testing/test-platform';
import { address, GATEWAY_SECRET, individual, merchant, product, signedNotice, unitBuyer } from '../testing/mall-factories';
import { buildRequirement, enterprise, fund, openRequirement, operator } from '../testing/tenders-factories';
import type { Platform } from './platform';
import type { Actor } from '../shared/actor';

/** The public figures of the home page: each read on a database holding exactly what the test wrote. */
let p: Platform;
const clock = new ManualClock(new Date('2026-11-20T02:00:00Z'));
let ops: Actor;
beforeAll(async () => {
  p = await createTestPlatform({ clock });
  ops = await operator(p);
});
afterAll(() => p?.close());

describe('projects published this month', () => {
  it('counts requirements approved since the 1st (Shanghai time), whatever their state now; drafts, pending and rejected ones never', async () => {
    const e = await enterprise(p, 1_000_000);
    expect(await p.services.requirements.countPublishedThisMonth()).toBe(0);

    // 31 October 23:30 in Shanghai is still last month.
    clock.set(new Date('2026-10-31T15:30:00Z'));
    await openRequirement(p, e.actor, ops);
    clock.set(new Date('2026-11-01T00:30:00Z')); // 1 November 08:30 in Shanghai
    const open = await openRequirement(p, e.actor, ops);
    await openRequirement(p, e.actor, ops);
    await p.services.requirements.withdraw(e.actor, open.id); // published this month, withdrawn since: still published
    await p.services.requirements.saveDraft(e.actor, { ...draftInput(), title: '只是草稿的需求' });
    const pending = await p.services.requirements.saveDraft(e.actor, draftInput());
    await p.services.requirements.submit(e.actor, pending.id);
    const rejected = await p.services.requirements.saveDraft(e.actor, draftInput());
    await p.services.requirements.submit(e.actor, rejected.id);
    await p.services.requirements.review(ops, rejected.id, { decision: 'reject', reason: '预算说明不完整，请补充' });

    clock.set(new Date('2026-11-20T02:00:00Z'));
    expect(await p.services.requirements.countPublishedThisMonth()).toBe(2);
    clock.set(new Date('2026-12-01T02:00:00Z'));
    expect(await p.services.requirements.countPublishedThisMonth()).toBe(0);
    clock.set(new Date('2026-11-20T02:00:00Z'));
  });
});

const draftInput = () => buildRequirement(clock.now());

describe('value held in escrow', () => {
  it("is the platform escrow account's balance: funding adds to it, a release takes from it, wallets never count", async () => {
    const before = await p.services.statements.escrowHeldFen();
    const e = await enterprise(p, 500_000);
    const w = await p.services.ledger.ensureWallet(p.db, e.actor.organisation!.organisationId);
    const escrow = await p.services.ledger.platformAccount('escrow');
    const move = (debitAccountId: string, creditAccountId: string, amountFen: number, kind: 'escrow_fund' | 'escrow_release') =>
      p.services.ledger.transfer(p.db, { debitAccountId, creditAccountId, amountFen, kind, reference: 'M1', idempotencyKey: randomUUID() });
    await move(w.availableId, escrow, 300_000, 'escrow_fund');
    expect(await p.services.statements.escrowHeldFen()).toBe(before + 300_000);
    await fund(p, e.actor, 100_000);
    await move(escrow, w.availableId, 120_000, 'escrow_release');
    expect(await p.services.statements.escrowHeldFen()).toBe(before + 180_000);
  });
});

describe('mall purchases this year', () => {
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

  it("counts units' and individuals' paid orders of the Shanghai year; unpaid, cancelled and last year's orders never", async () => {
    const m = await merchant(p);
    const rice = await product(p, m.org.id, { priceFen: 9_900, stock: 1000 });
    const unit = await unitBuyer(p);
    const person = await individual(p, null, '王五');
    expect(await p.services.statistics.mallPurchasesInYear(2026)).toEqual({ orders: 0, amountFen: 0 });

    clock.set(new Date('2025-12-31T16:30:00Z')); // 1 January 2026 00:30 in Shanghai
    await buy(unit, rice.id, 10, 'corporate_online'); // 99,000
    clock.set(new Date('2025-12-31T14:00:00Z')); // 31 December 2025 22:00 in Shanghai
    await buy(person, rice.id, 1, 'personal_online'); // last year
    clock.set(new Date('2026-06-01T02:00:00Z'));
    await buy(person, rice.id, 2, 'personal_online'); // 19,800
    const cancelled = await buy(person, rice.id, 3, 'personal_online');
    await p.services.orders.cancel(person.actor, cancelled.id, { reason: '买错了' });
    const addr = await address(p, person.actor.userId);
    await p.services.orders.checkout(person.actor, { addressId: addr.id, items: [{ productId: rice.id, quantity: 4 }] }); // unpaid

    expect(await p.services.statistics.mallPurchasesInYear(2026)).toEqual({ orders: 2, amountFen: 118_800 });
    expect(await p.services.statistics.mallPurchasesInYear(2025)).toEqual({ orders: 1, amountFen: 9_900 });
    clock.set(new Date('2026-11-20T02:00:00Z'));
  });
});
