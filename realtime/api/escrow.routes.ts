import { createRoute, z } from '@hono/zod-openapi';
import {
  AgreementInput,
  AgreementListQuery,
  AnswerTerminationInput,
  CalendarInput,
  CaseMessageInput,
  CaseNoteInput,
  DecideCaseInput,
  DeliverInput,
  EscrowFeeInput,
  OpenCaseInput,
  ProposeTerminationInput,
  ReplyInput,
  ReturnAgreementInput,
  ReturnMilestoneInput,
  ReviewInput,
} from '../../core/escrow/escrow.schema';
import type { EscrowService } from '../../core/escrow/escrow.service';
import { RoomTimingInput } from '../../core/rooms/rooms.schema';
import { requireOperator } from '../../core/shared/actor';
import { REQUIREMENT_STATES } from '../../core/tenders/requirements.machine';
import type { ApiRouter } from './context';
import { authed, errorResponses, json, jsonBody, page } from './schemas';
import { Attachment } from './tenders.routes';

// ── Views (what the escrow service returns) ─────────────────────────────────────────────────────

const AgreementStatus = z.enum(['draft', 'sent', 'returned', 'confirmed', 'terminated']);
const MilestoneStatus = z.enum(['unfunded', 'funded', 'delivered', 'accepted', 'released', 'refunded']);
const CaseStatus = z.enum(['open', 'responded', 'escalated', 'decided', 'withdrawn']);
const PaymentMode = z.enum(['full_escrow', 'instalments']);
const ReleaseMode = z.enum(['per_milestone', 'at_completion']);
const Side = z.enum(['enterprise', 'provider', 'operator']).describe("The caller's side; operators read every agreement and case");
const Day = z.string().openapi({ example: '2026-12-31' });
const Stamp = z.iso.datetime();

const AgreementParty = z.object({ id: z.uuid(), fullName: z.string(), uscc: z.string().nullable() }).openapi('AgreementParty');

const Milestone = z
  .object({
    id: z.uuid(),
    seq: z.number().int(),
    title: z.string(),
    deliverables: z.string(),
    amountFen: z.number().int(),
    dueDate: Day,
    status: MilestoneStatus,
    statusLabel: z.string(),
    fundedFen: z.number().int(),
    releasedFen: z.number().int(),
    refundedFen: z.number().int(),
    deliveredAt: Stamp.nullable(),
    reminderDueAt: Stamp.nullable().describe('5 working days after delivery: operators remind the enterprise'),
    remindedAt: Stamp.nullable(),
    autoAcceptAt: Stamp.nullable().describe('Deemed accepted at this time unless accepted or returned before'),
    acceptedAt: Stamp.nullable(),
    autoAccepted: z.boolean(),
    releasedAt: Stamp.nullable(),
    timeline: z.array(
      z.object({
        type: z.string().openapi({ example: 'delivered' }).describe('funded, delivered, returned, accepted, auto_accepted, reminded, released, settled'),
        note: z.string().nullable(),
        at: Stamp,
        attachments: z.array(Attachment),
      }),
    ),
  })
  .openapi('Milestone');

const Termination = z
  .object({
    id: z.uuid(),
    agreementId: z.uuid(),
    proposedBySide: z.enum(['enterprise', 'provider']),
    proposedBy: z.uuid(),
    refundFen: z.number().int(),
    payFen: z.number().int(),
    reason: z.string(),
    status: z.enum(['proposed', 'accepted', 'declined', 'cancelled', 'decided']),
    answeredBy: z.uuid().nullable(),
    answeredAt: Stamp.nullable(),
    createdAt: Stamp,
  })
  .openapi('Termination');

const Review = z
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
  .openapi('Review');

