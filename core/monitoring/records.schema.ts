import { z } from 'zod';
import { FileView } from '../files/files.schema';
import { yuanToFen } from '../shared/money';
import { PageNumber, PageOf, PageSize } from '../shared/paging';
import { isCleanText, SearchKeyword, CONTROL_CHARACTER_MESSAGE } from '../shared/validate';
import {
  CATEGORIES,
  EVIDENCE_KINDS,
  EVIDENCE_MAX_PER_RECORD,
  FILING_TYPES,
  LEVELS,
  RECORD_STATUSES,
  UNIT_KINDS,
  UNITS,
  type Category,
  type FilingType,
} from './monitoring.schema';

/**
 * Purchase records (购销记录): the content people file (forms, the API and the sheet import share one set of
 * checks), evidence, list queries, decisions, and the views the records service returns.
 */

const Id = z.uuid('编号无效');
const blankToUndefined = (v: unknown) => (v === '' || v === null ? undefined : v);
/** Numbers typed in a sheet arrive as numbers: finite ones become their text; anything else stays to be refused. */
const numberToText = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? String(v) : v);

/** 1e9 units of quantity, 1e10 yuan. */
export const QUANTITY_MAX = 1_000_000_000;
export const AMOUNT_MAX_FEN = 1_000_000_000_000;

const QUANTITY_MESSAGE = '采购数量须大于 0，最多三位小数';
const AMOUNT_MESSAGE = '采购金额须大于 0，最多两位小数（元）';

/** 采购数量: a decimal string > 0 with at most 3 decimals, ≤ 1e9; normalised ("012.50" → "12.5"). */
export const Quantity = z.preprocess(
  numberToText,
  z
    .string({ error: '请填写采购数量' })
    .transform((s) => s.trim().replace(/[,，\s]/g, ''))
    .refine((s) => s !== '', '请填写采购数量')
    .refine((s) => /^\d{1,10}(\.\d{1,3})?$/.test(s), QUANTITY_MESSAGE)
    .refine((s) => Number(s) > 0, QUANTITY_MESSAGE)
    .refine((s) => Number(s) <= QUANTITY_MAX, '采购数量不能超过 10 亿')
    .transform((s) => {
      const [i, d = ''] = s.split('.');
      const int = i!.replace(/^0+(?=\d)/, '');
      const dec = d.replace(/0+$/, '');
      return dec ? `${int}.${dec}` : int;
    }),
);

/** 采购金额 in yuan (a string with at most 2 decimals, > 0, ≤ 1e10 yuan) → fen. */
export const AmountYuan = z.preprocess(
  numberToText,
  z
    .string({ error: '请填写采购金额' })
    .refine((s) => s.trim() !== '', '请填写采购金额')
    .transform((s, ctx) => {
      const fen = s.length <= 40 ? yuanToFen(s) : undefined;
      if (fen === undefined || fen <= 0) {
        ctx.addIssue({ code: 'custom', message: AMOUNT_MESSAGE });
        return z.NEVER;
      }
      if (fen > AMOUNT_MAX_FEN) {
        ctx.addIssue({ code: 'custom', message: '采购金额不能超过 100 亿元' });
        return z.NEVER;
      }
      return fen;
    }),
);

const TRUE_WORDS = ['true', 'on', '1', '是', 'yes'];
const FALSE_WORDS = ['false', 'off', '0', '否', 'no'];
/** 是否直接向扶贫地区原产地采购: a boolean, or the words forms and sheets send ('true' / 'false' / 'on', 是 / 否). */
export const DirectFromOrigin = z.preprocess(
  (v) => {
    if (typeof v !== 'string') return v;
    const s = v.trim().toLowerCase();
    if (TRUE_WORDS.includes(s)) return true;
    if (FALSE_WORDS.includes(s)) return false;
    return v;
  },
  z.boolean({ error: '请选择是否直接向原产地采购' }),
);

export const ProductName = z
  .string({ error: '请填写产品名称' })
  .refine((s) => isCleanText(s), CONTROL_CHARACTER_MESSAGE)
  .transform((s) => s.trim())
  .refine((s) => s.length >= 1, '请填写产品名称')
  .refine((s) => s.length <= 60, '产品名称最多 60 个字');

/**
 * The content of a record as filed (shape only; the period and county are checked against the open periods
 * and the active counties by `checkRecordContent`, or by the service).
 */
