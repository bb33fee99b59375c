import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { sql } from 'drizzle-orm';
import { createTestPlatform, ManualClock } from '../testing/test-platform';
import type { Platform } from '../platform/platform';
import { actorFor, insertOrders, insertTree, orderParties, type FixtureOrder, type TreeNode } from './statistics.fixtures';
import { createQuotaStatisticsService } from './statistics.service';
import type { StatisticsRowView } from './statistics.schema';

/**
 * The service's figures (the closure table, the mall's grouped read, the roll-up in memory) equal a
 * brute-force recomputation: a recursive query over superior_id and a sum over every order row, to the
 * fen, for random trees of at most 5 levels and random orders around the year's edges.
 */

let p: Platform;
let parties: { buyerUserId: string; merchantId: string };
const clock = new ManualClock(new Date('2026-11-23T02:00:00Z'));
beforeAll(async () => {
  p = await createTestPlatform({ clock });
  parties = await orderParties(p.db);
});
afterAll(() => p?.close());

const YEAR = 2026;
// Instants around the Shanghai year's edges, and anything in between.
const EDGES = ['2025-12-31T15:59:59.999Z', '2025-12-31T16:00:00Z', '2026-06-30T16:00:00Z', '2026-12-31T15:59:59.999Z', '2026-12-31T16:00:00Z'].map((s) =>
  Date.parse(s),
);
const instant = fc.oneof(fc.constantFrom(...EDGES), fc.integer({ min: Date.parse('2025-12-20T00:00:00Z'), max: Date.parse('2027-01-10T00:00:00Z') }));
const STATUSES = ['pending_payment', 'paid', 'shipped', 'received', 'completed', 'cancelled', 'refunded'] as const;

const scenario = fc.record({
  // Node i > 0 hangs under one of the earlier nodes less than 4 levels deep (at most 5 levels).
  parents: fc.array(fc.nat(), { maxLength: 25 }),
  amounts: fc.array(
    fc.record({ annualFen: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 10_000_000_000 })), ratioBp: fc.integer({ min: 0, max: 10_000 }) }),
    {
      minLength: 26,
      maxLength: 26,
    },
  ),
  orders: fc.array(
    fc.record({
      unit: fc.nat(),
      status: fc.constantFrom(...STATUSES),
      totalFen: fc.integer({ min: 1, max: 100_000_000 }),
      paidAt: instant,
      completedAfter: fc.integer({ min: 0, max: 40 * 86_400_000 }),
      buyerKind: fc.constantFrom('unit' as const, 'unit' as const, 'individual' as const),
    }),
    { maxLength: 60 },
  ),
  levels: fc.array(fc.constantFrom('中央' as const, '省' as const, '市' as const, '县' as const, '乡' as const), { minLength: 26, maxLength: 26 }),
});

interface Brute {
  id: string;
  ownReserved: number;
  ownActual: number;
  ownPending: number;
  reserved: number;
  actual: number;
  pending: number;
  units: number;
}

/** Each unit's own and subtree figures by a recursive query over superior_id and plain sums over the orders. */
async function bruteForce(ids: string[]): Promise<Map<string, Brute>> {
  const start = `${YEAR}-01-01T00:00:00+08:00`;
  const end = `${YEAR + 1}-01-01T00:00:00+08:00`;
  const list = ids.join(',');
  const rows = await p.db.execute(sql`
    with recursive sub(root, id) as (
      select organisation_id, organisation_id from budget_units where organisation_id = any(string_to_array(${list}, ',')::uuid[])
      union all
      select s.root, b.organisation_id from budget_units b join sub s on b.superior_id = s.id
    ),
    own as (
      select b.organisation_id as id,
        floor((b.annual_fen::numeric * b.ratio_bp + 5000) / 10000) as reserved,
        (select coalesce(sum(o.total_fen), 0) from mall_orders o where o.unit_id = b.organisation_id and o.buyer_kind = 'unit'
           and o.status = 'completed' and o.completed_at >= ${start}::timestamptz and o.completed_at < ${end}::timestamptz) as actual,
        (select coalesce(sum(o.total_fen), 0) from mall_orders o where o.unit_id = b.organisation_id and o.buyer_kind = 'unit'
           and o.status in ('paid', 'shipped', 'received') and o.paid_at >= ${start}::timestamptz and o.paid_at < ${end}::timestamptz) as pending
      from budget_units b where b.organisation_id = any(string_to_array(${list}, ',')::uuid[])
    )
    select s.root as id, max(r.reserved) as "ownReserved", max(r.actual) as "ownActual", max(r.pending) as "ownPending",
      sum(o.reserved) as reserved, sum(o.actual) as actual, sum(o.pending) as pending, count(*) as units
    from sub s join own o on o.id = s.id join own r on r.id = s.root
    group by s.root`);
  const list2 = (Array.isArray(rows) ? rows : (rows as { rows: Record<string, unknown>[] }).rows) as Record<string, unknown>[];
  return new Map(
    list2.map((r) => [
      String(r.id),
      {
        id: String(r.id),
        ownReserved: Number(r.ownReserved),
        ownActual: Number(r.ownActual),
        ownPending: Number(r.ownPending),
        reserved: Number(r.reserved),
        actual: Number(r.actual),
        pending: Number(r.pending),
        units: Number(r.units),
      },
    ]),
  );
}

