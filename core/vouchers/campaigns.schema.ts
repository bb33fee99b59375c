import { z } from 'zod';
import { PageNumber, PageSize } from '../shared/paging';
import { shanghaiLocalToIso } from '../shared/time';
import { VOUCHER_MERCHANT_CATEGORY_CODES } from './vouchers.constants';

/** zod contracts of voucher campaigns and issuances: what the bureau sends and what the pages and API get back. */

const MAX_FEN = 10_000_000_000; // ¥100,000,000

const Fen = (label: string, max = MAX_FEN) =>
  z
    .number({ message: `请填写${label}` })
    .int(`${label}须为整数分（最多两位小数）`)
    .min(1, `${label}须大于 0`)
    .max(max, `${label}过大`);

/** "2023-12-10T23:59" typed in Beijing time, or ISO 8601 with an offset. */
const ShanghaiDateTime = (message: string) =>
  z.preprocess(
    (v) => (v instanceof Date ? v.toISOString() : typeof v === 'string' ? shanghaiLocalToIso(v) : v),
    z.iso.datetime({ offset: true, message }).transform((s) => new Date(s)),
  );

const Text = (label: string, min: number, max: number) =>
  z
    .string({ message: `请填写${label}` })
    .trim()
    .min(min, min <= 1 ? `请填写${label}` : `${label}至少 ${min} 个字`)
    .max(max, `${label}不超过 ${max} 个字`)
    // eslint-disable-next-line no-control-regex
    .refine((s) => !/[\u0000-\u001F\u007F-\u009F]/.test(s) && s.isWellFormed(), '不能包含控制字符或无法识别的字符');

export const CategoryInput = z.object({
  code: z.string({ message: '请填写券类别代码' }).regex(/^[a-z][a-z0-9_]{0,29}$/, '券类别代码为小写字母开头的字母、数字或下划线，不超过 30 位'),
  name: Text('券类别名称', 1, 20),
  merchantCategories: z
    .array(z.enum(VOUCHER_MERCHANT_CATEGORY_CODES, { message: '请选择商户类别' }), { message: '请选择适用的商户类别' })
    .min(1, '请至少选择一个适用的商户类别')
    .max(VOUCHER_MERCHANT_CATEGORY_CODES.length),
});
export type CategoryInput = z.infer<typeof CategoryInput>;

export const CampaignInput = z.object({
  name: Text('活动名称', 2, 100),
  documentNo: Text('文号', 1, 60),
  budgetFen: Fen('资金总额'),
  validUntil: ShanghaiDateTime('请填写有效期截止时间（北京时间）'),
  /** Who may grab: empty = every registered individual; else region codes (prefix match: 500110 covers its townships). */
  regionCodes: z
    .array(z.string().regex(/^\d{2,12}$/, '地区代码为 2–12 位数字'), { message: '地区须为列表' })
    .max(50, '地区最多 50 个')
    .nullish()
    .transform((v) => (v && v.length ? [...new Set(v)] : null)),
  perIssuanceCap: z
    .number({ message: '每批次每人限领须为数字' })
    .int('每批次每人限领须为整数')
    .min(1, '每批次每人限领至少 1 张')
    .max(100, '每批次每人限领不超过 100 张')
    .nullish()
    .transform((v) => v ?? null),
  categories: z.array(CategoryInput, { message: '券类别须为列表' }).max(10, '券类别最多 10 个').optional(),
});
export type CampaignInput = z.input<typeof CampaignInput>;

export const TierRowInput = z.object({
  categoryCode: z.string({ message: '请选择券类别' }).max(30, '请选择券类别'),
  tierNo: z.number({ message: '请填写档次' }).int('档次须为整数').min(1, '档次须为 1 起的整数').max(10, '每类最多 10 档'),
  thresholdFen: Fen('门槛金额'),
  discountFen: Fen('减免金额'),
  count: z.number({ message: '请填写发放张数' }).int('发放张数须为整数').min(1, '发放张数须大于 0').max(10_000_000, '发放张数过大'),
});

export const IssuanceInput = z.object({
  startsAt: ShanghaiDateTime('请填写发放时间（北京时间）'),
  rows: z.array(TierRowInput, { message: '请设置券档次' }).min(1, '请至少设置一个档次').max(50, '档次最多 50 行'),
});
export type IssuanceInput = z.input<typeof IssuanceInput>;

export const CampaignListQuery = z.object({ page: PageNumber, pageSize: PageSize(50, 20) });

// ── views ─────────────────────────────────────────────────────────────────────────────────────

const Iso = z.iso.datetime();
const CampaignStatus = z.enum(['draft', 'funded', 'settled', 'cancelled']);
const IssuanceStatus = z.enum(['scheduled', 'running', 'paused', 'stopped', 'finished']);

export const CategoryView = z.object({
  code: z.string(),
  name: z.string(),
  merchantCategories: z.array(z.string()),
  merchantCategoryNames: z.array(z.string()),
});

export const TierView = z.object({
  id: z.uuid(),
  categoryCode: z.string(),
  categoryName: z.string(),
  tierNo: z.number().int(),
  tierName: z.string(),
  label: z.string(),
  thresholdFen: z.number().int(),
  discountFen: z.number().int(),
  count: z.number().int(),
  granted: z.number().int(),
  remaining: z.number().int(),
  valueFen: z.number().int(),
  closed: z.boolean(),
});

