import { DEFAULT_CALENDAR, isWorkingDay, type WorkCalendar } from '../escrow/working-days';
import { formatFen } from '../shared/money';
import { endOfShanghaiDay, shanghaiDate } from '../shared/time';
import { DEFAULT_VOUCHER_CATEGORIES } from './vouchers.constants';

/**
 * Pure rules of a voucher campaign (manual 001): coupon categories, an issuance's table of
 * category × tier rows and its total against the unallocated budget, the issuance state machine,
 * the funding deadline (2 working days before the first issuance) and the pool identity.
 * No I/O, no clock of its own.
 */

export type IssuanceStatus = 'scheduled' | 'running' | 'paused' | 'stopped' | 'finished';
export type IssuanceEvent = 'start' | 'pause' | 'resume' | 'stop' | 'finish';

export const ISSUANCE_STATUS_LABELS: Record<IssuanceStatus, string> = {
  scheduled: '待发放',
  running: '发放中',
  paused: '已暂停',
  stopped: '已停止',
  /** Every coupon of the issuance granted (the grab marks it). */
  finished: '已抢光',
};

export const CAMPAIGN_STATUS_LABELS: Record<'draft' | 'funded' | 'settled' | 'cancelled', string> = {
  draft: '待划拨资金',
  funded: '已划拨资金',
  settled: '已结算',
  cancelled: '已取消',
};

/** scheduled → running → paused ↔ running → stopped / finished. Stopped and finished are final. */
export const ISSUANCE_TRANSITIONS: Record<IssuanceStatus, Partial<Record<IssuanceEvent, IssuanceStatus>>> = {
  scheduled: { start: 'running' },
  running: { pause: 'paused', stop: 'stopped', finish: 'finished' },
  paused: { resume: 'running', stop: 'stopped', finish: 'finished' },
  stopped: {},
  finished: {},
};

/** The next status, or null when the event is not allowed from `from`. */
export function issuanceTransition(from: IssuanceStatus, event: IssuanceEvent): IssuanceStatus | null {
  return ISSUANCE_TRANSITIONS[from][event] ?? null;
}

/** Rows (and the start time) may change, and the issuance may be deleted, only before it starts. */
export const issuanceEditable = (status: IssuanceStatus) => status === 'scheduled';

/** Why an event is refused, in words a bureau understands. */
export function issuanceRefusal(from: IssuanceStatus, event: IssuanceEvent | 'edit'): string {
  const state = ISSUANCE_STATUS_LABELS[from];
  if (event === 'edit') return `该批次${state}，券面设置已锁定，只能暂停、恢复或停止`;
  const verb = { start: '开始发放', pause: '暂停', resume: '恢复', stop: '停止', finish: '结束' }[event];
  return `该批次${state}，不能${verb}`;
}

// ---------------------------------------------------------------------------------------------
// Categories

export interface CategoryDef {
  code: string;
  name: string;
  merchantCategories: string[];
}

/** The campaign's coupon categories: the bureau's, or the default 通用券 / 餐饮券. */
export function categoriesOrDefault(categories: CategoryDef[] | undefined | null): CategoryDef[] {
  if (categories && categories.length) return categories;
  return DEFAULT_VOUCHER_CATEGORIES.map((c) => ({ code: c.code, name: c.name, merchantCategories: [...c.merchantCategories] }));
}

/** Field errors of a category list: codes and names unique. */
export function categoryErrors(categories: CategoryDef[]): Record<string, string> {
  const errors: Record<string, string> = {};
  const codes = new Set<string>();
  const names = new Set<string>();
  categories.forEach((c, i) => {
    if (codes.has(c.code)) errors[`categories.${i}.code`] ??= '券类别代码重复';
    if (names.has(c.name)) errors[`categories.${i}.name`] ??= '券类别名称重复';
    codes.add(c.code);
    names.add(c.name);
  });
  return errors;
}

// ---------------------------------------------------------------------------------------------
// Issuance table

export interface TierRow {
  categoryCode: string;
  /** 一档 = 1, 二档 = 2 … within its category. */
  tierNo: number;
  thresholdFen: number;
  discountFen: number;
  count: number;
}

export const TIER_NAMES = ['一档', '二档', '三档', '四档', '五档', '六档', '七档', '八档', '九档', '十档'];
export const tierName = (n: number) => TIER_NAMES[n - 1] ?? `${n}档`;

/** 满100减30 */
export const tierLabel = (r: Pick<TierRow, 'thresholdFen' | 'discountFen'>) => `满${yuan(r.thresholdFen)}减${yuan(r.discountFen)}`;
const yuan = (fen: number) => (fen % 100 === 0 ? String(fen / 100) : (fen / 100).toFixed(2));

/** One row's value: count × discount. */
export const rowValueFen = (r: Pick<TierRow, 'discountFen' | 'count'>) => r.discountFen * r.count;

