import { createRoute, z } from '@hono/zod-openapi';
import { MessageListQuery } from '../../core/notifications/messages.service';
import { requireActor } from '../../core/shared/actor';
import type { ApiRouter } from './context';
import { authed, errorResponses, page, SiteMessage, json } from './schemas';

const Unread = z.object({ unreadCount: z.number().int() }).openapi('UnreadCount');

const list = createRoute({
  method: 'get',
  path: '/messages',
  tags: ['messages'],
  summary: '我的站内信（分页）',
  security: authed,
  request: { query: MessageListQuery.extend({ unread: z.enum(['true', 'false']).optional() }) },
  responses: { 200: json(page(SiteMessage, 'SiteMessagePage').extend({ unreadCount: z.number().int() }), 'Newest first'), ...errorResponses(400, 401) },
});

const unread = createRoute({
  method: 'get',
  path: '/messages/unread-count',
  tags: ['messages'],
  summary: '未读数量',
  security: authed,
  responses: { 200: json(Unread, 'Unread site messages'), ...errorResponses(401) },
});

const markRead = createRoute({
  method: 'post',
  path: '/messages/{id}/read',
  tags: ['messages'],
  summary: '标为已读',
  security: authed,
  request: { params: z.object({ id: z.string() }) },
  responses: { 200: json(Unread, 'Marked read'), ...errorResponses(401, 404) },
});

const markAll = createRoute({
  method: 'post',
  path: '/messages/read-all',
  tags: ['messages'],
  summary: '全部标为已读',
  security: authed,
  responses: { 200: json(Unread, 'All read'), ...errorResponses(401) },
});

export function registerMessageRoutes(api: ApiRouter) {
  api.openapi(list, async (c) => {
    const a = requireActor(c.var.actor);
    const q = c.req.valid('query');
    return c.json(await c.var.services.messages.list(a.userId, { ...q, unread: String(q.unread) === 'true' }), 200);
  });
  api.openapi(unread, async (c) => c.json({ unreadCount: await c.var.services.messages.unreadCount(requireActor(c.var.actor).userId) }, 200));
  api.openapi(markRead, async (c) => c.json(await c.var.services.messages.markRead(requireActor(c.var.actor).userId, c.req.valid('param').id), 200));
  api.openapi(markAll, async (c) => c.json(await c.var.services.messages.markAllRead(requireActor(c.var.actor).userId), 200));
}
