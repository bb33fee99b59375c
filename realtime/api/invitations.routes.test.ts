import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DAY, MINUTE } from '../../core/shared/clock';
import { buildRequirement, fund, proposalInput } from '../../core/testing/tenders-factories';
import { ManualClock } from '../../core/testing/test-platform';
import type { RequirementInput } from '../../core/tenders/tenders.schema';
import { createApiHarness, read, type ApiHarness } from './test-helpers';

type Person = { input: { username: string; password: string }; token: string; actor: { organisation?: { organisationId: string; fullName: string } } };

const clock = new ManualClock(new Date('2026-11-23T02:00:00Z'));
let h: ApiHarness;
let op: Person;
beforeAll(async () => {
  h = await createApiHarness({ clock });
  op = await h.operator();
});
afterAll(() => h?.close());

const NO_SUCH = '00000000-0000-4000-8000-000000000000';
const call = (who: Person | null, method: string, path: string, body?: unknown) => h.json(method, `/api/v1${path}`, body, who ? { token: who.token } : {});
const orgId = (p: Person) => p.actor.organisation!.organisationId;
const provider = () => h.user({ accountType: 'provider' });
async function enterprise(fundedFen = 0) {
  const u = await h.user({ accountType: 'enterprise' });
  if (fundedFen) await fund(h.platform, u.actor, fundedFen);
  return u;
}

/** Drafted, published and approved through the API; an invitation project unless told otherwise. */
async function published(owner: Person, over: Partial<RequirementInput> = { mode: 'invitation', openingAt: null }) {
  const d = await call(owner, 'POST', '/requirements', buildRequirement(clock.now(), over));
  expect(d.status, d.text).toBe(201);
  expect((await call(owner, 'POST', `/requirements/${d.json.id}/submit`)).status).toBe(200);
  const res = await call(op, 'POST', `/admin/requirements/${d.json.id}/review`, { decision: 'approve' });
  expect(res.status, res.text).toBe(200);
  return res.json as { id: string; title: string };
}
async function invite(owner: Person, requirementId: string, who: Person, note?: string) {
  const res = await call(owner, 'POST', '/invitations', { requirementId, providerId: orgId(who), note });
  expect(res.status, res.text).toBe(201);
  return res.json as { id: string };
}
/** An enterprise with an open invitation project, and a provider invited to it. */
async function invited() {
  const e = await enterprise(20_000);
  const r = await published(e);
  const pr = await provider();
  const i = await invite(e, r.id, pr);
  return { e, r, pr, i };
}
const inbox = async (who: Person) => (await call(who, 'GET', '/messages')).json.items as { title: string; body: string }[];
async function upload(who: Person, name = '报价明细.pdf', type = 'application/pdf') {
  const form = new FormData();
  form.append('file', new File([new TextEncoder().encode('%PDF-1.4 报价明细')], name, { type }));
  const res = await read(await h.app.request('/api/v1/files', { method: 'POST', headers: { authorization: `Bearer ${who.token}` }, body: form }));
  expect(res.status, res.text).toBe(201);
  return res.json as { id: string; url: string };
}

