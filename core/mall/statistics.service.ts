import { z } from 'zod';
import type { Db } from '../../db/client';
import { can } from '../shared/access';
import { requireActor, type Actor } from '../shared/actor';
import { AppError } from '../shared/app-error';
import { csvFile, xlsxFile, type ExportFile, type Sheet } from '../shared/export';
import { fenToYuan } from '../shared/money';
import { regionName } from '../shared/regions';
import { shanghaiDayRange } from '../shared/time';
import { parseInput } from '../shared/validate';
import { statisticsRepo } from './statistics.repo';

export const StatisticsQuery = z
  .object({
    from: z.iso.date('开始日期格式为 YYYY-MM-DD'),
    to: z.iso.date('结束日期格式为 YYYY-MM-DD'),
    granularity: z.enum(['day', 'month'], { message: '统计粒度为 day 或 month' }).default('month'),
    /** Operators may look at any region; a government department sees its own. */
    region: z
      .string()
      .regex(/^\d{2,9}$/, '地区代码无效')
      .optional(),
  })
  .refine((q) => q.from <= q.to, { path: ['to'], message: '结束日期不能早于开始日期' });
export type StatisticsQuery = z.input<typeof StatisticsQuery>;

/** [from 00:00, to + 1 day 00:00) in Asia/Shanghai. */
const range = (q: { from: string; to: string }) => shanghaiDayRange(q.from, q.to);

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
    if (org?.kind !== 'unit' || !can(a, 'statistics.view', { organisationId: org.organisationId }))
      throw new AppError('FORBIDDEN', '只有单位管理员可以查看单位员工消费统计');
    const q = parseInput(StatisticsQuery, raw);
    const { start, end } = range(q);
    const { byEmployee, own, byPeriod } = await statisticsRepo.unitFigures(db, org.organisationId, start, end, q.granularity);
    const employees = byEmployee.map((e) => ({
      userId: e.userId,
      name: e.realName ?? e.username,
      username: e.username,
      orders: num(e.orders),
      amountFen: num(e.amountFen),
    }));
    const unitOwn = { orders: num(own[0]?.orders), amountFen: num(own[0]?.amountFen) };
    const employeeFen = employees.reduce((s, e) => s + e.amountFen, 0);
    return {
      unit: { id: org.organisationId, fullName: org.fullName },
      query: q,
      totals: {
        orders: employees.reduce((s, e) => s + e.orders, 0) + unitOwn.orders,
        amountFen: employeeFen + unitOwn.amountFen,
        employeeFen,
        employeeCount: employees.length,
      },
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
    const own = await statisticsRepo.organisationRegion(db, org.organisationId);
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
    const { districts, townships, categories, periods, totals } = await statisticsRepo.regionFigures(db, code, start, end, q.granularity);
    const cats = await statisticsRepo.categoryNames(db);
    const catName = new Map(cats.map((c) => [c.code, c.name]));
    const row = (r: { key: string; amountFen: string; orders: number; quantity: number }, name: string) => ({
      code: r.key,
      name,
      amountFen: num(r.amountFen),
      orders: num(r.orders),
      quantity: num(r.quantity),
    });
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

  // Codes and usernames stay text (a region code must not become a number in Excel).
  const toXlsx = (name: string, sheets: Sheet[]) =>
    xlsxFile(
      name,
      sheets.map((s) => ({ ...s, textColumns: s.columns.flatMap((c, i) => (/代码|用户名/.test(c) ? [i] : [])) })),
    );
  const yuan = fenToYuan;

  const yearRange = (year: number) => shanghaiDayRange(`${year}-01-01`, `${year}-12-31`);

  return {
    unit,
    region,

    /**
     * For the quotas context (which authorises its caller): the year's purchases made as a unit (orders
     * of buyer kind 'unit', what the unit itself bought), per unit and Shanghai month (month 0 when
     * `byMonth` is false): order totals (goods value, before any voucher discount) of completed orders by
     * completion time, and of paid, shipped or received ones by payment time. Refunded orders never count.
     * Every product of the mall comes from an assisted area (a district or township of origin), so every
     * order counts. One grouped query; `unitIds` of any length (all units when omitted).
     */
    async purchasesByUnit(p: { year: number; unitIds?: readonly string[]; byMonth?: boolean }) {
      if (p.unitIds?.length === 0) return [];
      const rows = await statisticsRepo.purchasesByUnit(db, { ...yearRange(p.year), unitIds: p.unitIds, byMonth: p.byMonth ?? true });
      return rows.map((r) => ({ unitId: r.unitId, month: Number(r.month), completedFen: num(r.completedFen), pendingFen: num(r.pendingFen) }));
    },

    /** 今年帮扶采购 on the home page (public): every counted order of the mall in the Shanghai year, as purchasesByUnit counts them. */
    async mallPurchasesInYear(year: number) {
      const { start, end } = yearRange(year);
      const row = await statisticsRepo.mallTotals(db, start, end);
      return { orders: num(row?.orders), amountFen: num(row?.amountFen) };
    },

    /** For the quotas context: a unit's orders counted in the year (as purchasesByUnit), newest first, a page at a time. */
    async unitOrders(p: { unitId: string; year: number; page: number; pageSize: number }) {
      const { rows, total } = await statisticsRepo.unitOrders(db, {
        unitId: p.unitId,
        ...yearRange(p.year),
        limit: p.pageSize,
        offset: (p.page - 1) * p.pageSize,
      });
      return {
        items: rows.map((r) => ({
          id: r.id,
          orderNo: r.orderNo,
          status: r.status,
          counted: r.status === 'completed' ? ('completed' as const) : ('pending' as const),
          totalFen: r.totalFen,
          merchantName: r.merchantName,
          products: r.lines ?? '',
          paidAt: r.paidAt?.toISOString() ?? null,
          completedAt: r.completedAt?.toISOString() ?? null,
        })),
        total,
        page: p.page,
        pageSize: p.pageSize,
      };
    },

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
    async exportUnit(actor: Actor | null, raw: unknown, format: 'xlsx' | 'csv'): Promise<ExportFile> {
      const s = await unit(actor, raw);
      const employees: Sheet = {
        name: '员工消费',
        columns: ['姓名', '用户名', '订单数', '消费金额（元）'],
        rows: s.employees.map((e) => [e.name, e.username, e.orders, yuan(e.amountFen)]),
      };
      const periods: Sheet = {
        name: '按期间',
        columns: ['期间', '员工消费（元）', '单位采购（元）', '订单数'],
        rows: s.periods.map((p) => [p.period, yuan(p.employeeFen), yuan(p.unitFen), p.orders]),
      };
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
      return format === 'xlsx' ? toXlsx(`${name}.xlsx`, [summary, employees, periods]) : csvFile(`${name}.csv`, employees);
    },

    async exportRegion(actor: Actor | null, raw: unknown, format: 'xlsx' | 'csv'): Promise<ExportFile> {
      const s = await region(actor, raw);
      const table = (name: string, first: string, rows: typeof s.districts): Sheet => ({
        name,
        columns: [first, '代码', '金额（元）', '订单数', '数量'],
        rows: rows.map((r) => [r.name, r.code, yuan(r.amountFen), r.orders, r.quantity]),
      });
      const sheets = [
        table('区县', '区县', s.districts),
        table('乡镇', '乡镇', s.townships),
        table('品类', '品类', s.categories),
        table('期间', '期间', s.periods),
      ];
      const name = `${s.region.name}-区域消费统计-${s.query.from}至${s.query.to}`;
      return format === 'xlsx' ? toXlsx(`${name}.xlsx`, sheets) : csvFile(`${name}.csv`, sheets[0]!);
    },
  };
}

export type StatisticsService = ReturnType<typeof createStatisticsService>;
