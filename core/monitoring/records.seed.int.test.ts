import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { rowsOf, type Db } from '../../db/client';
import { createTestPlatform } from '../testing/test-platform';
import { createSeedSteps, type SeedSteps } from '../platform/seed-steps';
import type { Platform } from '../platform/platform';
import { seedDemo } from '../accounts/accounts.seed';
import { seedDemoMall } from '../mall/mall.seed';
import { seedDemoMonitoring } from './monitoring.seed';

let p: Platform;
beforeAll(async () => {
  p = await createTestPlatform();
});
afterAll(() => p?.close());

const count = async (db: Db, query: ReturnType<typeof sql>) => Number(rowsOf<{ n: number }>(await db.execute(query))[0]!.n);
const byStatus = async (db: Db) =>
  Object.fromEntries(
    rowsOf<{ status: string; n: number }>(await db.execute(sql`select status::text, count(*)::int as n from monitoring_records group by 1`)).map((r) => [
      r.status,
      Number(r.n),
    ]),
  );

it('the monitoring demo seed files records in every state through the service, once, in a few seconds', async () => {
  const lines: string[] = [];
  const started = performance.now();
  await seedDemoMonitoring(p, (l) => lines.push(l), createSeedSteps(p.db));
  const ms = performance.now() - started;
  console.log(`monitoring demo seed (accounts + records): ${Math.round(ms)} ms`);
  expect(
    lines.some((l) => /monitoring records: \d+ demo records/.test(l)),
    lines.join('\n'),
  ).toBe(true);
  const byStatus = Object.fromEntries(
    rowsOf<{ status: string; n: number }>(await p.db.execute(sql`select status::text, count(*)::int as n from monitoring_records group by 1`)).map((r) => [
      r.status,
      Number(r.n),
    ]),
  );
  expect(Object.keys(byStatus).sort()).toEqual(['approved', 'draft', 'filed', 'returned', 'submitted']);
  expect(Object.values(byStatus).reduce((a, b) => a + b, 0)).toBe(39);
  // Every record's timeline is contiguous and ends at its seq; approvals spread over months.
  const [gaps] = rowsOf<{ n: number }>(
    await p.db.execute(sql`select count(*)::int as n from monitoring_records r
      where (select count(*) from monitoring_record_events e where e.record_id = r.id) <> r.seq
         or (select max(seq) from monitoring_record_events e where e.record_id = r.id) <> r.seq`),
  );
  expect(Number(gaps!.n)).toBe(0);
  const [months] = rowsOf<{ n: number }>(
    await p.db.execute(sql`select count(distinct date_trunc('month', approved_at))::int as n from monitoring_records where status = 'approved'`),
  );
  expect(Number(months!.n)).toBeGreaterThanOrEqual(3);
  // The demo people see them: the city's auditor has records waiting.
  const gz = await p.db.execute(sql`select u.id from users u where u.username = 'gzfpb'`);
  const gzActor = await p.services.accounts.actorForUser(rowsOf<{ id: string }>(gz)[0]!.id);
  expect((await p.services.monitoringRecords.pendingCounts(gzActor)).pending).toBeGreaterThan(0);

  // Again (a restart): nothing more.
  await seedDemoMonitoring(p, () => {}, createSeedSteps(p.db));
  const [again] = rowsOf<{ n: number }>(await p.db.execute(sql`select count(*)::int as n from monitoring_records`));
  expect(Number(again!.n)).toBe(39);
}, 120_000);

/** Recorded steps that stop the seed (like Ctrl-C would) right after the step named `after` is recorded. */
function stopAfter(db: Db, after: string): SeedSteps {
  const s = createSeedSteps(db);
  return {
    get ran() {
      return s.ran;
    },
    isDone: s.isDone,
    markDone: s.markDone,
    anyRecorded: s.anyRecorded,
    async step(name, run) {
      const result = await s.step(name, run);
      if (name === after) throw new Error(`interrupted after ${name}`);
      return result;
    },
  };
}

