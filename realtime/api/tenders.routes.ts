import { createRoute, z } from '@hono/zod-openapi';
import { requireOperator } from '../../core/shared/actor';
import { AppError } from '../../core/shared/app-error';
import { formatFen } from '../../core/shared/money';
import { DEFAULT_DEPOSIT_SETTINGS, PROJECT_GROUPS, REQUIREMENT_STATES } from '../../core/tenders/requirements.machine';
import {
  AdminRequirementQuery,
  DepositSettingsInput,
  HallQuery,
  MyProjectsQuery,
  PageQuery,
  ProposalInput,
  RequirementInput,
  RetenderInput,
  ReviewRequirementInput,
  SelectInput,
  AttachmentView,
  CategoryTreeView,
  DepositOutcomeView,
  DepositSettingsView,
  MyBidView,
  ProposalView,
  RequirementEventView,
  RequirementView,
} from '../../core/tenders/tenders.schema';
import type { ApiRouter } from './context';
import { authed, errorResponses, json, jsonBody, page, named } from './schemas';

// ── Views (what the services return) ────────────────────────────────────────────────────────────

/** A file attached to a requirement, proposal or negotiation message; `url` downloads it. */
export const Attachment = named(AttachmentView, 'Attachment');
export const Requirement = named(RequirementView.extend({ attachments: z.array(Attachment).optional().describe('Detail views only') }), 'Requirement');
const DepositOutcome = named(DepositOutcomeView.extend({ requirement: Requirement }), 'DepositOutcome', {
  description: 'The requirement after the change and how its deposit was settled (fen)',
});
const RequirementEvent = named(RequirementEventView, 'RequirementEvent');
const CategoryTree = named(CategoryTreeView, 'ServiceCategoryTree');
export const Proposal = named(ProposalView.extend({ attachments: z.array(Attachment) }), 'Proposal');
const MyBid = named(MyBidView, 'MyBid');
const DepositSettings = named(DepositSettingsView, 'DepositSettings');

export const idParam = z.object({ id: z.string().openapi({ description: '项目编号（UUID）' }) });

// ── Routes ──────────────────────────────────────────────────────────────────────────────────────

const T = ['requirements'];
const P = ['proposals'];

