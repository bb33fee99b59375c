import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildRequirement, fund } from '../../core/testing/tenders-factories';
import { ManualClock } from '../../core/testing/test-platform';
import { createApiHarness, type ApiHarness } from './test-helpers';

type Person = { token: string; actor: { organisation?: { organisationId: string; fullName: string } } };

const clock = new ManualClock(new Date('2026-11-23T02:00:00Z'));
let h: ApiHarness;
let op: Person;
beforeAll(async () => {
  h = await createApiHarness({ clock });
  op = await h.operator();
});
afterAll(() => h?.close());

const call = (who: Person | null, method: string, path: string, body?: unknown) => h.json(method, `/api/v1${path}`, body, who ? { token: who.token } : {});
const orgId = (p: Person) => p.actor.organisation!.organisationId;

describe('/consultations', () => {
  it('happy: opens once, both sides write and list with unread counts, the enterprise turns it into an invitation', async () => {
    const e = await h.user({ accountType: 'enterprise' });
    const v = await h.user({ accountType: 'provider' });
    const opened = await call(e, 'POST', '/consultations', { providerId: orgId(v) });
    expect(opened.status, opened.text).toBe(200);
    expect(opened.json).toMatchObject({ created: true, side: 'enterprise', provider: { id: orgId(v) } });
    expect((await call(e, 'POST', '/consultations', { providerId: orgId(v) })).json).toMatchObject({ id: opened.json.id, created: false });

    const sent = await call(e, 'POST', `/consultations/${opened.json.id}/messages`, { body: '请问设计一套包装多少钱？', clientId: 'api-consult-1' });
    expect(sent.status, sent.text).toBe(201);
    expect(sent.json).toMatchObject({ kind: 'text', body: '请问设计一套包装多少钱？', readAt: null });
    const listed = await call(v, 'GET', '/consultations');
    expect(listed.json).toMatchObject({
      unreadTotal: 1,
      items: [{ id: opened.json.id, side: 'provider', unreadCount: 1, counterpartName: e.actor.organisation!.fullName }],
    });
    const thread = await call(v, 'GET', `/consultations/${opened.json.id}/messages?page=1&pageSize=10`);
    expect(thread.status, thread.text).toBe(200);
    expect(thread.json).toMatchObject({ total: 1, consultation: { side: 'provider' }, items: [{ id: sent.json.id }] });
    expect((await call(v, 'GET', '/consultations')).json.unreadTotal).toBe(0);

    await fund(h.platform, e.actor, 20_000);
    const draft = await call(e, 'POST', '/requirements', buildRequirement(clock.now(), { mode: 'invitation', openingAt: null, title: '包装设计' }));
    expect((await call(e, 'POST', `/requirements/${draft.json.id}/submit`)).status).toBe(200);
    expect((await call(op, 'POST', `/admin/requirements/${draft.json.id}/review`, { decision: 'approve' })).status).toBe(200);
    const invited = await call(e, 'POST', `/consultations/${opened.json.id}/invitation`, { requirementId: draft.json.id, note: '请看项目' });
    expect(invited.status, invited.text).toBe(201);
    expect(invited.json).toMatchObject({
      invitation: { status: 'pending', providerId: orgId(v) },
      message: { kind: 'invitation', invitation: { requirementId: draft.json.id } },
    });
    const again = await call(e, 'POST', `/consultations/${opened.json.id}/invitation`, { requirementId: draft.json.id });
    expect(again).toMatchObject({ status: 409, json: { error: { code: 'ALREADY_INVITED', message: '已邀请过该服务机构' } } });
    const byProvider = await call(v, 'POST', `/consultations/${opened.json.id}/invitation`, { requirementId: draft.json.id });
    expect(byProvider).toMatchObject({ status: 403, json: { error: { code: 'FORBIDDEN', message: '只有咨询的企业可以发出项目邀请' } } });
  });

  it('errors: bad input answers a Chinese field message, never a 5xx', async () => {
    const e = await h.user({ accountType: 'enterprise' });
    const v = await h.user({ accountType: 'provider' });
    expect(await call(e, 'POST', '/consultations', { providerId: 'x' })).toMatchObject({
      status: 400,
      json: { error: { fields: { providerId: '请选择服务机构' } } },
    });
    expect(await call(v, 'POST', '/consultations', { providerId: orgId(v) })).toMatchObject({ status: 403, json: { error: { code: 'FORBIDDEN' } } });
    const c = (await call(e, 'POST', '/consultations', { providerId: orgId(v) })).json;
    for (const body of [{}, { body: '' }, { body: 5 }, { body: '长'.repeat(1001) }, { body: '好', clientId: 'x' }, [], null]) {
      const res = await call(e, 'POST', `/consultations/${c.id}/messages`, body);
      expect(res.status, res.text).toBe(400);
      expect(res.text).toMatch(/\p{Script=Han}/u);
    }
    expect(await call(e, 'GET', `/consultations/${c.id}/messages?pageSize=1000`)).toMatchObject({
      status: 400,
      json: { error: { fields: { pageSize: '每页最多 100 条' } } },
    });
    expect(await call(e, 'GET', '/consultations/not-an-id/messages')).toMatchObject({ status: 404, json: { error: { message: '会话不存在' } } });
    expect(await call(e, 'POST', `/consultations/${c.id}/invitation`, { requirementId: 'x' })).toMatchObject({
      status: 400,
      json: { error: { fields: { requirementId: '请选择要邀请参与的项目' } } },
    });
  });

  it('auth: anonymous 401; other organisations cannot read, post or invite (404), and nothing is written', async () => {
    const e = await h.user({ accountType: 'enterprise' });
    const v = await h.user({ accountType: 'provider' });
    const c = (await call(e, 'POST', '/consultations', { providerId: orgId(v) })).json;
    expect((await call(null, 'GET', '/consultations')).status).toBe(401);
    expect((await call(null, 'POST', '/consultations', { providerId: orgId(v) })).status).toBe(401);
    for (const stranger of [await h.user({ accountType: 'enterprise' }), await h.user({ accountType: 'provider' }), op]) {
      expect((await call(stranger, 'GET', `/consultations/${c.id}/messages`)).status).toBe(404);
      expect((await call(stranger, 'POST', `/consultations/${c.id}/messages`, { body: '你好' })).status).toBe(404);
      expect((await call(stranger, 'POST', `/consultations/${c.id}/invitation`, { requirementId: c.id })).status).toBe(404);
    }
    expect((await call(e, 'GET', `/consultations/${c.id}/messages`)).json.total).toBe(0);
  });
});