describe('the monitoring demo seed interrupted and resumed', () => {
  let q: Platform;
  beforeAll(async () => {
    q = await createTestPlatform();
    await seedDemo(q.db);
    await seedDemoMall(q);
  }, 400_000);
  afterAll(() => q?.close());

  it('a seed stopped after any step completes the rest at the next start, each account, record, decision and the mall order once', async () => {
    const run = (after?: string) => seedDemoMonitoring(q, () => {}, after ? stopAfter(q.db, after) : createSeedSteps(q.db));
    // Half-way through the accounts: the market is open, its wholesaler not yet.
    await expect(run('monitoring:accounts:channel:jiangnan')).rejects.toThrow(/interrupted/);
    expect(await count(q.db, sql`select count(*)::int as n from monitoring_units`)).toBeGreaterThan(0);
    expect(await count(q.db, sql`select count(*)::int as n from users where username = 'jnpifa'`)).toBe(1);
    expect(await count(q.db, sql`select count(*)::int as n from monitoring_members m join users u on u.id = m.user_id where u.username = 'jnpifa'`)).toBe(0);
    // After the mall order, before any record.
    await expect(run('monitoring:accounts:mall-order:gzqiye')).rejects.toThrow(/interrupted/);
    expect(await count(q.db, sql`select count(*)::int as n from monitoring_records`)).toBe(0);
    // In the middle of a record's path (submitted to the market, not yet approved by it), then after a record's dates moved back.
    await expect(run('monitoring:record:jnpifa:环江香猪:submit')).rejects.toThrow(/interrupted/);
    await expect(run('monitoring:record:jiangnan:田东香芒:backdate')).rejects.toThrow(/interrupted/);
    await run();
    await run();

    expect(await byStatus(q.db)).toEqual({ approved: 18, submitted: 6, filed: 3, returned: 5, draft: 7 });
    // One piece of evidence per record, every timeline contiguous, approvals spread over months.
    expect(await count(q.db, sql`select count(*)::int as n from monitoring_evidence`)).toBe(39);
    expect(
      await count(
        q.db,
        sql`select count(*)::int as n from monitoring_records r
          where (select count(*) from monitoring_record_events e where e.record_id = r.id) <> r.seq
             or (select max(seq) from monitoring_record_events e where e.record_id = r.id) <> r.seq`,
      ),
    ).toBe(0);
    expect(
      await count(q.db, sql`select count(distinct date_trunc('month', approved_at))::int as n from monitoring_records where status = 'approved'`),
    ).toBeGreaterThanOrEqual(3);
    // Moved back once: the record interrupted after its dates moved is as old as it should be (3 months and some days), not twice that.
    const days = await count(q.db, sql`select extract(day from now() - created_at)::int as n from monitoring_records where product_name = '田东香芒'`);
    expect(days).toBeGreaterThanOrEqual(90);
    expect(days).toBeLessThan(120);
    expect(await count(q.db, sql`select count(*)::int as n from monitoring_members`)).toBe(11);

    // The mall order, once, as the mall's flow leaves a completed order.
    const [order] = rowsOf<{ id: string; status: string; paid_at: Date; shipped_at: Date; received_at: Date; completed_at: Date }>(
      await q.db.execute(sql`select id, status::text, paid_at, shipped_at, received_at, completed_at from mall_orders where order_no = 'MO202609100000000209'`),
    );
    expect(order?.status).toBe('completed');
    expect(order!.paid_at && order!.shipped_at && order!.received_at && order!.completed_at).toBeTruthy();
    // The enterprise's one order (the mall's demo has its own units' order history besides).
    expect(await count(q.db, sql`select count(*)::int as n from mall_orders o join users u on u.id = o.buyer_user_id where u.username = 'gzqiye'`)).toBe(1);
    const events = rowsOf<{ type: string }>(await q.db.execute(sql`select type from mall_order_events where order_id = ${order!.id} order by created_at`)).map(
      (e) => e.type,
    );
    expect(events).toEqual(['created', 'paid', 'shipped', 'received', 'completed']);
    expect(await count(q.db, sql`select count(*)::int as n from mall_payments where status = 'paid' and ${order!.id} = any(order_ids)`)).toBe(1);
    expect(await count(q.db, sql`select quantity::int as n from mall_order_lines where order_id = ${order!.id}`)).toBe(40);
    expect(await count(q.db, sql`select (sold + stock)::int as n from products where name = '罗城毛葡萄 5 斤装'`)).toBe(400);
    expect((await q.services.ledger.check()).ok).toBe(true);
    // 商城订单转记录 finds it for the enterprise.
    const gzqiye = rowsOf<{ id: string; org: string }>(
      await q.db.execute(sql`select u.id, m.organisation_id as org from users u join monitoring_members m on m.user_id = u.id where u.username = 'gzqiye'`),
    )[0]!;
    const a = await q.services.accounts.actorForUser(gzqiye.id);
    const actor = { ...a, organisation: a.memberships.find((m) => m.organisationId === gzqiye.org) };
    const orders = await q.services.monitoringMallOrders.eligibleMallOrders(actor);
    expect(JSON.stringify(orders)).toContain('MO202609100000000209');
  }, 400_000);
});
