import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { priceRounds, rechargeOrders } from '../../db/schema';
import { createTestPlatform, ManualClock } from '../testing/test-platform';
import { registerUser } from '../testing/factories';
import { enterprise, openRequirement, operator, proposalInput, provider } from '../testing/tenders-factories';
import type { Platform } from '../platform/platform';
import { MINUTE } from '../shared/clock';
import { ROUND_CLOSE_JOB } from '../rooms/rooms.service';
import { RECHARGE_EXPIRE_JOB } from '../wallet/recharge.service';

/** Timed work of the contexts runs from the jobs table: the job is written with the state that needs it. */
let p: Platform;
const clock = new ManualClock(new Date('2026-11-23T02:00:00Z'));
beforeAll(async () => {
  p = await createTestPlatform({ clock });
});
afterAll(() => p?.close());

describe('deadlines as jobs', () => {
  it('a second round is closed by its job; an anti-sniping extension moves the job', async () => {
    const ops = await operator(p);
    const e = await enterprise(p, 20_000);
    const r = await openRequirement(p, e.actor, ops, { minBidders: 2 });
    const bidders = [await provider(p), await provider(p)];
    for (const [i, b] of bidders.entries()) await p.services.proposals.submit(b.actor, r.id, proposalInput(2_000_000 + i * 500_000));
    clock.set(new Date(r.openingAt!));
    const ids = bidders.map((b) => b.actor.organisation!.organisationId);
    const round = await p.services.rooms.startRound(e.actor, r.id, { providerIds: ids, durationMinutes: 10 });
    expect(await p.jobs.find(ROUND_CLOSE_JOB, round.id)).toMatchObject({ status: 'pending', runAt: new Date(round.closesAt) });

    clock.set(new Date(new Date(round.closesAt).getTime() - 30_000));
    const snipe = await p.services.rooms.submitOffer(bidders[0]!.actor, r.id, { priceFen: 1_900_000, clientId: 'wiring-1' });
    expect(new Date(snipe.closesAt).getTime()).toBeGreaterThan(new Date(round.closesAt).getTime());
    expect((await p.jobs.find(ROUND_CLOSE_JOB, round.id))!.runAt).toEqual(new Date(snipe.closesAt));

    clock.set(new Date(round.closesAt));
    await p.jobs.runDue();
    expect((await p.db.select().from(priceRounds).where(eq(priceRounds.id, round.id)))[0]!.status).toBe('open');
    clock.set(new Date(snipe.closesAt));
    await p.jobs.runDue();
    expect((await p.db.select().from(priceRounds).where(eq(priceRounds.id, round.id)))[0]!.status).toBe('closed');
    expect(await p.jobs.find(ROUND_CLOSE_JOB, round.id)).toMatchObject({ status: 'done' });
  });

  it('an unpaid online recharge is expired by its job, without any sweep', async () => {
    const u = await registerUser(p);
    const { order } = await p.services.recharges.createOnline(u.actor, { amountFen: 10_000, bankCode: 'ICBC' });
    const row = (await p.db.select().from(rechargeOrders).where(eq(rechargeOrders.orderNo, order.orderNo)))[0]!;
    expect(await p.jobs.find(RECHARGE_EXPIRE_JOB, row.id)).toMatchObject({ status: 'pending', runAt: row.expiresAt });
    clock.advance(29 * MINUTE);
    await p.jobs.runDue();
    expect((await p.db.select().from(rechargeOrders).where(eq(rechargeOrders.id, row.id)))[0]!.status).toBe('pending');
    clock.advance(2 * MINUTE);
    await p.jobs.runDue();
    expect((await p.db.select().from(rechargeOrders).where(eq(rechargeOrders.id, row.id)))[0]!.status).toBe('expired');
    expect(await p.jobs.find(RECHARGE_EXPIRE_JOB, row.id)).toMatchObject({ status: 'done' });
  });
});
