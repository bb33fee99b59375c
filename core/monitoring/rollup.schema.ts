import { z } from 'zod';
import { PageNumber, PageSize } from '../shared/paging';
import '../shared/zod-messages';
import { CATEGORIES, UNIT_KINDS } from './monitoring.schema';

/**
 * 汇总 (the roll-up): the queries a department or a market/chain asks and the views it gets. Only approved
 * records (审核通过) count. Money in fen; quantities are decimal strings summed per unit of measure (吨, 箱 …):
 * the units are never added together.
 */

export const GROUP_BYS = ['city', 'category', 'originProvince', 'originCounty', 'period', 'month', 'reporterKind', 'reporter'] as const;
export type RollupGroupBy = (typeof GROUP_BYS)[number];
export const GROUP_BY_LABELS: Record<RollupGroupBy, string> = {
  city: '按地级市',
  category: '按产品类别',
  originProvince: '按原产地省份',
  originCounty: '按原产地县',
  period: '按填报期间',
  month: '按审核通过月份',
  reporterKind: '按采购单位类型',
  reporter: '按采购单位',
};

/** The key of the city group of units listed directly under the province (no city): 省直属（单列）. */
export const NO_CITY = 'none';

const Day = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, '日期格式为 YYYY-MM-DD')
  .refine((s) => !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && new Date(`${s}T00:00:00Z`).toISOString().startsWith(s), '日期无效');
/** An empty query-string value means "no filter". */
const opt = <T extends z.ZodType>(s: T) => z.preprocess((v) => (v === '' || v === null ? undefined : v), s.optional());

const FilterShape = {
  periodId: opt(z.uuid('填报期间无效')),
  category: opt(z.enum(CATEGORIES, { message: '产品类别无效' })),
  /** GB/T 2260 province code of the origin (e.g. 520000). */
  originProvinceCode: opt(z.string().regex(/^\d{2}0000$/, '原产地省份无效')),
  originCountyCode: opt(z.string().regex(/^\d{6}$/, '原产地县无效')),
  /** A prefecture-level city (440100), or `none` for units listed directly under the province. */
  cityCode: opt(z.union([z.string().regex(/^\d{4}00$/, '地级市无效'), z.literal(NO_CITY)], { message: '地级市无效' })),
  reporterKind: opt(z.enum(UNIT_KINDS, { message: '采购单位类型无效' })),
  /** Approved on or after this day (Asia/Shanghai). */
  from: opt(Day),
  /** Approved on or before this day (Asia/Shanghai). */
  to: opt(Day),
};
const dayOrder = (f: { from?: string; to?: string }) => !f.from || !f.to || f.from <= f.to;
const DAY_ORDER = { message: '开始日期不能晚于结束日期', path: ['to'] };
export const RollupFilters = z.object(FilterShape).refine(dayOrder, DAY_ORDER);
export type RollupFilters = z.output<typeof RollupFilters>;

export const RollupQuery = z
  .object({
    groupBy: opt(z.enum(GROUP_BYS, { message: '汇总方式无效' })).transform((g) => g ?? 'city'),
    ...FilterShape,
  })
  .refine(dayOrder, DAY_ORDER);
export type RollupQuery = z.input<typeof RollupQuery>;

/** 下钻: the records behind one row — the roll-up's filters plus the row's key as one more filter. */
export const DrillQuery = z
  .object({
    ...FilterShape,
    /** The month (YYYY-MM) of approval, Asia/Shanghai. */
    month: opt(z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, '月份格式为 YYYY-MM')),
    reporterId: opt(z.uuid('采购单位无效')),
    page: PageNumber,
    pageSize: PageSize(100, 20),
  })
  .refine(dayOrder, DAY_ORDER);
export type DrillQuery = z.input<typeof DrillQuery>;

const Quantity = z.object({ unit: z.string(), quantity: z.string().describe('该计量单位的数量合计（最多 3 位小数）'), records: z.number().int() });

export const RollupRowView = z.object({
  key: z.string().describe('分组键：地级市代码（none 为省直属单列）、类别、省份/县代码、期间编号、YYYY-MM、单位类型或单位编号'),
  label: z.string(),
  amountFen: z.number().int(),
  records: z.number().int(),
  /**
   * The quantity in the row's main unit (the unit most of its records use); `mixedUnits` says other units
   * exist too, each in `quantities` (never added together).
   */
  quantity: Quantity.nullable(),
  mixedUnits: z.boolean(),
  quantities: z.array(Quantity),
});
export type RollupRowView = z.infer<typeof RollupRowView>;

export const RollupView = z.object({
  scope: z.object({ kind: z.enum(['province', 'city', 'channel']), name: z.string() }),
  groupBy: z.enum(GROUP_BYS),
  filters: z.record(z.string(), z.string()),
  totals: z.object({
    amountFen: z.number().int(),
    records: z.number().int(),
    quantityByUnit: z.array(Quantity),
  }),
  rows: z.array(RollupRowView),
});
export type RollupView = z.infer<typeof RollupView>;

export const DrillRecordView = z.object({
  id: z.uuid(),
  reporterName: z.string(),
  reporterKind: z.enum(UNIT_KINDS),
  cityCode: z.string().nullable(),
  cityName: z.string(),
  periodName: z.string(),
  category: z.string(),
  productName: z.string(),
  originProvinceCode: z.string(),
  originCountyCode: z.string(),
  originName: z.string().describe('原产地：省 市 县'),
  unit: z.string(),
  quantity: z.string(),
  amountFen: z.number().int(),
  approvedAt: z.string().nullable(),
});
export type DrillRecordView = z.infer<typeof DrillRecordView>;
/**
 * A page of the records behind a roll-up row: no total (the row says how many; counting would read most of a
 * department's pages), `hasMore` when a next page exists.
 */
export const DrillView = z.object({
  items: z.array(DrillRecordView),
  page: z.number().int(),
  pageSize: z.number().int(),
  hasMore: z.boolean(),
});
export type DrillView = z.infer<typeof DrillView>;
