import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOUR, MINUTE } from '../../core/shared/clock';
import { buildRequirement, fund, proposalInput } from '../../core/testing/tenders-factories';
import { ManualClock } from '../../core/testing/test-platform';
import type { RequirementInput } from '../../core/tenders/tenders.schema';
import { createApiHarness, type ApiHarness } from './test-helpers';

type Person = { input: { username: string; password: string }; token: string; actor: { organisation?: { organisationId: string } } };

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
/** The client typed by the published document, as this person (anonymous for null). */
const api = (who: Person | null) => h.api(who?.token);
const orgId = (p: Person) => p.actor.organisation!.organisationId;

async function enterprise(fundedFen = 0) {
  const u = await h.user({ accountType: 'enterprise' });
  if (fundedFen) await fund(h.platform, u.actor, fundedFen);
  return u;
}
const provider = () => h.user({ accountType: 'provider' });
const available = async (p: Person) => (await api(p).GET('/api/v1/wallet')).data!.availableFen;

async function draft(owner: Person, over: Partial<RequirementInput> = {}) {
  const { data, error, response } = await api(owner).POST('/api/v1/requirements', { body: buildRequirement(clock.now(), over) });
  expect(response.status, JSON.stringify(error)).toBe(201);
  return data!;
}
async function pending(owner: Person, over: Partial<RequirementInput> = {}) {
  const d = await draft(owner, over);
  const { data, error, response } = await api(owner).POST('/api/v1/requirements/{id}/submit', { params: { path: { id: d.id } } });
  expect(response.status, JSON.stringify(error)).toBe(200);
  return data!;
}
/** Drafted, published (deposit paid) and approved through the API: open in the hall. */
async function published(owner: Person, over: Partial<RequirementInput> = {}) {
  const p = await pending(owner, over);
  const { data, error, response } = await api(op).POST('/api/v1/admin/requirements/{id}/review', {
    params: { path: { id: p.id } },
    body: { decision: 'approve' },
  });
  expect(response.status, JSON.stringify(error)).toBe(200);
  return data!;
}
async function bid(who: Person, requirementId: string, priceFen = 2_000_000, plan?: string) {
  const { data, error, response } = await api(who).POST('/api/v1/requirements/{id}/proposals', {
    params: { path: { id: requirementId } },
    body: { ...proposalInput(priceFen), ...(plan ? { plan } : {}) },
  });
  expect(response.status, JSON.stringify(error)).toBe(201);
  return data!;
}
/** Moves the clock; sessions idle for a day end, so the people still needed sign in again. */
async function later(ms: number, ...people: Person[]) {
  clock.advance(ms);
  for (const p of [op, ...people]) p.token = await h.loginAs(p.input);
}
const stateOf = async (id: string) => (await api(op).GET('/api/v1/requirements/{id}', { params: { path: { id } } })).data!.state;

describe('GET /service-categories', () => {
  it('happy: the two-level tree, public', async () => {
    const res = await call(null, 'GET', '/service-categories');
    expect(res.status).toBe(200);
    const finance = res.json.find((c: { code: string }) => c.code === 'finance');
    expect(finance).toMatchObject({ name: '财税' });
    expect(finance.children).toContainEqual({ code: 'finance.01', name: '代理记账' });
  });
});