const Agreement = z
  .object({
    id: z.uuid(),
    agreementNo: z.string(),
    requirement: z.object({ id: z.uuid(), requirementNo: z.string(), title: z.string(), state: z.enum(REQUIREMENT_STATES), depositStatus: z.string() }),
    enterprise: AgreementParty,
    provider: AgreementParty,
    side: Side,
    status: AgreementStatus,
    statusLabel: z.string(),
    version: z.number().int().describe('The last version sent (0 before the first send)'),
    scope: z.string(),
    totalFen: z.number().int(),
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
      inEscrowFen: z.number().int(),
      fundedFen: z.number().int(),
      releasedFen: z.number().int(),
      refundedFen: z.number().int(),
      held: z.boolean().describe('An after-sales case holds what is in escrow'),
      nextToFundFen: z.number().int().describe('What the next POST /agreements/{id}/escrow moves (0: nothing to fund)'),
    }),
    milestones: z.array(Milestone),
    versions: z.array(
      z.object({ version: z.number().int(), sentAt: Stamp.nullable(), returnComment: z.string().nullable(), returnedAt: Stamp.nullable(), content: z.record(z.string(), z.unknown()) }),
    ),
    cases: z.array(z.object({ id: z.uuid(), caseNo: z.string(), status: CaseStatus, statusLabel: z.string(), reason: z.string(), createdAt: Stamp })),
    openCaseId: z.uuid().nullable(),
    termination: Termination.nullable().describe('The latest termination proposal'),
    reviews: z.array(Review.extend({ byMe: z.boolean() })),
    canReview: z.boolean(),
  })
  .openapi('Agreement');

const AgreementListItem = z
  .object({
    id: z.uuid(),
    agreementNo: z.string(),
    title: z.string().describe("The requirement's title"),
    side: z.enum(['enterprise', 'provider']),
    counterparty: z.string(),
    status: AgreementStatus,
    statusLabel: z.string(),
    totalFen: z.number().int(),
    confirmedAt: Stamp.nullable(),
    pdfUrl: z.string().nullable(),
    todo: z.string().nullable().describe('What waits for the caller: 待确认协议, 待托管合同款, 待验收里程碑, 待发送协议, 待提交交付'),
    updatedAt: Stamp,
  })
  .openapi('AgreementListItem');

const AwaitingAgreement = z
  .object({
    requirementId: z.uuid(),
    requirementNo: z.string(),
    title: z.string(),
    side: z.enum(['enterprise', 'provider']),
    counterparty: z.string(),
    deliveryDate: Day,
    todo: z.string().describe('待起草协议 (provider) or 待服务机构起草协议 (enterprise)'),
    updatedAt: Stamp,
  })
  .openapi('AwaitingAgreement');

const AgreementBasis = z
  .object({
    requirement: z.object({ id: z.uuid(), requirementNo: z.string(), title: z.string(), paymentMode: PaymentMode, deliveryDate: Day, state: z.enum(REQUIREMENT_STATES) }),
    winningPriceFen: z.number().int().nullable().describe('The selected provider’s last revised price, or its proposal price'),
    agreementId: z.uuid().nullable().describe('The agreement already drafted for this requirement, if any'),
  })
  .openapi('AgreementBasis');

const EscrowFunding = z
  .object({ agreement: Agreement, fundedFen: z.number().int().describe('Moved into escrow now'), depositRefundFen: z.number().int().describe('Requirement deposit refunded on the first funding') })
  .openapi('EscrowFunding');

const CaseEvent = z.object({
  id: z.uuid(),
  caseId: z.uuid(),
  type: z.string().openapi({ example: 'respond' }).describe('opened, respond, comment, escalate, withdraw, decided'),
  side: z.enum(['enterprise', 'provider', 'operator']),
  actorUserId: z.uuid().nullable(),
  body: z.string(),
  attachmentIds: z.array(z.uuid()),
  createdAt: Stamp,
  attachments: z.array(Attachment),
});

const CaseFields = {
  id: z.uuid(),
  caseNo: z.string(),
  agreementId: z.uuid(),
  openedBy: z.uuid(),
  reason: z.string(),
  status: CaseStatus,
  statusLabel: z.string(),
  refundFen: z.number().int().nullable(),
  payFen: z.number().int().nullable(),
  decisionReason: z.string().nullable(),
  decidedBy: z.uuid().nullable(),
  decidedAt: Stamp.nullable(),
  createdAt: Stamp,
  updatedAt: Stamp,
};