export const recordContentSchema = z.object({
  filingType: z.enum(FILING_TYPES, '请选择填报类型（上半年购销信息补登或购销信息登记）'),
  periodId: z.uuid('请选择填报期'),
  directFromOrigin: DirectFromOrigin,
  originCountyCode: z.preprocess(numberToText, z.string({ error: '请选择原产地（县）' }).regex(/^\d{6}$/, '请选择原产地（县）')),
  category: z.enum(CATEGORIES, { error: (i) => (i.input === undefined || i.input === '' ? '请选择品类' : `产品类别只能是${CATEGORIES.join('、')}`) }),
  productName: ProductName,
  unit: z.enum(UNITS, { error: (i) => (i.input === undefined || i.input === '' ? '请选择单位' : `计量单位只能是${UNITS.join('、')}`) }),
  quantity: Quantity,
  amountYuan: AmountYuan,
});
export type RecordContentInput = z.input<typeof recordContentSchema>;
export type ParsedRecordContent = z.output<typeof recordContentSchema>;

/** The content stored on a record and in its versions (what a record says, after checks). */
export interface RecordContent {
  filingType: FilingType;
  periodId: string;
  directFromOrigin: boolean;
  originProvinceCode: string;
  originCityCode: string;
  originCountyCode: string;
  category: Category;
  productName: string;
  unit: string;
  quantity: string;
  amountFen: number;
}
/** Content that passed every check (shape, open period of its filing type, active county). */
export type CheckedContent = RecordContent;

export interface PeriodRef {
  id: string;
  filingType: FilingType;
  name: string;
  open: boolean;
}
export interface CountyRef {
  code: string;
  provinceCode: string;
  provinceName: string;
  cityCode: string;
  cityName: string;
  name: string;
  active: boolean;
}
/** The reference lists a record is checked against (loaded once by the caller: no I/O in the checks). */
export interface RecordRefs {
  periods: ReadonlyMap<string, PeriodRef>;
  counties: ReadonlyMap<string, CountyRef>;
}
export const makeRecordRefs = (periods: readonly PeriodRef[], counties: readonly CountyRef[]): RecordRefs => ({
  periods: new Map(periods.map((p) => [p.id, p])),
  counties: new Map(counties.map((c) => [c.code, c])),
});

export type ContentCheck = { ok: true; content: CheckedContent } | { ok: false; errors: Record<string, string> };

/** The reference checks on parsed content: the period is open and of the filing type; the county is active. */
export function checkRefs(p: ParsedRecordContent, refs: RecordRefs): ContentCheck {
  const errors: Record<string, string> = {};
  const period = refs.periods.get(p.periodId);
  if (!period || !period.open) errors.periodId = '填报期不存在或已关闭';
  else if (period.filingType !== p.filingType) errors.periodId = '填报期与填报类型不符';
  const county = refs.counties.get(p.originCountyCode);
  if (!county || !county.active) errors.originCountyCode = '原产地不在帮扶县名单中';
  if (Object.keys(errors).length || !county) return { ok: false, errors };
  return {
    ok: true,
    content: {
      filingType: p.filingType,
      periodId: p.periodId,
      directFromOrigin: p.directFromOrigin,
      originProvinceCode: county.provinceCode,
      originCityCode: county.cityCode,
      originCountyCode: county.code,
      category: p.category,
      productName: p.productName,
      unit: p.unit,
      quantity: p.quantity,
      amountFen: p.amountYuan,
    },
  };
}

/**
 * Every check of one record's content, pure (the sheet import calls it per row): field messages keyed by
 * the input's field names (filingType, periodId, directFromOrigin, originCountyCode, category, productName,
 * unit, quantity, amountYuan).
 */
export function checkRecordContent(raw: unknown, refs: RecordRefs): ContentCheck {
  const r = recordContentSchema.safeParse(raw);
  if (!r.success) {
    const errors: Record<string, string> = {};
    for (const issue of r.error.issues) {
      const key = String(issue.path[0] ?? 'form');
      errors[key] ??= issue.message;
    }
    return { ok: false, errors };
  }
  return checkRefs(r.data, refs);
}

/** Evidence files attached to a record (uploaded first through the files API). */
export const EvidenceInput = z
  .array(
    z.object({ fileId: z.uuid('凭证文件无效'), kind: z.enum(['invoice', 'contract', 'waybill', 'other'], '凭证类型只能是发票、合同、运单或其他佐证材料') }),
    {
      error: '凭证格式不正确',
    },
  )
  .max(EVIDENCE_MAX_PER_RECORD, `每条记录最多 ${EVIDENCE_MAX_PER_RECORD} 份凭证`)
  .refine((list) => new Set(list.map((e) => e.fileId)).size === list.length, '同一文件只能上传一次');
