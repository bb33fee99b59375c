import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPlatform } from '../../core/platform/platform';
import { loadConfig } from '../../core/shared/config';
import { registerUser } from '../../core/testing/factories';
import { createTestPlatform } from '../../core/testing/test-platform';
import type { Platform } from '../../core/platform/platform';
import { createApplication } from '../server';
import { record, settle, socketClients } from './test-clients';

let p: Platform;
let app: ReturnType<typeof createApplication>;
let url: string;
const { client, closeAll } = socketClients();

beforeAll(async () => {
  p = await createTestPlatform();
  app = createApplication(p, { role: 'realtime' });
  url = `http://127.0.0.1:${await app.listen(0, '127.0.0.1')}`;
});
afterAll(async () => {
  closeAll();
  await app?.close();
  await p?.close();
});

describe('realtime: site messages', () => {
  it('a site message reaches only its user’s sockets, live, with the unread count', async () => {
    const a = await registerUser(p);
    const b = await registerUser(p);
    const sa = await client(url, { token: a.token });
    const sb = await client(url, { cookie: `bangfu_session=${b.token}` });
    const anon = await client(url);
    const [ga, gb, gn] = [record(sa), record(sb), record(anon)];
    const arrived = new Promise((r) => sa.once('message:new', r));
    await p.services.messages.send({ userId: a.actor.userId, title: '实时消息', body: '你好' });
    const msg = (await arrived) as { message: { title: string }; unreadCount: number };
    expect(msg.message.title).toBe('实时消息');
    expect(msg.unreadCount).toBe(2);
    await settle();
    expect(ga.map((g) => g.event)).toEqual(['message:new']);
    expect(gb).toEqual([]);
    expect(gn).toEqual([]);
    // B's silence means something: B's cookie-authenticated socket does get B's own messages.
    const forB = new Promise((r) => sb.once('message:new', r));
    await p.services.messages.send({ userId: b.actor.userId, title: '给 B', body: '…' });
    expect(((await forB) as { message: { title: string } }).message.title).toBe('给 B');
    await settle(100);
    expect(ga.map((g) => g.event)).toEqual(['message:new']);
    expect(gn).toEqual([]);
  });

  it('session:whoami acks the user and the server time; anonymous sockets are nobody', async () => {
    const a = await registerUser(p);
    const s = await client(url, { token: a.token });
    const r = (await s.emitWithAck('session:whoami')) as { ok: boolean; data: { username: string } | null; serverTime: string };
    expect(r.ok).toBe(true);
    expect(r.data).toEqual({ userId: a.actor.userId, username: a.input.username });
    expect(Math.abs(Date.parse(r.serverTime) - Date.now())).toBeLessThan(5_000);
    const anon = await client(url);
    expect(((await anon.emitWithAck('session:whoami')) as { data: unknown }).data).toBeNull();
    const bogus = await client(url, { token: 'made-up' });
    expect(((await bogus.emitWithAck('session:whoami')) as { data: unknown }).data).toBeNull();
  });

  it('marking messages read updates the count on every open socket of that user', async () => {
    const a = await registerUser(p);
    const [s1, s2] = [await client(url, { token: a.token }), await client(url, { token: a.token })];
    const both = Promise.all([new Promise((r) => s1.once('message:unread', r)), new Promise((r) => s2.once('message:unread', r))]);
    await p.services.messages.markAllRead(a.actor.userId);
    expect(await both).toEqual([{ unreadCount: 0 }, { unreadCount: 0 }]);
  });
});

describe.runIf(Boolean(process.env.REDIS_URL))('realtime: two nodes joined by the Redis adapter', () => {
  it('a publish on node 1 reaches a socket connected to node 2, and no one else', async () => {
    const config = loadConfig({ NODE_ENV: 'test', REDIS_URL: process.env.REDIS_URL, APP_SECRET: 'test-secret-0123456789', SEED_DEMO: 'false' });
    const second = await createPlatform(config, { dbHandle: p.dbHandle, migrate: false });
    const node2 = createApplication(second, { role: 'realtime' });
    const url2 = `http://127.0.0.1:${await node2.listen(0, '127.0.0.1')}`;
    try {
      const a = await registerUser(p);
      const b = await registerUser(p);
      const onNode2 = await client(url2, { token: a.token });
      const other = await client(url2, { token: b.token });
      const gOther = record(other);
      await settle(200); // the adapter's subscription is asynchronous
      const arrived = new Promise((r) => onNode2.once('message:new', r));
      await p.services.messages.send({ userId: a.actor.userId, title: '跨节点', body: '从节点 1 发出' });
      expect(((await arrived) as { message: { title: string } }).message.title).toBe('跨节点');
      await settle();
      expect(gOther).toEqual([]);
    } finally {
      await node2.close();
      await second.close();
    }
  });
});