/** The issuance's total: Σ count × discount. */
export const issuanceTotalFen = (rows: Pick<TierRow, 'discountFen' | 'count'>[]) => rows.reduce((s, r) => s + rowValueFen(r), 0);

export const issuanceCouponCount = (rows: Pick<TierRow, 'count'>[]) => rows.reduce((s, r) => s + r.count, 0);

/** What planned issuances take from the budget: each one's total, less what a stop gave back. */
export function unallocatedBudgetFen(budgetFen: number, issuances: { totalFen: number; returnedFen: number }[]): number {
  return budgetFen - issuances.reduce((s, i) => s + i.totalFen - i.returnedFen, 0);
}

export interface IssuanceCheck {
  rows: TierRow[];
  startsAt: Date;
  now: Date;
  /** The campaign's validity end: an issuance must start before it. */
  validUntil: Date;
  categories: Pick<CategoryDef, 'code' | 'name'>[];
  /** Budget not yet planned by other issuances (excluding the one being edited). */
  unallocatedFen: number;
}

/**
 * Field errors of an issuance (keys as zod paths: `rows.2.count`, `startsAt`); empty when valid.
 * Rows: known category, tier numbers 1, 2 … per category without gaps or duplicates, discount below
 * the threshold, counts above zero; the total at most the unallocated budget (the message sits on
 * the count of the first row that goes over, saying how many fit).
 */
export function issuanceErrors(c: IssuanceCheck): Record<string, string> {
  const errors: Record<string, string> = {};
  const set = (k: string, m: string) => void (errors[k] ??= m);
  if (c.startsAt.getTime() <= c.now.getTime()) set('startsAt', '发放时间须晚于当前时间');
  else if (c.startsAt.getTime() >= c.validUntil.getTime()) set('startsAt', '发放时间须早于消费券有效期截止时间');
  if (!c.rows.length) {
    set('rows', '请至少设置一个档次');
    return errors;
  }
  const names = new Map(c.categories.map((k) => [k.code, k.name]));
  const seen = new Set<string>();
  const tiersOf = new Map<string, number[]>();
  c.rows.forEach((r, i) => {
    const at = (f: keyof TierRow) => `rows.${i}.${f}`;
    if (!names.has(r.categoryCode)) set(at('categoryCode'), '请选择本活动的券类别');
    if (!Number.isInteger(r.tierNo) || r.tierNo < 1) set(at('tierNo'), '档次须为 1 起的整数');
    const key = `${r.categoryCode}#${r.tierNo}`;
    if (seen.has(key)) set(at('tierNo'), `${names.get(r.categoryCode) ?? '该类别'}${tierName(r.tierNo)}重复`);
    seen.add(key);
    tiersOf.set(r.categoryCode, [...(tiersOf.get(r.categoryCode) ?? []), r.tierNo]);
    if (!Number.isSafeInteger(r.thresholdFen) || r.thresholdFen <= 0) set(at('thresholdFen'), '门槛金额须大于 0');
    if (!Number.isSafeInteger(r.discountFen) || r.discountFen <= 0) set(at('discountFen'), '减免金额须大于 0');
    else if (r.discountFen >= r.thresholdFen) set(at('discountFen'), '减免金额须小于门槛金额');
    if (!Number.isSafeInteger(r.count) || r.count <= 0) set(at('count'), '发放张数须大于 0');
  });
  // Tier numbers of a category are 1 … n: a row whose number leaves a gap is named.
  for (const [code, tiers] of tiersOf) {
    const n = new Set(tiers).size;
    c.rows.forEach((r, i) => {
      if (r.categoryCode === code && Number.isInteger(r.tierNo) && r.tierNo > n)
        set(`rows.${i}.tierNo`, `${names.get(code) ?? '该类别'}的档次须从一档起连续编号`);
    });
  }
  if (Object.keys(errors).some((k) => k.startsWith('rows'))) return errors;
  let running = 0;
  for (let i = 0; i < c.rows.length; i++) {
    const r = c.rows[i]!;
    if (running + rowValueFen(r) > c.unallocatedFen) {
      const fit = Math.max(0, Math.floor((c.unallocatedFen - running) / r.discountFen));
      set(
        `rows.${i}.count`,
        `本批次合计 ${formatFen(issuanceTotalFen(c.rows))} 超出未分配预算 ${formatFen(c.unallocatedFen)}，本行最多 ${fit.toLocaleString('en-US')} 张`,
      );
      break;
    }
    running += rowValueFen(r);
  }
  return errors;
}

/** The unissued value a stop returns to the pool: Σ (count − granted) × discount. */
export const unissuedStockFen = (tiers: { count: number; granted: number; discountFen: number }[]) =>
  tiers.reduce((s, t) => s + (t.count - t.granted) * t.discountFen, 0);

// ---------------------------------------------------------------------------------------------
// Funding deadline (manual 七(三): 在消费券发放前提前 2 个工作日划拨)

export const FUNDING_WORKING_DAYS = 2;

