import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Socket } from 'socket.io-client';
import { desc, eq } from 'drizzle-orm';
import { siteMessages } from '../../db/schema';
import type { Platform } from '../../core/platform/platform';
import { enterprise, provider } from '../../core/testing/tenders-factories';
import { createTestPlatform, ManualClock } from '../../core/testing/test-platform';
import { createApplication } from '../server';
import { next, record, settle, socketClients } from './test-clients';

const clock = new ManualClock(new Date('2026-11-23T02:00:00Z'));
let p: Platform;
let app: ReturnType<typeof createApplication>;
let url: string;
const { client, closeAll } = socketClients();

beforeAll(async () => {
  p = await createTestPlatform({ clock, env: { SESSION_IDLE_MINUTES: String(30 * 24 * 60) } });
  app = createApplication(p, { role: 'realtime' });
  url = `http://127.0.0.1:${await app.listen(0, '127.0.0.1')}`;
});
afterAll(async () => {
  closeAll();
  await app?.close();
  await p?.close();
});

const ack = (s: Socket, event: string, payload: unknown) => s.timeout(5000).emitWithAck(event, payload) as Promise<any>;
const lastSiteMessage = async (userId: string) =>
  (await p.db.select().from(siteMessages).where(eq(siteMessages.userId, userId)).orderBy(desc(siteMessages.createdAt)).limit(1))[0];

describe('consultations over socket.io', () => {
  it('both sides chat live with delivered and read receipts; strangers join nothing and hear nothing', async () => {
    const e = await enterprise(p);
    const v = await provider(p);
    const strangerE = await enterprise(p);
    const strangerP = await provider(p);
    const c = await p.services.consultations.open(e.actor, { providerId: v.actor.organisation!.organisationId });
    const [se, sv, sx, sy, guest] = await Promise.all([
      client(url, { token: e.token }),
      client(url, { token: v.token }),
      client(url, { token: strangerE.token }),
      client(url, { token: strangerP.token }),
      client(url),
    ]);
    const strangerGot = [record(sx!), record(sy!), record(guest!)];

    expect(await ack(se!, 'consultation:join', { consultationId: c.id })).toMatchObject({
      ok: true,
      data: { consultation: { side: 'enterprise' }, items: [] },
    });
    for (const s of [sx!, sy!, guest!]) {
      expect(await ack(s, 'consultation:join', { consultationId: c.id })).toMatchObject({
        ok: false,
        error: { code: expect.stringMatching(/NOT_FOUND|UNAUTHENTICATED/) },
      });
      expect((await ack(s, 'consultation:send', { consultationId: c.id, body: '插一句', clientId: 'stranger-0001' })).ok).toBe(false);
      s.emit('consultation:typing', { consultationId: c.id });
    }
    expect(await ack(se!, 'consultation:join', { consultationId: 'x' })).toMatchObject({
      ok: false,
      error: { code: 'VALIDATION', fields: { consultationId: '会话编号无效' } },
    });

    // The provider is not watching: the message is a site message; then it opens the conversation live.
    const first = await ack(se!, 'consultation:send', { consultationId: c.id, body: '想了解一下代理记账的报价', clientId: 'consult-socket-01' });
    expect(first).toMatchObject({ ok: true, data: { body: '想了解一下代理记账的报价', deliveredAt: null, readAt: null } });
    expect(typeof first.data.createdAt).toBe('string');
    expect(await lastSiteMessage(v.actor.userId)).toMatchObject({ title: '收到新的咨询消息' });
    const read = next(se!, 'consultation:receipt', (r) => r.kind === 'read');
    const joined = await ack(sv!, 'consultation:join', { consultationId: c.id });
    expect(joined).toMatchObject({ ok: true, data: { consultation: { side: 'provider' }, items: [{ id: first.data.id }] } });
    expect(await read).toMatchObject({ consultationId: c.id, messageIds: [first.data.id] });

    // Both watching: the reply arrives live, no site message; the enterprise's client confirms delivery, then reading.
    const before = await lastSiteMessage(e.actor.userId);
    const live = next(se!, 'consultation:message', (m) => m.body === '一年 3600 元');
    const typing = next(se!, 'consultation:typing');
    sv!.emit('consultation:typing', { consultationId: c.id });
    expect(await typing).toEqual({ consultationId: c.id, side: 'provider' });
    const reply = await ack(sv!, 'consultation:send', { consultationId: c.id, body: '一年 3600 元', clientId: 'consult-socket-02' });
    expect((await live).id).toBe(reply.data.id);
    expect(await lastSiteMessage(e.actor.userId)).toEqual(before);
    const delivered = next(sv!, 'consultation:receipt', (r) => r.kind === 'delivered');
    expect(await ack(se!, 'consultation:delivered', { consultationId: c.id, messageIds: [reply.data.id] })).toMatchObject({
      ok: true,
      data: { ids: [reply.data.id] },
    });
    expect(await delivered).toMatchObject({ messageIds: [reply.data.id] });
    const readBack = next(sv!, 'consultation:receipt', (r) => r.kind === 'read');
    await ack(se!, 'consultation:read', { consultationId: c.id, messageIds: [reply.data.id] });
    expect(await readBack).toMatchObject({ messageIds: [reply.data.id] });
    // Strangers cannot mark the messages either.
    expect(await ack(sx!, 'consultation:read', { consultationId: c.id, messageIds: [reply.data.id] })).toMatchObject({
      ok: false,
      error: { code: 'NOT_FOUND' },
    });

    await settle();
    for (const got of strangerGot) expect(got.filter((x) => x.event.startsWith('consultation:'))).toEqual([]);
  });
});
