import { createRoute, z } from '@hono/zod-openapi';
import {
  InvitableRequirementView,
  InvitationView,
  InviteInput,
  NegotiationMessageInput,
  NegotiationMessageView,
  NegotiationThreadView,
  PageQuery,
  RespondInvitationInput,
} from '../../core/tenders/tenders.schema';
import type { ApiRouter } from './context';
import { authed, errorResponses, json, jsonBody, page, named } from './schemas';
import { Attachment, idParam } from './tenders.routes';

const Invitation = named(InvitationView, 'Invitation');
const InvitableRequirement = named(InvitableRequirementView, 'InvitableRequirement');
const NegotiationMessage = named(NegotiationMessageView.extend({ attachments: z.array(Attachment) }), 'NegotiationMessage');
const NegotiationThread = page(NegotiationMessage, 'NegotiationMessagePage')
  .extend(NegotiationThreadView.omit({ items: true, total: true, page: true, pageSize: true }).shape)
  .openapi('NegotiationThread');

const invitationParam = z.object({ id: z.string().openapi({ description: '邀请编号（UUID）' }) });
const threadParams = z.object({ id: z.string().openapi({ description: '项目编号' }), providerId: z.string().openapi({ description: '服务机构编号' }) });

const I = ['invitations'];
const N = ['negotiations'];

const routes = {
  invite: createRoute({
    method: 'post',
    path: '/invitations',
    tags: I,
    summary: '邀标：邀请服务机构参与自己的邀标项目（交付时间前）',
    security: authed,
    request: { body: jsonBody(InviteInput) },
    responses: { 201: json(Invitation, 'Invited; the provider gets a site message'), ...errorResponses(400, 401, 403, 404, 409) },
  }),
  mine: createRoute({
    method: 'get',
    path: '/invitations/mine',
    tags: I,
    summary: '我收到的邀请（服务机构）',
    security: authed,
    request: { query: PageQuery },
    responses: { 200: json(page(Invitation, 'InvitationPage'), 'Newest first'), ...errorResponses(400, 401, 403) },
  }),
  respond: createRoute({
    method: 'post',
    path: '/invitations/{id}/respond',
    tags: I,
    summary: '接受或拒绝邀请（服务机构）',
    security: authed,
    request: { params: invitationParam, body: jsonBody(RespondInvitationInput) },
    responses: { 200: json(Invitation, 'Answered; the enterprise gets a site message'), ...errorResponses(400, 401, 403, 404, 409) },
  }),
  drop: createRoute({
    method: 'post',
    path: '/invitations/{id}/drop',
    tags: I,
    summary: '放弃已邀请的服务机构（企业）',
    security: authed,
    request: { params: invitationParam },
    responses: { 200: json(Invitation, 'Dropped; the provider is told'), ...errorResponses(401, 404, 409) },
  }),
  forRequirement: createRoute({
    method: 'get',
    path: '/requirements/{id}/invitations',
    tags: I,
    summary: '项目的邀请及各服务机构的回复（发布企业与运营）',
    security: authed,
    request: { params: idParam },
    responses: { 200: json(z.array(Invitation), 'Newest first'), ...errorResponses(401, 404) },
  }),
  invitable: createRoute({
    method: 'get',
    path: '/requirements/invitable',
    tags: I,
    summary: '可以邀请服务机构的项目（企业自己的、招标中、未过交付时间的邀标项目）',
    security: authed,
    responses: { 200: json(z.array(InvitableRequirement), 'Most recently changed first'), ...errorResponses(401, 403) },
  }),
  thread: createRoute({
    method: 'get',
    path: '/requirements/{id}/negotiations/{providerId}/messages',
    tags: N,
    summary: '洽谈记录（仅发布企业与该服务机构）；打开即把对方的消息标为已读',
    description: 'Oldest first within the page; page 1 holds the newest messages.',
    security: authed,
    request: { params: threadParams, query: PageQuery },
    responses: { 200: json(NegotiationThread, 'The thread'), ...errorResponses(400, 401, 404) },
  }),
  post: createRoute({
    method: 'post',
    path: '/requirements/{id}/negotiations/{providerId}/messages',
    tags: N,
    summary: '发送洽谈消息（文字或附件；同一 clientId 只保存一次）',
    security: authed,
    request: { params: threadParams, body: jsonBody(NegotiationMessageInput) },
    responses: {
      201: json(
        NegotiationMessage.extend({ seq: z.number().int().nullable().describe('Room sequence number that announced it; null for a resent message') }),
        'Sent; the other side gets the live event, or a site message when not watching',
      ),
      ...errorResponses(400, 401, 403, 404),
    },
  }),
};

/** Invitations (邀标) and negotiation threads (洽谈). Registered before the tender routes: `/requirements/invitable` must win over `/requirements/{id}`. */
export function registerInvitationRoutes(api: ApiRouter) {
  const inv = (c: { var: { services: { invitations: import('../../core/tenders/invitations.service').InvitationService } } }) => c.var.services.invitations;
  api.openapi(routes.invite, async (c) => c.json(await inv(c).invite(c.var.actor, c.req.valid('json')), 201));
  api.openapi(routes.mine, async (c) => c.json(await inv(c).listMine(c.var.actor, c.req.query()), 200));
  api.openapi(routes.respond, async (c) => c.json(await inv(c).respond(c.var.actor, c.req.valid('param').id, c.req.valid('json')), 200));
  api.openapi(routes.drop, async (c) => c.json(await inv(c).drop(c.var.actor, c.req.valid('param').id), 200));
  api.openapi(routes.invitable, async (c) => c.json(await inv(c).invitableRequirements(c.var.actor), 200));
  api.openapi(routes.forRequirement, async (c) => c.json(await inv(c).listForRequirement(c.var.actor, c.req.valid('param').id), 200));
  api.openapi(routes.thread, async (c) => {
    const { id, providerId } = c.req.valid('param');
    return c.json(await inv(c).listThread(c.var.actor, id, providerId, c.req.query()), 200);
  });
  api.openapi(routes.post, async (c) => {
    const { id, providerId } = c.req.valid('param');
    return c.json(await inv(c).postMessage(c.var.actor, id, providerId, c.req.valid('json')), 201);
  });
}
