import ExcelJS from 'exceljs';
import { stringify } from 'csv-stringify/sync';
import { and, eq, gte, inArray, lt, sql, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../../db/client';
import { individualProfiles, mallOrderLines, mallOrders, organisations, productCategories, users } from '../../db/schema';
import { can } from '../shared/access';
import { requireActor, type Actor } from '../shared/actor';
import { AppError } from '../shared/app-error';
import { regionName } from '../shared/regions';
import { parseInput } from '../shared/validate';

/** Orders that count: paid and not refunded (cancelled and refunded orders never count). */
const COUNTED = ['paid', 'shipped', 'received', 'completed'] as const;

export const StatisticsQuery = z
  .object({
    from: z.iso.date('开始日期格式为 YYYY-MM-DD'),
    to: z.iso.date('结束日期格式为 YYYY-MM-DD'),
    granularity: z.enum(['day', 'month'], { message: '统计粒度为 day 或 month' }).default('month'),
    /** Operators may look at any region; a government department sees its own. */
    region: z.string().regex(/^\d{2,9}$/, '地区代码无效').optional(),
  })
  .refine((q) => q.from <= q.to, { path: ['to'], message: '结束日期不能早于开始日期' });
export type StatisticsQuery = z.input<typeof StatisticsQuery>;

/** [from 00:00, to + 1 day 00:00) in Asia/Shanghai. */
const range = (q: { from: string; to: string }) => ({
  start: new Date(`${q.from}T00:00:00+08:00`),
  end: new Date(new Date(`${q.to}T00:00:00+08:00`).getTime() + 86_400_000),
});

/** The period label of a paid time in Shanghai: 2026-11 or 2026-11-23. */
const periodOf = (granularity: 'day' | 'month') =>
  sql<string>`to_char(${mallOrders.paidAt} at time zone 'Asia/Shanghai', ${granularity === 'day' ? 'YYYY-MM-DD' : 'YYYY-MM'})`;

const num = (v: unknown) => Number(v ?? 0);

/**
 * Statistics of the mall (单位员工消费统计, 所辖区域消费统计). Every figure is a sum over paid,
 * not refunded orders, attributed as they were at purchase time: to the buyer's unit, and to the
 * origin (district, township) of what was bought.
 */
export function createStatisticsService({ db }: { db: Db }) {
  /** A unit's admin: its employees' consumption (per employee, per period) and the unit's own purchases. */
  async function unit(actor: Actor | null, raw: unknown) {
    const a = requireActor(actor);
    const org = a.organisation;
    if (org?.kind !== 'unit' || !can(a, 'statistics.view', { organisationId: org.organisationId })) throw new AppError('FORBIDDEN', '只有单位管理员可以查看单位员工消费统计');
    const q = parseInput(StatisticsQuery, raw);
    const { start, end } = range(q);
    const where = and(eq(mallOrders.unitId, org.organisationId), inArray(mallOrders.status, [...COUNTED]), gte(mallOrders.paidAt, start), lt(mallOrders.paidAt, end));
    const [byEmployee, own, byPeriod] = await Promise.all([
      db
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
      db
        .select({ orders: sql<number>`count(*)::int`, amountFen: sql<string>`coalesce(sum(${mallOrders.totalFen}), 0)` })
        .from(mallOrders)
        .where(and(where, eq(mallOrders.buyerKind, 'unit'))),
      db
        .select({
          period: periodOf(q.granularity),
          employeeFen: sql<string>`coalesce(sum(${mallOrders.totalFen}) filter (where ${mallOrders.buyerKind} = 'individual'), 0)`,
          unitFen: sql<string>`coalesce(sum(${mallOrders.totalFen}) filter (where ${mallOrders.buyerKind} = 'unit'), 0)`,
          orders: sql<number>`count(*)::int`,
        })
        .from(mallOrders)
        .where(where)
        .groupBy(sql`1`)
        .orderBy(sql`1`),
    ]);
    const employees = byEmployee.map((e) => ({ userId: e.userId, name: e.realName ?? e.username, username: e.username, orders: num(e.orders), amountFen: num(e.amountFen) }));
    const unitOwn = { orders: num(own[0]?.orders), amountFen: num(own[0]?.amountFen) };
    const employeeFen = employees.reduce((s, e) => s + e.amountFen, 0);
    return {
      unit: { id: org.organisationId, fullName: org.fullName },
      query: q,
      totals: { orders: employees.reduce((s, e) => s + e.orders, 0) + unitOwn.orders, amountFen: employeeFen + unitOwn.amountFen, employeeFen, employeeCount: employees.length },
      unitOwn,
      employees,
      periods: byPeriod.map((p) => ({ period: p.period, employeeFen: num(p.employeeFen), unitFen: num(p.unitFen), orders: num(p.orders) })),
    };
  }

  /** The region a caller may see: a government department's own (and below), any for operators. */
  async function regionOf(a: Actor, requested?: string) {
    if (a.isOperator) {
      if (!requested) throw new AppError('VALIDATION', '请选择地区', { region: '请选择地区' });
      return requested;
    }
    const org = a.organisation;
    if (org?.kind !== 'government') throw new AppError('FORBIDDEN', '只有政府部门可以查看所辖区域消费统计');
    const [row] = await db.select({ regionCode: organisations.regionCode }).from(organisations).where(eq(organisations.id, org.organisationId));
    const own = row?.regionCode ?? '';
    if (!own) throw new AppError('FORBIDDEN', '本部门没有登记所辖区域，请联系平台');
    if (requested && !requested.startsWith(own)) throw new AppError('FORBIDDEN', '只能查看本部门所辖区域');
    return requested ?? own;
  }

  /** 所辖区域消费统计: purchases of produce from the region, by district, township, category and period. */
  async function region(actor: Actor | null, raw: unknown) {
    const a = requireActor(actor);
    const q = parseInput(StatisticsQuery, raw);
    const code = await regionOf(a, q.region);
    const { start, end } = range(q);
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
      db
        .select({ key, amountFen: amount, orders: sql<number>`count(distinct ${mallOrders.id})::int`, quantity: sql<number>`sum(${mallOrderLines.quantity})::int` })
        .from(mallOrderLines)
        .innerJoin(mallOrders, eq(mallOrders.id, mallOrderLines.orderId))
        .where(base(extra))
        .groupBy(sql`1`)
        .orderBy(sql`2 desc`);
    const [districts, townships, categories, periods, totals] = await Promise.all([
      group(sql<string>`substr(${mallOrderLines.originCode}, 1, 6)`),
      group(sql<string>`${mallOrderLines.originCode}`, sql`length(${mallOrderLines.originCode}) = 9`),
      group(sql<string>`split_part(${mallOrderLines.categoryCode}, '.', 1)`),
      db
        .select({ key: periodOf(q.granularity), amountFen: amount, orders: sql<number>`count(distinct ${mallOrders.id})::int`, quantity: sql<number>`sum(${mallOrderLines.quantity})::int` })
        .from(mallOrderLines)
        .innerJoin(mallOrders, eq(mallOrders.id, mallOrderLines.orderId))
        .where(base())
        .groupBy(sql`1`)
        .orderBy(sql`1`),
      db
        .select({ amountFen: sql<string>`coalesce(sum(${mallOrderLines.priceFen} * ${mallOrderLines.quantity}), 0)`, orders: sql<number>`count(distinct ${mallOrders.id})::int` })
        .from(mallOrderLines)
        .innerJoin(mallOrders, eq(mallOrders.id, mallOrderLines.orderId))
        .where(base()),
    ]);
    const cats = await db.select({ code: productCategories.code, name: productCategories.name }).from(productCategories);
    const catName = new Map(cats.map((c) => [c.code, c.name]));
    const row = (r: { key: string; amountFen: string; orders: number; quantity: number }, name: string) => ({ code: r.key, name, amountFen: num(r.amountFen), orders: num(r.orders), quantity: num(r.quantity) });
    return {
      region: { code, name: regionName(code) },
      query: q,
      totals: { amountFen: num(totals[0]?.amountFen), orders: num(totals[0]?.orders) },
      districts: districts.map((r) => row(r, regionName(r.key))),
      townships: townships.map((r) => row(r, regionName(r.key))),
      categories: categories.map((r) => row(r, catName.get(r.key) ?? r.key)),
      periods: periods.map((r) => row(r, r.key)),
    };
  }

  type Sheet = { name: string; columns: string[]; rows: (string | number)[][] };

  async function toXlsx(sheets: Sheet[]) {
    const wb = new ExcelJS.Workbook();
    wb.creator = '帮扶平台';
    for (const s of sheets) {
      const ws = wb.addWorksheet(s.name);
      ws.addRow(s.columns).font = { bold: true };
      for (const r of s.rows) ws.addRow(r);
      ws.columns.forEach((c, i) => {
        c.width = Math.max(12, s.columns[i]!.length * 2 + 4);
        // Codes stay text (a region or order code must not become a number in Excel).
        if (/代码|用户名/.test(s.columns[i]!)) c.numFmt = '@';
      });
    }
    return new Uint8Array(await wb.xlsx.writeBuffer());
  }

  const toCsv = (s: Sheet) => `\uFEFF${stringify([s.columns, ...s.rows])}`;
  const yuan = (fen: number) => (fen / 100).toFixed(2);

  return {
    unit,
    region,

    /**
     * Which region a caller's 所辖区域消费统计 cover: a department's own (it may narrow down within it),
     * or any region for operators (code null). Errors: FORBIDDEN (not a department, or none registered).
     */
    async regionScope(actor: Actor | null) {
      const a = requireActor(actor);
      if (a.isOperator) return { code: null, name: null, anyRegion: true as const };
      const code = await regionOf(a);
      return { code, name: regionName(code), anyRegion: false as const };
    },

    /** The unit statistics as a spreadsheet (xlsx: one sheet per table) or CSV (the employee table). */
    async exportUnit(actor: Actor | null, raw: unknown, format: 'xlsx' | 'csv') {
      const s = await unit(actor, raw);
      const employees: Sheet = { name: '员工消费', columns: ['姓名', '用户名', '订单数', '消费金额（元）'], rows: s.employees.map((e) => [e.name, e.username, e.orders, yuan(e.amountFen)]) };
      const periods: Sheet = { name: '按期间', columns: ['期间', '员工消费（元）', '单位采购（元）', '订单数'], rows: s.periods.map((p) => [p.period, yuan(p.employeeFen), yuan(p.unitFen), p.orders]) };
      const summary: Sheet = {
        name: '汇总',
        columns: ['项目', '金额（元）', '订单数'],
        rows: [
          ['员工消费', yuan(s.totals.employeeFen), s.totals.orders - s.unitOwn.orders],
          ['单位采购', yuan(s.unitOwn.amountFen), s.unitOwn.orders],
          ['合计', yuan(s.totals.amountFen), s.totals.orders],
        ],
      };
      const name = `${s.unit.fullName}-消费统计-${s.query.from}至${s.query.to}`;
      return format === 'xlsx'
        ? { filename: `${name}.xlsx`, contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', bytes: await toXlsx([summary, employees, periods]) }
        : { filename: `${name}.csv`, contentType: 'text/csv; charset=utf-8', bytes: new TextEncoder().encode(toCsv(employees)) };
    },

    async exportRegion(actor: Actor | null, raw: unknown, format: 'xlsx' | 'csv') {
      const s = await region(actor, raw);
      const table = (name: string, first: string, rows: typeof s.districts): Sheet => ({
        name,
        columns: [first, '代码', '金额（元）', '订单数', '数量'],
        rows: rows.map((r) => [r.name, r.code, yuan(r.amountFen), r.orders, r.quantity]),
      });
      const sheets = [table('区县', '区县', s.districts), table('乡镇', '乡镇', s.townships), table('品类', '品类', s.categories), table('期间', '期间', s.periods)];
      const name = `${s.region.name}-区域消费统计-${s.query.from}至${s.query.to}`;
      return format === 'xlsx'
        ? { filename: `${name}.xlsx`, contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', bytes: await toXlsx(sheets) }
        : { filename: `${name}.csv`, contentType: 'text/csv; charset=utf-8', bytes: new TextEncoder().encode(toCsv(sheets[0]!)) };
    },
  };
}

export type StatisticsService = ReturnType<typeof createStatisticsService>;
