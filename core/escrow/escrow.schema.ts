import { z } from 'zod';
import { PageNumber, PageSize } from '../shared/paging';
import { REQUIREMENT_STATES } from '../tenders/requirements.machine';
import { FenAmount, IsoDate, PositiveFen } from '../tenders/tenders.schema';

/** zod contracts of agreements, escrow, milestones, after-sales and reviews (pages, API, tests). */

const FileIds = z.array(z.uuid('附件编号无效')).max(10, '附件最多 10 个').default([]);

export const MilestoneInput = z.object({
  title: z.string({ message: '请填写里程碑名称' }).trim().min(2, '里程碑名称至少 2 个字').max(60, '里程碑名称不超过 60 字'),
  deliverables: z.string({ message: '请填写交付成果' }).trim().min(2, '请填写交付成果').max(2000, '交付成果不超过 2000 字'),
  amountFen: PositiveFen('里程碑金额'),
  dueDate: IsoDate,
});

export const AgreementInput = z.object({
  scope: z.string({ message: '请填写服务内容' }).trim().min(10, '服务内容至少 10 个字').max(10_000, '服务内容不超过 10000 字'),
  totalFen: PositiveFen('合同总价'),
  startDate: IsoDate,
  endDate: IsoDate,
  releaseMode: z.enum(['per_milestone', 'at_completion'], { message: '请选择放款方式' }).default('at_completion'),
  milestones: z.array(MilestoneInput, { message: '至少需要一个里程碑' }).min(1, '至少需要一个里程碑').max(20, '里程碑最多 20 个'),
});
export type AgreementInput = z.input<typeof AgreementInput>;

export const ReturnAgreementInput = z.object({
  comment: z.string({ message: '请填写退回意见' }).trim().min(2, '请填写退回意见').max(2000, '意见不超过 2000 字'),
});

export const DeliverInput = z.object({
  note: z.string({ message: '请说明交付内容' }).trim().min(2, '请说明交付内容').max(5000, '说明不超过 5000 字'),
  attachmentIds: FileIds,
});

export const ReturnMilestoneInput = z.object({
  reason: z.string({ message: '请填写退回理由' }).trim().min(2, '请填写退回理由').max(2000, '理由不超过 2000 字'),
});

export const OpenCaseInput = z.object({
  reason: z.string({ message: '请填写售后原因' }).trim().min(5, '售后原因至少 5 个字').max(5000, '原因不超过 5000 字'),
  attachmentIds: FileIds,
});

export const CaseMessageInput = z.object({
  body: z.string({ message: '请填写内容' }).trim().min(1, '请填写内容').max(5000, '内容不超过 5000 字'),
  attachmentIds: FileIds,
});

/** Escalating or withdrawing a case: an optional note and files. */
export const CaseNoteInput = z.object({
  body: z.string({ message: '说明须为文字' }).trim().max(5000, '内容不超过 5000 字').default(''),
  attachmentIds: FileIds,
});

const Split = {
  refundFen: FenAmount('退回企业金额'),
  payFen: FenAmount('支付服务机构金额'),
};

export const DecideCaseInput = z.object({
  ...Split,
  reason: z.string({ message: '请填写处理理由' }).trim().min(5, '处理理由至少 5 个字').max(5000, '理由不超过 5000 字'),
  /** continue: the project goes on with what is not yet funded; terminate: the agreement ends here. */
  outcome: z.enum(['continue', 'terminate'], { message: '请选择项目是否继续' }).default('continue'),
});

export const ProposeTerminationInput = z.object({
  ...Split,
  reason: z.string({ message: '请填写终止原因' }).trim().min(5, '终止原因至少 5 个字').max(2000, '原因不超过 2000 字'),
});

export const AnswerTerminationInput = z.object({ decision: z.enum(['accept', 'decline'], { message: '请选择同意或不同意' }) });

const Stars = (label: string) =>
  z
    .number({ message: `请为${label}打分` })
    .int(`请为${label}打分`)
    .min(1, `${label}为 1–5 星`)
    .max(5, `${label}为 1–5 星`);
export const ReviewInput = z.object({
  quality: Stars('服务质量'),
  timeliness: Stars('及时性'),
  communication: Stars('沟通'),
  body: z.string().trim().max(2000, '评价不超过 2000 字').default(''),
});
export const ReplyInput = z.object({ reply: z.string({ message: '请填写回复' }).trim().min(1, '请填写回复').max(2000, '回复不超过 2000 字') });