/** The end (Asia/Shanghai) of the 2nd working day before the first issuance's day: the budget must be in the pool by then. */
export function fundingDeadline(firstStartsAt: Date, cal: WorkCalendar = DEFAULT_CALENDAR, workingDays = FUNDING_WORKING_DAYS): Date {
  let day = shanghaiDate(firstStartsAt);
  let counted = 0;
  while (counted < workingDays) {
    day = shanghaiDate(new Date(Date.parse(`${day}T12:00:00+08:00`) - 86_400_000));
    if (isWorkingDay(day, cal)) counted++;
  }
  return endOfShanghaiDay(day);
}

/** Warn when the campaign is not funded and the deadline before its first issuance has passed. */
export function fundingWarning(
  c: { status: string; firstStartsAt: Date | null },
  now: Date,
  cal: WorkCalendar = DEFAULT_CALENDAR,
): { deadline: Date | null; late: boolean } {
  if (!c.firstStartsAt) return { deadline: null, late: false };
  const deadline = fundingDeadline(c.firstStartsAt, cal);
  return { deadline, late: c.status === 'draft' && now.getTime() > deadline.getTime() };
}

// ---------------------------------------------------------------------------------------------
// Pool identity

/** The figures of one campaign, from its tables and its ledger accounts. */
export interface PoolFigures {
  budgetFen: number;
  /** Moved bureau → pool (voucher_fund): 0 or the budget. */
  fundedFen: number;
  /** Σ total of started issuances (moved pool → issued). */
  allocatedFen: number;
  /** Σ value stopped issuances returned (issued → pool). */
  stopReturnedFen: number;
  /** Σ discount of every coupon granted, whatever its status now. */
  grantedFen: number;
  /** Σ discount of unused coupons. */
  unusedFen: number;
  /** Σ discount of coupons with a paid redemption that is not refunded. */
  redeemedFen: number;
  /** Σ discount of refunded redemptions (the coupon stays used, its value went back to the pool). */
  refundedFen: number;
  /** Σ discount of expired coupons. */
  expiredFen: number;
  /** Ledger balances of the campaign's accounts. */
  poolFen: number;
  issuedFen: number;
  payableFen: number;
  /** Net paid to merchants at settlement (voucher_settle, less refunds merchants paid back after it). */
  settledFen: number;
  /** Returned to the bureau after settlement (voucher_remainder). */
  remainderFen: number;
}

export interface IdentityCheck {
  name: string;
  label: string;
  leftFen: number;
  rightFen: number;
  ok: boolean;
}

export interface PoolIdentity {
  ok: boolean;
  terms: {
    budgetFen: number;
    /** Not yet allocated + started issuances' ungranted stock (incl. what a stop returned). */
    unissuedFen: number;
    grantedUnusedFen: number;
    redeemedFen: number;
    expiredReturnedFen: number;
  };
  checks: IdentityCheck[];
}

/**
 * budget = unissued + granted-unused + redeemed + expired-returned, to the fen, and the ledger agrees:
 * pool + issued + payable + settled + remainder = funded; issued = ungranted stock of started, not
 * stopped issuances + granted-unused; payable + settled = redeemed. Each check says which side is off.
 */
export function poolIdentity(f: PoolFigures): PoolIdentity {
  const unissuedFen = f.budgetFen - f.allocatedFen + (f.allocatedFen - f.grantedFen);
  const terms = {
    budgetFen: f.budgetFen,
    unissuedFen,
    grantedUnusedFen: f.unusedFen,
    redeemedFen: f.redeemedFen,
    expiredReturnedFen: f.expiredFen + f.refundedFen,
  };
  const check = (name: string, label: string, leftFen: number, rightFen: number): IdentityCheck => ({
    name,
    label,
    leftFen,
    rightFen,
    ok: leftFen === rightFen,
  });
  const checks = [
    check(
      'budget',
      '预算 = 未发放 + 已领未用 + 已核销 + 过期及退货退回',
      f.budgetFen,
      terms.unissuedFen + terms.grantedUnusedFen + terms.redeemedFen + terms.expiredReturnedFen,
    ),
    check(
      'ledger_total',
      '资金池 + 已发放 + 应付商户 + 已结算 + 结余退回 = 已划拨',
      f.poolFen + f.issuedFen + f.payableFen + f.settledFen + f.remainderFen,
      f.fundedFen,
    ),
    check('issued', '已发放账户 = 已开始批次未领库存 + 已领未用', f.issuedFen, f.allocatedFen - f.stopReturnedFen - f.grantedFen + f.unusedFen),
    check('payable', '应付商户 + 已结算 = 已核销', f.payableFen + f.settledFen, f.redeemedFen),
    check('allocated', '已开始批次金额不超过已划拨', Math.min(f.allocatedFen, f.fundedFen), f.allocatedFen),
  ];
  return { ok: checks.every((c) => c.ok), terms, checks };
}
