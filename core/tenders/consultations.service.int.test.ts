import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, count, desc, eq } from 'drizzle-orm';
import { consultationMessages, consultations, invitations, organisations, siteMessages } from '../../db/schema';
import { createTestPlatform, ManualClock } from '../testing/test-platform';
import { enterprise, openRequirement, operator, provider } from '../testing/tenders-factories';
import type { Platform } from '../platform/platform';
import type { Actor } from '../shared/actor';
import { CONSULTATION_MESSAGE_RULE } from './consultations.service';

let p: Platform;
const clock = new ManualClock(new Date('2026-11-23T02:00:00Z'));
let ops: Actor;
beforeAll(async () => {
  p = await createTestPlatform({ clock });
  ops = await operator(p);
});
afterAll(() => p?.close());

const svc = () => p.services.consultations;
const orgOf = (a: Actor) => a.organisation!.organisationId;
const messagesOf = async (userId: string) => p.db.select().from(siteMessages).where(eq(siteMessages.userId, userId)).orderBy(desc(siteMessages.createdAt));
const published: { room: string | string[]; event: string; payload: unknown }[] = [];
beforeAll(() => {
  p.publisher.subscribe((room, event, payload) => published.push({ room, event, payload }));
});

describe('opening a consultation', () => {
  it('opens once per enterprise and provider, also when many requests race; reopening returns the same one', async () => {
    const e = await enterprise(p);
    const v = await provider(p);
    const results = await Promise.all(Array.from({ length: 6 }, () => svc().open(e.actor, { providerId: orgOf(v.actor) })));
    expect(new Set(results.map((r) => r.id)).size).toBe(1);
    expect(results.filter((r) => r.created)).toHaveLength(1);
    const [row] = await p.db
      .select({ n: count() })
      .from(consultations)
      .where(and(eq(consultations.enterpriseId, orgOf(e.actor)), eq(consultations.providerId, orgOf(v.actor))));
    expect(row?.n).toBe(1);
    const again = await svc().open(e.actor, { providerId: orgOf(v.actor) });
    expect(again).toMatchObject({ id: results[0]!.id, created: false, side: 'enterprise', provider: { id: orgOf(v.actor) } });
  });

  it('refuses providers (themselves or others), unknown or disabled providers, enterprises as providers and bad ids, in Chinese', async () => {
    const e = await enterprise(p);
    const v = await provider(p);
    const w = await provider(p);
    await expect(svc().open(v.actor, { providerId: orgOf(v.actor) })).rejects.toMatchObject({ code: 'FORBIDDEN', message: expect.stringContaining('企业') });
    await expect(svc().open(v.actor, { providerId: orgOf(w.actor) })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(svc().open(e.actor, { providerId: orgOf((await enterprise(p)).actor) })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(svc().open(e.actor, { providerId: 'not-a-uuid' })).rejects.toMatchObject({ code: 'VALIDATION', fields: { providerId: '请选择服务机构' } });
    await expect(svc().open(e.actor, {})).rejects.toMatchObject({ code: 'VALIDATION', fields: { providerId: expect.any(String) } });
    await expect(svc().open(null, { providerId: orgOf(v.actor) })).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    await p.db
      .update(organisations)
      .set({ status: 'disabled' })
      .where(eq(organisations.id, orgOf(w.actor)));
    await expect(svc().open(e.actor, { providerId: orgOf(w.actor) })).rejects.toMatchObject({ code: 'NOT_FOUND', message: '服务机构不存在或已停用' });
    expect(
      await p.db
        .select()
        .from(consultations)
        .where(eq(consultations.enterpriseId, orgOf(e.actor))),
    ).toEqual([]);
  });
});

describe('the conversation', () => {
  it('both sides write; site messages reach the offline side; receipts; unread counts; resends stored once', async () => {
    const e = await enterprise(p);
    const v = await provider(p);
    const c = await svc().open(e.actor, { providerId: orgOf(v.actor) });
    const m1 = await svc().postMessage(e.actor, c.id, { body: '请问代理记账一年多少钱？', clientId: 'consult-0001' });
    const again = await svc().postMessage(e.actor, c.id, { body: '请问代理记账一年多少钱？', clientId: 'consult-0001' });
    expect(again.id).toBe(m1.id);
    expect((await messagesOf(v.actor.userId))[0]).toMatchObject({ title: '收到新的咨询消息', link: `/account/consultations/${c.id}` });
    expect(published.some((x) => x.event === 'consultation:message' && (x.payload as { id: string }).id === m1.id)).toBe(true);

    const providerList = await svc().listMine(v.actor, {});
    expect(providerList.items[0]).toMatchObject({ id: c.id, side: 'provider', unreadCount: 1, lastMessage: '请问代理记账一年多少钱？' });
    expect(providerList.unreadTotal).toBe(1);

    // The provider's client confirms delivery; opening the conversation reads it; the enterprise's side is told.
    expect((await svc().markMessages(v.actor, { consultationId: c.id, messageIds: [m1.id] }, 'delivered')).ids).toEqual([m1.id]);
    const opened = await svc().thread(v.actor, c.id, {});
    expect(opened.consultation).toMatchObject({ side: 'provider', enterprise: { id: orgOf(e.actor) } });
    expect(opened.items.map((m) => m.body)).toEqual(['请问代理记账一年多少钱？']);
    const receipts = published.filter((x) => x.event === 'consultation:receipt').map((x) => ({ room: x.room, ...(x.payload as object) }));
    expect(receipts).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ room: `consultation:${c.id}:enterprise`, kind: 'delivered', messageIds: [m1.id] }),
        expect.objectContaining({ room: `consultation:${c.id}:enterprise`, kind: 'read', messageIds: [m1.id] }),
      ]),
    );
    expect((await svc().listMine(v.actor, {})).items[0]!.unreadCount).toBe(0);
    // A sender cannot mark its own messages read.
    const reply = await svc().postMessage(v.actor, c.id, { body: '一年 3600 元，含年报。' });
    expect((await svc().markMessages(v.actor, { consultationId: c.id, messageIds: [reply.id] }, 'read')).ids).toEqual([]);
    expect((await messagesOf(e.actor.userId))[0]).toMatchObject({ title: '服务机构回复了您的咨询' });
    expect((await svc().listMine(e.actor, {})).items[0]).toMatchObject({ counterpartName: v.actor.organisation!.fullName, unreadCount: 1 });
  });

  it('refuses other organisations everywhere (NOT_FOUND, nothing written), bad input with field messages, long messages', async () => {
    const e = await enterprise(p);
    const v = await provider(p);
    const c = await svc().open(e.actor, { providerId: orgOf(v.actor) });
    const m = await svc().postMessage(e.actor, c.id, { body: '您好' });
    const strangers = [(await enterprise(p)).actor, (await provider(p)).actor, ops];
    for (const s of strangers) {
      await expect(svc().thread(s, c.id, {})).rejects.toMatchObject({ code: 'NOT_FOUND', message: '会话不存在' });
      await expect(svc().postMessage(s, c.id, { body: '插一句' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
      await expect(svc().markMessages(s, { consultationId: c.id, messageIds: [m.id] }, 'read')).rejects.toMatchObject({ code: 'NOT_FOUND' });
      await expect(svc().sideOf(s, c.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
      await expect(svc().invite(s, c.id, { requirementId: c.id })).rejects.toMatchObject({ code: 'NOT_FOUND' });
      expect(
        (
          await svc()
            .listMine(s, {})
            .catch(() => ({ items: [] }))
        ).items.map((x) => x.id),
      ).not.toContain(c.id);
    }
    await expect(svc().thread(e.actor, 'nope', {})).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(svc().postMessage(e.actor, c.id, { body: '   ' })).rejects.toMatchObject({ code: 'VALIDATION', fields: { body: '请填写消息内容' } });
    await expect(svc().postMessage(e.actor, c.id, { body: '字'.repeat(1001) })).rejects.toMatchObject({ fields: { body: '消息不超过 1000 字' } });
    await expect(svc().postMessage(e.actor, c.id, { body: 42 })).rejects.toMatchObject({ code: 'VALIDATION', fields: { body: expect.any(String) } });
    await expect(svc().thread(e.actor, c.id, { page: 'x' })).rejects.toMatchObject({ code: 'VALIDATION', fields: { page: '页码无效' } });
    const rows = await p.db.select().from(consultationMessages).where(eq(consultationMessages.consultationId, c.id));
    expect(rows.map((r) => r.body)).toEqual(['您好']);
    expect(rows[0]!.readAt).toBeNull();
  });

  it('limits how fast one person posts', async () => {
    const e = await enterprise(p);
    const v = await provider(p);
    const c = await svc().open(e.actor, { providerId: orgOf(v.actor) });
    for (let i = 0; i < CONSULTATION_MESSAGE_RULE.points; i++) await svc().postMessage(e.actor, c.id, { body: `第 ${i + 1} 条` });
    await expect(svc().postMessage(e.actor, c.id, { body: '再来一条' })).rejects.toMatchObject({ code: 'RATE_LIMITED', message: '发送太频繁，请稍后再试' });
    // The other side is not slowed down by it.
    await svc().postMessage(v.actor, c.id, { body: '收到' });
  });
});

describe('turning a consultation into an invitation', () => {
  it('invites through the invitation service; the line links to it; the provider sees the invitation', async () => {
    const e = await enterprise(p, 20_000);
    const v = await provider(p);
    const r = await openRequirement(p, e.actor, ops, { mode: 'invitation', openingAt: null, title: '年度审计服务' });
    const c = await svc().open(e.actor, { providerId: orgOf(v.actor) });
    const out = await svc().invite(e.actor, c.id, { requirementId: r.id, note: '详见项目说明' });
    expect(out.invitation).toMatchObject({ status: 'pending', providerId: orgOf(v.actor), requirementId: r.id });
    expect(out.message).toMatchObject({ kind: 'invitation', invitation: { id: out.invitation.id, requirementId: r.id, title: '年度审计服务' } });
    expect((await p.services.invitations.listMine(v.actor, {})).items.map((i) => i.id)).toContain(out.invitation.id);
    expect((await messagesOf(v.actor.userId)).map((m) => m.title)).toContain('收到项目邀请');
    expect((await svc().thread(v.actor, c.id, {})).items.at(-1)).toMatchObject({
      kind: 'invitation',
      body: '邀请贵机构参与项目「年度审计服务」：详见项目说明',
    });

    // Twice: refused by the invitation's own rule; no second line.
    await expect(svc().invite(e.actor, c.id, { requirementId: r.id })).rejects.toMatchObject({ code: 'ALREADY_INVITED', message: '已邀请过该服务机构' });
    const lines = await p.db
      .select()
      .from(consultationMessages)
      .where(and(eq(consultationMessages.consultationId, c.id), eq(consultationMessages.kind, 'invitation')));
    expect(lines).toHaveLength(1);
  });

  it("refuses the provider side, a competitive or another enterprise's requirement, and a missing choice, writing nothing", async () => {
    const e = await enterprise(p, 40_000);
    const v = await provider(p);
    const other = await enterprise(p, 20_000);
    const c = await svc().open(e.actor, { providerId: orgOf(v.actor) });
    const competitive = await openRequirement(p, e.actor, ops);
    const theirs = await openRequirement(p, other.actor, ops, { mode: 'invitation', openingAt: null });
    const mine = await openRequirement(p, e.actor, ops, { mode: 'invitation', openingAt: null });
    await expect(svc().invite(v.actor, c.id, { requirementId: mine.id })).rejects.toMatchObject({
      code: 'FORBIDDEN',
      message: '只有咨询的企业可以发出项目邀请',
    });
    await expect(svc().invite(e.actor, c.id, { requirementId: competitive.id })).rejects.toMatchObject({ code: 'NOT_INVITATION_TENDER' });
    await expect(svc().invite(e.actor, c.id, { requirementId: theirs.id })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(svc().invite(e.actor, c.id, {})).rejects.toMatchObject({ code: 'VALIDATION', fields: { requirementId: '请选择要邀请参与的项目' } });
    expect(
      await p.db
        .select()
        .from(invitations)
        .where(eq(invitations.providerId, orgOf(v.actor))),
    ).toEqual([]);
    expect(await p.db.select().from(consultationMessages).where(eq(consultationMessages.consultationId, c.id))).toEqual([]);
  });
});