describe('POST /invitations', () => {
  it('happy: the enterprise invites a provider; the provider is told and sees it; the project lists it', async () => {
    const e = await enterprise(20_000);
    const r = await published(e);
    const pr = await provider();
    const res = await call(e, 'POST', '/invitations', { requirementId: r.id, providerId: orgId(pr), note: '期待贵所参与' });
    expect(res.status).toBe(201);
    expect(res.json).toMatchObject({
      requirementId: r.id,
      requirement: { id: r.id, title: r.title, state: 'open', stateLabel: '招标中' },
      enterpriseName: e.actor.organisation!.fullName,
      providerId: orgId(pr),
      providerName: pr.actor.organisation!.fullName,
      status: 'pending',
      statusLabel: '待回复',
      note: '期待贵所参与',
      respondedAt: null,
    });
    expect((await inbox(pr))[0]).toMatchObject({ title: '收到项目邀请', body: expect.stringContaining('期待贵所参与') });
    const mine = await call(pr, 'GET', '/invitations/mine');
    expect(mine.status).toBe(200);
    expect(mine.json).toMatchObject({ total: 1, page: 1 });
    expect(mine.json.items[0]).toMatchObject({ id: res.json.id, status: 'pending' });
    const list = await call(e, 'GET', `/requirements/${r.id}/invitations`);
    expect(list.status).toBe(200);
    expect(list.json.map((i: { id: string }) => i.id)).toEqual([res.json.id]);
    expect((await call(op, 'GET', `/requirements/${r.id}/invitations`)).status).toBe(200);
  });

  it('errors: field messages; twice; not a provider; competitive projects cannot invite', async () => {
    const e = await enterprise(40_000);
    const r = await published(e);
    const pr = await provider();
    const empty = await call(e, 'POST', '/invitations', {});
    expect(empty.status).toBe(400);
    expect(empty.json.error.fields).toEqual({ requirementId: '请选择项目', providerId: '请选择服务机构' });
    const long = await call(e, 'POST', '/invitations', { requirementId: r.id, providerId: orgId(pr), note: '长'.repeat(501) });
    expect(long.json.error.fields).toEqual({ note: '附言不超过 500 字' });
    await invite(e, r.id, pr);
    const twice = await call(e, 'POST', '/invitations', { requirementId: r.id, providerId: orgId(pr) });
    expect(twice.status).toBe(409);
    expect(twice.json.error).toMatchObject({ code: 'ALREADY_INVITED', fields: { providerId: '已邀请过该服务机构' } });
    const notProvider = await call(e, 'POST', '/invitations', { requirementId: r.id, providerId: orgId(await enterprise()) });
    expect(notProvider.status).toBe(400);
    expect(notProvider.json.error.fields).toEqual({ providerId: '服务机构不存在' });
    expect((await call(e, 'POST', '/invitations', { requirementId: r.id, providerId: NO_SUCH })).json.error.fields).toEqual({ providerId: '服务机构不存在' });
    const comp = await published(e, {});
    const refused = await call(e, 'POST', '/invitations', { requirementId: comp.id, providerId: orgId(pr) });
    expect(refused.status).toBe(409);
    expect(refused.json.error).toEqual({ code: 'NOT_INVITATION_TENDER', message: '只有邀标项目可以邀请服务机构' });
    expect((await call(e, 'POST', '/invitations', { requirementId: NO_SUCH, providerId: orgId(pr) })).status).toBe(404);
  });

  it("auth: 401; a provider may not invite (403); another enterprise's project is 404", async () => {
    const e = await enterprise(20_000);
    const r = await published(e);
    const pr = await provider();
    const body = { requirementId: r.id, providerId: orgId(pr) };
    await h.expectRefusals('signed-in', { method: 'POST', path: '/api/v1/invitations', body });
    expect((await call(pr, 'POST', '/invitations', body)).status).toBe(403);
    expect((await call(await enterprise(), 'POST', '/invitations', body)).status).toBe(404);
    expect((await call(e, 'GET', `/requirements/${r.id}/invitations`)).json).toEqual([]);
  });
});

describe('POST /invitations/{id}/respond', () => {
  it('happy: accept or decline; the enterprise is told', async () => {
    const { e, r, pr, i } = await invited();
    const res = await call(pr, 'POST', `/invitations/${i.id}/respond`, { decision: 'accept' });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ id: i.id, status: 'accepted', statusLabel: '已接受', respondedAt: expect.any(String) });
    expect((await inbox(e))[0]).toMatchObject({ title: '服务机构接受了邀请', body: expect.stringContaining(r.title) });
    const other = await provider();
    const i2 = await invite(e, r.id, other);
    const declined = await call(other, 'POST', `/invitations/${i2.id}/respond`, { decision: 'decline' });
    expect(declined.json).toMatchObject({ status: 'declined', statusLabel: '已拒绝' });
    expect((await inbox(e))[0]!.title).toBe('服务机构拒绝了邀请');
  });

  it('errors: a decision is required; only a pending invitation can be answered', async () => {
    const { pr, i } = await invited();
    const empty = await call(pr, 'POST', `/invitations/${i.id}/respond`, {});
    expect(empty.status).toBe(400);
    expect(empty.json.error.fields).toEqual({ decision: '请选择接受或拒绝' });
    expect((await call(pr, 'POST', `/invitations/${i.id}/respond`, { decision: 'later' })).json.error.fields).toEqual({ decision: '请选择接受或拒绝' });
    await call(pr, 'POST', `/invitations/${i.id}/respond`, { decision: 'decline' });
    const again = await call(pr, 'POST', `/invitations/${i.id}/respond`, { decision: 'accept' });
    expect(again.status).toBe(409);
    expect(again.json.error).toEqual({ code: 'INVITATION_CLOSED', message: '邀请已拒绝，不能再回复' });
    expect((await call(pr, 'POST', `/invitations/${NO_SUCH}/respond`, { decision: 'accept' })).status).toBe(404);
    expect((await call(pr, 'POST', '/invitations/nope/respond', { decision: 'accept' })).status).toBe(404);
  });

  it('auth: 401; another provider 404; the enterprise 403; the invitation stays pending', async () => {
    const { e, pr, i } = await invited();
    await h.expectRefusals('signed-in', { method: 'POST', path: `/api/v1/invitations/${i.id}/respond`, body: { decision: 'accept' } });
    expect((await call(await provider(), 'POST', `/invitations/${i.id}/respond`, { decision: 'accept' })).status).toBe(404);
    expect((await call(e, 'POST', `/invitations/${i.id}/respond`, { decision: 'accept' })).status).toBe(403);
    expect((await call(pr, 'GET', '/invitations/mine')).json.items[0]).toMatchObject({ id: i.id, status: 'pending' });
  });
});

