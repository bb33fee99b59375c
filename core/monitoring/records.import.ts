import { z } from 'zod';
import type { DbOrTx, Tx } from '../../db/client';
import { recordAudit } from '../audit/audit';
import type { ImportKind, ImportScope, RowCheck, RowWrite, StagedRow } from '../imports/imports.kinds';
import type { CellError, SheetSpec } from '../imports/sheet';
import type { Actor } from '../shared/actor';
import { AppError } from '../shared/app-error';
import { CONTROL_CHARACTER_MESSAGE, isCleanText } from '../shared/validate';
import { actingMonitor, isDepartment, type ActingMonitor } from './monitoring.acting';
import type { MonitoringDeps } from './monitoring.deps';
import { monitoringRepo } from './monitoring.repo';
import { CATEGORIES, FILING_TYPE_LABELS, FILING_TYPES, UNITS, type FilingType } from './monitoring.schema';
import {
  AmountYuan,
  checkRecordContent,
  DirectFromOrigin,
  makeRecordRefs,
  ProductName,
  Quantity,
  type CheckedContent,
  type CountyRef,
  type PeriodRef,
} from './records.schema';
import { createMonitoringRecordService } from './records.service';
import { referenceRepo } from './reference.repo';

/**
 * 购销记录批量导入 (manual 002: 批量导入购销信息): a reporter account fills the sheet, each valid row becomes a
 * draft record of its unit (evidence is added on each record afterwards, then it is submitted). The period
 * is named as the province named it, the origin by its province, city and county names (mapped to the
 * assisted county's code); every check of a form's record applies to each row (checkRecordContent), its
 * reasons on the row's columns.
 */

export const RECORD_IMPORT_KIND = 'monitoring.records';

const FILING_BY_LABEL = new Map<string, FilingType>([
  ...FILING_TYPES.map((t) => [FILING_TYPE_LABELS[t], t] as const),
  ...FILING_TYPES.map((t) => [t, t] as const),
]);
const FILING_MESSAGE = `填报类型只能是${FILING_TYPES.map((t) => FILING_TYPE_LABELS[t]).join('或')}`;

const NameText = (what: string, max: number) =>
  z
    .string()
    .refine((s) => isCleanText(s), CONTROL_CHARACTER_MESSAGE)
    .transform((s) => s.replace(/\s+/g, ''))
    .refine((s) => s.length >= 1, `请填写${what}`)
    .refine((s) => s.length <= max, `${what}最多 ${max} 个字`);

/** A column checked as the form checks it, the value kept as typed (the row check parses it again with the rest). */
const checkedText = (schema: z.ZodType) =>
  z.string().superRefine((s, ctx) => {
    const r = schema.safeParse(s);
    if (!r.success) ctx.addIssue({ code: 'custom', message: r.error.issues[0]?.message ?? '格式不正确' });
  });

