import { z } from 'zod';
import { isRegionCode } from '../shared/regions';
import { PageNumber, PageSize } from '../shared/paging';
import { SearchKeyword, whenFieldsValid } from '../shared/validate';
import { PROJECT_GROUPS, REQUIREMENT_STATES } from './requirements.machine';

/** zod contracts of the tenders context: used by pages, the API and the tests alike. */

const MAX_FEN = 100_000_000_00; // ¥100,000,000
export const FenAmount = (label: string) =>
  z
    .number({ message: `请填写${label}` })
    .int(`${label}最多两位小数`)
    .min(0, `${label}不能为负`)
    .max(MAX_FEN, `${label}不超过 ¥100,000,000.00`);
export const PositiveFen = (label: string) => FenAmount(label).refine((n) => n > 0, `${label}必须大于 0`);

export const IsoDate = z
  .string({ message: '请选择日期' })
  .regex(/^\d{4}-\d{2}-\d{2}$/, '日期格式为 YYYY-MM-DD')
  // Round trip: Date.parse accepts 2026-02-30 (rolling over to March), which the database refuses.
  .refine((s) => {
    const t = Date.parse(`${s}T00:00:00Z`);
    return !Number.isNaN(t) && new Date(t).toISOString().slice(0, 10) === s;
  }, '日期无效');

export const RegionCode = z
  .string({ message: '请选择地区' })
  .regex(/^\d{2}(\d{2}){0,2}$/, '请选择地区')
  .refine(isRegionCode, '地区代码无效');

const FileIds = z.array(z.uuid('附件编号无效')).max(10, '附件最多 10 个').default([]);

/**
 * The requirement rules that look across fields or at the description's text, as field messages. The
 * schema applies them once every field parses; the form applies them also next to other field
 * errors, so a person sees every message at once. `descriptionText` is the description as plain text.
 */
export function requirementFormIssues(v: { mode?: string; openingAt?: unknown; descriptionText?: string }): Record<string, string> {
  const issues: Record<string, string> = {};
  if (v.descriptionText !== undefined && v.descriptionText.length < 10) issues.descriptionHtml = '需求描述至少 10 个字';
  if (v.mode === 'competitive' && !v.openingAt) issues.openingAt = '竞标项目须选择开标时间';
  return issues;
}

/** The requirement form (发布需求). Saving a draft and publishing take the same fields. */
export const RequirementInput = z
  .object({
    invoiceName: z.string({ message: '请填写企业全称' }).trim().min(4, '请填写真实的企业全称，用于开具票据').max(100, '企业全称不超过 100 字'),
    title: z.string({ message: '请填写需求标题' }).trim().min(4, '标题至少 4 个字').max(60, '标题不超过 60 字'),
    categoryCode: z.string({ message: '请选择服务类别' }).min(1, '请选择服务类别').max(40),
    descriptionHtml: z.string({ message: '请填写需求描述' }).max(50_000, '需求描述过长'),
    budgetMinFen: FenAmount('预算下限'),
    budgetMaxFen: PositiveFen('预算上限'),
    deliveryDate: IsoDate,
    regionCode: RegionCode,
    mode: z.enum(['competitive', 'invitation'], { message: '请选择招标方式' }),
    paymentMode: z.enum(['full_escrow', 'instalments'], { message: '请选择付款方式' }),
    /** Competitive only: ISO 8601 with offset. */
    openingAt: z.iso.datetime({ offset: true, message: '请选择开标时间' }).optional().nullable(),
    minBidders: z.number({ message: '最低投标机构数为 1–10' }).int().min(1, '最低投标机构数为 1–10').max(10, '最低投标机构数为 1–10').optional().nullable(),
    attachmentIds: FileIds,
  })
  .superRefine(
    (v, ctx) => {
      if (v.budgetMinFen > v.budgetMaxFen) ctx.addIssue({ code: 'custom', path: ['budgetMaxFen'], message: '预算上限不能低于下限' });
      for (const [path, message] of Object.entries(requirementFormIssues({ mode: v.mode, openingAt: v.openingAt })))
        ctx.addIssue({ code: 'custom', path: [path], message });
    },
    whenFieldsValid('budgetMinFen', 'budgetMaxFen', 'mode', 'openingAt'),
  )
  .transform((v) => ({
    ...v,
    openingAt: v.mode === 'competitive' && v.openingAt ? new Date(v.openingAt) : null,
    minBidders: v.mode === 'competitive' ? (v.minBidders ?? 3) : null,
  }));