export const EscrowFeeInput = z.object({ feeBp: z.number({ message: '请填写服务费比例' }).int().min(0, '服务费比例为 0–20%').max(2000, '服务费比例为 0–20%') });
/** Both lists are required: a body without them must not save an empty calendar (an empty list is sent as []). */
export const CalendarInput = z.object({
  holidays: z.array(IsoDate, { message: '请填写节假日列表（没有时填 []）' }).max(400, '节假日最多 400 天'),
  workdays: z.array(IsoDate, { message: '请填写调休工作日列表（没有时填 []）' }).max(100, '调休工作日最多 100 天'),
});

export const AgreementListQuery = z.object({
  page: PageNumber,
  pageSize: PageSize(50, 10),
});

// ---------------------------------------------------------------------------------------------
// Views: what the escrow services return and the API publishes (each with its name in the API
// document). Times are Dates in the services and ISO strings on the wire: `Stamp` reads either way.

const Stamp = z.codec(z.iso.datetime(), z.date(), { decode: (s) => new Date(s), encode: (d) => d.toISOString() });
const Day = z.string().meta({ example: '2026-12-31' });
const Fen = z.number().int();

export const AGREEMENT_STATUSES = ['draft', 'sent', 'returned', 'confirmed', 'terminated'] as const;
export const MILESTONE_STATUSES = ['unfunded', 'funded', 'delivered', 'accepted', 'released', 'refunded'] as const;
export const CASE_STATUSES = ['open', 'responded', 'escalated', 'decided', 'withdrawn'] as const;
const PaymentMode = z.enum(['full_escrow', 'instalments']);
const ReleaseMode = z.enum(['per_milestone', 'at_completion']);
const PartySide = z.enum(['enterprise', 'provider']);
const Side = z.enum(['enterprise', 'provider', 'operator']).describe("The caller's side; operators read every agreement and case");
/** A delivery's or a case's file; `url` downloads it. */
const FileLink = z.object({ id: z.uuid(), filename: z.string(), contentType: z.string(), sizeBytes: z.number().int(), url: z.string() });

export const AgreementPartyView = z.object({ id: z.uuid(), fullName: z.string(), uscc: z.string().nullable() }).meta({ id: 'AgreementParty' });

export const MilestoneView = z
  .object({
    id: z.uuid(),
    seq: z.number().int(),
    title: z.string(),
    deliverables: z.string(),
    amountFen: Fen,
    dueDate: Day,
    status: z.enum(MILESTONE_STATUSES),
    statusLabel: z.string(),
    fundedFen: Fen,
    releasedFen: Fen,
    refundedFen: Fen,
    deliveredAt: Stamp.nullable(),
    reminderDueAt: Stamp.nullable().describe('5 working days after delivery: operators remind the enterprise'),
    remindedAt: Stamp.nullable(),
    autoAcceptAt: Stamp.nullable().describe('Deemed accepted at this time unless accepted or returned before'),
    acceptedAt: Stamp.nullable(),
    autoAccepted: z.boolean(),
    releasedAt: Stamp.nullable(),
    timeline: z.array(
      z.object({
        type: z.string().meta({ example: 'delivered' }).describe('funded, delivered, returned, accepted, auto_accepted, reminded, released, settled'),
        note: z.string().nullable(),
        at: Stamp,
        attachments: z.array(FileLink),
      }),
    ),
  })
  .meta({ id: 'Milestone' });

export const TerminationView = z
  .object({
    id: z.uuid(),
    agreementId: z.uuid(),
    proposedBySide: PartySide,
    proposedBy: z.uuid(),
    refundFen: Fen,
    payFen: Fen,
    reason: z.string(),
    status: z.enum(['proposed', 'accepted', 'declined', 'cancelled', 'decided']),
    answeredBy: z.uuid().nullable(),
    answeredAt: Stamp.nullable(),
    createdAt: Stamp,
  })
  .meta({ id: 'Termination' });

export const ReviewView = z
  .object({
    id: z.uuid(),
    agreementId: z.uuid(),
    reviewerOrgId: z.uuid(),
    revieweeOrgId: z.uuid(),
    reviewerUserId: z.uuid(),
    quality: z.number().int().min(1).max(5),
    timeliness: z.number().int().min(1).max(5),
    communication: z.number().int().min(1).max(5),
    body: z.string(),
    reply: z.string().nullable(),
    repliedAt: Stamp.nullable(),
    createdAt: Stamp,
  })
  .meta({ id: 'Review' });

