import { createRoute, z } from '@hono/zod-openapi';
import {
  ConsultationInviteInput,
  ConsultationListView,
  ConsultationMessageInput,
  ConsultationMessageView,
  ConsultationThreadView,
  ConsultationView,
  OpenConsultationInput,
} from '../../core/tenders/consultations.schema';
import { InvitationView } from '../../core/tenders/tenders.schema';
import type { ApiRouter } from './context';
import { authed, errorResponses, json, jsonBody, named } from './schemas';

const Consultation = named(ConsultationView, 'Consultation');
const ConsultationMessage = named(ConsultationMessageView, 'ConsultationMessage');
const ConsultationList = named(ConsultationListView, 'ConsultationPage');
const ConsultationThread = named(ConsultationThreadView, 'ConsultationThread');

const idParam = z.object({ id: z.string().openapi({ description: '咨询会话编号（UUID）' }) });
const pageQuery = z.object({
  page: z.string().optional().openapi({ example: '1' }),
  pageSize: z.string().optional().openapi({ example: '30' }),
});
const T = ['consultations'];

const routes = {
  open: createRoute({
    method: 'post',
    path: '/consultations',
    operationId: 'openConsultation',
    tags: T,
    summary: '咨询：企业向服务机构发起（或重新打开）售前咨询；每对企业与服务机构只有一个会话',
    security: authed,
    request: { body: jsonBody(OpenConsultationInput) },
    responses: {
      200: json(Consultation.extend({ created: z.boolean().describe('false: the pair already had this conversation') }), 'The conversation'),
      ...errorResponses(400, 401, 403, 404),
    },
  }),
  list: createRoute({
    method: 'get',
    path: '/consultations',
    operationId: 'listConsultations',
    tags: T,
    summary: '我的咨询会话（企业与服务机构），最近有消息的在前，含未读条数',
    security: authed,
    request: { query: pageQuery },
    responses: { 200: json(ConsultationList, 'Newest conversation first'), ...errorResponses(400, 401, 403) },
  }),
  thread: createRoute({
    method: 'get',
    path: '/consultations/{id}/messages',
    operationId: 'listConsultationMessages',
    tags: T,
    summary: '咨询消息（仅该企业与服务机构）；打开即把对方的消息标为已读',
    description: 'Oldest first within the page; page 1 holds the newest messages.',
    security: authed,
    request: { params: idParam, query: pageQuery },
    responses: { 200: json(ConsultationThread, 'The conversation'), ...errorResponses(400, 401, 404) },
  }),
  post: createRoute({
    method: 'post',
    path: '/consultations/{id}/messages',
    operationId: 'sendConsultationMessage',
    tags: T,
    summary: '发送咨询消息（不超过 1000 字；同一 clientId 只保存一次；每人每分钟最多 20 条）',
    security: authed,
    request: { params: idParam, body: jsonBody(ConsultationMessageInput) },
    responses: {
      201: json(ConsultationMessage, 'Sent; the other side gets it live, or a site message when not watching'),
      ...errorResponses(400, 401, 404, 429),
    },
  }),
  invite: createRoute({
    method: 'post',
    path: '/consultations/{id}/invitation',
    operationId: 'inviteFromConsultation',
    tags: T,
    summary: '转为邀请：企业邀请该服务机构参与自己的一个邀标项目（会话中留下邀请记录）',
    security: authed,
    request: { params: idParam, body: jsonBody(ConsultationInviteInput) },
    responses: {
      201: json(z.object({ invitation: named(InvitationView, 'Invitation'), message: ConsultationMessage }), 'Invited; the provider gets a site message'),
      ...errorResponses(400, 401, 403, 404, 'ALREADY_INVITED', 'NOT_INVITATION_TENDER', 'REQUIREMENT_NOT_OPEN', 'DELIVERY_DATE_PASSED'),
    },
  }),
};

/** 咨询: pre-sales conversations between an enterprise and a provider, and turning one into an invitation. */
export function registerConsultationRoutes(api: ApiRouter) {
  api.openapi(routes.open, async (c) => c.json(await c.var.services.consultations.open(c.var.actor, c.req.valid('json')), 200));
  api.openapi(routes.list, async (c) => c.json(await c.var.services.consultations.listMine(c.var.actor, c.req.valid('query')), 200));
  api.openapi(routes.thread, async (c) => c.json(await c.var.services.consultations.thread(c.var.actor, c.req.valid('param').id, c.req.valid('query')), 200));
  api.openapi(routes.post, async (c) => c.json(await c.var.services.consultations.postMessage(c.var.actor, c.req.valid('param').id, c.req.valid('json')), 201));
  api.openapi(routes.invite, async (c) => c.json(await c.var.services.consultations.invite(c.var.actor, c.req.valid('param').id, c.req.valid('json')), 201));
}