describe('POST /requirements, PUT /requirements/{id}, DELETE /requirements/{id} (drafts)', () => {
  it('happy: an enterprise saves a draft, edits it, sees it, discards it', async () => {
    const e = await enterprise();
    const d = await draft(e);
    expect(d).toMatchObject({
      state: 'draft',
      stateLabel: '草稿',
      group: 'draft',
      mode: 'competitive',
      categoryName: '代理记账',
      regionName: expect.stringContaining('赣州'),
    });
    expect(d.actions).toEqual(expect.arrayContaining(['edit', 'submit', 'discard']));
    expect(d.descriptionHtml).toContain('<strong>代理记账</strong>');
    const edited = await call(
      e,
      'PUT',
      `/requirements/${d.id}`,
      buildRequirement(clock.now(), { title: '年度财务审计服务（修改）', categoryCode: 'finance.03' }),
    );
    expect(edited.status, edited.text).toBe(200);
    expect(edited.json).toMatchObject({ id: d.id, title: '年度财务审计服务（修改）', categoryName: '财务审计', state: 'draft' });
    const got = await call(e, 'GET', `/requirements/${d.id}`);
    expect(got.status).toBe(200);
    expect(got.json).toMatchObject({ title: '年度财务审计服务（修改）', invoiceName: '赣州市测试企业有限公司', depositStatus: 'none' });
    const del = await call(e, 'DELETE', `/requirements/${d.id}`);
    expect(del.status).toBe(204);
    expect((await call(e, 'GET', `/requirements/${d.id}`)).status).toBe(404);
  });

  it('happy: an invitation requirement needs no opening time; rich text is sanitised', async () => {
    const e = await enterprise();
    const d = await draft(e, {
      mode: 'invitation',
      openingAt: null,
      descriptionHtml: '<p onclick="x()">需要一家律所提供常年法律顾问服务<script>alert(1)</script></p>',
    });
    expect(d).toMatchObject({ mode: 'invitation', openingAt: null, minBidders: null, group: 'draft' });
    expect(d.descriptionHtml).not.toMatch(/script|onclick/);
  });

  it('errors: field-level messages in Chinese', async () => {
    const e = await enterprise();
    const empty = await call(e, 'POST', '/requirements', {});
    expect(empty.status).toBe(400);
    expect(empty.json.error).toMatchObject({ code: 'VALIDATION', message: '请检查填写的内容' });
    expect(empty.json.error.fields).toMatchObject({
      invoiceName: '请填写企业全称',
      title: '请填写需求标题',
      categoryCode: '请选择服务类别',
      deliveryDate: '请选择日期',
      mode: '请选择招标方式',
    });

    const cases: [Partial<RequirementInput> | Record<string, unknown>, string, string][] = [
      [{ budgetMinFen: 5_000_000, budgetMaxFen: 1_000_000 }, 'budgetMaxFen', '预算上限不能低于下限'],
      [{ openingAt: null }, 'openingAt', '竞标项目须选择开标时间'],
      [{ budgetMaxFen: 12.5 }, 'budgetMaxFen', '预算上限最多两位小数'],
      [{ title: '审计' }, 'title', '标题至少 4 个字'],
      [{ regionCode: '999999' }, 'regionCode', '地区代码无效'],
      [{ minBidders: 11 }, 'minBidders', '最低投标机构数为 1–10'],
      [{ categoryCode: 'finance' }, 'categoryCode', '请选择具体的服务类别'],
      [{ descriptionHtml: '<p>太短</p>' }, 'descriptionHtml', '需求描述至少 10 个字'],
      [{ deliveryDate: '2020-01-01' }, 'deliveryDate', '交付日期不能早于今天'],
      [{ attachmentIds: ['nope'] }, 'attachmentIds.0', '附件编号无效'],
      [{ attachmentIds: [NO_SUCH] }, 'attachmentIds', '附件不存在或不能使用'],
    ];
    for (const [over, field, message] of cases) {
      const res = await call(e, 'POST', '/requirements', { ...buildRequirement(clock.now()), ...over });
      expect(res.status, `${field}: ${res.text}`).toBe(400);
      expect(res.json.error.fields?.[field], field).toBe(message);
    }
    const bad = await h.app.request('/api/v1/requirements', {
      method: 'POST',
      headers: { authorization: `Bearer ${e.token}`, 'content-type': 'application/json' },
      body: '{"title":',
    });
    expect(bad.status).toBe(400);
    const form = await h.app.request('/api/v1/requirements', {
      method: 'POST',
      headers: { authorization: `Bearer ${e.token}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'title=x',
    });
    expect(form.status).toBe(415);
  });

  it('errors: only drafts are edited or discarded (409); unknown ids are 404', async () => {
    const e = await enterprise(20_000);
    const p = await pending(e);
    const put = await call(e, 'PUT', `/requirements/${p.id}`, buildRequirement(clock.now()));
    expect(put.status).toBe(409);
    expect(put.json.error.code).toBe('REQUIREMENT_NOT_EDITABLE');
    const del = await call(e, 'DELETE', `/requirements/${p.id}`);
    expect(del.status).toBe(409);
    expect((await call(e, 'PUT', `/requirements/${NO_SUCH}`, buildRequirement(clock.now()))).status).toBe(404);
    expect((await call(e, 'DELETE', '/requirements/not-a-uuid')).status).toBe(404);
  });

  it("auth: 401 without a session; providers may not publish (403); another enterprise's draft is 404", async () => {
    const e = await enterprise();
    const d = await draft(e);
    await h.expectRefusals('signed-in', { method: 'POST', path: '/api/v1/requirements', body: buildRequirement(clock.now()) });
    await h.expectRefusals('signed-in', { method: 'PUT', path: `/api/v1/requirements/${d.id}`, body: buildRequirement(clock.now()) });
    await h.expectRefusals('signed-in', { method: 'DELETE', path: `/api/v1/requirements/${d.id}` });
    const pr = await provider();
    const byProvider = await call(pr, 'POST', '/requirements', buildRequirement(clock.now()));
    expect(byProvider.status).toBe(403);
    expect(byProvider.json.error.code).toBe('FORBIDDEN');
    const other = await enterprise();
    const put = await call(other, 'PUT', `/requirements/${d.id}`, buildRequirement(clock.now(), { title: '被别人改掉的标题' }));
    expect(put.status).toBe(404);
    expect((await call(other, 'DELETE', `/requirements/${d.id}`)).status).toBe(404);
    expect((await call(e, 'GET', `/requirements/${d.id}`)).json.title).toBe(buildRequirement(clock.now()).title);
  });
});

describe('GET /requirements/{id}, GET /requirements/{id}/events: who sees what', () => {
  it('drafts, pending and rejected requirements are 404 to everyone but the owner and operators', async () => {
    const e = await enterprise(40_000);
    const d = await draft(e, { title: `草稿项目${Date.now().toString(36)}` });
    const p = await pending(e);
    const rejected = await pending(e);
    expect((await call(op, 'POST', `/admin/requirements/${rejected.id}/review`, { decision: 'reject', reason: '描述不完整' })).status).toBe(200);
    const strangers: (Person | null)[] = [null, await enterprise(), await provider()];
    for (const r of [d, p, rejected]) {
      for (const who of strangers) {
        const res = await call(who, 'GET', `/requirements/${r.id}`);
        expect(res.status, `${r.state} as ${who ? 'a stranger' : 'anonymous'}`).toBe(404);
        expect(res.json).toEqual({ error: { code: 'NOT_FOUND', message: '项目不存在' } });
        if (who) expect((await call(who, 'GET', `/requirements/${r.id}/events`)).status).toBe(404);
        if (who) expect((await call(who, 'GET', `/requirements/${r.id}/proposals`)).status).toBe(404);
      }
      expect((await call(e, 'GET', `/requirements/${r.id}`)).status).toBe(200);
      expect((await call(op, 'GET', `/requirements/${r.id}`)).status).toBe(200);
    }
    // A provider cannot learn that a draft exists by bidding on it either.
    const pr = strangers[2]!;
    for (const r of [d, p, rejected]) {
      const res = await call(pr, 'POST', `/requirements/${r.id}/proposals`, proposalInput());
      expect(res.status, res.text).toBe(404);
      expect(res.text).not.toMatch(/草稿|待审核|审核未通过/);
    }
    const hall = await call(null, 'GET', `/requirements?pageSize=50`);
    expect(hall.json.items.map((i: { id: string }) => i.id)).not.toContain(d.id);
    expect(hall.text).not.toContain(d.title);
  });

  it('a public requirement: anyone sees it, without the owner-only fields', async () => {
    const e = await enterprise(20_000);
    const r = await published(e);
    for (const who of [null, await provider(), await enterprise()]) {
      const res = await call(who, 'GET', `/requirements/${r.id}`);
      expect(res.status).toBe(200);
      expect(res.json).toMatchObject({ id: r.id, state: 'open', bidderCount: 0, organisation: { id: orgId(e) } });
      expect(res.json.descriptionHtml).toContain('代理记账');
      for (const k of ['invoiceName', 'depositFen', 'depositStatus', 'actions', 'rejectReason']) expect(res.json, k).not.toHaveProperty(k);
    }
    const mine = await call(e, 'GET', `/requirements/${r.id}`);
    expect(mine.json).toMatchObject({ depositFen: 20_000, depositStatus: 'held', actions: expect.arrayContaining(['withdraw']) });
  });

  it('events: the owner and operators read the history; others 404; anonymous 401', async () => {
    const e = await enterprise(20_000);
    const r = await published(e);
    for (const who of [e, op]) {
      const res = await call(who, 'GET', `/requirements/${r.id}/events`);
      expect(res.status).toBe(200);
      expect(res.json.map((x: { event: string }) => x.event)).toEqual(['submit', 'approve']);
      expect(res.json[0]).toMatchObject({ fromState: 'draft', toState: 'pending_review', detail: { depositFen: 20_000 } });
    }
    await h.expectRefusals('signed-in', { method: 'GET', path: `/api/v1/requirements/${r.id}/events` });
    expect((await call(await provider(), 'GET', `/requirements/${r.id}/events`)).status).toBe(404);
  });
});

describe('POST /requirements/{id}/submit (publishing pays the deposit)', () => {
  it('happy: ¥200.00 moves from the wallet; the requirement waits for review', async () => {
    const e = await enterprise(30_000);
    const d = await draft(e);
    const res = await call(e, 'POST', `/requirements/${d.id}/submit`);
    expect(res.status, res.text).toBe(200);
    expect(res.json).toMatchObject({ state: 'pending_review', depositFen: 20_000, depositStatus: 'held', submittedAt: expect.any(String) });
    expect(await available(e)).toBe(10_000);
    const statement = await call(e, 'GET', '/wallet/statement');
    expect(statement.json.items[0]).toMatchObject({ kind: 'deposit_pay', amountFen: -20_000 });
  });

  it('errors: too little balance → 409 INSUFFICIENT_FUNDS saying how much is missing; nothing changes', async () => {
    const e = await enterprise(5_000);
    const d = await draft(e);
    const res = await call(e, 'POST', `/requirements/${d.id}/submit`);
    expect(res.status).toBe(409);
    expect(res.json.error.code).toBe('INSUFFICIENT_FUNDS');
    expect(res.json.error.message).toBe('钱包可用余额 ¥50.00，缴纳保证金 ¥200.00 还差 ¥150.00，请先充值');
    expect(res.json.error.fields.deposit).toContain('还差 ¥150.00');
    expect(await available(e)).toBe(5_000);
    expect((await call(e, 'GET', `/requirements/${d.id}`)).json).toMatchObject({ state: 'draft', depositStatus: 'none' });
    expect((await call(e, 'GET', '/wallet/statement')).json.items.map((l: { kind: string }) => l.kind)).not.toContain('deposit_pay');
    await fund(h.platform, e.actor, 15_000);
    expect((await call(e, 'POST', `/requirements/${d.id}/submit`)).status).toBe(200);
    expect(await available(e)).toBe(0);
  });

  it('errors: publishing twice → 409 and one charge; an opening time under 24 h ahead → 400 fields.openingAt', async () => {
    const e = await enterprise(60_000);
    const p = await pending(e);
    const again = await call(e, 'POST', `/requirements/${p.id}/submit`);
    expect(again.status).toBe(409);
    expect(again.json.error).toMatchObject({ code: 'WRONG_REQUIREMENT_STATE', message: '项目当前状态为「待审核」，不能发布' });
    expect(await available(e)).toBe(40_000);
    const soon = await draft(e, { openingAt: new Date(clock.now().getTime() + 23 * HOUR).toISOString() });
    const res = await call(e, 'POST', `/requirements/${soon.id}/submit`);
    expect(res.status).toBe(400);
    expect(res.json.error.fields).toEqual({ openingAt: '开标时间须至少在 24 小时之后' });
    expect(await available(e)).toBe(40_000);
  });

  it('auth: 401; a provider 403; another enterprise 404 and pays nothing', async () => {
    const e = await enterprise(20_000);
    const d = await draft(e);
    await h.expectRefusals('signed-in', { method: 'POST', path: `/api/v1/requirements/${d.id}/submit` });
    expect((await call(await provider(), 'POST', `/requirements/${d.id}/submit`)).status).toBe(403);
    const other = await enterprise(20_000);
    expect((await call(other, 'POST', `/requirements/${d.id}/submit`)).status).toBe(404);
    expect(await available(other)).toBe(20_000);
    expect(await stateOf(d.id)).toBe('draft');
  });
});

describe('GET /admin/requirements, POST /admin/requirements/{id}/review', () => {
  it('happy: approve lists it in the hall; reject (with a reason) refunds the deposit in full', async () => {
    const e = await enterprise(40_000);
    const marker = `zq${Date.now().toString(36)}`;
    const a = await pending(e, { title: `审核通过的项目 ${marker}` });
    const b = await pending(e, { title: `审核驳回的项目 ${marker}` });
    const queue = await call(op, 'GET', `/admin/requirements?state=pending_review&q=${marker}`);
    expect(queue.status).toBe(200);
    expect(queue.json.items.map((i: { id: string }) => i.id).sort()).toEqual([a.id, b.id].sort());
    expect(queue.json.items[0]).toHaveProperty('invoiceName');

    const approved = await call(op, 'POST', `/admin/requirements/${a.id}/review`, { decision: 'approve' });
    expect(approved.status).toBe(200);
    expect(approved.json).toMatchObject({ state: 'open', group: 'bidding' });
    expect((await call(null, 'GET', `/requirements?q=${marker}`)).json.items.map((i: { id: string }) => i.id)).toEqual([a.id]);

    expect(await available(e)).toBe(0);
    const rejected = await call(op, 'POST', `/admin/requirements/${b.id}/review`, { decision: 'reject', reason: '预算与描述不符' });
    expect(rejected.status).toBe(200);
    expect(rejected.json).toMatchObject({ state: 'rejected', rejectReason: '预算与描述不符', depositStatus: 'refunded' });
    expect(await available(e)).toBe(20_000);
    expect((await call(e, 'GET', `/requirements/${b.id}`)).json).toMatchObject({
      rejectReason: '预算与描述不符',
      actions: expect.arrayContaining(['edit', 'submit']),
    });
  });

  it('errors: a reason is required to reject; an unknown decision; a draft cannot be reviewed; bad list filters', async () => {
    const e = await enterprise(20_000);
    const p = await pending(e);
    const noReason = await call(op, 'POST', `/admin/requirements/${p.id}/review`, { decision: 'reject' });
    expect(noReason.status).toBe(400);
    expect(noReason.json.error.fields).toEqual({ reason: '请填写驳回原因' });
    const blank = await call(op, 'POST', `/admin/requirements/${p.id}/review`, { decision: 'reject', reason: ' ' });
    expect(blank.json.error.fields).toEqual({ reason: '请填写驳回原因' });
    expect((await call(op, 'POST', `/admin/requirements/${p.id}/review`, { decision: 'maybe' })).json.error.fields).toHaveProperty('decision');
    const d = await draft(e);
    const early = await call(op, 'POST', `/admin/requirements/${d.id}/review`, { decision: 'approve' });
    expect(early.status).toBe(409);
    expect(early.json.error.message).toBe('项目当前状态为「草稿」，不能审核通过');
    expect((await call(op, 'POST', `/admin/requirements/${NO_SUCH}/review`, { decision: 'approve' })).status).toBe(404);
    const badState = await call(op, 'GET', '/admin/requirements?state=lost&pageSize=500');
    expect(badState.status).toBe(400);
    expect(badState.json.error.fields).toEqual({ state: '项目状态无效', pageSize: '每页最多 100 条' });
    expect(await stateOf(p.id)).toBe('pending_review');
  });

  it('auth: operators only (401, then 403 for the owner and everyone else)', async () => {
    const e = await enterprise(20_000);
    const p = await pending(e);
    await h.expectRefusals('operator', { method: 'GET', path: '/api/v1/admin/requirements' });
    await h.expectRefusals('operator', { method: 'POST', path: `/api/v1/admin/requirements/${p.id}/review`, body: { decision: 'approve' } });
    const own = await call(e, 'POST', `/admin/requirements/${p.id}/review`, { decision: 'approve' });
    expect(own.status).toBe(403);
    expect(await stateOf(p.id)).toBe('pending_review');
  });
});

describe('GET/PUT /admin/settings/deposit', () => {
  it('happy: defaults; a change applies to requirements published afterwards', async () => {
    const got = await call(op, 'GET', '/admin/settings/deposit');
    expect(got.status).toBe(200);
    expect(got.json).toEqual({ depositFen: 20_000, forfeitEarlyFen: 5_000, forfeitLateFen: 10_000 });
    const e = await enterprise(50_000);
    const set = await call(op, 'PUT', '/admin/settings/deposit', { depositFen: 30_000, forfeitEarlyFen: 6_000, forfeitLateFen: 12_000 });
    try {
      expect(set.status, set.text).toBe(200);
      expect((await call(op, 'GET', '/admin/settings/deposit')).json).toEqual({ depositFen: 30_000, forfeitEarlyFen: 6_000, forfeitLateFen: 12_000 });
      const p = await pending(e);
      expect(p.depositFen).toBe(30_000);
      expect(await available(e)).toBe(20_000);
    } finally {
      expect((await call(op, 'PUT', '/admin/settings/deposit', { depositFen: 20_000, forfeitEarlyFen: 5_000, forfeitLateFen: 10_000 })).status).toBe(200);
    }
  });

  it('errors: forfeits above the deposit, zero deposit, yuan with decimals', async () => {
    const res = await call(op, 'PUT', '/admin/settings/deposit', { depositFen: 10_000, forfeitEarlyFen: 20_000, forfeitLateFen: 30_000 });
    expect(res.status).toBe(400);
    expect(res.json.error.fields).toEqual({ forfeitEarlyFen: '扣除金额不能超过保证金', forfeitLateFen: '扣除金额不能超过保证金' });
    expect((await call(op, 'PUT', '/admin/settings/deposit', { depositFen: 0, forfeitEarlyFen: 0, forfeitLateFen: 0 })).json.error.fields).toEqual({
      depositFen: '保证金必须大于 0',
    });
    expect((await call(op, 'PUT', '/admin/settings/deposit', { depositFen: 200.5, forfeitEarlyFen: 0, forfeitLateFen: 0 })).json.error.fields).toEqual({
      depositFen: '保证金最多两位小数',
    });
    expect((await call(op, 'GET', '/admin/settings/deposit')).json.depositFen).toBe(20_000);
  });

  it('auth: operators only', async () => {
    await h.expectRefusals('operator', { method: 'GET', path: '/api/v1/admin/settings/deposit' });
    await h.expectRefusals('operator', {
      method: 'PUT',
      path: '/api/v1/admin/settings/deposit',
      body: { depositFen: 1, forfeitEarlyFen: 0, forfeitLateFen: 0 },
    });
    expect((await call(op, 'GET', '/admin/settings/deposit')).json.depositFen).toBe(20_000);
  });
});

describe('GET /requirements (project hall)', () => {
  it('happy: public; search, category, region, mode and budget filters; sort; pages', async () => {
    const e = await enterprise(100_000);
    const marker = `hz${Date.now().toString(36)}`;
    const a = await published(e, { title: `代理记账服务 ${marker}`, budgetMinFen: 100_000, budgetMaxFen: 500_000 });
    clock.advance(MINUTE); // the hall lists the newest approval first
    const b = await published(e, {
      title: `法律顾问服务 ${marker}`,
      categoryCode: 'legal.01',
      regionCode: '360702',
      budgetMinFen: 2_000_000,
      budgetMaxFen: 8_000_000,
    });
    clock.advance(MINUTE);
    const c = await published(e, { title: `邀标记账项目 ${marker}`, mode: 'invitation', openingAt: null });
    await pending(e, { title: `未审核项目 ${marker}` });
    const ids = async (query: string) => {
      const res = await call(null, 'GET', `/requirements?q=${marker}${query}`);
      expect(res.status, res.text).toBe(200);
      return res.json.items.map((i: { id: string }) => i.id);
    };
    expect(await ids('')).toEqual([c.id, b.id, a.id]); // newest approval first
    expect(await ids('&category=legal')).toEqual([b.id]);
    expect(await ids('&category=finance.01')).toEqual([c.id, a.id]);
    expect(await ids('&region=360702')).toEqual([b.id]);
    expect(await ids('&mode=invitation')).toEqual([c.id]);
    expect(await ids('&budgetMinFen=4000000')).toEqual([b.id]);
    expect(await ids('&budgetMaxFen=500000')).toEqual([a.id]);
    expect(await ids('&sort=budget_desc')).toEqual([b.id, c.id, a.id]);
    expect(await ids('&status=open')).toHaveLength(3);
    expect(await ids('&status=opened')).toEqual([]);
    const page2 = await call(null, 'GET', `/requirements?q=${marker}&pageSize=2&page=2`);
    expect(page2.json).toMatchObject({ total: 3, page: 2, pageSize: 2 });
    expect(page2.json.items.map((i: { id: string }) => i.id)).toEqual([a.id]);
    const chinese = await call(null, 'GET', `/requirements?q=${encodeURIComponent('法律顾问')}%20${marker}`);
    expect(chinese.json.items.map((i: { id: string }) => i.id)).toEqual([b.id]);
    for (const item of (await call(null, 'GET', `/requirements?q=${marker}`)).json.items) {
      for (const k of ['invoiceName', 'depositFen', 'actions', 'descriptionHtml']) expect(item, k).not.toHaveProperty(k);
    }
  });

  it('errors: bad filters and page sizes → 400 with Chinese field messages', async () => {
    const res = await call(null, 'GET', '/requirements?pageSize=1000&region=abc&sort=cheap&mode=x&page=0&budgetMinFen=-1');
    expect(res.status).toBe(400);
    expect(res.json.error.fields).toEqual({
      pageSize: '每页最多 50 条',
      region: '地区代码无效',
      sort: '排序方式无效',
      mode: '招标方式无效',
      page: '页码无效',
      budgetMinFen: '金额无效',
    });
  });
});

describe('GET /requirements/mine', () => {
  it('happy: the enterprise sees its own requirements by group, with counts', async () => {
    const e = await enterprise(40_000);
    const d = await draft(e);
    const p = await pending(e);
    const o = await published(e);
    await published(await enterprise(20_000)); // someone else's
    const all = await call(e, 'GET', '/requirements/mine');
    expect(all.status).toBe(200);
    expect(all.json.items.map((i: { id: string }) => i.id)).toEqual([o.id, p.id, d.id]);
    expect(all.json).toMatchObject({ total: 3, groups: { draft: 1, pending_review: 1, bidding: 1 } });
    const drafts = await call(e, 'GET', '/requirements/mine?group=draft');
    expect(drafts.json.items.map((i: { id: string }) => i.id)).toEqual([d.id]);
    expect(drafts.json.total).toBe(1);
  });

  it('errors and auth: bad group → 400; 401; a provider 403', async () => {
    const e = await enterprise();
    const res = await call(e, 'GET', '/requirements/mine?group=lost');
    expect(res.status).toBe(400);
    expect(res.json.error.fields).toEqual({ group: '项目分组无效' });
    await h.expectRefusals('signed-in', { method: 'GET', path: '/api/v1/requirements/mine' });
    expect((await call(await provider(), 'GET', '/requirements/mine')).status).toBe(403);
  });
});

describe('proposals before the opening time', () => {
  it('happy: submit, see my own, revise, withdraw, submit again; the hall counts bidders, never prices', async () => {
    const e = await enterprise(20_000);
    const r = await published(e);
    const pr = await provider();
    const first = await bid(pr, r.id, 2_500_000);
    expect(first).toMatchObject({
      requirementId: r.id,
      providerId: orgId(pr),
      priceFen: 2_500_000,
      status: 'active',
      statusLabel: '有效',
      revision: 1,
      attachments: [],
    });
    expect((await call(null, 'GET', `/requirements/${r.id}`)).json.bidderCount).toBe(1);
    const dup = await call(pr, 'POST', `/requirements/${r.id}/proposals`, proposalInput());
    expect(dup.status).toBe(409);
    expect(dup.json.error).toMatchObject({ code: 'PROPOSAL_EXISTS', message: '您已提交过标书，可以修改或撤回' });
    const revised = await call(pr, 'PUT', `/requirements/${r.id}/proposals/mine`, proposalInput(2_200_000));
    expect(revised.status).toBe(200);
    expect(revised.json).toMatchObject({ id: first.id, priceFen: 2_200_000, revision: 2 });
    expect((await call(pr, 'GET', `/requirements/${r.id}/proposals/mine`)).json).toMatchObject({ id: first.id, priceFen: 2_200_000 });
    const bids = await call(pr, 'GET', '/proposals/mine');
    expect(bids.status).toBe(200);
    expect(bids.json.items[0]).toMatchObject({ id: first.id, priceFen: 2_200_000, editable: true, requirement: { id: r.id, state: 'open', opened: false } });
    const withdrawn = await call(pr, 'DELETE', `/requirements/${r.id}/proposals/mine`);
    expect(withdrawn.status).toBe(200);
    expect(withdrawn.json).toMatchObject({ status: 'withdrawn', statusLabel: '已撤回' });
    expect((await call(null, 'GET', `/requirements/${r.id}`)).json.bidderCount).toBe(0);
    expect((await call(pr, 'DELETE', `/requirements/${r.id}/proposals/mine`)).status).toBe(404);
    const again = await bid(pr, r.id, 2_100_000);
    expect(again.id).not.toBe(first.id);
  });

  it('errors: field messages; invitation projects take no proposals; unknown requirement', async () => {
    const e = await enterprise(40_000);
    const r = await published(e);
    const pr = await provider();
    const empty = await call(pr, 'POST', `/requirements/${r.id}/proposals`, {});
    expect(empty.status).toBe(400);
    expect(empty.json.error.fields).toEqual({ priceFen: '请填写报价', plan: '请填写服务方案', timeline: '请填写服务周期' });
    const cases: [Record<string, unknown>, string, string][] = [
      [{ priceFen: 0 }, 'priceFen', '报价必须大于 0'],
      [{ priceFen: 100.5 }, 'priceFen', '报价最多两位小数'],
      [{ priceFen: '20000' }, 'priceFen', '请填写报价'],
      [{ plan: '太短了' }, 'plan', '服务方案至少 10 个字'],
      [{ attachmentIds: Array(11).fill(NO_SUCH) }, 'attachmentIds', '附件最多 10 个'],
    ];
    for (const [over, field, message] of cases) {
      const res = await call(pr, 'POST', `/requirements/${r.id}/proposals`, { ...proposalInput(), ...over });
      expect(res.status, field).toBe(400);
      expect(res.json.error.fields[field], field).toBe(message);
    }
    const inv = await published(e, { mode: 'invitation', openingAt: null });
    const res = await call(pr, 'POST', `/requirements/${inv.id}/proposals`, proposalInput());
    expect(res.status).toBe(409);
    expect(res.json.error).toMatchObject({ code: 'NOT_COMPETITIVE', message: '邀标项目不接受报名投标' });
    expect((await call(pr, 'POST', `/requirements/${NO_SUCH}/proposals`, proposalInput())).status).toBe(404);
    const none = await call(pr, 'PUT', `/requirements/${r.id}/proposals/mine`, proposalInput());
    expect(none.status).toBe(404);
    expect(none.json.error.message).toBe('您还没有提交标书');
    expect((await call(pr, 'GET', `/requirements/${r.id}/proposals/mine`)).status).toBe(404);
    expect((await call(pr, 'GET', '/proposals/mine?pageSize=0')).json.error.fields).toEqual({ pageSize: '每页条数无效' });
  });

  it('auth: 401 anonymous; enterprises may not bid or read "my bids" (403)', async () => {
    const e = await enterprise(20_000);
    const r = await published(e);
    for (const [method, path, body] of [
      ['POST', `/requirements/${r.id}/proposals`, proposalInput()],
      ['PUT', `/requirements/${r.id}/proposals/mine`, proposalInput()],
      ['DELETE', `/requirements/${r.id}/proposals/mine`],
      ['GET', `/requirements/${r.id}/proposals/mine`],
      ['GET', `/requirements/${r.id}/proposals`],
      ['GET', '/proposals/mine'],
    ] as const) {
      await h.expectRefusals('signed-in', { method, path: `/api/v1${path}`, body });
    }
    for (const who of [e, await enterprise()]) {
      expect((await call(who, 'POST', `/requirements/${r.id}/proposals`, proposalInput())).status).toBe(403);
      expect((await call(who, 'GET', '/proposals/mine')).status).toBe(403);
      expect((await call(who, 'GET', `/requirements/${r.id}/proposals/mine`)).status).toBe(403);
    }
  });
});

describe('sealed proposals: nobody but the author sees one before opening; after it, only the owner (and operators)', () => {
  const secretPlan = '独家方案：由前四大事务所合伙人亲自带队，保密编号 S-7731';
  const secretPrice = 1_357_913;
  let e: Person, rival: Person, a: Person, b: Person, otherEnterprise: Person;
  let r: { id: string };

  beforeAll(async () => {
    e = await enterprise(20_000);
    r = await published(e, { openingAt: new Date(clock.now().getTime() + 25 * HOUR).toISOString() });
    a = await provider();
    b = await provider();
    rival = b;
    otherEnterprise = await enterprise();
    await bid(a, r.id, secretPrice, secretPlan);
    await bid(b, r.id, 2_468_000);
  });

  /** Every route a provider or a stranger might use to peek at `a`'s proposal. */
  async function expectNoLeak(who: Person | null, label: string) {
    const paths = [
      `/requirements/${r.id}`,
      `/requirements/${r.id}/proposals`,
      `/requirements/${r.id}/proposals/mine`,
      `/requirements/${r.id}/events`,
      '/proposals/mine',
      '/requirements?pageSize=50',
      `/requirements/${r.id}/negotiations/${orgId(a)}/messages`,
    ];
    for (const path of paths) {
      const res = await call(who, 'GET', path);
      expect(res.text, `${label} GET ${path}`).not.toContain(secretPlan);
      expect(res.text, `${label} GET ${path}`).not.toContain(String(secretPrice));
    }
  }

  it('before opening: the author sees it; the rival, the owner and other enterprises do not', async () => {
    expect((await call(a, 'GET', `/requirements/${r.id}/proposals/mine`)).json).toMatchObject({ priceFen: secretPrice, plan: secretPlan });
    const sealed = await call(e, 'GET', `/requirements/${r.id}/proposals`);
    expect(sealed.status).toBe(403);
    expect(sealed.json.error).toEqual({ code: 'FORBIDDEN', message: '开标前标书密封，开标后可以查看' });
    for (const [who, label] of [
      [rival, 'rival'],
      [e, 'owner'],
      [otherEnterprise, 'other enterprise'],
      [null, 'anonymous'],
    ] as const)
      await expectNoLeak(who, label);
    expect((await call(rival, 'GET', `/requirements/${r.id}/proposals/mine`)).json.priceFen).toBe(2_468_000);
    // The rival's writes touch only its own proposal.
    await call(rival, 'PUT', `/requirements/${r.id}/proposals/mine`, proposalInput(2_400_000));
    await call(rival, 'DELETE', `/requirements/${r.id}/proposals/mine`);
    expect((await call(a, 'GET', `/requirements/${r.id}/proposals/mine`)).json).toMatchObject({ priceFen: secretPrice, status: 'active', revision: 1 });
    await bid(rival, r.id, 2_468_000);
    // Operators may look at any time.
    const ops = await call(op, 'GET', `/requirements/${r.id}/proposals`);
    expect(ops.status).toBe(200);
    expect(ops.json.map((p: { priceFen: number }) => p.priceFen)).toEqual([secretPrice, 2_468_000]);
  });

  it('from the opening time on: the owner sees every proposal, lowest price first; proposals are frozen', async () => {
    await later(25 * HOUR, e, a, b, otherEnterprise);
    const res = await call(e, 'GET', `/requirements/${r.id}/proposals`);
    expect(res.status).toBe(200);
    expect(res.json.map((p: { providerId: string; priceFen: number }) => [p.providerId, p.priceFen])).toEqual([
      [orgId(a), secretPrice],
      [orgId(b), 2_468_000],
    ]);
    expect(res.json[0]).toMatchObject({ plan: secretPlan, providerName: expect.any(String) });
    for (const [who, label] of [
      [rival, 'rival'],
      [otherEnterprise, 'other enterprise'],
      [null, 'anonymous'],
    ] as const)
      await expectNoLeak(who, label);
    expect((await call(otherEnterprise, 'GET', `/requirements/${r.id}/proposals`)).status).toBe(404);
    expect((await call(rival, 'GET', `/requirements/${r.id}/proposals`)).status).toBe(404);
    const frozen = await call(await provider(), 'POST', `/requirements/${r.id}/proposals`, proposalInput());
    expect(frozen.status).toBe(409);
    expect(frozen.json.error).toEqual({ code: 'PROPOSALS_FROZEN', message: '已到开标时间，标书已封存' });
    expect((await call(a, 'PUT', `/requirements/${r.id}/proposals/mine`, proposalInput(1_000_000))).json.error.code).toBe('PROPOSALS_FROZEN');
    expect((await call(a, 'DELETE', `/requirements/${r.id}/proposals/mine`)).json.error.code).toBe('PROPOSALS_FROZEN');
    expect((await call(a, 'GET', '/proposals/mine')).json.items[0]).toMatchObject({ editable: false, requirement: { opened: true } });
  });

  it('select: the owner picks a bidder after opening; the others are not selected', async () => {
    const noBid = await provider();
    const bad = await call(e, 'POST', `/requirements/${r.id}/select`, { providerId: 'x' });
    expect(bad.status).toBe(400);
    expect(bad.json.error.fields).toEqual({ providerId: '请选择服务机构' });
    const stranger = await call(e, 'POST', `/requirements/${r.id}/select`, { providerId: orgId(noBid) });
    expect(stranger.status).toBe(400);
    expect(stranger.json.error.fields).toEqual({ providerId: '该服务机构没有有效的标书' });
    expect((await call(otherEnterprise, 'POST', `/requirements/${r.id}/select`, { providerId: orgId(a) })).status).toBe(404);
    expect((await call(a, 'POST', `/requirements/${r.id}/select`, { providerId: orgId(a) })).status).toBe(404);
    await h.expectRefusals('signed-in', { method: 'POST', path: `/api/v1/requirements/${r.id}/select`, body: { providerId: orgId(a) } });
    const res = await call(e, 'POST', `/requirements/${r.id}/select`, { providerId: orgId(a) });
    expect(res.status, res.text).toBe(200);
    expect(res.json).toMatchObject({ state: 'awarded', stateLabel: '待实施', selectedProviderId: orgId(a) });
    expect((await call(a, 'GET', `/requirements/${r.id}/proposals/mine`)).json.status).toBe('selected');
    expect((await call(b, 'GET', `/requirements/${r.id}/proposals/mine`)).json.status).toBe('not_selected');
    const twice = await call(e, 'POST', `/requirements/${r.id}/select`, { providerId: orgId(b) });
    expect(twice.status).toBe(409);
    await expectNoLeak(b, 'rival after award');
  });
});

describe('withdraw, abandon, retender, end, delete: the deposit rules through the API', () => {
  it('withdraw with no bidders: the whole deposit comes back', async () => {
    const e = await enterprise(20_000);
    const r = await published(e);
    const res = await call(e, 'POST', `/requirements/${r.id}/withdraw`);
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ refundFen: 20_000, forfeitFen: 0, requirement: { state: 'withdrawn', depositStatus: 'refunded' } });
    expect(await available(e)).toBe(20_000);
    expect((await call(null, 'GET', `/requirements/${r.id}`)).status).toBe(404);
    expect((await call(e, 'POST', `/requirements/${r.id}/withdraw`)).status).toBe(409);
  });

  it('withdraw with bidders ≥ 24 h before opening forfeits ¥50.00; bidders are told and their proposals closed', async () => {
    const e = await enterprise(20_000);
    const r = await published(e);
    const pr = await provider();
    await bid(pr, r.id);
    const res = await call(e, 'POST', `/requirements/${r.id}/withdraw`);
    expect(res.json).toMatchObject({ refundFen: 15_000, forfeitFen: 5_000, requirement: { state: 'withdrawn', depositStatus: 'partly_refunded' } });
    expect(await available(e)).toBe(15_000);
    expect((await call(pr, 'GET', `/requirements/${r.id}/proposals/mine`)).json.status).toBe('not_selected');
    const inbox = await call(pr, 'GET', '/messages');
    expect(inbox.json.items[0].title).toBe('项目已撤销');
    // The bidder may still open the withdrawn requirement it bid on; the public may not.
    expect((await call(pr, 'GET', `/requirements/${r.id}`)).json.state).toBe('withdrawn');
  });

  it('withdraw with bidders under 24 h before opening forfeits ¥100.00; at the opening time it is refused', async () => {
    const e = await enterprise(40_000);
    const pr = await provider();
    const soon = await published(e, { openingAt: new Date(clock.now().getTime() + 25 * HOUR).toISOString() });
    const opens = await published(e, { openingAt: new Date(clock.now().getTime() + 25 * HOUR).toISOString() });
    await bid(pr, soon.id);
    await later(2 * HOUR, e);
    const res = await call(e, 'POST', `/requirements/${soon.id}/withdraw`);
    expect(res.json).toMatchObject({ refundFen: 10_000, forfeitFen: 10_000 });
    expect(await available(e)).toBe(10_000);
    await later(23 * HOUR, e);
    const late = await call(e, 'POST', `/requirements/${opens.id}/withdraw`);
    expect(late.status).toBe(409);
    expect(late.json.error).toEqual({ code: 'OPENING_PASSED', message: '已到开标时间，不能撤销；可以放弃本次招标' });
    expect(await available(e)).toBe(10_000);
  });

  it('abandon → retender → abandon → end; free when fewer than the minimum bid', async () => {
    const e = await enterprise(20_000);
    const pr = await provider();
    const r = await published(e, { openingAt: new Date(clock.now().getTime() + 25 * HOUR).toISOString(), minBidders: 3 });
    await bid(pr, r.id);
    const early = await call(e, 'POST', `/requirements/${r.id}/abandon`);
    expect(early.status).toBe(409);
    expect(early.json.error.message).toBe('尚未到开标时间，不能放弃本次招标；可以撤销项目');
    await later(25 * HOUR, e, pr);
    expect((await call(e, 'GET', `/requirements/${r.id}`)).json.actions).toEqual(expect.arrayContaining(['abandon', 'abandon_free', 'select']));
    const abandoned = await call(e, 'POST', `/requirements/${r.id}/abandon`);
    expect(abandoned.status).toBe(200);
    expect(abandoned.json).toMatchObject({ state: 'abandoned', actions: expect.arrayContaining(['retender', 'end']) });

    const tooSoon = await call(e, 'POST', `/requirements/${r.id}/retender`, { openingAt: new Date(clock.now().getTime() + HOUR).toISOString() });
    expect(tooSoon.status).toBe(400);
    expect(tooSoon.json.error.fields).toEqual({ openingAt: '开标时间须至少在 24 小时之后' });
    const noDate = await call(e, 'POST', `/requirements/${r.id}/retender`, {});
    expect(noDate.json.error.fields).toEqual({ openingAt: '请选择新的开标时间' });
    const again = await call(e, 'POST', `/requirements/${r.id}/retender`, {
      openingAt: new Date(clock.now().getTime() + 25 * HOUR).toISOString(),
      minBidders: 1,
    });
    expect(again.status, again.text).toBe(200);
    expect(again.json).toMatchObject({ state: 'open', round: 2, minBidders: 1, opened: false });
    expect((await call(pr, 'GET', `/requirements/${r.id}/proposals/mine`)).json.status).toBe('active');

    await later(25 * HOUR, e, pr);
    const second = await call(e, 'POST', `/requirements/${r.id}/abandon`);
    expect(second.json.state).toBe('abandoned');
    // One bidder met the minimum of one: ending now forfeits like a late withdrawal.
    const ended = await call(e, 'POST', `/requirements/${r.id}/end`);
    expect(ended.status).toBe(200);
    expect(ended.json).toMatchObject({ refundFen: 10_000, forfeitFen: 10_000, requirement: { state: 'closed' } });
    expect(await available(e)).toBe(10_000);
    expect((await call(e, 'POST', `/requirements/${r.id}/end`)).status).toBe(409);
  });

  it('end after a round short of bidders refunds in full', async () => {
    const e = await enterprise(20_000);
    const r = await published(e, { openingAt: new Date(clock.now().getTime() + 25 * HOUR).toISOString(), minBidders: 2 });
    await bid(await provider(), r.id);
    await later(25 * HOUR, e);
    expect((await call(e, 'POST', `/requirements/${r.id}/abandon`)).status).toBe(200);
    const ended = await call(e, 'POST', `/requirements/${r.id}/end`);
    expect(ended.json).toMatchObject({ refundFen: 20_000, forfeitFen: 0 });
    expect(await available(e)).toBe(20_000);
  });

  it('delete an invitation project: the deposit comes back in full; competitive ones cannot be deleted', async () => {
    const e = await enterprise(40_000);
    const inv = await published(e, { mode: 'invitation', openingAt: null });
    const comp = await published(e);
    const refused = await call(e, 'POST', `/requirements/${comp.id}/delete`);
    expect(refused.status).toBe(409);
    expect(refused.json.error.code).toBe('WRONG_REQUIREMENT_STATE');
    expect((await call(e, 'POST', `/requirements/${inv.id}/withdraw`)).status).toBe(409);
    const res = await call(e, 'POST', `/requirements/${inv.id}/delete`);
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ refundFen: 20_000, forfeitFen: 0, requirement: { state: 'closed' } });
    expect(await available(e)).toBe(20_000);
  });

  it('auth: 401 anonymous; a provider or another enterprise gets 404 and moves no money', async () => {
    const e = await enterprise(20_000);
    const r = await published(e);
    const strangers = [await provider(), await enterprise()];
    for (const action of ['withdraw', 'abandon', 'end', 'delete']) {
      await h.expectRefusals('signed-in', { method: 'POST', path: `/api/v1/requirements/${r.id}/${action}` });
      for (const who of strangers) expect((await call(who, 'POST', `/requirements/${r.id}/${action}`)).status, action).toBe(404);
    }
    const retender = { openingAt: new Date(clock.now().getTime() + 48 * HOUR).toISOString() };
    await h.expectRefusals('signed-in', { method: 'POST', path: `/api/v1/requirements/${r.id}/retender`, body: retender });
    for (const who of strangers) expect((await call(who, 'POST', `/requirements/${r.id}/retender`, retender)).status).toBe(404);
    expect((await call(e, 'GET', `/requirements/${r.id}`)).json).toMatchObject({ state: 'open', depositStatus: 'held' });
    expect(await available(e)).toBe(0);
  });
});

describe('GET /openapi.json', () => {
  it('publishes every tenders route with its schemas', async () => {
    const res = await call(null, 'GET', '/openapi.json');
    expect(res.status).toBe(200);
    const paths = res.json.paths as Record<string, Record<string, unknown>>;
    const expected: [string, string][] = [
      ['get', '/service-categories'],
      ['get', '/requirements'],
      ['post', '/requirements'],
      ['get', '/requirements/mine'],
      ['get', '/requirements/{id}'],
      ['put', '/requirements/{id}'],
      ['delete', '/requirements/{id}'],
      ...['submit', 'withdraw', 'abandon', 'retender', 'end', 'delete', 'select'].map((a) => ['post', `/requirements/{id}/${a}`] as [string, string]),
      ['get', '/requirements/{id}/events'],
      ['get', '/requirements/{id}/proposals'],
      ['post', '/requirements/{id}/proposals'],
      ['get', '/requirements/{id}/proposals/mine'],
      ['put', '/requirements/{id}/proposals/mine'],
      ['delete', '/requirements/{id}/proposals/mine'],
      ['get', '/proposals/mine'],
      ['get', '/admin/requirements'],
      ['post', '/admin/requirements/{id}/review'],
      ['get', '/admin/settings/deposit'],
      ['put', '/admin/settings/deposit'],
    ];
    for (const [method, path] of expected) expect(paths[`/api/v1${path}`]?.[method], `${method} ${path}`).toBeDefined();
    for (const name of ['Requirement', 'Proposal', 'MyBid', 'DepositOutcome', 'DepositSettings', 'RequirementEvent', 'Attachment'])
      expect(res.json.components.schemas, name).toHaveProperty(name);
    expect(JSON.stringify(paths['/api/v1/requirements/{id}/proposals']!.post)).toContain('#/components/schemas/Proposal');
  });
});
