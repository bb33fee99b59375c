import { createRoute, z } from '@hono/zod-openapi';
import {
  OfferResultView,
  RoomEventView,
  RoomLogVerdictView,
  RoomReceiptView,
  RoomRulesInput,
  RoomRulesView,
  RoomSnapshot,
  StartedRoundView,
  StartRoundInput,
  SubmitOfferInput,
} from '../../core/rooms/rooms.schema';
import type { ApiRouter } from './context';
import { authed, errorResponses, json, jsonBody, named } from './schemas';

const idParam = z.object({ id: z.string().openapi({ description: '需求（项目）编号' }) });

const RoomEvent = named(RoomEventView, 'RoomEvent');

const Snapshot = named(RoomSnapshot, 'RoomSnapshot', {
  description:
    'The enterprise (and operators) get `proposals` from opening on, `bidders`, closed `rounds` with every revised price, and during a round who has bid but not at what price. A provider gets `mine` (its own proposal, offers and result) and, in a round, `currentRound.myRank` — never another provider’s price or name.',
});

const OfferResult = named(OfferResultView, 'OfferResult');

const routes = {
  snapshot: createRoute({
    method: 'get',
    path: '/requirements/{id}/room',
    tags: ['rooms'],
    summary: '竞价室状态快照（待标室、竞价室、二次竞价）',
    description: 'Only the owning enterprise, that tender’s bidders and operators (read-only); everyone else gets 404.',
    security: authed,
    request: { params: idParam },
    responses: { 200: json(Snapshot, 'The room as the caller may see it'), ...errorResponses(401, 404) },
  }),
  events: createRoute({
    method: 'get',
    path: '/requirements/{id}/room/events',
    tags: ['rooms'],
    summary: '竞价室事件（按序号补取错过的事件）',
    security: authed,
    request: { params: idParam, query: z.object({ after: z.string().optional().openapi({ description: 'Last sequence number seen', example: '0' }) }) },
    responses: { 200: json(z.object({ events: z.array(RoomEvent) }), 'Oldest first, only what the caller may see'), ...errorResponses(401, 404) },
  }),
  verifyLog: createRoute({
    method: 'get',
    path: '/requirements/{id}/room/log/verify',
    operationId: 'verifyRoomLog',
    tags: ['rooms'],
    summary: '核验竞价日志：从数据库重算整条哈希链',
    description:
      'Every room event stores SHA-256 over the previous event’s hash and its RFC 8785 canonical form. The owning enterprise and operators only (a bidder gets 403, anyone else 404). `ok: false` names the first event that does not hold.',
    security: authed,
    request: { params: idParam },
    responses: { 200: json(named(RoomLogVerdictView, 'RoomLogVerdict'), 'The verdict'), ...errorResponses(401, 403, 404) },
  }),
  receipt: createRoute({
    method: 'get',
    path: '/requirements/{id}/room/receipt',
    operationId: 'getRoomReceipt',
    tags: ['rooms'],
    summary: '竞价回执：本机构的报价与事件及其哈希值',
    description:
      'A bidder of the room only: the events addressed to it alone, each with `hash` and `prevHash` so it can recompute its own hashes; never a rival’s contents. The enterprise and operators get 403, anyone else 404.',
    security: authed,
    request: { params: idParam },
    responses: { 200: json(named(RoomReceiptView, 'RoomReceipt'), 'The receipt'), ...errorResponses(401, 403, 404) },
  }),
  startRound: createRoute({
    method: 'post',
    path: '/requirements/{id}/rounds',
    tags: ['rooms'],
    summary: '发起二次竞价：勾选服务机构与时长（5–60 分钟，默认 10）',
    security: authed,
    request: { params: idParam, body: jsonBody(StartRoundInput) },
    responses: {
      201: json(StartedRoundView, 'Started'),
      ...errorResponses(400, 401, 403, 404, 409),
    },
  }),
  submitOffer: createRoute({
    method: 'post',
    path: '/requirements/{id}/rounds/current/offers',
    tags: ['rooms'],
    summary: '二次竞价报价：须比上次报价至少低 1% 或 ¥100（取较大者）',
    description:
      'Acknowledged only after it is committed. Send a fresh `clientId` per bid; a resend with the same one counts once. `ROUND_CLOSED` (409) once the server clock reaches the deadline.',
    security: authed,
    request: { params: idParam, body: jsonBody(SubmitOfferInput) },
    responses: { 201: json(OfferResult, 'Accepted'), ...errorResponses(400, 401, 403, 404, 409) },
  }),
  rules: createRoute({
    method: 'put',
    path: '/requirements/{id}/room/rules',
    tags: ['rooms'],
    summary: '设置二次竞价规则（最低降价比例与金额、延时窗口、最多延时次数、延时规则、最长延时）',
    description:
      'Only before the first proposal arrives: bidders propose under the rules, so from then on they are fixed and this answers `ROOM_RULES_FROZEN` (409).',
    security: authed,
    request: { params: idParam, body: jsonBody(RoomRulesInput) },
    responses: { 200: json(RoomRulesView, 'The rules in force for the next round'), ...errorResponses(400, 401, 403, 404, 409) },
  }),
};

/** The bidding room for integrations and tests; select and abandon are the requirement routes. */
export function registerRoomRoutes(api: ApiRouter) {
  api.openapi(routes.snapshot, async (c) => c.json(await c.var.services.rooms.snapshot(c.var.actor, c.req.valid('param').id), 200));
  api.openapi(routes.events, async (c) =>
    c.json({ events: await c.var.services.rooms.eventsSince(c.var.actor, c.req.valid('param').id, Number(c.req.valid('query').after ?? 0) || 0) }, 200),
  );
  api.openapi(routes.verifyLog, async (c) => c.json(await c.var.services.rooms.verifyLog(c.var.actor, c.req.valid('param').id), 200));
  api.openapi(routes.receipt, async (c) => c.json(await c.var.services.rooms.receipt(c.var.actor, c.req.valid('param').id), 200));
  api.openapi(routes.startRound, async (c) => c.json(await c.var.services.rooms.startRound(c.var.actor, c.req.valid('param').id, c.req.valid('json')), 201));
  api.openapi(routes.submitOffer, async (c) => c.json(await c.var.services.rooms.submitOffer(c.var.actor, c.req.valid('param').id, c.req.valid('json')), 201));
  api.openapi(routes.rules, async (c) => c.json(await c.var.services.rooms.updateRules(c.var.actor, c.req.valid('param').id, c.req.valid('json')), 200));
}
