import { createRoute, z } from '@hono/zod-openapi';
import { RoomRulesInput, StartRoundInput, SubmitOfferInput } from '../../core/rooms/rooms.schema';
import type { ApiRouter } from './context';
import { authed, errorResponses, json, jsonBody } from './schemas';

const idParam = z.object({ id: z.string().openapi({ description: '需求（项目）编号' }) });

const RoomEvent = z
  .object({
    requirementId: z.uuid(),
    seq: z.number().int().describe('Room sequence number: ask for events after the last one you saw'),
    type: z.string().openapi({ example: 'round:rank' }),
    audience: z.array(z.string()),
    payload: z.record(z.string(), z.unknown()),
    at: z.iso.datetime(),
  })
  .openapi('RoomEvent');

const Snapshot = z
  .object({
    role: z.enum(['enterprise', 'provider', 'operator']),
    phase: z.enum(['scheduled', 'waiting', 'bidding', 'second_round', 'awarded', 'abandoned', 'ended']),
    phaseLabel: z.string(),
    serverTime: z.iso.datetime(),
    seq: z.number().int(),
    bidderCount: z.number().int(),
    requirement: z.record(z.string(), z.unknown()),
    timing: z.object({ waitingRoomOpensAt: z.string().nullable(), enterPromptAt: z.string().nullable() }),
    rules: z.record(z.string(), z.number()),
    currentRound: z.record(z.string(), z.unknown()).nullable(),
  })
  .passthrough()
  .openapi('RoomSnapshot', {
    description:
      'The enterprise (and operators) get `proposals` from opening on, `bidders`, closed `rounds` with every revised price, and during a round who has bid but not at what price. A provider gets `mine` (its own proposal, offers and result) and, in a round, `currentRound.myRank` — never another provider’s price or name.',
  });

const OfferResult = z
  .object({
    offer: z.object({ id: z.uuid(), priceFen: z.number().int(), previousPriceFen: z.number().int(), at: z.iso.datetime() }),
    roundId: z.uuid(),
    rank: z.number().int().nullable(),
    participantCount: z.number().int(),
    closesAt: z.iso.datetime().describe('The deadline after this bid (anti-sniping may have moved it)'),
    maxPriceFen: z.number().int().describe('The highest next revised price that would be accepted'),
    seq: z.number().int(),
    replayed: z.boolean().describe('true when this clientId was already accepted: the first offer is returned and nothing changes'),
    serverTime: z.iso.datetime(),
  })
  .openapi('OfferResult');

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
  startRound: createRoute({
    method: 'post',
    path: '/requirements/{id}/rounds',
    tags: ['rooms'],
    summary: '发起二次竞价：勾选服务机构与时长（5–60 分钟，默认 10）',
    security: authed,
    request: { params: idParam, body: jsonBody(StartRoundInput) },
    responses: {
      201: json(z.object({ id: z.uuid(), number: z.number().int(), closesAt: z.iso.datetime(), participantIds: z.array(z.uuid()), durationSeconds: z.number().int() }), 'Started'),
      ...errorResponses(400, 401, 403, 404, 409),
    },
  }),
  submitOffer: createRoute({
    method: 'post',
    path: '/requirements/{id}/rounds/current/offers',
    tags: ['rooms'],
    summary: '二次竞价报价：须比上次报价至少低 1% 或 ¥100（取较大者）',
    description: 'Acknowledged only after it is committed. Send a fresh `clientId` per bid; a resend with the same one counts once. `ROUND_CLOSED` (409) once the server clock reaches the deadline.',
    security: authed,
    request: { params: idParam, body: jsonBody(SubmitOfferInput) },
    responses: { 201: json(OfferResult, 'Accepted'), ...errorResponses(400, 401, 403, 404, 409) },
  }),
  rules: createRoute({
    method: 'put',
    path: '/requirements/{id}/room/rules',
    tags: ['rooms'],
    summary: '设置二次竞价规则（最低降价比例与金额、延时窗口、最多延时次数）',
    security: authed,
    request: { params: idParam, body: jsonBody(RoomRulesInput) },
    responses: { 200: json(z.record(z.string(), z.number()), 'The rules in force for the next round'), ...errorResponses(400, 401, 403, 404, 409) },
  }),
};

/** The bidding room for integrations and tests; select and abandon are the requirement routes. */
export function registerRoomRoutes(api: ApiRouter) {
  const rooms = (c: { var: { services: { rooms: import('../../core/rooms/rooms.service').RoomService } } }) => c.var.services.rooms;
  api.openapi(routes.snapshot, async (c) => c.json((await rooms(c).snapshot(c.var.actor, c.req.valid('param').id)) as never, 200));
  api.openapi(routes.events, async (c) =>
    c.json({ events: (await rooms(c).eventsSince(c.var.actor, c.req.valid('param').id, Number(c.req.valid('query').after ?? 0) || 0)) as never }, 200),
  );
  api.openapi(routes.startRound, async (c) => c.json((await rooms(c).startRound(c.var.actor, c.req.valid('param').id, c.req.valid('json'))) as never, 201));
  api.openapi(routes.submitOffer, async (c) => c.json((await rooms(c).submitOffer(c.var.actor, c.req.valid('param').id, c.req.valid('json'))) as never, 201));
  api.openapi(routes.rules, async (c) => c.json((await rooms(c).updateRules(c.var.actor, c.req.valid('param').id, c.req.valid('json'))) as never, 200));
}