export const IssuanceView = z.object({
  id: z.uuid(),
  campaignId: z.uuid(),
  seq: z.number().int(),
  startsAt: Iso,
  status: IssuanceStatus,
  statusLabel: z.string(),
  totalFen: z.number().int(),
  coupons: z.number().int(),
  granted: z.number().int(),
  allocatedAt: Iso.nullable(),
  stoppedAt: Iso.nullable(),
  returnedFen: z.number().int(),
  editable: z.boolean(),
  tiers: z.array(TierView),
});
export type IssuanceView = z.infer<typeof IssuanceView>;

export const CampaignSummaryView = z.object({
  id: z.uuid(),
  bureauId: z.uuid(),
  bureauName: z.string(),
  name: z.string(),
  documentNo: z.string(),
  budgetFen: z.number().int(),
  validUntil: Iso,
  status: CampaignStatus,
  statusLabel: z.string(),
  fundedAt: Iso.nullable(),
  createdAt: Iso,
  issuances: z.number().int(),
  firstStartsAt: Iso.nullable(),
  fundingDeadline: Iso.nullable(),
  /** Not funded and the deadline (2 working days before the first issuance) has passed. */
  fundingLate: z.boolean(),
});
export type CampaignSummaryView = z.infer<typeof CampaignSummaryView>;

export const CampaignDetailView = CampaignSummaryView.extend({
  regionCodes: z.array(z.string()).nullable(),
  regionNames: z.array(z.string()),
  perIssuanceCap: z.number().int().nullable(),
  categories: z.array(CategoryView),
  issuanceList: z.array(IssuanceView),
  /** Budget not yet planned for an issuance (a stop's returned value counts again). */
  unallocatedFen: z.number().int(),
  /** The bureau's wallet: what funding would take from. */
  walletAvailableFen: z.number().int(),
});
export type CampaignDetailView = z.infer<typeof CampaignDetailView>;

export const CampaignPageView = z.object({ items: z.array(CampaignSummaryView), total: z.number().int(), page: z.number().int(), pageSize: z.number().int() });

export const FundResultView = z.object({
  campaignId: z.uuid(),
  status: CampaignStatus,
  fundedAt: Iso,
  amountFen: z.number().int(),
  transferId: z.uuid(),
  replayed: z.boolean(),
  walletAvailableFen: z.number().int(),
});

export const IdentityCheckView = z.object({ name: z.string(), label: z.string(), leftFen: z.number().int(), rightFen: z.number().int(), ok: z.boolean() });
export const IdentityView = z.object({
  campaignId: z.uuid(),
  ok: z.boolean(),
  checkedAt: Iso,
  terms: z.object({
    budgetFen: z.number().int(),
    unissuedFen: z.number().int(),
    grantedUnusedFen: z.number().int(),
    redeemedFen: z.number().int(),
    expiredReturnedFen: z.number().int(),
  }),
  ledger: z.object({
    fundedFen: z.number().int(),
    poolFen: z.number().int(),
    issuedFen: z.number().int(),
    payableFen: z.number().int(),
    settledFen: z.number().int(),
    remainderFen: z.number().int(),
  }),
  checks: z.array(IdentityCheckView),
});
export type IdentityView = z.infer<typeof IdentityView>;

const FigureRow = z.object({
  key: z.string(),
  label: z.string(),
  redemptions: z.number().int(),
  discountFen: z.number().int(),
  billFen: z.number().int(),
  /** 拉动消费: order total ÷ discount (null while nothing is redeemed). */
  leverage: z.number().nullable(),
});
export type FigureRow = z.infer<typeof FigureRow>;

export const ConsoleView = z.object({
  campaignId: z.uuid(),
  generatedAt: Iso,
  issuances: z.array(IssuanceView),
  coupons: z.object({ granted: z.number().int(), unused: z.number().int(), used: z.number().int(), expired: z.number().int() }),
  totals: FigureRow,
  byDay: z.array(FigureRow),
  byCategory: z.array(FigureRow),
  byDistrict: z.array(FigureRow),
  byMerchant: z.array(FigureRow),
  identity: IdentityView,
  fundingLate: z.boolean(),
  fundingDeadline: Iso.nullable(),
});
export type ConsoleView = z.infer<typeof ConsoleView>;

/** Pushed to the owning bureau's console room (`vouchers:figures`) when a redemption is paid or refunded. */
export const VoucherFiguresPayload = ConsoleView.pick({ campaignId: true, generatedAt: true, coupons: true, totals: true });
export type VoucherFiguresPayload = z.infer<typeof VoucherFiguresPayload>;

export const PublicTierView = TierView.omit({ closed: true, valueFen: true });
export const PublicIssuanceView = z.object({
  id: z.uuid(),
  seq: z.number().int(),
  startsAt: Iso,
  status: IssuanceStatus,
  statusLabel: z.string(),
  tiers: z.array(PublicTierView),
});
export const PublicCampaignView = z.object({
  id: z.uuid(),
  name: z.string(),
  documentNo: z.string(),
  bureauName: z.string(),
  validUntil: Iso,
  regionNames: z.array(z.string()),
  perIssuanceCap: z.number().int().nullable(),
  categories: z.array(CategoryView),
  issuances: z.array(PublicIssuanceView),
});
export type PublicCampaignView = z.infer<typeof PublicCampaignView>;