export const AgreementView = z
  .object({
    id: z.uuid(),
    agreementNo: z.string(),
    requirement: z.object({ id: z.uuid(), requirementNo: z.string(), title: z.string(), state: z.enum(REQUIREMENT_STATES), depositStatus: z.string() }),
    enterprise: AgreementPartyView,
    provider: AgreementPartyView,
    side: Side,
    status: z.enum(AGREEMENT_STATUSES),
    statusLabel: z.string(),
    version: z.number().int().describe('The last version sent (0 before the first send)'),
    scope: z.string(),
    totalFen: Fen,
    startDate: Day,
    endDate: Day,
    paymentMode: PaymentMode,
    releaseMode: ReleaseMode,
    feeBp: z.number().int().describe('Platform fee in basis points, fixed on confirmation'),
    returnComment: z.string().nullable(),
    confirmedAt: Stamp.nullable(),
    contentSha256: z.string().nullable().describe('SHA-256 of the confirmed content, printed in the PDF'),
    pdfUrl: z.string().nullable(),
    completedAt: Stamp.nullable(),
    terminatedAt: Stamp.nullable(),
    escrow: z.object({
      inEscrowFen: Fen,
      fundedFen: Fen,
      releasedFen: Fen,
      refundedFen: Fen,
      held: z.boolean().describe('An after-sales case holds what is in escrow'),
      nextToFundFen: Fen.describe('What the next POST /agreements/{id}/escrow moves (0: nothing to fund)'),
    }),
    milestones: z.array(MilestoneView),
    versions: z.array(
      z.object({
        version: z.number().int(),
        sentAt: Stamp.nullable(),
        returnComment: z.string().nullable(),
        returnedAt: Stamp.nullable(),
        content: z.record(z.string(), z.unknown()),
      }),
    ),
    cases: z.array(
      z.object({ id: z.uuid(), caseNo: z.string(), status: z.enum(CASE_STATUSES), statusLabel: z.string(), reason: z.string(), createdAt: Stamp }),
    ),
    openCaseId: z.uuid().nullable(),
    // A union rather than .nullable(): the document keeps Termination as a named schema.
    termination: z.union([TerminationView, z.null()]).describe('The latest termination proposal'),
    reviews: z.array(ReviewView.extend({ byMe: z.boolean() })),
    canReview: z.boolean(),
    allowed: z
      .object({
        openCase: z.boolean().describe('POST /agreements/{id}/after-sales-cases would be accepted now'),
        proposeTermination: z.boolean().describe('POST /agreements/{id}/termination would be accepted now'),
        answerTermination: z.boolean().describe('The other side proposed termination and this caller may answer it'),
      })
      .describe('What the caller may do on this agreement now, by the service rules'),
  })
  .meta({ id: 'Agreement' });
export type AgreementView = z.output<typeof AgreementView>;

export const AgreementListItemView = z
  .object({
    id: z.uuid(),
    agreementNo: z.string(),
    title: z.string().describe("The requirement's title"),
    side: PartySide,
    counterparty: z.string(),
    status: z.enum(AGREEMENT_STATUSES),
    statusLabel: z.string(),
    totalFen: Fen,
    confirmedAt: Stamp.nullable(),
    pdfUrl: z.string().nullable(),
    todo: z.string().nullable().describe('What waits for the caller: 待确认协议, 待托管合同款, 待验收里程碑, 待发送协议, 待提交交付'),
    updatedAt: Stamp,
  })
  .meta({ id: 'AgreementListItem' });

export const AgreementPageView = z
  .object({ items: z.array(AgreementListItemView), total: z.number().int(), page: z.number().int(), pageSize: z.number().int() })
  .meta({ id: 'AgreementPage' });
export type AgreementPageView = z.output<typeof AgreementPageView>;

export const AwaitingAgreementView = z
  .object({
    requirementId: z.uuid(),
    requirementNo: z.string(),
    title: z.string(),
    side: PartySide,
    counterparty: z.string(),
    deliveryDate: Day,
    todo: z.string().describe('待起草协议 (provider) or 待服务机构起草协议 (enterprise)'),
    updatedAt: Stamp,
  })
  .meta({ id: 'AwaitingAgreement' });
export type AwaitingAgreementView = z.output<typeof AwaitingAgreementView>;

export const AgreementBasisView = z
  .object({
    requirement: z.object({
      id: z.uuid(),
      requirementNo: z.string(),
      title: z.string(),
      paymentMode: PaymentMode,
      deliveryDate: Day,
      state: z.enum(REQUIREMENT_STATES),
    }),
    winningPriceFen: Fen.nullable().describe('The selected provider’s last revised price, or its proposal price'),
    agreementId: z.uuid().nullable().describe('The agreement already drafted for this requirement, if any'),
  })
  .meta({ id: 'AgreementBasis' });
