import { z } from 'zod';
import { PageNumber, PageSize } from '../shared/paging';
import { SearchKeyword } from '../shared/validate';
import { Mobile, usccNamed } from '../shared/validators';
import { ADMIN_LEVELS, BUDGET_LEVELS, BUDGET_UNIT_SHEET } from './budget-units.schema';
import { PURCHASER_KINDS } from './purchasers.schema';
import { ACCOUNT_STATES } from './quotas.rules';

/** The inputs the quotas context accepts and the views it returns (pages, API, tests). */

const column = (key: string) => BUDGET_UNIT_SHEET.columns.find((c) => c.key === key)!.schema;
const Id = z.uuid('编号无效');

/**
 * A unit added or edited by hand: the sheet's columns with the sheet's checks (amount in yuan and ratio in
 * percent as typed, e.g. "12000.50" and "35.5"); the superior by full name, empty for the actor's unit.
 */
export const UnitInput = z.object({
  fullName: column('fullName'),
  superiorName: z.preprocess((v) => (typeof v === 'string' && v.trim() === '' ? undefined : v), column('superiorName').optional()),
  uscc: column('uscc'),
  contactName: column('contactName'),
  mobile: column('mobile'),
  budgetLevel: column('budgetLevel'),
  adminLevel: z.preprocess((v) => (v === '' || v === null ? undefined : v), column('adminLevel').optional()),
  annualYuan: z.preprocess((v) => (typeof v === 'number' ? String(v) : v === '' || v === null ? undefined : v), column('annualFen').optional()),
  ratioPercent: z.preprocess((v) => (typeof v === 'number' ? String(v) : v === '' || v === null ? undefined : v), column('ratioBp').optional()),
});
export type UnitInput = z.input<typeof UnitInput>;

/** A superior's change of a unit's figures (fen and basis points: 35.5 % is 3550). */
export const FiguresInput = z.object({
  annualFen: z.number().int('金额须为整数（分）').min(0, '年度采购额不能为负').max(1e15, '金额过大'),
  ratioBp: z.number().int('比例须为整数（万分之一）').min(0, '预留比例不能为负').max(10_000, '预留比例不能超过 100%'),
});

export const UnitListQuery = z.object({
  keyword: SearchKeyword(60),
  budgetLevel: z.preprocess((v) => (v === '' ? undefined : v), z.enum(BUDGET_LEVELS, '预算级次无效').optional()),
  superiorId: z.preprocess((v) => (v === '' ? undefined : v), Id.optional()),
  accountState: z.preprocess((v) => (v === '' ? undefined : v), z.enum(ACCOUNT_STATES, '账号状态无效').optional()),
  page: PageNumber,
  pageSize: PageSize(100, 20),
});

export const GenerateInput = z.object({
  /** Only these units (or purchasers); absent: every one without an account. */
  ids: z.array(Id).min(1, '请选择').max(10_000, '一次最多 10000 个').optional(),
});

export const ConfirmProfileInput = z.object({
  budgetLevel: z.enum(BUDGET_LEVELS, `预算级次只能是${BUDGET_LEVELS.join('、')}`),
  adminLevel: z.enum(ADMIN_LEVELS, `行政级次只能是${ADMIN_LEVELS.join('、')}`),
});

/** An operator's preset department (the top of a tree): 财政部 (central_dept) or a finance bureau. */
export const PresetInput = z.object({
  fullName: z.string().trim().min(4, '请填写单位全称').max(60, '名称不超过 60 字'),
  uscc: usccNamed('统一信用代码'),
  role: z.enum(['central_dept', 'finance_dept'], '类型只能是中央部门或财政部门'),
  budgetLevel: z.enum(BUDGET_LEVELS, `预算级次只能是${BUDGET_LEVELS.join('、')}`),
  /** The finance bureau above it (a county's above the province's), if any. */
  superiorId: Id.optional(),
  contactName: z.string().trim().min(2, '联系人至少 2 个字').max(20, '联系人不超过 20 字'),
  mobile: Mobile,
});

export const PurchaserListQuery = z.object({
  keyword: SearchKeyword(60),
  accountState: z.preprocess((v) => (v === '' ? undefined : v), z.enum(ACCOUNT_STATES, '账号状态无效').optional()),
  page: PageNumber,
  pageSize: PageSize(100, 20),
});

const AccountStateView = z.enum(ACCOUNT_STATES).describe('none 未生成账号 · pending 待激活 · active 已激活 · expired 激活码已过期');

export const UnitView = z.object({
  id: z.string(),
  fullName: z.string(),
  uscc: z.string().nullable(),
  role: z.enum(['central_dept', 'finance_dept', 'unit']),
  superiorId: z.string().nullable(),
  superiorName: z.string().nullable(),
  contactName: z.string(),
  contactMobile: z.string(),
  budgetLevel: z.enum(BUDGET_LEVELS),
  adminLevel: z.string().nullable(),
  annualFen: z.number().int(),
  ratioBp: z.number().int(),
  /** 预留金额 = annual × ratio, half up to the fen. */
  reservedFen: z.number().int(),
  accountState: z.union([AccountStateView, z.literal('expired')]),
  accountAt: z.string().nullable(),
  confirmedAt: z.string().nullable(),
});
export type UnitView = z.infer<typeof UnitView>;

/** One change of a unit: what, who (the login that made it; null for the platform), before → after, when. */
export const HistoryEntry = z.object({
  action: z.string(),
  label: z.string(),
  actorName: z.string().nullable(),
  before: z.unknown(),
  after: z.unknown(),
  createdAt: z.string(),
});
export const UnitDetailView = UnitView.extend({ history: z.array(HistoryEntry), depth: z.number().int() });

export const RunView = z.object({
  id: z.string(),
  state: z.enum(['pending', 'running', 'done', 'failed']),
  total: z.number().int(),
  done: z.number().int(),
  error: z.string().nullable(),
});
export type RunView = z.infer<typeof RunView>;

export const PurchaserView = z.object({
  id: z.string(),
  name: z.string(),
  uscc: z.string(),
  kind: z.enum(PURCHASER_KINDS),
  contactName: z.string(),
  mobile: z.string(),
  accountState: z.union([AccountStateView, z.literal('expired')]),
  accountAt: z.string().nullable(),
});
export type PurchaserView = z.infer<typeof PurchaserView>;

export const GenerateResult = z.object({ generated: z.number().int(), joined: z.number().int() });
