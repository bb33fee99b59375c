import { z } from 'zod';
import { SearchKeyword } from '../shared/validate';
import { FILING_TYPE_LABELS, FILING_TYPES } from './monitoring.schema';

/** Inputs and views of the reference lists: the assisted counties and the filing periods (manual 002). */

/** GB/T 2260 code of a province (450000), as the county list stores it. */
export const ProvinceCode = z.string({ error: '请选择省份' }).regex(/^\d{2}0000$/, '请选择省份');
/** GB/T 2260 code of a county-level division (451225). */
export const CountyCode = z
  .string({ error: '请填写县级行政区划代码' })
  .trim()
  .regex(/^\d{6}$/, '请填写 6 位县级行政区划代码（如 451225）');

const blankToUndefined = (v: unknown) => (v === '' || v === null ? undefined : v);
const booleanish = (v: unknown) => (v === 'true' || v === '1' ? true : v === 'false' || v === '0' ? false : blankToUndefined(v));

export const CountiesQuery = z.object({ provinceCode: z.preprocess(blankToUndefined, ProvinceCode.optional()) });
export type CountiesQuery = z.input<typeof CountiesQuery>;

/** The settings page's list (active and inactive), one province at a time, searchable by name or code. */
export const AdminCountiesQuery = z.object({
  provinceCode: z.preprocess(blankToUndefined, ProvinceCode.optional()),
  keyword: SearchKeyword(20, '搜索词不超过 20 个字'),
});
export type AdminCountiesQuery = z.input<typeof AdminCountiesQuery>;

export const SetCountyActiveInput = z.object({ active: z.boolean({ error: '请选择启用或停用' }) });
export type SetCountyActiveInput = z.input<typeof SetCountyActiveInput>;
export const AddCountyInput = z.object({ code: CountyCode });
export type AddCountyInput = z.input<typeof AddCountyInput>;

export const FilingType = z.enum(FILING_TYPES, { error: '请选择填报类型' });

export const PeriodsQuery = z.object({
  filingType: z.preprocess(blankToUndefined, FilingType.optional()),
  openOnly: z.preprocess(booleanish, z.boolean({ error: 'openOnly 只能是 true 或 false' }).optional()),
});
export type PeriodsQuery = z.input<typeof PeriodsQuery>;

/** A calendar day, YYYY-MM-DD, that exists. */
const Day = (what: string) =>
  z
    .string({ error: `请填写${what}` })
    .trim()
    .regex(/^\d{4}-\d{2}-\d{2}$/, `${what}格式为 YYYY-MM-DD`)
    .refine((s) => {
      const d = new Date(`${s}T00:00:00Z`);
      return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s && s >= '2000-01-01' && s <= '2099-12-31';
    }, `${what}不是有效的日期`);

const PeriodName = z
  .string({ error: '请填写期间名称' })
  .trim()
  .min(2, '期间名称至少 2 个字')
  .max(40, '期间名称最多 40 个字')
  // eslint-disable-next-line no-control-regex
  .refine((s) => s.isWellFormed() && !/[\u0000-\u001F\u007F-\u009F]/.test(s), '不能包含控制字符或无法识别的字符');

export const CreatePeriodInput = z
  .object({
    filingType: FilingType,
    name: PeriodName,
    startsOn: Day('开始日期'),
    endsOn: Day('结束日期'),
    open: z.boolean({ error: '请选择是否开放填报' }).default(true),
  })
  .refine((v) => v.startsOn <= v.endsOn, { path: ['endsOn'], message: '结束日期不能早于开始日期' });
export type CreatePeriodInput = z.input<typeof CreatePeriodInput>;

/** Rename, move the dates, open or close: what is not given stays. */
export const UpdatePeriodInput = z
  .object({
    name: PeriodName.optional(),
    startsOn: Day('开始日期').optional(),
    endsOn: Day('结束日期').optional(),
    open: z.boolean({ error: '请选择是否开放填报' }).optional(),
  })
  .refine((v) => !(v.startsOn && v.endsOn) || v.startsOn <= v.endsOn, { path: ['endsOn'], message: '结束日期不能早于开始日期' });
export type UpdatePeriodInput = z.input<typeof UpdatePeriodInput>;

export const CountyView = z.object({
  code: z.string(),
  name: z.string(),
  cityCode: z.string(),
  cityName: z.string(),
  provinceCode: z.string(),
  provinceName: z.string(),
  active: z.boolean(),
});
export type CountyView = z.infer<typeof CountyView>;

/** Active counties grouped province → city → county, for cascading selects. */
export const CountyTreeView = z.object({
  provinces: z.array(
    z.object({
      code: z.string(),
      name: z.string(),
      cities: z.array(z.object({ code: z.string(), name: z.string(), counties: z.array(z.object({ code: z.string(), name: z.string() })) })),
    }),
  ),
});
export type CountyTreeView = z.infer<typeof CountyTreeView>;

export const ProvincesView = z.object({ items: z.array(z.object({ code: z.string(), name: z.string(), active: z.number().int(), total: z.number().int() })) });
export type ProvincesView = z.infer<typeof ProvincesView>;

export const CountyListView = z.object({ items: z.array(CountyView) });
export type CountyListView = z.infer<typeof CountyListView>;

export const PeriodView = z.object({
  id: z.string(),
  filingType: z.enum(FILING_TYPES),
  filingTypeLabel: z.string(),
  name: z.string(),
  startsOn: z.string(),
  endsOn: z.string(),
  open: z.boolean(),
});
export type PeriodView = z.infer<typeof PeriodView>;
export const PeriodListView = z.object({ items: z.array(PeriodView) });
export type PeriodListView = z.infer<typeof PeriodListView>;

export const toPeriodView = (p: {
  id: string;
  filingType: (typeof FILING_TYPES)[number];
  name: string;
  startsOn: string;
  endsOn: string;
  open: boolean;
}): PeriodView => ({
  id: p.id,
  filingType: p.filingType,
  filingTypeLabel: FILING_TYPE_LABELS[p.filingType],
  name: p.name,
  startsOn: p.startsOn,
  endsOn: p.endsOn,
  open: p.open,
});
