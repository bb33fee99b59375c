import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiHarness, type ApiHarness } from './test-helpers';

let h: ApiHarness;
beforeAll(async () => {
  h = await createApiHarness();
});
afterAll(() => h?.close());

describe('site messages API', () => {
  it('lists newest first with the unread count; marks one and all read', async () => {
    const u = await h.user();
    await h.platform.services.messages.send({ userId: u.actor.userId, title: '第二条', body: '内容' });
    const list = await h.call('GET', '/api/v1/messages', { token: u.token });
    expect(list.status).toBe(200);
    expect(list.json.items[0].title).toBe('第二条');
    expect(list.json.unreadCount).toBe(2); // the welcome message and this one
    const read = await h.call('POST', `/api/v1/messages/${list.json.items[0].id}/read`, { token: u.token });
    expect(read.json.unreadCount).toBe(1);
    expect((await h.call('GET', '/api/v1/messages?unread=true', { token: u.token })).json.total).toBe(1);
    expect((await h.call('POST', '/api/v1/messages/read-all', { token: u.token })).json.unreadCount).toBe(0);
    expect((await h.call('GET', '/api/v1/messages/unread-count', { token: u.token })).json.unreadCount).toBe(0);
  });

  it('nobody can read or mark another user\'s message', async () => {
    const a = await h.user();
    const b = await h.user();
    const { message } = await h.platform.services.messages.send({ userId: a.actor.userId, title: '仅 A 可见', body: '…' });
    const theirs = await h.call('GET', '/api/v1/messages', { token: b.token });
    expect(theirs.json.items.map((m: { title: string }) => m.title)).not.toContain('仅 A 可见');
    const mark = await h.call('POST', `/api/v1/messages/${message.id}/read`, { token: b.token });
    expect(mark.status).toBe(404);
    const still = await h.call('GET', '/api/v1/messages?unread=true', { token: a.token });
    expect(still.json.items.map((m: { id: string }) => m.id)).toContain(message.id);
  });

  it('auth: every message route refuses anonymous callers', async () => {
    await h.expectRefusals('GET', '/api/v1/messages');
    await h.expectRefusals('GET', '/api/v1/messages/unread-count');
    await h.expectRefusals('POST', '/api/v1/messages/read-all');
  });
});