export const RECORD_SHEET: SheetSpec = {
  name: '购销信息',
  filename: '购销信息导入模板.xlsx',
  maxRows: 5000,
  instructions: [
    '每行一条购销记录，导入后成为本单位的草稿；请在“购销记录—草稿”中逐条上传发票、合同或运单等凭证后提交审核。',
    '填报期间须填写省级扶贫部门开放的期间名称（在“填写购销信息”页面的填报期间下拉中可见），并与填报类型相符。',
    '产地省、市、县须在帮扶县名单中，填写名称（如 广西壮族自治区、河池市、罗城仫佬族自治县），可省略“省”“市”“县”等后缀。',
    '采购金额以元为单位，最多两位小数；采购数量最多三位小数。',
  ],
  columns: [
    {
      key: 'filingType',
      header: '填报类型',
      required: true,
      options: FILING_TYPES.map((t) => FILING_TYPE_LABELS[t]),
      width: 22,
      schema: z.string().transform((s, ctx) => {
        const t = FILING_BY_LABEL.get(s.replace(/\s+/g, ''));
        if (!t) {
          ctx.addIssue({ code: 'custom', message: FILING_MESSAGE });
          return z.NEVER;
        }
        return t;
      }),
    },
    {
      key: 'periodName',
      header: '填报期间',
      required: true,
      text: true,
      width: 26,
      note: '开放的填报期间名称，如“2026年7月起购销信息登记”',
      schema: NameText('填报期间', 40),
    },
    {
      key: 'directFromOrigin',
      header: '是否直接向原产地采购',
      required: true,
      options: ['是', '否'],
      width: 22,
      schema: z.string().transform((s, ctx) => {
        const yes = DirectFromOrigin.safeParse(s);
        if (!yes.success) {
          ctx.addIssue({ code: 'custom', message: '是否直接向原产地采购只能填“是”或“否”' });
          return z.NEVER;
        }
        return yes.data;
      }),
    },
    { key: 'provinceName', header: '产地省', required: true, text: true, width: 18, note: '如 广西壮族自治区', schema: NameText('产地省', 30) },
    { key: 'cityName', header: '产地市', required: true, text: true, width: 18, note: '如 河池市', schema: NameText('产地市', 30) },
    { key: 'countyName', header: '产地县', required: true, text: true, width: 20, note: '如 罗城仫佬族自治县', schema: NameText('产地县', 30) },
    {
      key: 'category',
      header: '品类',
      required: true,
      options: CATEGORIES,
      width: 14,
      schema: z.enum(CATEGORIES, `品类只能是${CATEGORIES.join('、')}`),
    },
    { key: 'productName', header: '产品名称', required: true, text: true, width: 24, schema: ProductName },
    { key: 'unit', header: '单位', required: true, options: UNITS, width: 10, schema: z.enum(UNITS, `单位只能是${UNITS.join('、')}`) },
    { key: 'quantity', header: '采购数量', required: true, text: true, width: 14, note: '大于 0，最多三位小数', schema: Quantity },
    { key: 'amountYuan', header: '采购金额（元）', required: true, text: true, width: 16, note: '单位：元，最多两位小数', schema: checkedText(AmountYuan) },
  ],
};

/** A row after its column checks (the amount still as typed, in yuan). */
export interface RecordSheetRow {
  filingType: FilingType;
  periodName: string;
  directFromOrigin: boolean;
  provinceName: string;
  cityName: string;
  countyName: string;
  category: string;
  productName: string;
  unit: string;
  quantity: string;
  amountYuan: string;
}

/** checkRecordContent's field keys → the sheet's columns. */
const COLUMN_OF: Record<string, keyof RecordSheetRow> = {
  filingType: 'filingType',
  periodId: 'periodName',
  directFromOrigin: 'directFromOrigin',
  originCountyCode: 'countyName',
  category: 'category',
  productName: 'productName',
  unit: 'unit',
  quantity: 'quantity',
  amountYuan: 'amountYuan',
};

/** The reference lists a file is checked against: every period by name, every county on the list (active or not). */
interface SheetRefs {
  periods: PeriodRef[];
  counties: CountyRef[];
}

async function loadRefs(q: DbOrTx): Promise<SheetRefs> {
  const [periods, counties] = await Promise.all([referenceRepo.periods(q, {}), referenceRepo.counties(q, {})]);
  return {
    periods: periods.map((p) => ({ id: p.id, filingType: p.filingType, name: p.name, open: p.open })),
    counties: counties.map((c) => ({
      code: c.code,
      provinceCode: c.provinceCode,
      provinceName: c.provinceName,
      cityCode: c.cityCode,
      cityName: c.cityName,
      name: c.name,
      active: c.active,
    })),
  };
}

const SUFFIX = /(省|市|县|区|州|盟|旗|地区|自治区|自治州|自治县|自治旗)$/;
/**
 * The names among `names` that `typed` means: the exact name; else names starting with it, or with it
 * less its 省/市/县… suffix ("河池" / "罗城县" → "罗城仫佬族自治县"). Two or more: ambiguous.
 */
