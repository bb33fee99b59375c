import { and, eq, gte, inArray, lt, or, sql, type SQL } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client';
import { individualProfiles, mallOrderLines, mallOrders, organisations, productCategories, users } from '../../db/schema';

/** Orders that count: paid and not refunded (cancelled and refunded orders never count). */
const COUNTED = ['paid', 'shipped', 'received', 'completed'] as const;

export type Granularity = 'day' | 'month';

/** The period label of a paid time in Shanghai: 2026-11 or 2026-11-23. */
const periodOf = (granularity: Granularity) =>
  sql<string>`to_char(${mallOrders.paidAt} at time zone 'Asia/Shanghai', ${granularity === 'day' ? 'YYYY-MM-DD' : 'YYYY-MM'})`;

/** Completed in [start, end), or paid in it and not completed yet. */
const countedIn = (start: Date, end: Date) =>
  or(
    and(eq(mallOrders.status, 'completed'), gte(mallOrders.completedAt, start), lt(mallOrders.completedAt, end)),
    and(inArray(mallOrders.status, ['paid', 'shipped', 'received']), gte(mallOrders.paidAt, start), lt(mallOrders.paidAt, end)),
  );

const unitFilter = (unitIds?: readonly string[]) =>
  unitIds === undefined ? sql`${mallOrders.unitId} is not null` : sql`${mallOrders.unitId} = any(string_to_array(${unitIds.join(',')}, ',')::uuid[])`;

