import { randomUUID } from 'node:crypto';
import type { Db } from '../../db/client';
import { budgetUnits, budgetUnitTree, mallOrders, organisations, users } from '../../db/schema';
import type { Actor, MemberRole } from '../shared/actor';

/**
 * Test fixtures of the quota statistics, written straight to the tables: a budget-unit tree (with its
 * closure rows) and unit orders in any state. Only tests use them; the real tree comes from the imports.
 */

export interface TreeNode {
  id: string;
  superiorId: string | null;
  name: string;
  role?: 'central_dept' | 'finance_dept' | 'unit';
  budgetLevel?: '中央' | '省' | '市' | '县' | '乡';
  annualFen: number;
  ratioBp: number;
}

/** Inserts the organisations, budget units and closure rows of a forest (parents may come after children). */
export async function insertTree(db: Db, nodes: readonly TreeNode[]) {
  if (nodes.length === 0) return;
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const closure: { ancestorId: string; descendantId: string; depth: number }[] = [];
  for (const n of nodes) {
    let cur: TreeNode | undefined = n;
    for (let depth = 0; cur; depth++) {
      closure.push({ ancestorId: cur.id, descendantId: n.id, depth });
      cur = cur.superiorId ? byId.get(cur.superiorId) : undefined;
    }
  }
  const chunk = <T>(xs: T[], size = 500) => Array.from({ length: Math.ceil(xs.length / size) }, (_, i) => xs.slice(i * size, (i + 1) * size));
  for (const part of chunk([...nodes])) await db.insert(organisations).values(part.map((n) => ({ id: n.id, kind: 'budget_unit' as const, fullName: n.name })));
  // Superiors reference organisations only, so the budget-unit rows go in any order.
  for (const part of chunk([...nodes]))
    await db.insert(budgetUnits).values(
      part.map((n) => ({
        organisationId: n.id,
        role: n.role ?? 'unit',
        superiorId: n.superiorId,
        contactName: '联系人',
        contactMobile: '13800000000',
        budgetLevel: n.budgetLevel ?? '县',
        annualFen: n.annualFen,
        ratioBp: n.ratioBp,
      })),
    );
  for (const part of chunk(closure)) await db.insert(budgetUnitTree).values(part);
}

/** A user and a merchant organisation for fixture orders. */
export async function orderParties(db: Db) {
  const tag = randomUUID().slice(0, 8);
  const [user] = await db
    .insert(users)
    .values({ username: `qs${tag}`, mobile: `139${String(parseInt(tag, 16) % 100_000_000).padStart(8, '0')}`, passwordHash: 'x' })
    .returning({ id: users.id });
  const [shop] = await db
    .insert(organisations)
    .values({ kind: 'merchant', fullName: `酉阳县测试合作社${tag}`, regionCode: '500242' })
    .returning({ id: organisations.id });
  return { buyerUserId: user!.id, merchantId: shop!.id };
}

export interface FixtureOrder {
  unitId: string;
  status: 'pending_payment' | 'paid' | 'shipped' | 'received' | 'completed' | 'cancelled' | 'refunded';
  totalFen: number;
  paidAt: Date | null;
  completedAt: Date | null;
  buyerKind?: 'unit' | 'individual';
}

/** Inserts orders as they would stand (no lines, no payments: the statistics read the orders only). */
export async function insertOrders(db: Db, parties: { buyerUserId: string; merchantId: string }, orders: readonly FixtureOrder[]) {
  const rows = orders.map((o) => ({
    orderNo: `MQ${randomUUID().replaceAll('-', '').slice(0, 20)}`,
    checkoutId: randomUUID(),
    buyerUserId: parties.buyerUserId,
    buyerKind: o.buyerKind ?? ('unit' as const),
    unitId: o.unitId,
    merchantId: parties.merchantId,
    status: o.status,
    totalFen: o.totalFen,
    address: { recipient: '张三', mobile: '13800000000', regionCode: '500118', regionName: '重庆市永川区', detail: '人民大道 1 号' },
    paidAt: o.paidAt,
    completedAt: o.completedAt,
    createdAt: o.paidAt ?? new Date('2026-01-01T00:00:00Z'),
    updatedAt: o.completedAt ?? o.paidAt ?? new Date('2026-01-01T00:00:00Z'),
  }));
  for (let i = 0; i < rows.length; i += 500) await db.insert(mallOrders).values(rows.slice(i, i + 500));
}

/** An actor acting for `organisationId` with `role` (no session: the statistics service reads the actor only). */
export function actorFor(organisationId: string, role: MemberRole = 'admin', name = '测试单位'): Actor {
  const m = { organisationId, kind: 'budget_unit' as const, fullName: name, uscc: null, status: 'active' as const, role };
  return { userId: randomUUID(), username: 'tester', sessionId: randomUUID(), memberships: [m], organisation: m, isOperator: false };
}