export type RequirementInput = z.input<typeof RequirementInput>;

export const ReviewRequirementInput = z.discriminatedUnion('decision', [
  z.object({ decision: z.literal('approve') }),
  z.object({ decision: z.literal('reject'), reason: z.string({ message: '请填写驳回原因' }).trim().min(2, '请填写驳回原因').max(500, '原因不超过 500 字') }),
]);
export type ReviewRequirementInput = z.infer<typeof ReviewRequirementInput>;

export const RetenderInput = z.object({
  openingAt: z.iso.datetime({ offset: true, message: '请选择新的开标时间' }).transform((s) => new Date(s)),
  minBidders: z.number().int().min(1, '最低投标机构数为 1–10').max(10, '最低投标机构数为 1–10').optional(),
});
export type RetenderInput = z.input<typeof RetenderInput>;

export const HALL_SORTS = ['newest', 'opening', 'budget_desc', 'budget_asc', 'relevance'] as const;

/** List queries answer a bad page, size or filter with a Chinese message per field, like the forms. */
const PageNo = PageNumber;
const SearchText = SearchKeyword(100, '搜索词不超过 100 字');
const QueryFen = z.coerce.number({ message: '金额无效' }).int('金额无效').min(0, '金额无效').optional();

export const HallQuery = z.object({
  q: SearchText,
  category: z.string().max(40, '服务类别无效').optional(),
  region: z
    .string()
    .regex(/^\d{2,6}$/, '地区代码无效')
    .optional(),
  mode: z.enum(['competitive', 'invitation'], { message: '招标方式无效' }).optional(),
  /** open: still taking proposals / invitations; opened: the opening time has passed. */
  status: z.enum(['open', 'opened'], { message: '项目状态无效' }).optional(),
  budgetMinFen: QueryFen,
  budgetMaxFen: QueryFen,
  sort: z.enum(HALL_SORTS, { message: '排序方式无效' }).default('newest'),
  page: PageNo,
  pageSize: PageSize(50, 12),
});
export type HallQuery = z.input<typeof HallQuery>;

export const MyProjectsQuery = z.object({
  group: z.enum(PROJECT_GROUPS, { message: '项目分组无效' }).optional(),
  page: PageNo,
  pageSize: PageSize(50, 10),
});

export const PageQuery = z.object({
  page: PageNo,
  pageSize: PageSize(100, 20),
});

export const AdminRequirementQuery = PageQuery.extend({
  state: z
    .enum(['draft', 'pending_review', 'rejected', 'open', 'abandoned', 'withdrawn', 'awarded', 'in_progress', 'completed', 'closed'], {
      message: '项目状态无效',
    })
    .optional(),
  q: SearchText,
});

export const ProposalInput = z.object({
  priceFen: PositiveFen('报价'),
  plan: z.string({ message: '请填写服务方案' }).trim().min(10, '服务方案至少 10 个字').max(10_000, '服务方案不超过 10000 字'),
  timeline: z.string({ message: '请填写服务周期' }).trim().min(2, '请填写服务周期').max(500, '服务周期不超过 500 字'),
  attachmentIds: FileIds,
});
export type ProposalInput = z.input<typeof ProposalInput>;

export const SelectInput = z.object({ providerId: z.uuid('请选择服务机构') });

export const InviteInput = z.object({
  requirementId: z.uuid('请选择项目'),
  providerId: z.uuid('请选择服务机构'),
  note: z.string().trim().max(500, '附言不超过 500 字').optional(),
});
export type InviteInput = z.input<typeof InviteInput>;

export const RespondInvitationInput = z.object({ decision: z.enum(['accept', 'decline'], { message: '请选择接受或拒绝' }) });

export const NegotiationMessageInput = z
  .object({
    body: z.string({ message: '请填写内容' }).trim().max(2000, '内容不超过 2000 字').default(''),
    attachmentIds: FileIds,
    /** Client-generated: a resent message is stored once. */
    clientId: z.string().min(8, '消息编号为 8–64 个字符').max(64, '消息编号为 8–64 个字符').optional(),
  })
  .refine((v) => v.body.length > 0 || v.attachmentIds.length > 0, { path: ['body'], message: '请填写内容或添加附件' });