describe('quota statistics against a brute-force recomputation', () => {
  it('every unit of random trees: own and subtree reserved, actual and pending to the fen; months add up', { timeout: 600_000 }, async () => {
    const service = createQuotaStatisticsService({ db: p.db, clock, purchases: p.services.statistics });
    // The same service reading every unit's purchases and keeping the subtree's (the large-subtree path).
    const readingAll = createQuotaStatisticsService({ db: p.db, clock, purchases: p.services.statistics, largeSubtree: 0 });
    await fc.assert(
      fc.asyncProperty(scenario, async (s) => {
        const n = s.parents.length + 1;
        const ids = Array.from({ length: n }, () => randomUUID());
        const depth = [0];
        const nodes: TreeNode[] = [
          { id: ids[0]!, superiorId: null, name: `根单位${ids[0]!.slice(0, 6)}`, role: 'finance_dept', ...s.amounts[0]!, budgetLevel: s.levels[0] },
        ];
        s.parents.forEach((choice, k) => {
          const i = k + 1;
          const open = depth.flatMap((d, j) => (d < 4 ? [j] : []));
          const parent = open[choice % open.length]!;
          depth.push(depth[parent]! + 1);
          nodes.push({ id: ids[i]!, superiorId: ids[parent]!, name: `单位${i}-${ids[i]!.slice(0, 6)}`, ...s.amounts[i]!, budgetLevel: s.levels[i] });
        });
        await insertTree(p.db, nodes);
        const orders: FixtureOrder[] = s.orders.map((o) => {
          const paid = o.status === 'pending_payment' || o.status === 'cancelled' ? null : new Date(o.paidAt);
          return {
            unitId: ids[o.unit % n]!,
            status: o.status,
            totalFen: o.totalFen,
            paidAt: paid,
            completedAt: o.status === 'completed' ? new Date(o.paidAt + o.completedAfter) : null,
            buyerKind: o.buyerKind,
          };
        });
        await insertOrders(p.db, parties, orders);

        const brute = await bruteForce(ids);
        const actor = actorFor(ids[0]!);
        const rows: StatisticsRowView[] = [];
        for (let page = 1; ; page++) {
          const v = await service.subtree(actor, { year: YEAR, page, pageSize: 100 });
          rows.push(...v.rows.items);
          const root = brute.get(ids[0]!)!;
          expect(v.totals).toMatchObject({ reservedFen: root.reserved, actualFen: root.actual, pendingFen: root.pending, units: n });
          expect(v.bands.reduce((t, b) => t + b.units, 0)).toBe(n);
          if (rows.length >= v.rows.total) break;
        }
        expect(rows).toHaveLength(n);
        for (const r of rows) {
          const b = brute.get(r.key)!;
          expect([r.reservedFen, r.actualFen, r.pendingFen]).toEqual([b.ownReserved, b.ownActual, b.ownPending]);
          const sub = r.subtree ?? { reservedFen: r.reservedFen, actualFen: r.actualFen, pendingFen: r.pendingFen, units: 1 };
          expect([sub.reservedFen, sub.actualFen, sub.pendingFen, sub.units]).toEqual([b.reserved, b.actual, b.pending, b.units]);
        }
        expect(await readingAll.subtree(actor, { year: YEAR, pageSize: 100 })).toEqual(await service.subtree(actor, { year: YEAR, pageSize: 100 }));
        for (const groupBy of ['level', 'region'] as const) {
          const v = await service.subtree(actor, { year: YEAR, groupBy, pageSize: 100 });
          const root = brute.get(ids[0]!)!;
          const sum = (k: 'reservedFen' | 'actualFen' | 'pendingFen' | 'units') => v.rows.items.reduce((t, r) => t + r[k], 0);
          expect([sum('reservedFen'), sum('actualFen'), sum('pendingFen'), sum('units')]).toEqual([root.reserved, root.actual, root.pending, n]);
        }
        // One unit's months add up to its year, and a unit deep down sees its own subtree only.
        const some = ids[s.orders[0]?.unit ? s.orders[0].unit % n : 0]!;
        const u = await service.unit(actorFor(some), { year: YEAR });
        const b = brute.get(some)!;
        expect([u.reservedFen, u.actualFen, u.pendingFen]).toEqual([b.ownReserved, b.ownActual, b.ownPending]);
        expect([u.months.reduce((t, m) => t + m.actualFen, 0), u.months.reduce((t, m) => t + m.pendingFen, 0)]).toEqual([b.ownActual, b.ownPending]);
        if (u.subtree) expect([u.subtree.reservedFen, u.subtree.actualFen, u.subtree.units]).toEqual([b.reserved, b.actual, b.units]);
      }),
      // 40 random trees with their orders per run (about 9 s on PGlite): CI runs it twice, in both modes.
      { numRuns: 40, seed: 20261206 },
    );
  });
});
