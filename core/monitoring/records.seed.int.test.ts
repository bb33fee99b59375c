import { afterAll, beforeAll, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { rowsOf } from '../../db/client';
import { createTestPlatform } from '../testing/test-platform';
import { createSeedSteps } from '../platform/seed-steps';
import type { Platform } from '../platform/platform';
import { seedDemoMonitoring } from './monitoring.seed';

let p: Platform;
beforeAll(async () => {
  p = await createTestPlatform();
});
afterAll(() => p?.close());

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
