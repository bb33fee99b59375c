import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiHarness, type ApiHarness } from './test-helpers';

let h: ApiHarness;
beforeAll(async () => {
  h = await createApiHarness();
});
afterAll(() => h?.close());

const as = (token: string) => ({
  list: (query = '') => h.json('GET', `/api/v1/messages${query}`, undefined, { token }),
  unread: async () => (await h.json('GET', '/api/v1/messages/unread-count', undefined, { token })).json.unreadCount as number,
  markRead: (id: string) => h.json('POST', `/api/v1/messages/${id}/read`, undefined, { token }),
  readAll: () => h.json('POST', '/api/v1/messages/read-all', undefined, { token }),
});

describe('GET /messages, GET /messages/unread-count', () => {
  it('happy: newest first with the unread count; pages; the unread filter', async () => {
    const u = await h.user();
    for (const title of ['第一条', '第二条', '第三条']) await h.platform.services.messages.send({ userId: u.actor.userId, title, body: '内容' });
    const me = as(u.token);
    const list = await me.list();
    expect(list.status).toBe(200);
    expect(list.json.items.map((m: { title: string }) => m.title).slice(0, 3)).toEqual(['第三条', '第二条', '第一条']);
    expect(list.json.items[3].title).toContain('欢迎'); // the welcome message from registration
    expect(list.json).toMatchObject({ total: 4, unreadCount: 4, page: 1 });
    expect(await me.unread()).toBe(4);
    const page2 = await me.list('?pageSize=3&page=2');
    expect(page2.json.items).toHaveLength(1);
    expect(page2.json.total).toBe(4);
  });

  it('auth: refused without a session', async () => {
    await h.expectRefusals('signed-in', { method: 'GET', path: '/api/v1/messages' });
    await h.expectRefusals('signed-in', { method: 'GET', path: '/api/v1/messages/unread-count' });
  });
});

describe('POST /messages/{id}/read, POST /messages/read-all', () => {
  it('happy: marking one read lowers the count once (twice is harmless); read-all clears it', async () => {
    const u = await h.user();
    await h.platform.services.messages.send({ userId: u.actor.userId, title: '待读', body: '…' });
    const me = as(u.token);
    const [newest] = (await me.list()).json.items;
    const read = await me.markRead(newest.id);
    expect(read.status).toBe(200);
    expect(read.json.unreadCount).toBe(1);
    expect((await me.markRead(newest.id)).json.unreadCount).toBe(1);
    const unreadOnly = await me.list('?unread=true');
    expect(unreadOnly.json.total).toBe(1);
    expect(unreadOnly.json.items.map((m: { id: string }) => m.id)).not.toContain(newest.id);
    expect((await me.list()).json.items.find((m: { id: string }) => m.id === newest.id).readAt).not.toBeNull();
    expect((await me.readAll()).json.unreadCount).toBe(0);
    expect(await me.unread()).toBe(0);
    expect((await me.list('?unread=true')).json.total).toBe(0);
  });

  it('errors: an unknown or malformed id → 404', async () => {
    const me = as((await h.user()).token);
    expect((await me.markRead('00000000-0000-4000-8000-000000000000')).status).toBe(404);
    expect((await me.markRead('not-a-uuid')).status).toBe(404);
  });

  it("a user can never read or mark another user's message; theirs stays unread", async () => {
    const a = await h.user();
    const b = await h.user();
    const { message } = await h.platform.services.messages.send({ userId: a.actor.userId, title: '仅 A 可见', body: '机密内容' });
    const bob = as(b.token);
    const listed = await bob.list('?pageSize=100');
    expect(listed.json.items.map((m: { id: string }) => m.id)).not.toContain(message.id);
    expect(listed.text).not.toContain('机密内容');
    const mark = await bob.markRead(message.id);
    expect(mark.status).toBe(404);
    expect(mark.json.error.code).toBe('NOT_FOUND');
    await bob.readAll();
    const alice = as(a.token);
    expect(await alice.unread()).toBe(2);
    const still = await alice.list('?unread=true');
    expect(still.json.items.find((m: { id: string }) => m.id === message.id)).toMatchObject({ readAt: null });
  });

  it('auth: refused without a session', async () => {
    await h.expectRefusals('signed-in', { method: 'POST', path: '/api/v1/messages/read-all' });
    await h.expectRefusals('signed-in', { method: 'POST', path: '/api/v1/messages/00000000-0000-4000-8000-000000000000/read' });
  });
});