/** SQL of the mall statistics: sums over counted orders paid within [start, end). */
export const statisticsRepo = {
  /** A unit's counted orders: per employee (largest first), the unit's own purchases, and per period. */
  async unitFigures(q: DbOrTx, unitId: string, start: Date, end: Date, granularity: Granularity) {
    const where = and(eq(mallOrders.unitId, unitId), inArray(mallOrders.status, [...COUNTED]), gte(mallOrders.paidAt, start), lt(mallOrders.paidAt, end));
    const [byEmployee, own, byPeriod] = await Promise.all([
      q
        .select({
          userId: mallOrders.buyerUserId,
          username: users.username,
          realName: individualProfiles.realName,
          orders: sql<number>`count(*)::int`,
          amountFen: sql<string>`sum(${mallOrders.totalFen})`,
        })
        .from(mallOrders)
        .innerJoin(users, eq(users.id, mallOrders.buyerUserId))
        .leftJoin(individualProfiles, eq(individualProfiles.userId, mallOrders.buyerUserId))
        .where(and(where, eq(mallOrders.buyerKind, 'individual')))
        .groupBy(mallOrders.buyerUserId, users.username, individualProfiles.realName)
        .orderBy(sql`sum(${mallOrders.totalFen}) desc`),
      q
        .select({ orders: sql<number>`count(*)::int`, amountFen: sql<string>`coalesce(sum(${mallOrders.totalFen}), 0)` })
        .from(mallOrders)
        .where(and(where, eq(mallOrders.buyerKind, 'unit'))),
      q
        .select({
          period: periodOf(granularity),
          employeeFen: sql<string>`coalesce(sum(${mallOrders.totalFen}) filter (where ${mallOrders.buyerKind} = 'individual'), 0)`,
          unitFen: sql<string>`coalesce(sum(${mallOrders.totalFen}) filter (where ${mallOrders.buyerKind} = 'unit'), 0)`,
          orders: sql<number>`count(*)::int`,
        })
        .from(mallOrders)
        .where(where)
        .groupBy(sql`1`)
        .orderBy(sql`1`),
    ]);
    return { byEmployee, own, byPeriod };
  },

  /** The region a government department governs ('' when none is recorded). */
  async organisationRegion(q: DbOrTx, organisationId: string): Promise<string> {
    const [row] = await q.select({ regionCode: organisations.regionCode }).from(organisations).where(eq(organisations.id, organisationId));
    return row?.regionCode ?? '';
  },

  /** Counted order lines whose origin lies within the region: by district, township, top category and period, and in total. */
  async regionFigures(q: DbOrTx, code: string, start: Date, end: Date, granularity: Granularity) {
    const amount = sql<string>`sum(${mallOrderLines.priceFen} * ${mallOrderLines.quantity})`;
    const base = (extra?: SQL) =>
      and(
        sql`${mallOrderLines.originCode} like ${`${code}%`}`,
        inArray(mallOrders.status, [...COUNTED]),
        gte(mallOrders.paidAt, start),
        lt(mallOrders.paidAt, end),
        extra,
      );
    const group = async (key: SQL<string>, extra?: SQL) =>
      q
        .select({
          key,
          amountFen: amount,
          orders: sql<number>`count(distinct ${mallOrders.id})::int`,
          quantity: sql<number>`sum(${mallOrderLines.quantity})::int`,
        })
        .from(mallOrderLines)
        .innerJoin(mallOrders, eq(mallOrders.id, mallOrderLines.orderId))
        .where(base(extra))
        .groupBy(sql`1`)
        .orderBy(sql`2 desc`);
    const [districts, townships, categories, periods, totals] = await Promise.all([
      group(sql<string>`substr(${mallOrderLines.originCode}, 1, 6)`),
      group(sql<string>`${mallOrderLines.originCode}`, sql`length(${mallOrderLines.originCode}) = 9`),
      group(sql<string>`split_part(${mallOrderLines.categoryCode}, '.', 1)`),
      q
        .select({
          key: periodOf(granularity),
          amountFen: amount,
          orders: sql<number>`count(distinct ${mallOrders.id})::int`,
          quantity: sql<number>`sum(${mallOrderLines.quantity})::int`,
        })
        .from(mallOrderLines)
        .innerJoin(mallOrders, eq(mallOrders.id, mallOrderLines.orderId))
        .where(base())
        .groupBy(sql`1`)
        .orderBy(sql`1`),
      q
        .select({
          amountFen: sql<string>`coalesce(sum(${mallOrderLines.priceFen} * ${mallOrderLines.quantity}), 0)`,
          orders: sql<number>`count(distinct ${mallOrders.id})::int`,
        })
        .from(mallOrderLines)
        .innerJoin(mallOrders, eq(mallOrders.id, mallOrderLines.orderId))
        .where(base()),
    ]);
    return { districts, townships, categories, periods, totals };
  },

  /** Every counted order of the mall (units' and individuals') in [start, end), as purchasesByUnit counts them: how many and their sum. */
  async mallTotals(q: DbOrTx, start: Date, end: Date) {
    const [row] = await q
      .select({ orders: sql<number>`count(*)::int`, amountFen: sql<string>`coalesce(sum(${mallOrders.totalFen}), 0)` })
      .from(mallOrders)
      .where(countedIn(start, end));
    return row;
  },

  /**
   * A year's unit purchases (buyer_kind 'unit') per unit and Shanghai month, in one grouped query: completed
   * orders by completion time, paid-not-completed ones (paid, shipped, received) by payment time. Refunded
   * and cancelled orders never count. `unitIds` (any number) are passed as one text parameter.
   */
  async purchasesByUnit(q: DbOrTx, p: { start: Date; end: Date; unitIds?: readonly string[]; byMonth: boolean }) {
    const completed = sql`${mallOrders.status} = 'completed'`;
    const pending = sql`${mallOrders.status} in ('paid', 'shipped', 'received')`;
    const month = p.byMonth
      ? sql<number>`extract(month from (case when ${completed} then ${mallOrders.completedAt} else ${mallOrders.paidAt} end) at time zone 'Asia/Shanghai')::int`
      : sql<number>`0`;
    return q
      .select({
        unitId: sql<string>`${mallOrders.unitId}`,
        month,
        completedFen: sql<string>`coalesce(sum(${mallOrders.totalFen}) filter (where ${completed}), 0)`,
        pendingFen: sql<string>`coalesce(sum(${mallOrders.totalFen}) filter (where ${pending}), 0)`,
      })
      .from(mallOrders)
      .where(and(eq(mallOrders.buyerKind, 'unit'), unitFilter(p.unitIds), countedIn(p.start, p.end)))
      .groupBy(mallOrders.unitId, sql`2`);
  },

  /** One unit's orders that count in [start, end) (see purchasesByUnit), newest first, with the merchant's name. */
  async unitOrders(q: DbOrTx, p: { unitId: string; start: Date; end: Date; limit: number; offset: number }) {
    const where = and(eq(mallOrders.buyerKind, 'unit'), eq(mallOrders.unitId, p.unitId), countedIn(p.start, p.end));
    const [rows, [total]] = await Promise.all([
      q
        .select({
          id: mallOrders.id,
          orderNo: mallOrders.orderNo,
          status: mallOrders.status,
          totalFen: mallOrders.totalFen,
          merchantName: organisations.fullName,
          paidAt: mallOrders.paidAt,
          completedAt: mallOrders.completedAt,
          lines: sql<string>`(select string_agg(l.name, '、' order by l.id) from ${mallOrderLines} l where l.order_id = ${mallOrders.id})`,
        })
        .from(mallOrders)
        .innerJoin(organisations, eq(organisations.id, mallOrders.merchantId))
        .where(where)
        .orderBy(sql`coalesce(${mallOrders.completedAt}, ${mallOrders.paidAt}) desc`, mallOrders.id)
        .limit(p.limit)
        .offset(p.offset),
      q
        .select({ n: sql<number>`count(*)::int` })
        .from(mallOrders)
        .where(where),
    ]);
    return { rows, total: total?.n ?? 0 };
  },

  categoryNames: (q: DbOrTx) => q.select({ code: productCategories.code, name: productCategories.name }).from(productCategories),
};