const routes = {
  categories: createRoute({
    method: 'get',
    path: '/service-categories',
    tags: T,
    summary: '服务类别（两级）',
    responses: { 200: json(CategoryTree, 'Top-level categories with their children') },
  }),
  hall: createRoute({
    method: 'get',
    path: '/requirements',
    tags: T,
    summary: '项目大厅：已审核通过的需求（搜索、类别、地区、方式、状态、预算筛选，排序，分页）',
    description: '`q` matches Chinese text by character pairs. `status=open` still takes proposals; `status=opened` has passed its opening time.',
    request: { query: HallQuery },
    responses: { 200: json(page(Requirement, 'RequirementPage'), 'Requirements visible to everyone'), ...errorResponses(400) },
  }),
  create: createRoute({
    method: 'post',
    path: '/requirements',
    tags: T,
    summary: '发布需求：保存草稿（企业）',
    description:
      'Saves a draft; `POST /requirements/{id}/submit` publishes it (pays the deposit). Attach files uploaded with `POST /files` by listing their ids in `attachmentIds`.',
    security: authed,
    request: { body: jsonBody(RequirementInput) },
    responses: { 201: json(Requirement, 'Draft saved'), ...errorResponses(400, 401, 403) },
  }),
  mine: createRoute({
    method: 'get',
    path: '/requirements/mine',
    tags: T,
    summary: '我的项目（企业）：按分组，含各分组数量',
    security: authed,
    request: { query: MyProjectsQuery },
    responses: {
      200: json(page(Requirement, 'MyRequirementPage').extend({ groups: z.record(z.string(), z.number().int()) }), 'Most recently changed first'),
      ...errorResponses(400, 401, 403),
    },
  }),
  get: createRoute({
    method: 'get',
    path: '/requirements/{id}',
    tags: T,
    summary: '需求详情（公开状态任何人可见；草稿、待审核等仅发布企业与运营可见）',
    request: { params: idParam },
    responses: { 200: json(Requirement, 'The requirement as the caller may see it'), ...errorResponses(404) },
  }),
  update: createRoute({
    method: 'put',
    path: '/requirements/{id}',
    tags: T,
    summary: '修改草稿或未通过审核的需求（整表提交）',
    security: authed,
    request: { params: idParam, body: jsonBody(RequirementInput) },
    responses: { 200: json(Requirement, 'Saved'), ...errorResponses(400, 401, 403, 404, 409) },
  }),
  discard: createRoute({
    method: 'delete',
    path: '/requirements/{id}',
    tags: T,
    summary: '删除从未发布过的草稿',
    security: authed,
    request: { params: idParam },
    responses: { 204: { description: 'Deleted' }, ...errorResponses(401, 404, 409) },
  }),
  submit: createRoute({
    method: 'post',
    path: '/requirements/{id}/submit',
    tags: T,
    summary: '发布：从钱包缴纳保证金并提交审核',
    description: `Moves the deposit (default ${formatFen(DEFAULT_DEPOSIT_SETTINGS.depositFen)}, set by operators) from the available balance to the platform. Too little balance: 409 INSUFFICIENT_FUNDS saying how much is missing; nothing changes.`,
    security: authed,
    request: { params: idParam },
    responses: { 200: json(Requirement, 'Pending review, deposit held'), ...errorResponses(400, 401, 403, 404, 409) },
  }),
  withdraw: createRoute({
    method: 'post',
    path: '/requirements/{id}/withdraw',
    tags: T,
    summary: '撤销本项目（竞标，开标前）：无人投标全额退回保证金；有人投标按距开标时间扣除',
    description: `With bidders, withdrawing at least 24 h before opening forfeits ${formatFen(DEFAULT_DEPOSIT_SETTINGS.forfeitEarlyFen)}, later ${formatFen(DEFAULT_DEPOSIT_SETTINGS.forfeitLateFen)} (defaults; operators set them).`,
    security: authed,
    request: { params: idParam },
    responses: { 200: json(DepositOutcome, 'Withdrawn'), ...errorResponses(401, 404, 409) },
  }),
  abandon: createRoute({
    method: 'post',
    path: '/requirements/{id}/abandon',
    tags: T,
    summary: '放弃本次招标（竞标，开标后）',
    security: authed,
    request: { params: idParam },
    responses: { 200: json(Requirement, 'Abandoned: re-tender or end'), ...errorResponses(401, 404, 409) },
  }),
  retender: createRoute({
    method: 'post',
    path: '/requirements/{id}/retender',
    tags: T,
    summary: '重新招标：放弃本次招标后设定新的开标时间（至少 24 小时之后）',
    security: authed,
    request: { params: idParam, body: jsonBody(RetenderInput) },
    responses: { 200: json(Requirement, 'Open again'), ...errorResponses(400, 401, 404, 409) },
  }),
  end: createRoute({
    method: 'post',
    path: '/requirements/{id}/end',
    tags: T,
    summary: '结束本项目（放弃本次招标后）：按规则退回保证金',
    security: authed,
    request: { params: idParam },
    responses: { 200: json(DepositOutcome, 'Closed'), ...errorResponses(401, 404, 409) },
  }),
  delete: createRoute({
    method: 'post',
    path: '/requirements/{id}/delete',
    tags: T,
    summary: '删除邀标项目：全额退回保证金，取消全部邀请',
    security: authed,
    request: { params: idParam },
    responses: { 200: json(DepositOutcome, 'Closed'), ...errorResponses(401, 404, 409) },
  }),
  select: createRoute({
    method: 'post',
    path: '/requirements/{id}/select',
    tags: T,
    summary: '选中服务机构（竞标：开标后、有有效标书；邀标：已接受邀请）',
    security: authed,
    request: { params: idParam, body: jsonBody(SelectInput) },
    responses: { 200: json(Requirement, 'Awarded'), ...errorResponses(400, 401, 404, 409) },
  }),
  events: createRoute({
    method: 'get',
    path: '/requirements/{id}/events',
    tags: T,
    summary: '项目记录（发布企业与运营）',
    security: authed,
    request: { params: idParam },
    responses: { 200: json(z.array(RequirementEvent), 'Oldest first'), ...errorResponses(401, 404) },
  }),

  adminList: createRoute({
    method: 'get',
    path: '/admin/requirements',
    tags: ['admin'],
    summary: '运营：需求列表（待审核在前），按状态筛选、搜索',
    security: authed,
    request: { query: AdminRequirementQuery },
    responses: { 200: json(page(Requirement, 'AdminRequirementPage'), 'Pending review first'), ...errorResponses(400, 401, 403) },
  }),
  review: createRoute({
    method: 'post',
    path: '/admin/requirements/{id}/review',
    tags: ['admin'],
    summary: '运营：审核需求（通过后在项目大厅公布；驳回须填写原因并全额退回保证金）',
    security: authed,
    request: { params: idParam, body: jsonBody(ReviewRequirementInput) },
    responses: { 200: json(Requirement, 'Decided'), ...errorResponses(400, 401, 403, 404, 409) },
  }),
  depositSettings: createRoute({
    method: 'get',
    path: '/admin/settings/deposit',
    tags: ['admin'],
    summary: '运营：保证金规则（金额、提前/临近开标撤销的扣除金额）',
    security: authed,
    responses: { 200: json(DepositSettings, 'Amounts in fen'), ...errorResponses(401, 403) },
  }),
  updateDepositSettings: createRoute({
    method: 'put',
    path: '/admin/settings/deposit',
    tags: ['admin'],
    summary: '运营：修改保证金规则（对之后发布的需求生效）',
    security: authed,
    request: { body: jsonBody(DepositSettingsInput) },
    responses: { 200: json(DepositSettings, 'Saved'), ...errorResponses(400, 401, 403) },
  }),

  submitProposal: createRoute({
    method: 'post',
    path: '/requirements/{id}/proposals',
    tags: P,
    summary: '报名投标：提交标书（服务机构，开标前）',
    description: "Sealed until the opening time: only its author sees it; from the opening time on, the requirement's owner sees every proposal.",
    security: authed,
    request: { params: idParam, body: jsonBody(ProposalInput) },
    responses: { 201: json(Proposal, 'Submitted'), ...errorResponses(400, 401, 403, 404, 409) },
  }),
  listProposals: createRoute({
    method: 'get',
    path: '/requirements/{id}/proposals',
    tags: P,
    summary: '项目的全部标书（发布企业开标后可见，运营可见），报价从低到高',
    security: authed,
    request: { params: idParam },
    responses: { 200: json(z.array(Proposal), 'Lowest price first'), ...errorResponses(401, 403, 404) },
  }),
  myProposal: createRoute({
    method: 'get',
    path: '/requirements/{id}/proposals/mine',
    tags: P,
    summary: '我在该项目的标书（服务机构）',
    security: authed,
    request: { params: idParam },
    responses: { 200: json(Proposal, 'The latest of my proposals'), ...errorResponses(401, 403, 404) },
  }),
  reviseProposal: createRoute({
    method: 'put',
    path: '/requirements/{id}/proposals/mine',
    tags: P,
    summary: '修改标书（开标前）',
    security: authed,
    request: { params: idParam, body: jsonBody(ProposalInput) },
    responses: { 200: json(Proposal, 'Revised'), ...errorResponses(400, 401, 403, 404, 409) },
  }),
  withdrawProposal: createRoute({
    method: 'delete',
    path: '/requirements/{id}/proposals/mine',
    tags: P,
    summary: '撤回标书（开标前；之后可以重新提交）',
    security: authed,
    request: { params: idParam },
    responses: { 200: json(Proposal, 'Withdrawn'), ...errorResponses(401, 403, 404, 409) },
  }),
  myBids: createRoute({
    method: 'get',
    path: '/proposals/mine',
    tags: P,
    summary: '我的投标（服务机构）',
    security: authed,
    request: { query: PageQuery },
    responses: { 200: json(page(MyBid, 'MyBidPage'), 'Most recently changed first'), ...errorResponses(400, 401, 403) },
  }),
};