export type NegotiationMessageInput = z.input<typeof NegotiationMessageInput>;

export const StorefrontInput = z.object({
  introduction: z.string().trim().max(5000, '简介不超过 5000 字').default(''),
  qualifications: z.string().trim().max(5000, '资质说明不超过 5000 字').default(''),
  regionsServed: z.array(RegionCode).max(40, '服务地区最多 40 个').default([]),
  categoryCodes: z.array(z.string().max(40)).max(20, '服务类别最多 20 个').default([]),
  contactPhone: z.string().trim().max(30, '电话不超过 30 字').optional().nullable(),
  logoFileId: z.uuid('图片编号无效').optional().nullable(),
});
export type StorefrontInput = z.input<typeof StorefrontInput>;

export const ServiceItemInput = z
  .object({
    title: z.string({ message: '请填写服务名称' }).trim().min(2, '服务名称至少 2 个字').max(60, '服务名称不超过 60 字'),
    categoryCode: z.string({ message: '请选择服务类别' }).min(1, '请选择服务类别').max(40),
    priceMinFen: PositiveFen('价格'),
    /** Equal to the minimum for a fixed price. */
    priceMaxFen: PositiveFen('价格上限'),
    priceUnit: z.string().trim().min(1).max(10, '计价单位不超过 10 字').default('次'),
    description: z.string().trim().max(5000, '说明不超过 5000 字').default(''),
    status: z.enum(['listed', 'unlisted']).default('listed'),
  })
  .refine((v) => v.priceMinFen <= v.priceMaxFen, { path: ['priceMaxFen'], message: '价格上限不能低于下限' });
export type ServiceItemInput = z.input<typeof ServiceItemInput>;

export const CaseInput = z.object({
  title: z.string({ message: '请填写案例名称' }).trim().min(2, '案例名称至少 2 个字').max(60, '案例名称不超过 60 字'),
  clientName: z.string().trim().max(100, '客户名称不超过 100 字').optional().nullable(),
  year: z.number().int().min(1990, '年份无效').max(2100, '年份无效').optional().nullable(),
  description: z.string().trim().max(5000, '说明不超过 5000 字').default(''),
  imageFileId: z.uuid('图片编号无效').optional().nullable(),
});
export type CaseInput = z.input<typeof CaseInput>;

export const SHOWCASE_SORTS = ['rating', 'newest', 'name'] as const;
export const ShowcaseQuery = z.object({
  q: SearchText,
  category: z.string().max(40, '服务类别无效').optional(),
  region: z
    .string()
    .regex(/^\d{2,6}$/, '地区代码无效')
    .optional(),
  sort: z.enum(SHOWCASE_SORTS, { message: '排序方式无效' }).default('rating'),
  page: PageNo,
  pageSize: PageSize(50, 12),
});
export type ShowcaseQuery = z.input<typeof ShowcaseQuery>;

export const DepositSettingsInput = z
  .object({
    depositFen: PositiveFen('保证金'),
    forfeitEarlyFen: FenAmount('提前撤销扣除金额'),
    forfeitLateFen: FenAmount('临近开标撤销扣除金额'),
  })
  .superRefine((v, ctx) => {
    if (v.forfeitEarlyFen > v.depositFen) ctx.addIssue({ code: 'custom', path: ['forfeitEarlyFen'], message: '扣除金额不能超过保证金' });
    if (v.forfeitLateFen > v.depositFen) ctx.addIssue({ code: 'custom', path: ['forfeitLateFen'], message: '扣除金额不能超过保证金' });
  });

// ---------------------------------------------------------------------------------------------
// Views: what the tenders services return and the API, the sockets and the pages publish. The API
// names them for its document (realtime/api/*.routes.ts).

/** A page of items with the total count (the shape every paged list returns). */
export const pageOf = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), total: z.number().int(), page: z.number().int(), pageSize: z.number().int() });

/** A file attached to a requirement, proposal or negotiation message; `url` downloads it. */
export const AttachmentView = z.object({ id: z.uuid(), filename: z.string(), contentType: z.string(), sizeBytes: z.number().int(), url: z.string() });

