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
  AfterSalesCaseView,
  AfterSalesQueueItemView,
  AgreementBasisView,
  AgreementPageView,
  AgreementView,
  AwaitingAgreementView,
  EscrowCheckView,
  EscrowFundingView,
  MilestoneReminderView,
  RemindResultView,
  ReviewSummaryView,
  ReviewView,
} from '../../core/escrow/escrow.schema';
import type { EscrowService } from '../../core/escrow/escrow.service';
import { RoomTimingInput } from '../../core/rooms/rooms.schema';
import { requireOperator } from '../../core/shared/actor';
import type { ApiRouter } from './context';
import { authed, errorResponses, json, jsonBody } from './schemas';

// ── Views: the escrow services' view schemas (core/escrow/escrow.schema.ts); the settings' here ──

const Day = z.string().openapi({ example: '2026-12-31' });
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
    summary: '起草协议的依据：项目、中标价、放款方式与已有协议（选中的服务机构与发布企业）',
    security: authed,
    request: { params: requirementParam },
    responses: { 200: json(AgreementBasisView, 'What the agreement starts from'), ...errorResponses(401, 404) },
  }),
  saveDraft: createRoute({
    method: 'put',
    path: '/requirements/{id}/agreement',
    tags: A,
    summary: '起草或修改协议（选中的服务机构；草稿或被退回时）：服务内容、总价、起止日期、里程碑、放款方式',
    description:
      'Creates the agreement the first time, replaces it while it is a draft or returned. Milestone amounts must add up to the total and fall within the dates (`fields["milestones.<i>.dueDate"]`).',
    security: authed,
    request: { params: requirementParam, body: jsonBody(AgreementInput) },
    responses: { 200: json(AgreementView, 'Saved'), ...errorResponses(400, 401, 403, 404, 409) },
  }),
  list: createRoute({
    method: 'get',
    path: '/agreements',
    tags: A,
    summary: '我的协议（用户手册中的“交易提醒”）：最近变动在前，附待办',
    security: authed,
    request: { query: AgreementListQuery },
    responses: { 200: json(AgreementPageView, 'Newest activity first'), ...errorResponses(400, 401, 403) },
  }),
  awaiting: createRoute({
    method: 'get',
    path: '/agreements/awaiting',
    tags: A,
    summary: '我的协议：已选中服务机构、尚未起草协议的项目（最多 50 个）',
    security: authed,
    responses: { 200: json(z.array(AwaitingAgreementView), 'Most recently changed first'), ...errorResponses(401) },
  }),
  get: createRoute({
    method: 'get',
    path: '/agreements/{id}',
    tags: A,
    summary: '协议详情：版本、里程碑与托管、售后、终止与评价（协议双方与运营）',
    security: authed,
    request: { params: agreementParam },
    responses: { 200: json(AgreementView, 'The agreement'), ...errorResponses(401, 404) },
  }),
  send: createRoute({
    method: 'post',
    path: '/agreements/{id}/send',
    tags: A,
    summary: '发送协议给企业确认（服务机构；保存为新版本）',
    security: authed,
    request: { params: agreementParam },
    responses: { 200: json(AgreementView, 'Sent'), ...errorResponses(400, 401, 403, 404, 409) },
  }),
  returnAgreement: createRoute({
    method: 'post',
    path: '/agreements/{id}/return',
    tags: A,
    summary: '退回协议并填写修改意见（企业）',
    security: authed,
    request: { params: agreementParam, body: jsonBody(ReturnAgreementInput) },
    responses: { 200: json(AgreementView, 'Returned'), ...errorResponses(400, 401, 403, 404, 409) },
  }),
  confirm: createRoute({
    method: 'post',
    path: '/agreements/{id}/confirm',
    tags: A,
    summary: '确认协议，生成正式协议书（企业）',
    description: 'Fixes the content, its SHA-256 and the platform fee in force now; the PDF is made from them and never changes.',
    security: authed,
    request: { params: agreementParam },
    responses: { 200: json(AgreementView, 'Confirmed'), ...errorResponses(401, 403, 404, 409) },
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
    description:
      'Moves money from the wallet’s available balance into escrow. The first funding starts the project and refunds the requirement deposit. Too little balance: 409 INSUFFICIENT_FUNDS saying how much is missing; nothing moves.',
    security: authed,
    request: { params: agreementParam },
    responses: { 200: json(EscrowFundingView, 'Funded'), ...errorResponses(401, 403, 404, 409) },
  }),
  deliver: createRoute({
    method: 'post',
    path: '/milestones/{id}/deliver',
    tags: M,
    summary: '提交里程碑交付成果（服务机构；附件先用 POST /files 上传）',
    description: 'The enterprise then has 5 working days to accept or return it; after an operator’s reminder, 2 more, then it is deemed accepted.',
    security: authed,
    request: { params: milestoneParam, body: jsonBody(DeliverInput) },
    responses: { 200: json(AgreementView, 'Delivered'), ...errorResponses(400, 401, 403, 404, 409) },
  }),
  accept: createRoute({
    method: 'post',
    path: '/milestones/{id}/accept',
    tags: M,
    summary: '验收里程碑（企业）：按协议约定付款（售后处理期间暂停支付）',
    security: authed,
    request: { params: milestoneParam },
    responses: { 200: json(AgreementView, 'Accepted'), ...errorResponses(401, 403, 404, 409) },
  }),
  returnMilestone: createRoute({
    method: 'post',
    path: '/milestones/{id}/return',
    tags: M,
    summary: '退回里程碑交付并说明理由（企业）',
    security: authed,
    request: { params: milestoneParam, body: jsonBody(ReturnMilestoneInput) },
    responses: { 200: json(AgreementView, 'Returned'), ...errorResponses(400, 401, 403, 404, 409) },
  }),
  openCase: createRoute({
    method: 'post',
    path: '/agreements/{id}/after-sales-cases',
    tags: C,
    summary: '申请售后（企业；实施期间或完成后 30 日内）：未支付的托管款暂停支付',
    security: authed,
    request: { params: agreementParam, body: jsonBody(OpenCaseInput) },
    responses: { 201: json(AfterSalesCaseView, 'Opened'), ...errorResponses(400, 401, 403, 404, 409) },
  }),
  getCase: createRoute({
    method: 'get',
    path: '/after-sales-cases/{id}',
    tags: C,
    summary: '售后详情与记录（协议双方与运营）',
    security: authed,
    request: { params: caseParam },
    responses: { 200: json(AfterSalesCaseView, 'The case'), ...errorResponses(401, 404) },
  }),
  caseMessage: createRoute({
    method: 'post',
    path: '/after-sales-cases/{id}/messages',
    tags: C,
    summary: '售后留言：服务机构回应（kind=respond）或双方补充说明（kind=comment）',
    security: authed,
    request: { params: caseParam, body: jsonBody(CaseMessageBody) },
    responses: { 200: json(AfterSalesCaseView, 'Added'), ...errorResponses(400, 401, 403, 404, 409) },
  }),
  escalate: createRoute({
    method: 'post',
    path: '/after-sales-cases/{id}/escalate',
    tags: C,
    summary: '提交平台处理（协议任一方）',
    security: authed,
    request: { params: caseParam, body: optionalBody(CaseNoteInput, 'An optional note') },
    responses: { 200: json(AfterSalesCaseView, 'Escalated'), ...errorResponses(400, 401, 403, 404, 409) },
  }),
  withdraw: createRoute({
    method: 'post',
    path: '/after-sales-cases/{id}/withdraw',
    tags: C,
    summary: '撤回售后（企业）：已验收的里程碑按约定付款',
    security: authed,
    request: { params: caseParam, body: optionalBody(CaseNoteInput, 'An optional note') },
    responses: { 200: json(AfterSalesCaseView, 'Withdrawn'), ...errorResponses(400, 401, 403, 404, 409) },
  }),
  proposeTermination: createRoute({
    method: 'post',
    path: '/agreements/{id}/termination',
    tags: A,
    summary: '提出协商终止（协议任一方）：托管款中退回企业与支付服务机构的金额之和须等于托管中的金额',
    security: authed,
    request: { params: agreementParam, body: jsonBody(ProposeTerminationInput) },
    responses: { 200: json(AgreementView, 'Proposed; the other side answers'), ...errorResponses(400, 401, 403, 404, 409) },
  }),
  answerTermination: createRoute({
    method: 'post',
    path: '/agreements/{id}/termination/answer',
    tags: A,
    summary: '答复终止申请（对方）：同意则按约定结算并终止协议',
    security: authed,
    request: { params: agreementParam, body: jsonBody(AnswerTerminationInput) },
    responses: { 200: json(AgreementView, 'Answered'), ...errorResponses(400, 401, 403, 404, 409) },
  }),
  review: createRoute({
    method: 'post',
    path: '/agreements/{id}/reviews',
    tags: R,
    summary: '评价对方（项目完成后，双方各一次）：服务质量、及时性、沟通 1–5 星',
    security: authed,
    request: { params: agreementParam, body: jsonBody(ReviewInput) },
    responses: { 201: json(AgreementView, 'The agreement with its reviews'), ...errorResponses(400, 401, 403, 404, 409) },
  }),
  reply: createRoute({
    method: 'post',
    path: '/reviews/{id}/reply',
    tags: R,
    summary: '回复对我方的评价（一次）',
    security: authed,
    request: { params: reviewParam, body: jsonBody(ReplyInput) },
    responses: { 200: json(ReviewView, 'Replied'), ...errorResponses(400, 401, 404, 409) },
  }),
  reviewsOf: createRoute({
    method: 'get',
    path: '/organisations/{id}/reviews',
    tags: R,
    summary: '组织收到的评价与平均分（服务机构店铺等）',
    request: { params: organisationParam, query: ReviewsQuery },
    responses: { 200: json(ReviewSummaryView, 'Newest first'), ...errorResponses(400, 404) },
  }),

  reminders: createRoute({
    method: 'get',
    path: '/admin/milestone-reminders',
    tags: ADMIN,
    summary: '运营：超过 5 个工作日未验收的里程碑（待提醒）',
    security: authed,
    responses: { 200: json(z.array(MilestoneReminderView), 'Oldest due first'), ...errorResponses(401, 403) },
  }),
  remind: createRoute({
    method: 'post',
    path: '/admin/milestones/{id}/remind',
    tags: ADMIN,
    summary: '运营：提醒企业验收（2 个工作日后仍未处理视为验收通过）',
    security: authed,
    request: { params: milestoneParam },
    responses: { 200: json(RemindResultView, 'Reminded'), ...errorResponses(401, 403, 404, 409) },
  }),
  caseQueue: createRoute({
    method: 'get',
    path: '/admin/after-sales-cases',
    tags: ADMIN,
    summary: '运营：处理中的售后（提交平台处理的在前）',
    security: authed,
    responses: { 200: json(z.array(AfterSalesQueueItemView), 'Escalated first, then oldest first'), ...errorResponses(401, 403) },
  }),
  decideCase: createRoute({
    method: 'post',
    path: '/admin/after-sales-cases/{id}/decision',
    tags: ADMIN,
    summary: '运营：处理售后：托管款退回与支付的金额（之和等于托管中的金额）、理由、项目继续或终止',
    security: authed,
    request: { params: caseParam, body: jsonBody(DecideCaseInput) },
    responses: { 200: json(AfterSalesCaseView, 'Decided'), ...errorResponses(400, 401, 403, 404, 409) },
  }),
  check: createRoute({
    method: 'get',
    path: '/admin/escrow/check',
    tags: ADMIN,
    summary: '运营：托管账户核对（托管余额 = 各里程碑托管中金额之和）',
    security: authed,
    responses: { 200: json(EscrowCheckView, 'The check'), ...errorResponses(401, 403) },
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

  api.openapi(routes.basis, async (c) => c.json(await escrow(c).draftBasis(c.var.actor, c.req.valid('param').id), 200));
  api.openapi(routes.saveDraft, async (c) => c.json(await escrow(c).saveDraft(c.var.actor, c.req.valid('param').id, c.req.valid('json')), 200));
  api.openapi(routes.list, async (c) => c.json(await escrow(c).listMine(c.var.actor, c.req.query()), 200));
  // Static /agreements/awaiting before /agreements/{id}.
  api.openapi(routes.awaiting, async (c) => c.json(await escrow(c).awaitingAgreement(c.var.actor), 200));
  api.openapi(routes.get, async (c) => c.json(await escrow(c).get(c.var.actor, c.req.valid('param').id), 200));
  api.openapi(routes.send, async (c) => c.json(await escrow(c).send(c.var.actor, c.req.valid('param').id), 200));
  api.openapi(routes.returnAgreement, async (c) => c.json(await escrow(c).returnAgreement(c.var.actor, c.req.valid('param').id, c.req.valid('json')), 200));
  api.openapi(routes.confirm, async (c) => c.json(await escrow(c).confirm(c.var.actor, c.req.valid('param').id), 200));
  api.openapi(routes.pdf, async (c) => {
    const { filename, bytes } = await escrow(c).pdf(c.var.actor, c.req.valid('param').id);
    return c.body(new Uint8Array(bytes), 200, {
      'content-type': 'application/pdf',
      'content-length': String(bytes.byteLength),
      'content-disposition': `attachment; filename*=UTF-8''${encodeURIComponent(filename)}`,
      'x-content-type-options': 'nosniff',
      'cache-control': 'private, no-store',
    });
  });
  api.openapi(routes.fund, async (c) => c.json(await escrow(c).fund(c.var.actor, c.req.valid('param').id), 200));

  api.openapi(routes.deliver, async (c) => c.json(await escrow(c).deliver(c.var.actor, c.req.valid('param').id, c.req.valid('json')), 200));
  api.openapi(routes.accept, async (c) => c.json(await escrow(c).accept(c.var.actor, c.req.valid('param').id), 200));
  api.openapi(routes.returnMilestone, async (c) => c.json(await escrow(c).returnMilestone(c.var.actor, c.req.valid('param').id, c.req.valid('json')), 200));

  api.openapi(routes.openCase, async (c) => c.json(await escrow(c).openCase(c.var.actor, c.req.valid('param').id, c.req.valid('json')), 201));
  api.openapi(routes.getCase, async (c) => c.json(await escrow(c).getCase(c.var.actor, c.req.valid('param').id), 200));
  api.openapi(routes.caseMessage, async (c) => {
    const { kind, ...body } = c.req.valid('json') as z.infer<typeof CaseMessageBody>;
    return c.json(await escrow(c).caseMessage(c.var.actor, c.req.valid('param').id, body, kind), 200);
  });
  api.openapi(routes.escalate, async (c) => c.json(await escrow(c).caseMessage(c.var.actor, c.req.valid('param').id, c.req.valid('json'), 'escalate'), 200));
  api.openapi(routes.withdraw, async (c) => c.json(await escrow(c).caseMessage(c.var.actor, c.req.valid('param').id, c.req.valid('json'), 'withdraw'), 200));

  api.openapi(routes.proposeTermination, async (c) =>
    c.json(await escrow(c).proposeTermination(c.var.actor, c.req.valid('param').id, c.req.valid('json')), 200),
  );
  api.openapi(routes.answerTermination, async (c) => c.json(await escrow(c).answerTermination(c.var.actor, c.req.valid('param').id, c.req.valid('json')), 200));

  api.openapi(routes.review, async (c) => c.json(await escrow(c).review(c.var.actor, c.req.valid('param').id, c.req.valid('json')), 201));
  api.openapi(routes.reply, async (c) => c.json(await escrow(c).reply(c.var.actor, c.req.valid('param').id, c.req.valid('json')), 200));
  api.openapi(routes.reviewsOf, async (c) => c.json(await escrow(c).reviewsOf(c.req.valid('param').id, { limit: c.req.valid('query').limit }), 200));

  api.openapi(routes.reminders, async (c) => c.json(await escrow(c).reminderQueue(c.var.actor), 200));
  api.openapi(routes.remind, async (c) => c.json(await escrow(c).remind(c.var.actor, c.req.valid('param').id), 200));
  api.openapi(routes.caseQueue, async (c) => c.json(await escrow(c).caseQueue(c.var.actor), 200));
  api.openapi(routes.decideCase, async (c) => c.json(await escrow(c).decideCase(c.var.actor, c.req.valid('param').id, c.req.valid('json')), 200));
  api.openapi(routes.check, async (c) => {
    requireOperator(c.var.actor);
    return c.json(await escrow(c).check(), 200);
  });

  const settings = (c: { var: { services: { settings: import('../../core/settings/settings.service').SettingsService } } }) => c.var.services.settings;
  api.openapi(routes.escrowFee, async (c) => (requireOperator(c.var.actor), c.json(await settings(c).get('escrow.fee'), 200)));
  api.openapi(routes.updateEscrowFee, async (c) => c.json(await settings(c).update(c.var.actor, 'escrow.fee', c.req.valid('json')), 200));
  api.openapi(routes.calendar, async (c) => (requireOperator(c.var.actor), c.json(await settings(c).get('calendar'), 200)));
  api.openapi(routes.updateCalendar, async (c) => c.json(await settings(c).update(c.var.actor, 'calendar', c.req.valid('json')), 200));
  api.openapi(routes.roomTiming, async (c) => (requireOperator(c.var.actor), c.json(await settings(c).get('rooms.timing'), 200)));
  api.openapi(routes.updateRoomTiming, async (c) => c.json(await settings(c).update(c.var.actor, 'rooms.timing', c.req.valid('json')), 200));
}