export type AgreementBasisView = z.output<typeof AgreementBasisView>;

export const EscrowFundingView = z
  .object({
    agreement: AgreementView,
    fundedFen: Fen.describe('Moved into escrow now'),
    depositRefundFen: Fen.describe('Requirement deposit refunded on the first funding'),
  })
  .meta({ id: 'EscrowFunding' });
export type EscrowFundingView = z.output<typeof EscrowFundingView>;

const CaseEventView = z.object({
  id: z.uuid(),
  caseId: z.uuid(),
  type: z.string().meta({ example: 'respond' }).describe('opened, respond, comment, escalate, withdraw, decided'),
  side: z.enum(['enterprise', 'provider', 'operator']),
  actorUserId: z.uuid().nullable(),
  body: z.string(),
  attachmentIds: z.array(z.uuid()),
  createdAt: Stamp,
  attachments: z.array(FileLink),
});

const CaseFields = {
  id: z.uuid(),
  caseNo: z.string(),
  agreementId: z.uuid(),
  openedBy: z.uuid(),
  reason: z.string(),
  status: z.enum(CASE_STATUSES),
  statusLabel: z.string(),
  refundFen: Fen.nullable(),
  payFen: Fen.nullable(),
  decisionReason: z.string().nullable(),
  decidedBy: z.uuid().nullable(),
  decidedAt: Stamp.nullable(),
  createdAt: Stamp,
  updatedAt: Stamp,
};

export const AfterSalesCaseView = z
  .object({
    ...CaseFields,
    side: Side,
    agreement: z.object({ id: z.uuid(), agreementNo: z.string(), enterpriseId: z.uuid(), providerId: z.uuid() }),
    heldFen: Fen.describe('Escrow not yet paid out, held while the case is open'),
    timeline: z.array(CaseEventView),
  })
  .meta({ id: 'AfterSalesCase' });
export type AfterSalesCaseView = z.output<typeof AfterSalesCaseView>;

export const AfterSalesQueueItemView = z.object({ ...CaseFields, agreementNo: z.string() }).meta({ id: 'AfterSalesQueueItem' });
export type AfterSalesQueueItemView = z.output<typeof AfterSalesQueueItemView>;

export const MilestoneReminderView = z
  .object({
    milestoneId: z.uuid(),
    seq: z.number().int(),
    title: z.string(),
    amountFen: Fen,
    agreementId: z.uuid(),
    agreementNo: z.string(),
    requirementTitle: z.string(),
    enterprise: z.string(),
    provider: z.string(),
    deliveredAt: Stamp.nullable(),
    reminderDueAt: Stamp.nullable(),
    remindedAt: Stamp.nullable(),
    autoAcceptAt: Stamp.nullable(),
  })
  .meta({ id: 'MilestoneReminder' });
export type MilestoneReminderView = z.output<typeof MilestoneReminderView>;

export const RemindResultView = z
  .object({ milestoneId: z.uuid(), remindedAt: Stamp.nullable(), autoAcceptAt: Stamp.nullable() })
  .meta({ id: 'MilestoneRemindResult' });
export type RemindResultView = z.output<typeof RemindResultView>;

export const ReviewSummaryView = z
  .object({
    count: z.number().int(),
    average: z.number().nullable().describe('Mean of the three scores, one decimal; null without reviews'),
    quality: z.number().nullable(),
    timeliness: z.number().nullable(),
    communication: z.number().nullable(),
    items: z.array(
      z.object({
        id: z.uuid(),
        reviewer: z.string().describe("The reviewing organisation's name"),
        quality: z.number().int(),
        timeliness: z.number().int(),
        communication: z.number().int(),
        body: z.string(),
        reply: z.string().nullable(),
        repliedAt: Stamp.nullable(),
        createdAt: Stamp,
      }),
    ),
  })
  .meta({ id: 'ReviewSummary' });
export type ReviewSummaryView = z.output<typeof ReviewSummaryView>;
export type ReviewView = z.output<typeof ReviewView>;

export const EscrowCheckView = z
  .object({
    ok: z.boolean(),
    escrowFen: Fen.describe('Balance of the escrow account'),
    heldFen: Fen.describe('Σ funded − released − refunded over all milestones'),
  })
  .meta({ id: 'EscrowCheck' });
export type EscrowCheckView = z.output<typeof EscrowCheckView>;