export function matchName(typed: string, names: readonly string[]): string[] {
  const t = typed.replace(/\s+/g, '');
  if (!t) return [];
  if (names.includes(t)) return [t];
  const stem = t.length > 2 ? t.replace(SUFFIX, '') : t;
  const starts = (n: string) => n.startsWith(t) || (stem.length >= 2 && n.startsWith(stem));
  return [...new Set(names.filter(starts))];
}

const listed = (names: readonly string[], max = 6) => (names.length > max ? `${names.slice(0, max).join('、')} 等` : names.join('、'));

/** The county a row's origin names mean, or the reason on the column that went wrong. */
function resolveCounty(v: RecordSheetRow, counties: readonly CountyRef[]): { code: string } | CellError {
  const provinces = [...new Set(counties.map((c) => c.provinceName))];
  const p = matchName(v.provinceName, provinces);
  if (p.length === 0) return { column: 'provinceName', message: `产地省“${v.provinceName}”没有帮扶县（可填：${listed(provinces)}）` };
  if (p.length > 1) return { column: 'provinceName', message: `产地省“${v.provinceName}”不明确，可能是：${listed(p)}，请填写全称` };
  const inProvince = counties.filter((c) => c.provinceName === p[0]);
  const cities = [...new Set(inProvince.map((c) => c.cityName))];
  const ci = matchName(v.cityName, cities);
  if (ci.length === 0) return { column: 'cityName', message: `${p[0]}没有名为“${v.cityName}”的帮扶地市（可填：${listed(cities)}）` };
  if (ci.length > 1) return { column: 'cityName', message: `产地市“${v.cityName}”不明确，可能是：${listed(ci)}，请填写全称` };
  const inCity = inProvince.filter((c) => c.cityName === ci[0]);
  const co = matchName(
    v.countyName,
    inCity.map((c) => c.name),
  );
  if (co.length === 0) return { column: 'countyName', message: `${ci[0]}没有名为“${v.countyName}”的帮扶县（可填：${listed(inCity.map((c) => c.name))}）` };
  if (co.length > 1) return { column: 'countyName', message: `产地县“${v.countyName}”不明确，可能是：${listed(co)}，请填写全称` };
  return { code: inCity.find((c) => c.name === co[0])!.code };
}

/** Stand-ins for a period or county the names did not find (their reasons are given already): the other checks still speak. */
const NO_PERIOD = '00000000-0000-4000-8000-000000000000';
const NO_COUNTY = '000000';

/**
 * Every check of one row against the reference lists: the period by name, the origin by names, then the
 * form's checks (checkRecordContent: open period of the filing type, active county, the fields) with
 * their reasons moved to the sheet's columns. One reason per column.
 */
export function checkSheetRow(v: RecordSheetRow, refs: SheetRefs): { ok: true; content: CheckedContent } | { ok: false; errors: CellError[] } {
  const errors = new Map<string, string>();
  const period = refs.periods.find((p) => p.name.replace(/\s+/g, '') === v.periodName);
  if (!period) {
    const open = refs.periods.filter((p) => p.open && p.filingType === v.filingType).map((p) => p.name);
    errors.set('periodName', `找不到填报期间“${v.periodName}”${open.length ? `（可填：${listed(open)}）` : '，目前没有开放的该类填报期间'}`);
  }
  const county = resolveCounty(v, refs.counties);
  if ('column' in county) errors.set(county.column, county.message);
  const c = checkRecordContent(
    {
      filingType: v.filingType,
      periodId: period?.id ?? NO_PERIOD,
      directFromOrigin: v.directFromOrigin,
      originCountyCode: 'code' in county ? county.code : NO_COUNTY,
      category: v.category,
      productName: v.productName,
      unit: v.unit,
      quantity: v.quantity,
      amountYuan: v.amountYuan,
    },
    makeRecordRefs(refs.periods, refs.counties),
  );
  if (!c.ok) {
    for (const [field, message] of Object.entries(c.errors)) {
      const column = COLUMN_OF[field] ?? 'productName';
      // A period or county the names did not find has its own reason already (the stand-ins are refused again here).
      if (!errors.has(column)) errors.set(column, column === 'countyName' && field === 'originCountyCode' ? `${message}（${v.countyName}）` : message);
    }
  }
  if (errors.size || !c.ok) return { ok: false, errors: [...errors].map(([column, message]) => ({ column, message })) };
  return { ok: true, content: c.content };
}