describe('POST /invitations/{id}/drop', () => {
  it('happy: the enterprise drops an invited provider, who is told politely', async () => {
    const { e, pr, i } = await invited();
    await call(pr, 'POST', `/invitations/${i.id}/respond`, { decision: 'accept' });
    const res = await call(e, 'POST', `/invitations/${i.id}/drop`);
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ status: 'dropped', statusLabel: '已放弃' });
    expect((await inbox(pr))[0]).toMatchObject({ title: '项目邀请结果' });
    const again = await call(e, 'POST', `/invitations/${i.id}/drop`);
    expect(again.status).toBe(409);
    expect(again.json.error.message).toBe('邀请已放弃，不能放弃');
  });

  it('auth: 401; the provider and other enterprises get 404', async () => {
    const { pr, i } = await invited();
    await h.expectRefusals('signed-in', { method: 'POST', path: `/api/v1/invitations/${i.id}/drop` });
    expect((await call(pr, 'POST', `/invitations/${i.id}/drop`)).status).toBe(404);
    expect((await call(await enterprise(), 'POST', `/invitations/${i.id}/drop`)).status).toBe(404);
    expect((await call(pr, 'GET', '/invitations/mine')).json.items[0].status).toBe('pending');
  });
});

describe('GET /requirements/{id}/invitations, GET /invitations/mine, GET /requirements/invitable', () => {
  it('happy: invitable lists only my open invitation projects', async () => {
    const e = await enterprise(60_000);
    const inv = await published(e);
    await published(e, {}); // competitive
    const d = await call(e, 'POST', '/requirements', buildRequirement(clock.now(), { mode: 'invitation', openingAt: null }));
    await published(await enterprise(20_000)); // someone else's
    const res = await call(e, 'GET', '/requirements/invitable');
    expect(res.status, res.text).toBe(200);
    expect(res.json).toEqual([{ id: inv.id, title: inv.title, requirementNo: expect.any(String), deliveryDate: expect.any(String) }]);
    expect(res.json.map((x: { id: string }) => x.id)).not.toContain(d.json.id);
  });

  it('errors: bad paging → 400', async () => {
    const pr = await provider();
    expect((await call(pr, 'GET', '/invitations/mine?pageSize=101')).json.error.fields).toEqual({ pageSize: '每页最多 100 条' });
  });

  it("auth: 401; a provider cannot list a project's invitations (404) nor have invitable projects (403); an enterprise has no 'my invitations' (403)", async () => {
    const { e, r, pr } = await invited();
    for (const path of [`/requirements/${r.id}/invitations`, '/invitations/mine', '/requirements/invitable']) {
      await h.expectRefusals('signed-in', { method: 'GET', path: `/api/v1${path}` });
    }
    for (const who of [pr, await enterprise()]) expect((await call(who, 'GET', `/requirements/${r.id}/invitations`)).status).toBe(404);
    expect((await call(pr, 'GET', '/requirements/invitable')).status).toBe(403);
    expect((await call(e, 'GET', '/invitations/mine')).status).toBe(403);
    // Another provider sees none of this provider's invitations.
    const other = await provider();
    expect((await call(other, 'GET', '/invitations/mine')).json).toMatchObject({ items: [], total: 0 });
  });
});

describe('POST /requirements/{id}/select (invitation projects)', () => {
  it('only a provider that accepted can be selected; the others are told', async () => {
    const { e, r, pr, i } = await invited();
    const pending = await provider();
    await invite(e, r.id, pending);
    const early = await call(e, 'POST', `/requirements/${r.id}/select`, { providerId: orgId(pr) });
    expect(early.status).toBe(400);
    expect(early.json.error.fields).toEqual({ providerId: '只能选中已接受邀请的服务机构' });
    await call(pr, 'POST', `/invitations/${i.id}/respond`, { decision: 'accept' });
    const res = await call(e, 'POST', `/requirements/${r.id}/select`, { providerId: orgId(pr) });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ state: 'awarded', selectedProviderId: orgId(pr) });
    expect((await call(pr, 'GET', '/invitations/mine')).json.items[0].status).toBe('selected');
    expect((await call(pending, 'GET', '/invitations/mine')).json.items[0].status).toBe('cancelled');
    expect((await inbox(pending))[0]!.title).toBe('项目结果通知');
  });
});