export type EvidenceInput = z.input<typeof EvidenceInput>;

const SEQ_MESSAGE = '记录序号（seq）须为不小于 0 的整数，请刷新页面后重试';
/**
 * The seq the caller saw: a JSON integer, or digits in a query string or form ('3'); nothing else is turned
 * into a number ('' / null / true / '1e3' / 1.5 are refused, never read as 0 or 1).
 */
const Seq = z.preprocess(
  (v) => (typeof v === 'string' && /^\s*\d{1,10}\s*$/.test(v) ? Number(v) : v),
  z
    .number({ error: (i) => (i.input === undefined ? '请提供记录序号（seq）' : SEQ_MESSAGE) })
    .int(SEQ_MESSAGE)
    .min(0, SEQ_MESSAGE)
    .max(1_000_000_000, SEQ_MESSAGE),
);

export const CreateRecordInput = recordContentSchema.extend({ evidence: z.preprocess((v) => v ?? [], EvidenceInput) });
export const UpdateRecordInput = CreateRecordInput.extend({ seq: Seq });
export const SeqInput = z.object({ seq: Seq });
export const DecideInput = z.object({
  seq: Seq,
  decision: z.enum(['approve', 'return'], '请选择审核通过或退回修改'),
  comment: z.preprocess(
    blankToUndefined,
    z
      .string('退回原因格式不正确')
      .refine((s) => isCleanText(s, { multiline: true }), CONTROL_CHARACTER_MESSAGE)
      .transform((s) => s.trim())
      .refine((s) => s.length <= 200, '退回原因最多 200 个字')
      .optional(),
  ),
});
export type DecideInput = z.input<typeof DecideInput>;

export const RECORD_TABS = ['pending', 'reviewed', 'all'] as const;

/** A records list from query strings (blank values mean no filter). */
export const RecordListQuery = z.object({
  tab: z.preprocess(blankToUndefined, z.enum(RECORD_TABS, '列表类型无效').optional()),
  status: z.preprocess(blankToUndefined, z.enum(RECORD_STATUSES, '状态无效').optional()),
  category: z.preprocess(blankToUndefined, z.enum(CATEGORIES, '产品类别无效').optional()),
  originProvinceCode: z.preprocess(
    blankToUndefined,
    z
      .string()
      .regex(/^\d{2}0000$/, '原产地省份无效')
      .optional(),
  ),
  originCountyCode: z.preprocess(
    blankToUndefined,
    z
      .string()
      .regex(/^\d{6}$/, '原产地县无效')
      .optional(),
  ),
  reporterKind: z.preprocess(blankToUndefined, z.enum(UNIT_KINDS, '填报单位类型无效').optional()),
  filingType: z.preprocess(blankToUndefined, z.enum(FILING_TYPES, '填报类型无效').optional()),
  periodId: z.preprocess(blankToUndefined, Id.optional()),
  cityCode: z.preprocess(
    blankToUndefined,
    z
      .string()
      .regex(/^\d{4}00$/, '地级市无效')
      .optional(),
  ),
  /** Only the acting unit's own records (a market or chain also sees its wholesalers' or stores'). */
  mine: z.preprocess(
    (v) => (v === 'true' || v === '1' ? true : v === 'false' || v === '0' ? false : blankToUndefined(v)),
    z.boolean('“仅本单位”无效').optional(),
  ),
  q: SearchKeyword(60),
  page: PageNumber,
  pageSize: PageSize(100, 20),
});
export type RecordListQuery = z.input<typeof RecordListQuery>;
export type RecordListFilter = z.output<typeof RecordListQuery>;

export const BULK_APPROVE_MAX = 5000;
export const BulkApproveInput = z
  .object({
    ids: z.array(Id, '请选择记录').min(1, '请选择记录').max(BULK_APPROVE_MAX, `一次最多审核 ${BULK_APPROVE_MAX} 条`).optional(),
    filter: RecordListQuery.optional(),
  })
  .refine((v) => v.ids || v.filter, { message: '请选择记录', path: ['ids'] });
export type BulkApproveInput = z.input<typeof BulkApproveInput>;

// ---- views ----