/** The reporter a batch is imported by, as at this moment (the confirmer may have lost the part since the upload). */
async function reporterOf(q: DbOrTx, scope: ImportScope): Promise<ActingMonitor | string> {
  const found = await monitoringRepo.findMemberAndUnit(q, scope.actorUserId);
  const member = found?.member;
  if (!member || member.organisationId !== scope.organisationId || member.role !== 'reporter') return '您已不是本单位的填报账号，无法导入';
  const unit = found.unit;
  if (!unit || !unit.departmentId || unit.kind === 'province' || unit.kind === 'city') return '本单位不能填报购销记录';
  // Drafts name their creator by user id only (events, created_by); the session's other fields are not used.
  const actor: Actor = { userId: scope.actorUserId, username: '', sessionId: scope.batchId, memberships: [], isOperator: false };
  return { actor, unit, role: member.role };
}

/**
 * The purchase-record sheet as an import kind (registered by the monitoring context): rights (a reporter
 * account acting for its unit), the checks of every row, and the writer — each valid row a draft of the
 * unit, checked again inside the transaction (a period closed or a county taken off the list since the
 * preview refuses its row). Drafts have no natural key: a chunk is written and marked in one transaction,
 * so a resumed import never writes a row twice.
 */
export function createRecordImport(deps: MonitoringDeps): ImportKind<RecordSheetRow> {
  const { db } = deps;
  const records = createMonitoringRecordService(deps);
  return {
    key: RECORD_IMPORT_KIND,
    label: '购销记录',
    spec: RECORD_SHEET,

    async authorize(actor, organisationId) {
      const m = await actingMonitor(db, actor, ['reporter']);
      if (m.unit.organisationId !== organisationId) throw new AppError('FORBIDDEN', '只能为您当前代表的单位导入购销记录');
      if (isDepartment(m) || !m.unit.departmentId) throw new AppError('MONITORING_ROLE_REQUIRED', '扶贫部门账号不能填报购销记录');
    },

    async check(q, scope, rows: readonly StagedRow<RecordSheetRow>[]): Promise<RowCheck[]> {
      const m = await reporterOf(q, scope);
      if (typeof m === 'string') throw new AppError('FORBIDDEN', m);
      const refs = await loadRefs(q);
      return rows.map((r) => {
        const c = checkSheetRow(r.value, refs);
        return c.ok ? { status: 'new', errors: [] } : { status: 'error', errors: c.errors };
      });
    },

    async write(tx: Tx, scope, rows: readonly StagedRow<RecordSheetRow>[]): Promise<RowWrite[]> {
      const m = await reporterOf(tx, scope);
      if (typeof m === 'string') return rows.map(() => ({ errors: [{ column: 'filingType', message: m }] }));
      const refs = await loadRefs(tx);
      const checked = rows.map((r) => checkSheetRow(r.value, refs));
      const contents = checked.flatMap((c) => (c.ok ? [c.content] : []));
      const ids = await records.insertDrafts(tx, m, contents);
      if (ids.length) {
        await recordAudit(tx, {
          actorUserId: scope.actorUserId,
          action: 'monitoring.record_import',
          targetType: 'monitoring_unit',
          targetId: scope.organisationId,
          organisationId: scope.organisationId,
          data: { batchId: scope.batchId, created: ids.length, rows: rows.filter((_, i) => checked[i]!.ok).map((r) => r.row) },
        });
      }
      let next = 0;
      return checked.map((c) => (c.ok ? { targetId: ids[next++]! } : { errors: c.errors }));
    },
  };
}