describe('negotiation threads: /requirements/{id}/negotiations/{providerId}/messages', () => {
  it('happy: both sides write and read, oldest first; opening marks the other side read; a resent message is stored once', async () => {
    const { e, r, pr } = await invited();
    const path = `/requirements/${r.id}/negotiations/${orgId(pr)}/messages`;
    const first = await call(e, 'POST', path, { body: '您好，请问贵所能否在一个月内启动？', clientId: 'client-0001' });
    expect(first.status).toBe(201);
    expect(first.json).toMatchObject({
      requirementId: r.id,
      providerId: orgId(pr),
      senderOrgId: orgId(e),
      senderName: e.actor.organisation!.fullName,
      readAt: null,
      attachments: [],
      seq: expect.any(Number),
    });
    const resent = await call(e, 'POST', path, { body: '您好，请问贵所能否在一个月内启动？', clientId: 'client-0001' });
    expect(resent.status).toBe(201);
    expect(resent.json).toMatchObject({ id: first.json.id, seq: null });
    expect((await inbox(pr))[0]!.title).toBe(`洽谈消息：${r.title}`);

    clock.advance(MINUTE);
    const seen = await call(pr, 'GET', path);
    expect(seen.status).toBe(200);
    expect(seen.json).toMatchObject({ side: 'provider', total: 1, requirement: { id: r.id, title: r.title }, provider: { id: orgId(pr) } });
    const reply = await call(pr, 'POST', path, { body: '可以，签约后 3 个工作日内启动。' });
    expect(reply.status).toBe(201);
    const thread = await call(e, 'GET', path);
    expect(thread.json.side).toBe('enterprise');
    expect(thread.json.items.map((m: { body: string }) => m.body)).toEqual(['您好，请问贵所能否在一个月内启动？', '可以，签约后 3 个工作日内启动。']);
    expect(thread.json.items[0].readAt).not.toBeNull(); // the provider opened the thread
    const page = await call(e, 'GET', `${path}?pageSize=1`);
    expect(page.json.items.map((m: { body: string }) => m.body)).toEqual(['可以，签约后 3 个工作日内启动。']);
    expect(page.json.total).toBe(2);
  });

  it('happy: a message may carry attachments that only the two parties download', async () => {
    const { e, r, pr } = await invited();
    const path = `/requirements/${r.id}/negotiations/${orgId(pr)}/messages`;
    const f = await upload(pr);
    const res = await call(pr, 'POST', path, { attachmentIds: [f.id] });
    expect(res.status, res.text).toBe(201);
    expect(res.json).toMatchObject({ body: '', attachments: [{ id: f.id, filename: '报价明细.pdf', contentType: 'application/pdf', url: f.url }] });
    const got = await h.app.request(f.url, { headers: { authorization: `Bearer ${e.token}` } });
    expect(got.status).toBe(200);
    expect(await got.text()).toContain('%PDF');
    for (const who of [await provider(), await enterprise()]) {
      const denied = await h.app.request(f.url, { headers: { authorization: `Bearer ${who.token}` } });
      expect(denied.status).toBe(404);
    }
    // Someone else's file cannot be attached.
    const theirs = await upload(await provider());
    const stolen = await call(pr, 'POST', path, { body: '附件', attachmentIds: [theirs.id] });
    expect(stolen.status).toBe(400);
    expect(stolen.json.error.fields).toEqual({ attachmentIds: '附件不存在或不能使用' });
  });

  it('happy: a bidder on a competitive project may negotiate without an invitation', async () => {
    const e = await enterprise(20_000);
    const r = await published(e, {});
    const pr = await provider();
    expect((await call(pr, 'POST', `/requirements/${r.id}/proposals`, proposalInput())).status).toBe(201);
    const res = await call(e, 'POST', `/requirements/${r.id}/negotiations/${orgId(pr)}/messages`, { body: '请补充团队资质。' });
    expect(res.status).toBe(201);
  });

  it('errors: empty, too long, a bad client id; a provider neither invited nor bidding has no thread', async () => {
    const { e, r, pr } = await invited();
    const path = `/requirements/${r.id}/negotiations/${orgId(pr)}/messages`;
    const empty = await call(e, 'POST', path, {});
    expect(empty.status).toBe(400);
    expect(empty.json.error.fields).toEqual({ body: '请填写内容或添加附件' });
    expect((await call(e, 'POST', path, { body: '  ' })).json.error.fields).toEqual({ body: '请填写内容或添加附件' });
    expect((await call(e, 'POST', path, { body: '长'.repeat(2001) })).json.error.fields).toEqual({ body: '内容不超过 2000 字' });
    expect((await call(e, 'POST', path, { body: '你好', clientId: 'x' })).json.error.fields).toEqual({ clientId: '消息编号为 8–64 个字符' });
    expect((await call(e, 'POST', path, { body: '你好', attachmentIds: ['x'] })).json.error.fields).toEqual({ 'attachmentIds.0': '附件编号无效' });
    const stranger = await provider();
    const none = await call(e, 'POST', `/requirements/${r.id}/negotiations/${orgId(stranger)}/messages`, { body: '你好' });
    expect(none.status).toBe(404);
    expect(none.json.error).toEqual({ code: 'NOT_FOUND', message: '会话不存在' });
    expect((await call(e, 'GET', `/requirements/${r.id}/negotiations/not-an-id/messages`)).status).toBe(404);
    expect((await call(e, 'GET', `/requirements/${NO_SUCH}/negotiations/${orgId(pr)}/messages`)).status).toBe(404);
  });

  it('security: only the two parties read or write a thread (not other providers, other enterprises or operators)', async () => {
    const { e, r, pr } = await invited();
    const path = `/requirements/${r.id}/negotiations/${orgId(pr)}/messages`;
    const secret = '我方底价可以再降 12%，请勿外传';
    expect((await call(pr, 'POST', path, { body: secret })).status).toBe(201);
    await h.expectRefusals('signed-in', { method: 'GET', path: `/api/v1${path}` });
    await h.expectRefusals('signed-in', { method: 'POST', path: `/api/v1${path}`, body: { body: '你好' } });
    // Another provider invited to the same project has its own thread and cannot open this one.
    const rival = await provider();
    await invite(e, r.id, rival);
    for (const who of [rival, await provider(), await enterprise(), op]) {
      const res = await call(who, 'GET', path);
      expect(res.status).toBe(404);
      expect(res.text).not.toContain(secret);
      expect((await call(who, 'POST', path, { body: '插一句' })).status).toBe(404);
    }
    const rivalThread = await call(rival, 'GET', `/requirements/${r.id}/negotiations/${orgId(rival)}/messages`);
    expect(rivalThread.status).toBe(200);
    expect(rivalThread.json.items).toEqual([]);
    expect((await inbox(rival)).map((m) => m.body).join()).not.toContain(secret);
    expect((await call(e, 'GET', path)).json.items.map((m: { body: string }) => m.body)).toEqual([secret]);
  });
});