const Iso = z.string();
export const RecordView = z.object({
  id: z.string(),
  reporterId: z.string(),
  reporterName: z.string(),
  reporterKind: z.enum(UNIT_KINDS),
  reporterKindLabel: z.string(),
  parentName: z.string().nullable(),
  departmentName: z.string(),
  cityCode: z.string().nullable(),
  cityName: z.string().nullable(),
  filingType: z.enum(FILING_TYPES),
  filingTypeLabel: z.string(),
  periodId: z.string(),
  periodName: z.string(),
  directFromOrigin: z.boolean(),
  originProvinceCode: z.string(),
  originProvinceName: z.string(),
  originCityCode: z.string(),
  originCityName: z.string(),
  originCountyCode: z.string(),
  originCountyName: z.string(),
  category: z.string(),
  productName: z.string(),
  unit: z.string(),
  quantity: z.string(),
  amountFen: z.number().int(),
  status: z.enum(RECORD_STATUSES),
  statusLabel: z.string(),
  version: z.number().int(),
  seq: z.number().int(),
  returnReason: z.string().nullable(),
  returnedBy: z.enum(['parent', 'department']).nullable(),
  mallOrderId: z.string().nullable(),
  evidenceCount: z.number().int(),
  createdAt: Iso,
  updatedAt: Iso,
  submittedAt: Iso.nullable(),
  approvedAt: Iso.nullable(),
});
export type RecordView = z.output<typeof RecordView>;

export const RECORD_ACTIONS = ['edit', 'submit', 'approve', 'return', 'delete'] as const;
const RecordContentView = z.object({
  filingType: z.enum(FILING_TYPES),
  periodId: z.string(),
  directFromOrigin: z.boolean(),
  originProvinceCode: z.string(),
  originCityCode: z.string(),
  originCountyCode: z.string(),
  category: z.string(),
  productName: z.string(),
  unit: z.string(),
  quantity: z.string(),
  amountFen: z.number().int(),
});
export const RecordDetailView = RecordView.extend({
  evidence: z.array(
    z.object({
      id: z.string(),
      kind: z.enum(EVIDENCE_KINDS),
      kindLabel: z.string(),
      file: FileView.nullable(),
      mallOrder: z.object({ id: z.string(), orderNo: z.string() }).nullable(),
    }),
  ),
  timeline: z.array(
    z.object({
      seq: z.number().int(),
      action: z.string(),
      actionLabel: z.string(),
      fromStatus: z.enum(RECORD_STATUSES).nullable(),
      toStatus: z.enum(RECORD_STATUSES),
      level: z.string(),
      actorName: z.string(),
      organisationName: z.string(),
      comment: z.string().nullable(),
      at: Iso,
    }),
  ),
  versions: z.array(z.object({ version: z.number().int(), content: RecordContentView, createdAt: Iso })),
  changes: z.array(z.object({ field: z.string(), label: z.string(), before: z.string(), after: z.string() })),
  level: z.enum([...LEVELS, 'viewer']),
  actions: z.array(z.enum(RECORD_ACTIONS)),
});
export type RecordDetailView = z.output<typeof RecordDetailView>;

/** The list's count stops at this many rows (an exact count of a million rows costs far more than the page). */
export const RECORD_COUNT_CAP = 10_000;
/** A page of records; `totalCapped`: there are more than `total` (= RECORD_COUNT_CAP) rows, shown as "10000+". */
export const RecordPage = PageOf(RecordView).extend({ totalCapped: z.boolean() });
export type RecordPage = z.output<typeof RecordPage>;

export const BulkApproveResult = z.object({
  results: z.array(z.object({ id: z.string(), ok: z.boolean(), code: z.string().optional(), message: z.string().optional() })),
  approved: z.number().int(),
  refused: z.number().int(),
});
export type BulkApproveResult = z.output<typeof BulkApproveResult>;

export const PendingCounts = z.object({ pending: z.number().int(), returned: z.number().int(), drafts: z.number().int() });
export type PendingCounts = z.output<typeof PendingCounts>;

/** Labels of the content fields (the changes between versions, the export's columns). */
export const CONTENT_FIELD_LABELS: Record<keyof RecordContent, string> = {
  filingType: '填报类型',
  periodId: '填报期',
  directFromOrigin: '直接向原产地采购',
  originProvinceCode: '原产地（省）',
  originCityCode: '原产地（市）',
  originCountyCode: '原产地（县）',
  category: '产品类别',
  productName: '产品名称',
  unit: '计量单位',
  quantity: '采购数量',
  amountFen: '采购金额（元）',
};