/**
 * Requirements, operator review, the project hall and proposals. Static paths (`/requirements/mine`)
 * are registered before `/requirements/{id}`: the first matching route answers.
 */
export function registerTenderRoutes(api: ApiRouter) {
  api.openapi(routes.categories, async (c) => c.json(await c.var.services.requirements.categoryTree(), 200));
  api.openapi(routes.hall, async (c) => c.json(await c.var.services.requirements.hall(c.req.query()), 200));
  // RequirementInput and RetenderInput transform their input: the service parses the raw body itself.
  api.openapi(routes.create, async (c) => c.json(await c.var.services.requirements.saveDraft(c.var.actor, await c.req.json()), 201));
  api.openapi(routes.mine, async (c) => c.json(await c.var.services.requirements.listMine(c.var.actor, c.req.query()), 200));
  api.openapi(routes.myBids, async (c) => c.json(await c.var.services.proposals.listMine(c.var.actor, c.req.query()), 200));

  api.openapi(routes.adminList, async (c) => c.json(await c.var.services.requirements.adminList(c.var.actor, c.req.query()), 200));
  api.openapi(routes.review, async (c) => c.json(await c.var.services.requirements.review(c.var.actor, c.req.valid('param').id, c.req.valid('json')), 200));
  api.openapi(routes.depositSettings, async (c) => {
    requireOperator(c.var.actor);
    return c.json(await c.var.services.settings.depositSettings(), 200);
  });
  api.openapi(routes.updateDepositSettings, async (c) =>
    c.json(await c.var.services.settings.update(c.var.actor, 'tenders.deposit', c.req.valid('json')), 200),
  );

  api.openapi(routes.get, async (c) => c.json(await c.var.services.requirements.get(c.var.actor, c.req.valid('param').id), 200));
  api.openapi(routes.update, async (c) => c.json(await c.var.services.requirements.saveDraft(c.var.actor, await c.req.json(), c.req.valid('param').id), 200));
  api.openapi(routes.discard, async (c) => (await c.var.services.requirements.discardDraft(c.var.actor, c.req.valid('param').id), c.body(null, 204)));
  api.openapi(routes.submit, async (c) => c.json(await c.var.services.requirements.submit(c.var.actor, c.req.valid('param').id), 200));
  api.openapi(routes.withdraw, async (c) => c.json(await c.var.services.requirements.withdraw(c.var.actor, c.req.valid('param').id), 200));
  api.openapi(routes.abandon, async (c) => c.json(await c.var.services.requirements.abandon(c.var.actor, c.req.valid('param').id), 200));
  api.openapi(routes.retender, async (c) => c.json(await c.var.services.requirements.retender(c.var.actor, c.req.valid('param').id, await c.req.json()), 200));
  api.openapi(routes.end, async (c) => c.json(await c.var.services.requirements.end(c.var.actor, c.req.valid('param').id), 200));
  api.openapi(routes.delete, async (c) => c.json(await c.var.services.requirements.deleteInvitationProject(c.var.actor, c.req.valid('param').id), 200));
  api.openapi(routes.select, async (c) => {
    const { providerId } = c.req.valid('json') as z.infer<typeof SelectInput>;
    return c.json(await c.var.services.requirements.select(c.var.actor, c.req.valid('param').id, providerId), 200);
  });
  api.openapi(routes.events, async (c) => c.json(await c.var.services.requirements.events(c.var.actor, c.req.valid('param').id), 200));

  api.openapi(routes.submitProposal, async (c) =>
    c.json(await c.var.services.proposals.submit(c.var.actor, c.req.valid('param').id, c.req.valid('json')), 201),
  );
  api.openapi(routes.listProposals, async (c) => c.json(await c.var.services.proposals.listForRequirement(c.var.actor, c.req.valid('param').id), 200));
  api.openapi(routes.myProposal, async (c) => {
    const mine = await c.var.services.proposals.findMine(c.var.actor, c.req.valid('param').id);
    if (!mine) throw new AppError('NOT_FOUND', '您还没有提交标书');
    return c.json(mine, 200);
  });
  api.openapi(routes.reviseProposal, async (c) =>
    c.json(await c.var.services.proposals.revise(c.var.actor, c.req.valid('param').id, c.req.valid('json')), 200),
  );
  api.openapi(routes.withdrawProposal, async (c) => c.json(await c.var.services.proposals.withdraw(c.var.actor, c.req.valid('param').id), 200));
}