export const DepositStatusView = z.enum(['none', 'held', 'refunded', 'partly_refunded']);

export const RequirementView = z.object({
  id: z.uuid(),
  requirementNo: z.string(),
  title: z.string(),
  categoryCode: z.string(),
  categoryName: z.string(),
  parentCategoryName: z.string().nullable(),
  budgetMinFen: z.number().int(),
  budgetMaxFen: z.number().int(),
  deliveryDate: z.string().describe('A date, e.g. 2027-01-31'),
  regionCode: z.string(),
  regionName: z.string(),
  mode: z.enum(['competitive', 'invitation']),
  paymentMode: z.enum(['full_escrow', 'instalments']),
  openingAt: z.iso.datetime().nullable(),
  opened: z.boolean().describe('The opening time has passed'),
  minBidders: z.number().int().nullable(),
  state: z.enum(REQUIREMENT_STATES),
  stateLabel: z.string(),
  group: z.enum(PROJECT_GROUPS),
  round: z.number().int(),
  bidderCount: z.number().int().describe('Live proposals (never their prices)'),
  organisation: z.object({ id: z.uuid(), fullName: z.string() }),
  excerpt: z.string(),
  createdAt: z.iso.datetime(),
  submittedAt: z.iso.datetime().nullable(),
  descriptionHtml: z.string().optional().describe('Detail views only (sanitised rich text)'),
  attachments: z.array(AttachmentView).optional().describe('Detail views only'),
  invoiceName: z.string().optional().describe('Owner and operators only (as every field below)'),
  depositFen: z.number().int().optional(),
  depositStatus: DepositStatusView.optional(),
  rejectReason: z.string().nullable().optional(),
  selectedProviderId: z.uuid().nullable().optional(),
  actions: z
    .array(z.string())
    .optional()
    .describe('What the owner can do now: edit, submit, discard, withdraw, abandon, select, retender, end, delete, invite'),
});

export const DepositOutcomeView = z.object({ requirement: RequirementView, refundFen: z.number().int(), forfeitFen: z.number().int() });

export const RequirementEventView = z.object({
  id: z.uuid(),
  requirementId: z.uuid(),
  actorUserId: z.uuid().nullable(),
  event: z.string(),
  fromState: z.enum(REQUIREMENT_STATES).nullable(),
  toState: z.enum(REQUIREMENT_STATES).nullable(),
  detail: z.record(z.string(), z.unknown()).nullable(),
  createdAt: z.iso.datetime(),
});

export const CategoryTreeView = z.array(z.object({ code: z.string(), name: z.string(), children: z.array(z.object({ code: z.string(), name: z.string() })) }));

export const ProposalStatusView = z.enum(['active', 'withdrawn', 'selected', 'not_selected']);
export const ProposalView = z.object({
  id: z.uuid(),
  requirementId: z.uuid(),
  providerId: z.uuid(),
  providerName: z.string(),
  priceFen: z.number().int(),
  currentPriceFen: z
    .number()
    .int()
    .describe('The price as it stands: the last revised price of a closed bidding round, else the proposal price (the winning price when selected)'),
  plan: z.string(),
  timeline: z.string(),
  status: ProposalStatusView,
  statusLabel: z.string(),
  revision: z.number().int(),
  round: z.number().int(),
  attachments: z.array(AttachmentView),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});

export const MyBidView = z.object({
  id: z.uuid(),
  priceFen: z.number().int(),
  currentPriceFen: z.number().int().describe('The price as it stands: the last revised price of a closed bidding round, else the proposal price'),
  status: ProposalStatusView,
  statusLabel: z.string(),
  revision: z.number().int(),
  updatedAt: z.iso.datetime(),
  requirement: z.object({
    id: z.uuid(),
    title: z.string(),
    requirementNo: z.string(),
    state: z.enum(REQUIREMENT_STATES),
    stateLabel: z.string(),
    openingAt: z.iso.datetime().nullable(),
    opened: z.boolean(),
  }),
  editable: z.boolean().describe('Live and before opening: may be revised or withdrawn'),
});

export const DepositSettingsView = z.object({ depositFen: z.number().int(), forfeitEarlyFen: z.number().int(), forfeitLateFen: z.number().int() });