const AfterSalesCase = z
  .object({
    ...CaseFields,
    side: Side,
    agreement: z.object({ id: z.uuid(), agreementNo: z.string(), enterpriseId: z.uuid(), providerId: z.uuid() }),
    heldFen: z.number().int().describe('Escrow not yet paid out, held while the case is open'),
    timeline: z.array(CaseEvent),
  })
  .openapi('AfterSalesCase');

const AfterSalesQueueItem = z.object({ ...CaseFields, agreementNo: z.string() }).openapi('AfterSalesQueueItem');

const MilestoneReminder = z
  .object({
    milestoneId: z.uuid(),
    seq: z.number().int(),
    title: z.string(),
    amountFen: z.number().int(),
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
  .openapi('MilestoneReminder');

const RemindResult = z.object({ milestoneId: z.uuid(), remindedAt: Stamp.nullable(), autoAcceptAt: Stamp.nullable() }).openapi('MilestoneRemindResult');

const ReviewSummary = z
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
  .openapi('ReviewSummary');

const EscrowCheck = z
  .object({ ok: z.boolean(), escrowFen: z.number().int().describe('Balance of the escrow account'), heldFen: z.number().int().describe('Σ funded − released − refunded over all milestones') })
  .openapi('EscrowCheck');

const EscrowFee = z.object({ feeBp: z.number().int().describe('Basis points: 250 = 2.5%') }).openapi('EscrowFeeSettings');
const WorkCalendar = z.object({ holidays: z.array(Day), workdays: z.array(Day).describe('Weekend days that are working days (调休)') }).openapi('WorkCalendar');
const RoomTiming = z.object({ waitingRoomMinutes: z.number().int(), enterPromptMinutes: z.number().int() }).openapi('RoomTiming');

// ── Requests ────────────────────────────────────────────────────────────────────────────────────

const idParam = (description: string) => z.object({ id: z.string().openapi({ description }) });
const requirementParam = idParam('需求（项目）编号');
const agreementParam = idParam('协议编号（UUID）');
const milestoneParam = idParam('里程碑编号');
const caseParam = idParam('售后编号');
const reviewParam = idParam('评价编号');
const organisationParam = idParam('组织编号');

const CaseMessageBody = CaseMessageInput.extend({
  kind: z
    .enum(['comment', 'respond'], { message: '留言类型只能是 comment 或 respond' })
    .default('comment')
    .openapi({ description: 'respond: the provider answers the case (marks it responded); comment: either side adds to it' }),
});
/** Escalate and withdraw take an optional note. */
const optionalBody = (schema: z.ZodType, description: string) => ({ ...jsonBody(schema, description), required: false });
const ReviewsQuery = z.object({
  limit: z.coerce.number({ message: '条数无效' }).int('条数无效').min(1, '条数为 1–50').max(50, '条数为 1–50').optional().openapi({ example: 20 }),
});

// ── Routes ──────────────────────────────────────────────────────────────────────────────────────

const A = ['agreements'];
const E = ['escrow'];
const M = ['milestones'];
const C = ['after-sales cases'];
const R = ['reviews'];
const ADMIN = ['admin'];

const routes = {
  basis: createRoute({
    method: 'get',
    path: '/requirements/{id}/agreement-basis',
    tags: A,
    summary: '起草协议的依据：项目、中标价、支付方式与已有协议（选中的服务机构与发布企业）',
    security: authed,
    request: { params: requirementParam },
    responses: { 200: json(AgreementBasis, 'What the agreement starts from'), ...errorResponses(401, 404) },
  }),
  saveDraft: createRoute({
    method: 'put',
    path: '/requirements/{id}/agreement',
    tags: A,
    summary: '起草或修改协议（选中的服务机构；草稿或被退回时）：服务内容、总价、起止日期、里程碑、支付方式',
    description: 'Creates the agreement the first time, replaces it while it is a draft or returned. Milestone amounts must add up to the total and fall within the dates (`fields["milestones.<i>.dueDate"]`).',
    security: authed,
    request: { params: requirementParam, body: jsonBody(AgreementInput) },
    responses: { 200: json(Agreement, 'Saved'), ...errorResponses(400, 401, 403, 404, 409) },
  }),
  list: createRoute({
    method: 'get',
    path: '/agreements',
    tags: A,
    summary: '交易提醒：我的协议（最近变动在前），附待办',
    security: authed,
    request: { query: AgreementListQuery },
    responses: { 200: json(page(AgreementListItem, 'AgreementPage'), 'Newest activity first'), ...errorResponses(400, 401, 403) },
  }),
  awaiting: createRoute({
    method: 'get',
    path: '/agreements/awaiting',
    tags: A,
    summary: '交易提醒：已选中服务机构、尚未起草协议的项目（最多 50 个）',
    security: authed,
    responses: { 200: json(z.array(AwaitingAgreement), 'Most recently changed first'), ...errorResponses(401) },
  }),
  get: createRoute({
    method: 'get',
    path: '/agreements/{id}',
    tags: A,
    summary: '协议详情：版本、里程碑与托管、售后、终止与评价（协议双方与运营）',
    security: authed,
    request: { params: agreementParam },
    responses: { 200: json(Agreement, 'The agreement'), ...errorResponses(401, 404) },
  }),
  send: createRoute({
    method: 'post',
    path: '/agreements/{id}/send',
    tags: A,
    summary: '发送协议给企业确认（服务机构；保存为新版本）',
    security: authed,
    request: { params: agreementParam },
    responses: { 200: json(Agreement, 'Sent'), ...errorResponses(400, 401, 403, 404, 409) },
  }),
  returnAgreement: createRoute({
    method: 'post',
    path: '/agreements/{id}/return',
    tags: A,
    summary: '退回协议并填写修改意见（企业）',
    security: authed,
    request: { params: agreementParam, body: jsonBody(ReturnAgreementInput) },
    responses: { 200: json(Agreement, 'Returned'), ...errorResponses(400, 401, 403, 404, 409) },
  }),
  confirm: createRoute({
    method: 'post',
    path: '/agreements/{id}/confirm',
    tags: A,
    summary: '确认协议，生成正式协议书（企业）',
    description: 'Fixes the content, its SHA-256 and the platform fee in force now; the PDF is made from them and never changes.',
    security: authed,
    request: { params: agreementParam },
    responses: { 200: json(Agreement, 'Confirmed'), ...errorResponses(401, 403, 404, 409) },
  }),
  pdf: createRoute({
    method: 'get',
    path: '/agreements/{id}/pdf',
    tags: A,
    summary: '下载正式协议书（PDF，协议生效后；协议双方与运营）',
    security: authed,
    request: { params: agreementParam },
    responses: {
      200: { description: 'The formal agreement', content: { 'application/pdf': { schema: z.string().openapi({ type: 'string', format: 'binary' }) } } },
      ...errorResponses(401, 404),
    },
  }),
  fund: createRoute({
    method: 'post',
    path: '/agreements/{id}/escrow',
    tags: E,
    summary: '托管合同款（企业）：全额托管一次托管全部里程碑，分期托管托管下一个里程碑',
    description: 'Moves money from the wallet’s available balance into escrow. The first funding starts the project and refunds the requirement deposit. Too little balance: 409 INSUFFICIENT_FUNDS saying how much is missing; nothing moves.',
    security: authed,
    request: { params: agreementParam },
    responses: { 200: json(EscrowFunding, 'Funded'), ...errorResponses(401, 403, 404, 409) },
  }),
  deliver: createRoute({
    method: 'post',
    path: '/milestones/{id}/deliver',
    tags: M,
    summary: '提交里程碑交付成果（服务机构；附件先用 POST /files 上传）',
    description: 'The enterprise then has 5 working days to accept or return it; after an operator’s reminder, 2 more, then it is deemed accepted.',
    security: authed,
    request: { params: milestoneParam, body: jsonBody(DeliverInput) },
    responses: { 200: json(Agreement, 'Delivered'), ...errorResponses(400, 401, 403, 404, 409) },
  }),
  accept: createRoute({
    method: 'post',
    path: '/milestones/{id}/accept',
    tags: M,
    summary: '验收里程碑（企业）：按协议约定付款（售后处理期间暂停支付）',
    security: authed,
    request: { params: milestoneParam },
    responses: { 200: json(Agreement, 'Accepted'), ...errorResponses(401, 403, 404, 409) },
  }),
  returnMilestone: createRoute({
    method: 'post',
    path: '/milestones/{id}/return',
    tags: M,
    summary: '退回里程碑交付并说明理由（企业）',
    security: authed,
    request: { params: milestoneParam, body: jsonBody(ReturnMilestoneInput) },
    responses: { 200: json(Agreement, 'Returned'), ...errorResponses(400, 401, 403, 404, 409) },
  }),
  openCase: createRoute({
    method: 'post',
    path: '/agreements/{id}/after-sales-cases',
    tags: C,
    summary: '申请售后（企业；实施期间或完成后 30 日内）：未支付的托管款暂停支付',
    security: authed,
    request: { params: agreementParam, body: jsonBody(OpenCaseInput) },
    responses: { 201: json(AfterSalesCase, 'Opened'), ...errorResponses(400, 401, 403, 404, 409) },
  }),
  getCase: createRoute({
    method: 'get',
    path: '/after-sales-cases/{id}',
    tags: C,
    summary: '售后详情与记录（协议双方与运营）',
    security: authed,
    request: { params: caseParam },
    responses: { 200: json(AfterSalesCase, 'The case'), ...errorResponses(401, 404) },
  }),
  caseMessage: createRoute({
    method: 'post',
    path: '/after-sales-cases/{id}/messages',
    tags: C,
    summary: '售后留言：服务机构回应（kind=respond）或双方补充说明（kind=comment）',
    security: authed,
    request: { params: caseParam, body: jsonBody(CaseMessageBody) },
    responses: { 200: json(AfterSalesCase, 'Added'), ...errorResponses(400, 401, 403, 404, 409) },
  }),
  escalate: createRoute({
    method: 'post',
    path: '/after-sales-cases/{id}/escalate',
    tags: C,
    summary: '提交平台处理（协议任一方）',
    security: authed,
    request: { params: caseParam, body: optionalBody(CaseNoteInput, 'An optional note') },
    responses: { 200: json(AfterSalesCase, 'Escalated'), ...errorResponses(400, 401, 403, 404, 409) },
  }),
  withdraw: createRoute({
    method: 'post',
    path: '/after-sales-cases/{id}/withdraw',
    tags: C,
    summary: '撤回售后（企业）：已验收的里程碑按约定付款',
    security: authed,
    request: { params: caseParam, body: optionalBody(CaseNoteInput, 'An optional note') },
    responses: { 200: json(AfterSalesCase, 'Withdrawn'), ...errorResponses(400, 401, 403, 404, 409) },
  }),
  proposeTermination: createRoute({
    method: 'post',
    path: '/agreements/{id}/termination',
    tags: A,
    summary: '提出协商终止（协议任一方）：托管款中退回企业与支付服务机构的金额之和须等于托管中的金额',
    security: authed,
    request: { params: agreementParam, body: jsonBody(ProposeTerminationInput) },
    responses: { 200: json(Agreement, 'Proposed; the other side answers'), ...errorResponses(400, 401, 403, 404, 409) },
  }),
  answerTermination: createRoute({
    method: 'post',
    path: '/agreements/{id}/termination/answer',
    tags: A,
    summary: '答复终止申请（对方）：同意则按约定结算并终止协议',
    security: authed,
    request: { params: agreementParam, body: jsonBody(AnswerTerminationInput) },
    responses: { 200: json(Agreement, 'Answered'), ...errorResponses(400, 401, 403, 404, 409) },
  }),
  review: createRoute({
    method: 'post',
    path: '/agreements/{id}/reviews',
    tags: R,
    summary: '评价对方（项目完成后，双方各一次）：服务质量、及时性、沟通 1–5 星',
    security: authed,
    request: { params: agreementParam, body: jsonBody(ReviewInput) },
    responses: { 201: json(Agreement, 'The agreement with its reviews'), ...errorResponses(400, 401, 403, 404, 409) },
  }),
  reply: createRoute({
    method: 'post',
    path: '/reviews/{id}/reply',
    tags: R,
    summary: '回复对我方的评价（一次）',
    security: authed,
    request: { params: reviewParam, body: jsonBody(ReplyInput) },
    responses: { 200: json(Review, 'Replied'), ...errorResponses(400, 401, 404, 409) },
  }),
  reviewsOf: createRoute({
    method: 'get',
    path: '/organisations/{id}/reviews',
    tags: R,
    summary: '组织收到的评价与平均分（服务机构店铺等）',
    request: { params: organisationParam, query: ReviewsQuery },
    responses: { 200: json(ReviewSummary, 'Newest first'), ...errorResponses(400, 404) },
  }),

  reminders: createRoute({
    method: 'get',
    path: '/admin/milestone-reminders',
    tags: ADMIN,
    summary: '运营：超过 5 个工作日未验收的里程碑（待提醒）',
    security: authed,
    responses: { 200: json(z.array(MilestoneReminder), 'Oldest due first'), ...errorResponses(401, 403) },
  }),
  remind: createRoute({
    method: 'post',
    path: '/admin/milestones/{id}/remind',
    tags: ADMIN,
    summary: '运营：提醒企业验收（2 个工作日后仍未处理视为验收通过）',
    security: authed,
    request: { params: milestoneParam },
    responses: { 200: json(RemindResult, 'Reminded'), ...errorResponses(401, 403, 404, 409) },
  }),
  caseQueue: createRoute({
    method: 'get',
    path: '/admin/after-sales-cases',
    tags: ADMIN,
    summary: '运营：处理中的售后（提交平台处理的在前）',
    security: authed,
    responses: { 200: json(z.array(AfterSalesQueueItem), 'Escalated first, then oldest first'), ...errorResponses(401, 403) },
  }),
  decideCase: createRoute({
    method: 'post',
    path: '/admin/after-sales-cases/{id}/decision',
    tags: ADMIN,
    summary: '运营：处理售后：托管款退回与支付的金额（之和等于托管中的金额）、理由、项目继续或终止',
    security: authed,
    request: { params: caseParam, body: jsonBody(DecideCaseInput) },
    responses: { 200: json(AfterSalesCase, 'Decided'), ...errorResponses(400, 401, 403, 404, 409) },
  }),
  check: createRoute({
    method: 'get',
    path: '/admin/escrow/check',
    tags: ADMIN,
    summary: '运营：托管账户核对（托管余额 = 各里程碑托管中金额之和）',
    security: authed,
    responses: { 200: json(EscrowCheck, 'The check'), ...errorResponses(401, 403) },
  }),
  escrowFee: createRoute({
    method: 'get',
    path: '/admin/settings/escrow-fee',
    tags: ADMIN,
    summary: '运营：平台服务费比例（从支付给服务机构的合同款中扣除）',
    security: authed,
    responses: { 200: json(EscrowFee, 'In basis points'), ...errorResponses(401, 403) },
  }),
  updateEscrowFee: createRoute({
    method: 'put',
    path: '/admin/settings/escrow-fee',
    tags: ADMIN,
    summary: '运营：修改平台服务费比例（0–20%，对之后确认的协议生效）',
    security: authed,
    request: { body: jsonBody(EscrowFeeInput) },
    responses: { 200: json(EscrowFee, 'Saved'), ...errorResponses(400, 401, 403) },
  }),
  calendar: createRoute({
    method: 'get',
    path: '/admin/settings/calendar',
    tags: ADMIN,
    summary: '运营：工作日历（法定节假日与调休上班日，用于验收期限）',
    security: authed,
    responses: { 200: json(WorkCalendar, 'The calendar'), ...errorResponses(401, 403) },
  }),
  updateCalendar: createRoute({
    method: 'put',
    path: '/admin/settings/calendar',
    tags: ADMIN,
    summary: '运营：修改工作日历',
    security: authed,
    request: { body: jsonBody(CalendarInput) },
    responses: { 200: json(WorkCalendar, 'Saved'), ...errorResponses(400, 401, 403) },
  }),
  roomTiming: createRoute({
    method: 'get',
    path: '/admin/settings/room-timing',
    tags: ADMIN,
    summary: '运营：待标室提前开放时间与进入竞价室提示时间（分钟）',
    security: authed,
    responses: { 200: json(RoomTiming, 'Minutes before the opening time'), ...errorResponses(401, 403) },
  }),
  updateRoomTiming: createRoute({
    method: 'put',
    path: '/admin/settings/room-timing',
    tags: ADMIN,
    summary: '运营：修改待标室与竞价室提示时间',
    security: authed,
    request: { body: jsonBody(RoomTimingInput) },
    responses: { 200: json(RoomTiming, 'Saved'), ...errorResponses(400, 401, 403) },
  }),
};

/**
 * Agreements, escrow, milestones, after-sales cases and reviews (manual 五–八), and the operator
 * console's escrow routes and settings. Static paths come before `{id}` ones where they overlap.
 */
export function registerEscrowRoutes(api: ApiRouter) {
  const escrow = (c: { var: { services: { escrow: EscrowService } } }) => c.var.services.escrow;

  api.openapi(routes.basis, async (c) => c.json((await escrow(c).draftBasis(c.var.actor, c.req.valid('param').id)) as never, 200));
  api.openapi(routes.saveDraft, async (c) => c.json((await escrow(c).saveDraft(c.var.actor, c.req.valid('param').id, c.req.valid('json'))) as never, 200));
  api.openapi(routes.list, async (c) => c.json((await escrow(c).listMine(c.var.actor, c.req.query())) as never, 200));
  // Static /agreements/awaiting before /agreements/{id}.
  api.openapi(routes.awaiting, async (c) => c.json((await escrow(c).awaitingAgreement(c.var.actor)) as never, 200));
  api.openapi(routes.get, async (c) => c.json((await escrow(c).get(c.var.actor, c.req.valid('param').id)) as never, 200));
  api.openapi(routes.send, async (c) => c.json((await escrow(c).send(c.var.actor, c.req.valid('param').id)) as never, 200));
  api.openapi(routes.returnAgreement, async (c) => c.json((await escrow(c).returnAgreement(c.var.actor, c.req.valid('param').id, c.req.valid('json'))) as never, 200));
  api.openapi(routes.confirm, async (c) => c.json((await escrow(c).confirm(c.var.actor, c.req.valid('param').id)) as never, 200));
  api.openapi(routes.pdf, async (c) => {
    const { filename, bytes } = await escrow(c).pdf(c.var.actor, c.req.valid('param').id);
    return c.body(new Uint8Array(bytes), 200, {
      'content-type': 'application/pdf',
      'content-length': String(bytes.byteLength),
      'content-disposition': `attachment; filename*=UTF-8''${encodeURIComponent(filename)}`,
      'x-content-type-options': 'nosniff',
      'cache-control': 'private, no-store',
    }) as never;
  });
  api.openapi(routes.fund, async (c) => c.json((await escrow(c).fund(c.var.actor, c.req.valid('param').id)) as never, 200));

  api.openapi(routes.deliver, async (c) => c.json((await escrow(c).deliver(c.var.actor, c.req.valid('param').id, c.req.valid('json'))) as never, 200));
  api.openapi(routes.accept, async (c) => c.json((await escrow(c).accept(c.var.actor, c.req.valid('param').id)) as never, 200));
  api.openapi(routes.returnMilestone, async (c) => c.json((await escrow(c).returnMilestone(c.var.actor, c.req.valid('param').id, c.req.valid('json'))) as never, 200));

  api.openapi(routes.openCase, async (c) => c.json((await escrow(c).openCase(c.var.actor, c.req.valid('param').id, c.req.valid('json'))) as never, 201));
  api.openapi(routes.getCase, async (c) => c.json((await escrow(c).getCase(c.var.actor, c.req.valid('param').id)) as never, 200));
  api.openapi(routes.caseMessage, async (c) => {
    const { kind, ...body } = c.req.valid('json') as z.infer<typeof CaseMessageBody>;
    return c.json((await escrow(c).caseMessage(c.var.actor, c.req.valid('param').id, body, kind)) as never, 200);
  });
  api.openapi(routes.escalate, async (c) => c.json((await escrow(c).caseMessage(c.var.actor, c.req.valid('param').id, c.req.valid('json'), 'escalate')) as never, 200));
  api.openapi(routes.withdraw, async (c) => c.json((await escrow(c).caseMessage(c.var.actor, c.req.valid('param').id, c.req.valid('json'), 'withdraw')) as never, 200));

  api.openapi(routes.proposeTermination, async (c) => c.json((await escrow(c).proposeTermination(c.var.actor, c.req.valid('param').id, c.req.valid('json'))) as never, 200));
  api.openapi(routes.answerTermination, async (c) => c.json((await escrow(c).answerTermination(c.var.actor, c.req.valid('param').id, c.req.valid('json'))) as never, 200));

  api.openapi(routes.review, async (c) => c.json((await escrow(c).review(c.var.actor, c.req.valid('param').id, c.req.valid('json'))) as never, 201));
  api.openapi(routes.reply, async (c) => c.json((await escrow(c).reply(c.var.actor, c.req.valid('param').id, c.req.valid('json'))) as never, 200));
  api.openapi(routes.reviewsOf, async (c) => c.json((await escrow(c).reviewsOf(c.req.valid('param').id, { limit: c.req.valid('query').limit })) as never, 200));

  api.openapi(routes.reminders, async (c) => c.json((await escrow(c).reminderQueue(c.var.actor)) as never, 200));
  api.openapi(routes.remind, async (c) => c.json((await escrow(c).remind(c.var.actor, c.req.valid('param').id)) as never, 200));
  api.openapi(routes.caseQueue, async (c) => c.json((await escrow(c).caseQueue(c.var.actor)) as never, 200));
  api.openapi(routes.decideCase, async (c) => c.json((await escrow(c).decideCase(c.var.actor, c.req.valid('param').id, c.req.valid('json'))) as never, 200));
  api.openapi(routes.check, async (c) => {
    requireOperator(c.var.actor);
    return c.json(await escrow(c).check(), 200);
  });

  const settings = (c: { var: { services: { settings: import('../../core/settings/settings.service').SettingsService } } }) => c.var.services.settings;
  api.openapi(routes.escrowFee, async (c) => (requireOperator(c.var.actor), c.json(await settings(c).get('escrow.fee'), 200)));
  api.openapi(routes.updateEscrowFee, async (c) => c.json(await settings(c).update(c.var.actor, 'escrow.fee', c.req.valid('json')), 200));
  api.openapi(routes.calendar, async (c) => (requireOperator(c.var.actor), c.json((await settings(c).get('calendar')) as never, 200)));
  api.openapi(routes.updateCalendar, async (c) => c.json((await settings(c).update(c.var.actor, 'calendar', c.req.valid('json'))) as never, 200));
  api.openapi(routes.roomTiming, async (c) => (requireOperator(c.var.actor), c.json(await settings(c).get('rooms.timing'), 200)));
  api.openapi(routes.updateRoomTiming, async (c) => c.json(await settings(c).update(c.var.actor, 'rooms.timing', c.req.valid('json')), 200));
}
