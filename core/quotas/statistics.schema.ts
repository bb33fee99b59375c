import { z } from 'zod';
import { PageNumber, PageOf, PageSize } from '../shared/paging';
import '../shared/zod-messages';
import { COMPLETION_BANDS } from './statistics.machine';

/**
 * 统计报表: the queries a budget unit or a department asks and the views it gets. Money in fen (the
 * orders' totals: goods value before any voucher discount), completion in basis points (10000 = 100 %).
 */

const BAND_KEYS = COMPLETION_BANDS.map((b) => b.key) as [(typeof COMPLETION_BANDS)[number]['key'], ...(typeof COMPLETION_BANDS)[number]['key'][]];
const Year = z.coerce.number({ message: '年度无效' }).int('年度无效').min(2000, '年度无效').max(2100, '年度无效');
const UnitId = z.uuid('预算单位编号无效');

export const UnitStatisticsQuery = z.object({
  /** Absent: the caller's own unit. */
  unitId: UnitId.optional(),
  /** Absent: this year (Asia/Shanghai). */
  year: Year.optional(),
});
export type UnitStatisticsQuery = z.input<typeof UnitStatisticsQuery>;

export const GROUP_BY = ['unit', 'level', 'region'] as const;
export const SubtreeStatisticsQuery = z.object({
  /** Absent: the caller's own unit or department; else one unit of its subtree. */
  unitId: UnitId.optional(),
  year: Year.optional(),
  groupBy: z.enum(GROUP_BY, { message: '分组方式为 unit、level 或 region' }).default('unit'),
  /** Only units in this completion band (their own figures). */
  band: z.enum(BAND_KEYS, { message: '完成情况分档无效' }).optional(),
  page: PageNumber,
  pageSize: PageSize(100, 20),
});
export type SubtreeStatisticsQuery = z.input<typeof SubtreeStatisticsQuery>;

export const UnitOrdersQuery = z.object({
  unitId: UnitId,
  year: Year.optional(),
  page: PageNumber,
  pageSize: PageSize(100, 20),
});
export type UnitOrdersQuery = z.input<typeof UnitOrdersQuery>;

const Band = z.enum(BAND_KEYS);
const Bands = z.object({ none: z.number().int(), low: z.number().int(), mid: z.number().int(), done: z.number().int(), unset: z.number().int() });

const Figures = {
  reservedFen: z.number().int().describe('预留金额 = 年度农副产品采购额 × 拟预留比例（四舍五入到分）'),
  actualFen: z.number().int().describe('已完成订单金额（按完成时间计入年度）'),
  pendingFen: z.number().int().describe('已付款未完成订单金额（按付款时间）'),
  completionBp: z.number().int().nullable().describe('完成率，万分比（10000 = 100%）；未设预留为 null'),
};

const UnitRef = z.object({
  id: z.uuid(),
  name: z.string(),
  budgetLevel: z.string(),
  role: z.enum(['central_dept', 'finance_dept', 'unit']),
});

export const UnitStatisticsView = z.object({
  year: z.number().int(),
  unit: UnitRef.extend({ annualFen: z.number().int(), ratioBp: z.number().int(), superiorName: z.string().nullable() }),
  ...Figures,
  band: Band,
  months: z.array(z.object({ month: z.number().int(), actualFen: z.number().int(), pendingFen: z.number().int() })).describe('1–12 月'),
  /** The unit and every unit below it (null when it has none below). */
  subtree: z.object({ ...Figures, units: z.number().int(), bands: Bands }).nullable(),
});
export type UnitStatisticsView = z.infer<typeof UnitStatisticsView>;

export const StatisticsRowView = z.object({
  key: z.string().describe('单位编号、预算级次或地区（财政部门编号）'),
  name: z.string(),
  /** unit rows: the unit's level, depth below the root and superior; null for level and region rows. */
  budgetLevel: z.string().nullable(),
  depth: z.number().int().nullable(),
  superiorName: z.string().nullable(),
  /** unit rows: the unit's own figures; level and region rows: the sums over their units. */
  ...Figures,
  band: Band.nullable().describe('unit rows: the unit\u2019s own band'),
  units: z.number().int(),
  bands: Bands,
  /** unit rows with units below them: the subtree totals. */
  subtree: z.object({ ...Figures, units: z.number().int() }).nullable(),
});
export type StatisticsRowView = z.infer<typeof StatisticsRowView>;

export const SubtreeStatisticsView = z.object({
  year: z.number().int(),
  root: UnitRef,
  groupBy: z.enum(GROUP_BY),
  band: Band.nullable(),
  totals: z.object({ ...Figures, units: z.number().int() }),
  bands: z
    .array(z.object({ key: Band, label: z.string(), units: z.number().int() }))
    .describe('Units of the subtree by their own completion band, laggards first'),
  rows: PageOf(StatisticsRowView),
});
export type SubtreeStatisticsView = z.infer<typeof SubtreeStatisticsView>;

export const UnitOrderView = z.object({
  id: z.uuid(),
  orderNo: z.string(),
  status: z.string(),
  counted: z.enum(['completed', 'pending']).describe('completed: 计入实际采购；pending: 已付款未完成'),
  totalFen: z.number().int(),
  merchantName: z.string(),
  products: z.string(),
  paidAt: z.string().nullable(),
  completedAt: z.string().nullable(),
});

export const UnitOrdersView = z.object({ year: z.number().int(), unit: UnitRef, orders: PageOf(UnitOrderView) });
export type UnitOrdersView = z.infer<typeof UnitOrdersView>;