export const InvitationView = z.object({
  id: z.uuid(),
  requirementId: z.uuid(),
  requirement: z.object({
    id: z.uuid(),
    title: z.string(),
    requirementNo: z.string(),
    state: z.enum(REQUIREMENT_STATES),
    stateLabel: z.string(),
    deliveryDate: z.string(),
  }),
  enterpriseId: z.uuid(),
  enterpriseName: z.string(),
  providerId: z.uuid(),
  providerName: z.string(),
  status: z.enum(['pending', 'accepted', 'declined', 'selected', 'dropped', 'cancelled']),
  statusLabel: z.string(),
  note: z.string().nullable(),
  respondedAt: z.iso.datetime().nullable(),
  createdAt: z.iso.datetime(),
});

export const InvitableRequirementView = z.object({ id: z.uuid(), title: z.string(), requirementNo: z.string(), deliveryDate: z.string() });

export const NegotiationMessageView = z.object({
  id: z.uuid(),
  requirementId: z.uuid(),
  providerId: z.uuid(),
  senderOrgId: z.uuid(),
  senderName: z.string(),
  body: z.string(),
  attachments: z.array(AttachmentView),
  deliveredAt: z.iso.datetime().nullable().describe('Reached the other side live'),
  readAt: z.iso.datetime().nullable(),
  createdAt: z.iso.datetime(),
});

export const NegotiationThreadView = pageOf(NegotiationMessageView).extend({
  requirement: z.object({ id: z.uuid(), title: z.string(), requirementNo: z.string(), enterpriseName: z.string() }),
  provider: z.object({ id: z.uuid(), fullName: z.string() }),
  side: z.enum(['enterprise', 'provider']).describe("The caller's side of the thread"),
});

export const RatingView = z.object({ average: z.number().nullable(), count: z.number().int() });

export const ServiceItemView = z.object({
  id: z.uuid(),
  organisationId: z.uuid(),
  title: z.string(),
  categoryCode: z.string(),
  categoryName: z.string(),
  parentCategoryName: z.string().nullable(),
  priceMinFen: z.number().int(),
  priceMaxFen: z.number().int().describe('Equal to the minimum for a fixed price'),
  priceUnit: z.string(),
  description: z.string(),
  status: z.enum(['listed', 'unlisted']),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});

export const CaseView = z.object({
  id: z.uuid(),
  organisationId: z.uuid(),
  title: z.string(),
  clientName: z.string().nullable(),
  year: z.number().int().nullable(),
  description: z.string(),
  imageFileId: z.uuid().nullable(),
  imageUrl: z.string().nullable(),
  createdAt: z.iso.datetime(),
});

export const StorefrontView = z.object({
  id: z.uuid().describe('The provider (organisation) id'),
  fullName: z.string(),
  uscc: z.string().nullable(),
  location: z.string().describe("The provider's registered region (may be empty)"),
  since: z.iso.datetime(),
  logoUrl: z.string().nullable(),
  logoFileId: z.uuid().nullable(),
  introduction: z.string(),
  qualifications: z.string(),
  regionsServed: z.array(z.object({ code: z.string(), name: z.string() })),
  categories: z.array(z.object({ code: z.string(), name: z.string() })),
  contactPhone: z.string().nullable(),
  rating: RatingView,
  items: z.array(ServiceItemView).describe('Listed items; the owner also sees unlisted ones'),
  cases: z.array(CaseView),
  own: z.boolean().describe("The caller's own storefront"),
});

export const StorefrontSummaryView = z.object({
  id: z.uuid(),
  fullName: z.string(),
  location: z.string().describe("The provider's registered region (may be empty)"),
  topItems: z
    .array(z.object({ id: z.uuid(), title: z.string(), priceMinFen: z.number().int(), priceMaxFen: z.number().int(), priceUnit: z.string() }))
    .describe('Up to three listed service items, newest first'),
  introduction: z.string(),
  logoUrl: z.string().nullable(),
  regions: z.array(z.string()),
  categories: z.array(z.string()),
  rating: RatingView,
  itemCount: z.number().int(),
  createdAt: z.iso.datetime(),
});

export type NegotiationMessageView = z.output<typeof NegotiationMessageView>;
export type NegotiationThreadView = z.output<typeof NegotiationThreadView>;
export type RequirementView = z.output<typeof RequirementView>;
