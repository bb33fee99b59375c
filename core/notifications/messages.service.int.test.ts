import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestPlatform, ManualClock } from '../testing/test-platform';
import { registerUser } from '../testing/factories';
import { OUTBOX_PREFIX } from '../jobs/jobs.service';
import { UNREAD_COUNT_TOPIC } from './messages.service';
import type { Platform } from '../platform/platform';
import { MINUTE } from '../shared/clock';

let p: Platform;
const clock = new ManualClock();
const kind = `${OUTBOX_PREFIX}${UNREAD_COUNT_TOPIC}`;

beforeAll(async () => {
  p = await createTestPlatform({ clock });
});
afterAll(() => p?.close());

/** Every `message:unread` published from now on, with its room. */
function watchUnread() {
  const seen: { room: string | string[]; unreadCount: number }[] = [];
  const stop = p.publisher.subscribe((room, event, payload) => {
    if (event === 'message:unread') seen.push({ room, unreadCount: (payload as { unreadCount: number }).unreadCount });
  });
  return { seen, stop };
}

describe('unread count pushes go through the outbox', () => {
  it('marking one message read, then all, pushes the current count to the user once each, from a delivered outbox row', async () => {
    const u = await registerUser(p);
    const userId = u.actor.userId;
    const base = await p.services.messages.unreadCount(userId); // the welcome message, if any
    const sent = [];
    for (const title of ['一', '二', '三']) sent.push((await p.services.messages.send({ userId, title, body: '正文' })).message);
    const w = watchUnread();
    try {
      expect(await p.services.messages.markRead(userId, sent[0]!.id)).toEqual({ unreadCount: base + 2 });
      expect(w.seen).toEqual([{ room: `user:${userId}`, unreadCount: base + 2 }]);
      expect(await p.jobs.find(kind, userId)).toMatchObject({ status: 'done', payload: { userId } });

      expect(await p.services.messages.markAllRead(userId)).toEqual({ unreadCount: 0 });
      expect(w.seen).toEqual([
        { room: `user:${userId}`, unreadCount: base + 2 },
        { room: `user:${userId}`, unreadCount: 0 },
      ]);
      expect(await p.jobs.find(kind, userId)).toMatchObject({ status: 'done' });
    } finally {
      w.stop();
    }
  });

  it('a refused mark (another user’s message) changes nothing and owes no push', async () => {
    const [owner, other] = [await registerUser(p), await registerUser(p)];
    const base = await p.services.messages.unreadCount(owner.actor.userId);
    const { message } = await p.services.messages.send({ userId: owner.actor.userId, title: '私信', body: '只给本人' });
    const w = watchUnread();
    try {
      await expect(p.services.messages.markRead(other.actor.userId, message.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
      expect(w.seen).toEqual([]);
      expect(await p.jobs.find(kind, other.actor.userId)).toBeUndefined();
      expect(await p.services.messages.unreadCount(owner.actor.userId)).toBe(base + 1);
    } finally {
      w.stop();
    }
  });

  it('a push that fails after commit is retried by the worker and then carries the count current at delivery', async () => {
    const u = await registerUser(p);
    const userId = u.actor.userId;
    await p.services.messages.markAllRead(userId);
    const { message } = await p.services.messages.send({ userId, title: '待读', body: '正文' });
    let failOnce = true;
    const failing = p.publisher.subscribe((_room, event) => {
      if (event === 'message:unread' && failOnce) {
        failOnce = false;
        throw new Error('socket layer unavailable');
      }
    });
    const w = watchUnread();
    try {
      // The read is committed and answered even though the push failed.
      expect(await p.services.messages.markRead(userId, message.id)).toEqual({ unreadCount: 0 });
      expect(await p.jobs.find(kind, userId)).toMatchObject({ status: 'pending', attempts: 1, lastError: 'socket layer unavailable' });
      // Meanwhile a new message arrives: the retry publishes the count as it is now, not the stale 0.
      await p.services.messages.send({ userId, title: '新消息', body: '正文' });
      w.seen.length = 0;
      clock.advance(10 * MINUTE);
      await p.jobs.runDue();
      expect(w.seen).toEqual([{ room: `user:${userId}`, unreadCount: 1 }]);
      expect(await p.jobs.find(kind, userId)).toMatchObject({ status: 'done' });
    } finally {
      failing();
      w.stop();
    }
  });
});