describe('GET /openapi.json', () => {
  it('publishes the invitation and negotiation routes', async () => {
    const doc = (await call(null, 'GET', '/openapi.json')).json;
    for (const [method, path] of [
      ['post', '/invitations'],
      ['get', '/invitations/mine'],
      ['post', '/invitations/{id}/respond'],
      ['post', '/invitations/{id}/drop'],
      ['get', '/requirements/{id}/invitations'],
      ['get', '/requirements/invitable'],
      ['get', '/requirements/{id}/negotiations/{providerId}/messages'],
      ['post', '/requirements/{id}/negotiations/{providerId}/messages'],
    ]) {
      expect(doc.paths[`/api/v1${path}`]?.[method!], `${method} ${path}`).toBeDefined();
    }
    for (const name of ['Invitation', 'InvitationPage', 'NegotiationMessage', 'NegotiationThread', 'InvitableRequirement'])
      expect(doc.components.schemas).toHaveProperty(name);
  });
});

describe('after the delivery date', () => {
  it('the project is no longer invitable and inviting is refused', async () => {
    const e = await enterprise(20_000);
    const dueSoon = new Date(clock.now().getTime() + 2 * DAY).toISOString().slice(0, 10);
    const r = await published(e, { mode: 'invitation', openingAt: null, deliveryDate: dueSoon });
    const pr = await provider();
    expect((await call(e, 'GET', '/requirements/invitable')).json.map((x: { id: string }) => x.id)).toEqual([r.id]);
    clock.advance(3 * DAY);
    for (const p of [e, pr]) p.token = await h.loginAs(p.input);
    expect((await call(e, 'GET', '/requirements/invitable')).json).toEqual([]);
    const res = await call(e, 'POST', '/invitations', { requirementId: r.id, providerId: orgId(pr) });
    expect(res.status).toBe(409);
    expect(res.json.error).toEqual({ code: 'DELIVERY_DATE_PASSED', message: '已过交付时间，不能再邀标' });
  });
});
