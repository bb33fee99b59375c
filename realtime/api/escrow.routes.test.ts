import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../core/shared/actor';
import { findCjkFont } from '../../core/shared/cjk-font';
import { pdfText } from '../../core/testing/pdf-text';
import { awardedRequirement, fund } from '../../core/testing/tenders-factories';
import { ManualClock } from '../../core/testing/test-platform';
import { createApiHarness, read, type ApiHarness } from './test-helpers';

type Person = { input: { username: string; password: string; organisationName?: string }; token: string; actor: Actor };

const START = new Date('2026-11-23T02:00:00Z');
const clock = new ManualClock(START);
let h: ApiHarness;
let op: Person;
let opsActor: Actor;
beforeAll(async () => {
  h = await createApiHarness({ clock });
  op = (await h.operator()) as Person;
  opsActor = (await h.platform.services.accounts.validateSessionToken(op.token))!.actor;
});
afterAll(() => h?.close());

const NO_SUCH = '00000000-0000-4000-8000-000000000000';
const call = (who: Person | null, method: string, path: string, body?: unknown) => h.json(method, `/api/v1${path}`, body, who ? { token: who.token } : {});
const orgId = (p: Person) => p.actor.organisation!.organisationId;
const provider = async () => (await h.user({ accountType: 'provider' })) as Person;
const enterprise = async () => (await h.user({ accountType: 'enterprise' })) as Person;
const available = async (p: Person) => (await call(p, 'GET', '/wallet')).json.availableFen as number;
const expectError = (res: { status: number; json: any; text: string }, status: number, code: string) => {
  expect(res.status, res.text).toBe(status);
  expect(res.json.error.code, res.text).toBe(code);
};

/** Two milestones, ¥10,000 + ¥20,000, over December 2026 – March 2027. */
const draft = (over: Record<string, unknown> = {}) => ({
  scope: '全年代理记账、月度纳税申报与年度汇算清缴，按月提交报表。',
  totalFen: 3_000_000,
  startDate: '2026-12-01',
  endDate: '2027-03-31',
  releaseMode: 'per_milestone',
  milestones: [
    { title: '建账与首月申报', deliverables: '账套、首月申报表', amountFen: 1_000_000, dueDate: '2026-12-31' },
    { title: '汇算清缴', deliverables: '年度汇算清缴报告', amountFen: 2_000_000, dueDate: '2027-03-31' },
  ],
  ...over,
});

/** Signs everyone still needed in again after the clock moved (sessions idle out after a day). */
async function relogin(...people: Person[]) {
  for (const p of [op, ...people]) p.token = await h.loginAs(p.input);
}

/** A requirement whose provider was selected (the clock is then at its opening time), with fresh bearer tokens. */
async function awarded(opts: Parameters<typeof awardedRequirement>[2] = {}) {
  clock.set(START);
  const t = await awardedRequirement(h.platform, opsActor, opts);
  const e = t.e as Person;
  const pr = t.pr as Person;
  await relogin(e, pr);
  return { r: t.r, e, pr };
}

/** An agreement drafted, sent and confirmed through the API. */
async function confirmed(over: Record<string, unknown> = {}, opts: Parameters<typeof awardedRequirement>[2] = {}) {
  const t = await awarded(opts);
  const d = await call(t.pr, 'PUT', `/requirements/${t.r.id}/agreement`, draft(over));
  expect(d.status, d.text).toBe(200);
  expect((await call(t.pr, 'POST', `/agreements/${d.json.id}/send`)).status).toBe(200);
  const c = await call(t.e, 'POST', `/agreements/${d.json.id}/confirm`);
  expect(c.status, c.text).toBe(200);
  return { ...t, ag: c.json as { id: string; agreementNo: string; milestones: { id: string }[] } };
}

/** A confirmed agreement with escrow paid (full escrow unless told otherwise). */
async function funded(
  over: Record<string, unknown> = {},
  opts: Parameters<typeof awardedRequirement>[2] = { paymentMode: 'full_escrow', enterpriseFundsFen: 3_000_000 },
) {
  const t = await confirmed(over, opts);
  const res = await call(t.e, 'POST', `/agreements/${t.ag.id}/escrow`);
  expect(res.status, res.text).toBe(200);
  return { ...t, ag: res.json.agreement as { id: string; agreementNo: string; milestones: { id: string; status: string }[] } };
}

async function upload(who: Person, name = '交付说明.pdf') {
  const form = new FormData();
  form.append('file', new File([new TextEncoder().encode('%PDF-1.4\n% 交付说明\n')], name, { type: 'application/pdf' }));
  const res = await read(await h.app.request('/api/v1/files', { method: 'POST', headers: { authorization: `Bearer ${who.token}` }, body: form }));
  expect(res.status, res.text).toBe(201);
  return res.json as { id: string; url: string; filename: string };
}
const download = (who: Person | null, url: string) => h.app.request(url, { headers: who ? { authorization: `Bearer ${who.token}` } : {} });

describe('agreements: GET /requirements/{id}/agreement-basis, PUT /requirements/{id}/agreement, POST /agreements/{id}/send|return|confirm, GET /agreements/{id}/pdf', () => {
  it('happy: selection → draft → send → return → revise → confirm → the formal PDF for both parties', async () => {
    const t = await awarded();
    const basis = await call(t.pr, 'GET', `/requirements/${t.r.id}/agreement-basis`);
    expect(basis.status, basis.text).toBe(200);
    expect(basis.json).toMatchObject({
      requirement: { id: t.r.id, paymentMode: 'instalments', state: 'awarded' },
      winningPriceFen: 3_000_000,
      agreementId: null,
    });
    expect((await call(t.e, 'GET', `/requirements/${t.r.id}/agreement-basis`)).status).toBe(200);
    const awaiting = async (who: Person) =>
      ((await call(who, 'GET', '/agreements/awaiting')).json as { requirementId: string }[]).find((x) => x.requirementId === t.r.id);
    expect(await awaiting(t.pr)).toMatchObject({ side: 'provider', todo: '待起草协议', counterparty: t.e.input.organisationName });
    expect(await awaiting(t.e)).toMatchObject({ side: 'enterprise', todo: '待服务机构起草协议' });

    const d = await call(t.pr, 'PUT', `/requirements/${t.r.id}/agreement`, draft());
    expect(d.status, d.text).toBe(200);
    expect(d.json).toMatchObject({
      status: 'draft',
      statusLabel: '草稿',
      side: 'provider',
      version: 0,
      totalFen: 3_000_000,
      paymentMode: 'instalments',
      releaseMode: 'per_milestone',
      pdfUrl: null,
    });
    expect(d.json.milestones.map((m: { seq: number; status: string }) => [m.seq, m.status])).toEqual([
      [1, 'unfunded'],
      [2, 'unfunded'],
    ]);
    const id = d.json.id as string;
    expect((await call(t.pr, 'GET', `/requirements/${t.r.id}/agreement-basis`)).json.agreementId).toBe(id);
    expect(await awaiting(t.pr)).toBeUndefined();
    expect((await call(t.e, 'GET', `/agreements/${id}`)).json).toMatchObject({ id, side: 'enterprise', status: 'draft' });
    expectError(await call(t.e, 'POST', `/agreements/${id}/confirm`), 409, 'AGREEMENT_NOT_SENT');
    expect((await call(t.e, 'GET', `/agreements/${id}/pdf`)).json).toMatchObject({ error: { code: 'NOT_FOUND', message: '协议尚未生效，还没有正式协议书' } });

    const sent = await call(t.pr, 'POST', `/agreements/${id}/send`);
    expect(sent.status, sent.text).toBe(200);
    expect(sent.json).toMatchObject({ status: 'sent', statusLabel: '待企业确认', version: 1 });
    expectError(await call(t.pr, 'POST', `/agreements/${id}/send`), 409, 'AGREEMENT_NOT_EDITABLE');
    expectError(await call(t.pr, 'PUT', `/requirements/${t.r.id}/agreement`, draft()), 409, 'AGREEMENT_NOT_EDITABLE');
    const listed = await call(t.e, 'GET', '/agreements');
    expect(listed.json.items.find((i: { id: string }) => i.id === id)).toMatchObject({
      side: 'enterprise',
      todo: '待确认协议',
      counterparty: t.pr.input.organisationName,
    });

    const back = await call(t.e, 'POST', `/agreements/${id}/return`, { comment: '请把首个里程碑改为两周内完成' });
    expect(back.status, back.text).toBe(200);
    expect(back.json).toMatchObject({ status: 'returned', returnComment: '请把首个里程碑改为两周内完成' });
    const revised = await call(
      t.pr,
      'PUT',
      `/requirements/${t.r.id}/agreement`,
      draft({ milestones: [{ ...draft().milestones[0]!, dueDate: '2026-12-15' }, draft().milestones[1]!] }),
    );
    expect(revised.status, revised.text).toBe(200);
    expect(revised.json).toMatchObject({ id, status: 'returned', milestones: [{ dueDate: '2026-12-15' }, { dueDate: '2027-03-31' }] });
    expect((await call(t.pr, 'POST', `/agreements/${id}/send`)).json).toMatchObject({ status: 'sent', version: 2, returnComment: null });

    const done = await call(t.e, 'POST', `/agreements/${id}/confirm`);
    expect(done.status, done.text).toBe(200);
    expect(done.json).toMatchObject({
      status: 'confirmed',
      version: 2,
      contentSha256: expect.stringMatching(/^[0-9a-f]{64}$/),
      pdfUrl: `/api/v1/agreements/${id}/pdf`,
    });
    expect(done.json.versions.map((v: { version: number; returnComment: string | null }) => [v.version, v.returnComment])).toEqual([
      [1, '请把首个里程碑改为两周内完成'],
      [2, null],
    ]);
    expectError(await call(t.e, 'POST', `/agreements/${id}/return`, { comment: '再改改' }), 409, 'AGREEMENT_NOT_SENT');
    expectError(await call(t.e, 'POST', `/agreements/${id}/confirm`), 409, 'AGREEMENT_NOT_SENT');

    const agreementNo = done.json.agreementNo as string;
    if (findCjkFont()) {
      const bodies: Buffer[] = [];
      for (const who of [t.pr, t.e, op]) {
        const res = await download(who, done.json.pdfUrl);
        expect(res.status).toBe(200);
        expect(res.headers.get('content-type')).toBe('application/pdf');
        expect(res.headers.get('content-disposition')).toBe(`attachment; filename*=UTF-8''${agreementNo}.pdf`);
        const bytes = Buffer.from(await res.arrayBuffer());
        expect(bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
        expect(Number(res.headers.get('content-length'))).toBe(bytes.byteLength);
        bodies.push(bytes);
      }
      // Made once, the same bytes for everyone.
      expect(bodies[1]!.equals(bodies[0]!) && bodies[2]!.equals(bodies[0]!)).toBe(true);
      const text = (await pdfText(new Uint8Array(bodies[0]!))).replace(/\s+/g, '');
      for (const s of [agreementNo, done.json.contentSha256, '人民币叁万元整', '2026-12-15', t.e.input.organisationName!, t.pr.input.organisationName!])
        expect(text).toContain(s);
    }

    const mine = await call(t.e, 'GET', '/agreements');
    expect(mine.status).toBe(200);
    expect(mine.json).toMatchObject({ page: 1, pageSize: 10 });
    expect(mine.json.items[0]).toMatchObject({
      id,
      agreementNo,
      side: 'enterprise',
      status: 'confirmed',
      todo: '待托管合同款',
      pdfUrl: `/api/v1/agreements/${id}/pdf`,
    });
    expect((await call(t.pr, 'GET', '/agreements?page=1&pageSize=5')).json.items[0]).toMatchObject({ id, side: 'provider', todo: null });
    // Operators read any agreement (read-only).
    expect((await call(op, 'GET', `/agreements/${id}`)).json).toMatchObject({ id, side: 'operator' });
    expectError(await call(op, 'POST', `/agreements/${id}/return`, { comment: '运营退回' }), 403, 'FORBIDDEN');
  });

  it('errors: field-level messages in Chinese for the draft, the return comment and the list query', async () => {
    const t = await awarded();
    const empty = await call(t.pr, 'PUT', `/requirements/${t.r.id}/agreement`, {});
    expect(empty.status).toBe(400);
    expect(empty.json.error).toMatchObject({ code: 'VALIDATION', message: '请检查填写的内容' });
    expect(empty.json.error.fields).toEqual({
      scope: '请填写服务内容',
      totalFen: '请填写合同总价',
      startDate: '请选择日期',
      endDate: '请选择日期',
      milestones: '至少需要一个里程碑',
    });

    const m0 = draft().milestones[0]!;
    const m1 = draft().milestones[1]!;
    const cases: [Record<string, unknown>, string, string][] = [
      [{ totalFen: 3_100_000 }, 'milestones', '里程碑金额合计 ¥30,000.00，须等于合同总价 ¥31,000.00'],
      [{ milestones: [m0, { ...m1, dueDate: '2027-04-30' }] }, 'milestones.1.dueDate', '里程碑日期须在合同起止日期之内'],
      [
        {
          milestones: [
            { ...m1, dueDate: '2027-03-31' },
            { ...m0, dueDate: '2026-12-31' },
          ],
        },
        'milestones.1.dueDate',
        '里程碑须按时间先后排列',
      ],
      [{ endDate: '2026-11-30' }, 'endDate', '结束日期不能早于开始日期'],
      [{ milestones: [{ ...m0, amountFen: 0 }, m1] }, 'milestones.0.amountFen', '里程碑金额必须大于 0'],
      [{ milestones: [{ ...m0, title: '建' }, m1] }, 'milestones.0.title', '里程碑名称至少 2 个字'],
      [{ milestones: [] }, 'milestones', '至少需要一个里程碑'],
      [{ scope: '太短了' }, 'scope', '服务内容至少 10 个字'],
      [{ startDate: '2026-02-30' }, 'startDate', '日期无效'],
      [{ releaseMode: 'whenever' }, 'releaseMode', '请选择放款方式'],
      [{ totalFen: 12.5 }, 'totalFen', '合同总价最多两位小数'],
    ];
    for (const [over, field, message] of cases) {
      const res = await call(t.pr, 'PUT', `/requirements/${t.r.id}/agreement`, draft(over));
      expect(res.status, `${field}: ${res.text}`).toBe(400);
      expect(res.json.error.fields?.[field], field).toBe(message);
    }
    const d = await call(t.pr, 'PUT', `/requirements/${t.r.id}/agreement`, draft());
    await call(t.pr, 'POST', `/agreements/${d.json.id}/send`);
    const noComment = await call(t.e, 'POST', `/agreements/${d.json.id}/return`, {});
    expect(noComment.status).toBe(400);
    expect(noComment.json.error.fields).toEqual({ comment: '请填写退回意见' });
    expect((await call(t.e, 'POST', `/agreements/${d.json.id}/return`, { comment: ' ' })).json.error.fields).toEqual({ comment: '请填写退回意见' });
    expect((await call(t.e, 'GET', '/agreements?pageSize=100')).json.error.fields).toEqual({ pageSize: '每页最多 50 条' });
    expect((await call(t.e, 'GET', '/agreements?page=0')).json.error.fields).toEqual({ page: '页码无效' });
    // Unknown ids: no agreement, no requirement.
    expectError(await call(t.e, 'GET', `/agreements/${NO_SUCH}`), 404, 'NOT_FOUND');
    expectError(await call(t.e, 'GET', '/agreements/not-a-uuid'), 404, 'NOT_FOUND');
    expectError(await call(t.pr, 'PUT', `/requirements/${NO_SUCH}/agreement`, draft()), 404, 'NOT_FOUND');
    expectError(await call(t.pr, 'GET', '/requirements/not-a-uuid/agreement-basis'), 404, 'NOT_FOUND');
  });

  it('auth: anonymous 401; the enterprise does not draft or send, the provider does not return or confirm (403); strangers never see the agreement or its PDF (404)', async () => {
    const t = await confirmed();
    const id = t.ag.id;
    const routes = [
      { method: 'GET', path: `/api/v1/requirements/${t.r.id}/agreement-basis` },
      { method: 'PUT', path: `/api/v1/requirements/${t.r.id}/agreement`, body: draft() },
      { method: 'GET', path: '/api/v1/agreements' },
      { method: 'GET', path: '/api/v1/agreements/awaiting' },
      { method: 'GET', path: `/api/v1/agreements/${id}` },
      { method: 'POST', path: `/api/v1/agreements/${id}/send` },
      { method: 'POST', path: `/api/v1/agreements/${id}/return`, body: { comment: '请修改' } },
      { method: 'POST', path: `/api/v1/agreements/${id}/confirm` },
      { method: 'GET', path: `/api/v1/agreements/${id}/pdf` },
    ];
    for (const r of routes) await h.expectRefusals('signed-in', r);

    const other = await awarded();
    for (const stranger of [await provider(), await enterprise()]) expect((await call(stranger, 'GET', '/agreements/awaiting')).json).toEqual([]);
    const d = await call(other.pr, 'PUT', `/requirements/${other.r.id}/agreement`, draft());
    const byEnterprise = await call(other.e, 'PUT', `/requirements/${other.r.id}/agreement`, draft());
    expectError(byEnterprise, 403, 'FORBIDDEN');
    expect(byEnterprise.json.error.message).toBe('协议由选中的服务机构起草');
    expectError(await call(other.e, 'POST', `/agreements/${d.json.id}/send`), 403, 'FORBIDDEN');
    await call(other.pr, 'POST', `/agreements/${d.json.id}/send`);
    expectError(await call(other.pr, 'POST', `/agreements/${d.json.id}/return`, { comment: '自己退回' }), 403, 'FORBIDDEN');
    expectError(await call(other.pr, 'POST', `/agreements/${d.json.id}/confirm`), 403, 'FORBIDDEN');

    for (const stranger of [await provider(), await enterprise()]) {
      expectError(await call(stranger, 'GET', `/requirements/${t.r.id}/agreement-basis`), 404, 'NOT_FOUND');
      expectError(await call(stranger, 'PUT', `/requirements/${other.r.id}/agreement`, draft()), 404, 'NOT_FOUND');
      const seen = await call(stranger, 'GET', `/agreements/${id}`);
      expectError(seen, 404, 'NOT_FOUND');
      expect(seen.text).not.toContain(t.ag.agreementNo);
      const pdf = await download(stranger, `/api/v1/agreements/${id}/pdf`);
      expect(pdf.status).toBe(404);
      expect(pdf.headers.get('content-type')).toMatch(/^application\/json/);
      for (const action of ['send', 'confirm']) expectError(await call(stranger, 'POST', `/agreements/${d.json.id}/${action}`), 404, 'NOT_FOUND');
      expectError(await call(stranger, 'POST', `/agreements/${d.json.id}/return`, { comment: '陌生人退回' }), 404, 'NOT_FOUND');
      expect((await call(stranger, 'GET', '/agreements')).json).toMatchObject({ items: [], total: 0 });
    }
  });
});

describe('escrow and milestones: POST /agreements/{id}/escrow, POST /milestones/{id}/deliver|return|accept, then reviews', () => {
  it('happy: a short balance is refused with nothing moved; funding, delivery with a file, return, acceptance, completion; reviews on the storefront', async () => {
    const t = await confirmed();
    const id = t.ag.id;
    const before = await available(t.e);
    const short = await call(t.e, 'POST', `/agreements/${id}/escrow`);
    expectError(short, 409, 'INSUFFICIENT_FUNDS');
    expect(short.json.error.message).toContain('还差 ¥10,000.00');
    expect(short.json.error.fields.amount).toContain('还差 ¥10,000.00');
    expect(await available(t.e)).toBe(before);

    await fund(h.platform, t.e.actor, 3_000_000);
    const first = await call(t.e, 'POST', `/agreements/${id}/escrow`);
    expect(first.status, first.text).toBe(200);
    // Instalments: nothing more is due until milestone 1 is accepted.
    expect(first.json).toMatchObject({ fundedFen: 1_000_000, depositRefundFen: 20_000, agreement: { escrow: { inEscrowFen: 1_000_000, nextToFundFen: 0 } } });
    expect(first.json.agreement.milestones.map((m: { status: string }) => m.status)).toEqual(['funded', 'unfunded']);
    expect((await call(t.e, 'GET', `/requirements/${t.r.id}`)).json).toMatchObject({ state: 'in_progress', depositStatus: 'refunded' });
    const [m1, m2] = first.json.agreement.milestones as { id: string }[];

    const file = await upload(t.pr);
    const delivered = await call(t.pr, 'POST', `/milestones/${m1!.id}/deliver`, { note: '账套已建立，12 月申报完成', attachmentIds: [file.id] });
    expect(delivered.status, delivered.text).toBe(200);
    const dm = delivered.json.milestones[0];
    expect(dm).toMatchObject({ status: 'delivered', statusLabel: '待验收', reminderDueAt: expect.any(String), autoAcceptAt: expect.any(String) });
    expect(dm.timeline.at(-1)).toMatchObject({ type: 'delivered', note: '账套已建立，12 月申报完成', attachments: [{ id: file.id, url: file.url }] });
    expect((await download(t.e, file.url)).status).toBe(200);
    expect((await call(t.e, 'GET', '/agreements')).json.items[0]).toMatchObject({ id, todo: '待验收里程碑' });

    const returned = await call(t.e, 'POST', `/milestones/${m1!.id}/return`, { reason: '首月申报表缺少附表' });
    expect(returned.status, returned.text).toBe(200);
    expect(returned.json.milestones[0]).toMatchObject({ status: 'funded', autoAcceptAt: null });
    await call(t.pr, 'POST', `/milestones/${m1!.id}/deliver`, { note: '已补充附表' });
    const providerBefore = await available(t.pr);
    const accepted = await call(t.e, 'POST', `/milestones/${m1!.id}/accept`);
    expect(accepted.status, accepted.text).toBe(200);
    expect(accepted.json.milestones[0]).toMatchObject({ status: 'released', releasedFen: 1_000_000 });
    expect(accepted.json.completedAt).toBeNull();
    expect(await available(t.pr)).toBe(providerBefore + 1_000_000);
    expectError(await call(t.e, 'POST', `/milestones/${m1!.id}/accept`), 409, 'MILESTONE_SETTLED');
    const early = await call(t.e, 'POST', `/agreements/${id}/reviews`, { quality: 5, timeliness: 5, communication: 5 });
    expectError(early, 409, 'AGREEMENT_NOT_COMPLETED');
    expect(early.json.error.message).toBe('项目完成后才能评价');

    const second = await call(t.e, 'POST', `/agreements/${id}/escrow`);
    expect(second.json).toMatchObject({ fundedFen: 2_000_000, depositRefundFen: 0 });
    const again = await call(t.e, 'POST', `/agreements/${id}/escrow`);
    expectError(again, 409, 'ESCROW_FULLY_FUNDED');
    expect(again.json.error.message).toBe('合同款已全部托管');
    await call(t.pr, 'POST', `/milestones/${m2!.id}/deliver`, { note: '汇算清缴报告' });
    const last = await call(t.e, 'POST', `/milestones/${m2!.id}/accept`);
    expect(last.json.completedAt).toEqual(expect.any(String));
    expect(last.json.milestones[1].timeline.map((e: { type: string }) => e.type)).toEqual(['funded', 'delivered', 'accepted', 'released']);
    expect(last.json.canReview).toBe(true);
    expect(await available(t.pr)).toBe(providerBefore + 3_000_000);
    expect((await call(t.e, 'GET', `/requirements/${t.r.id}`)).json.state).toBe('completed');
    expect((await call(t.e, 'GET', '/agreements')).json.items[0]).toMatchObject({ id, statusLabel: '已完成', todo: null });
    expect((await call(op, 'GET', '/admin/escrow/check')).json).toMatchObject({ ok: true });

    // Reviews: each side once, on the storefront, one reply.
    const rev = await call(t.e, 'POST', `/agreements/${id}/reviews`, { quality: 5, timeliness: 4, communication: 5, body: '专业、及时' });
    expect(rev.status, rev.text).toBe(201);
    expect(rev.json).toMatchObject({ id, canReview: false, reviews: [{ quality: 5, body: '专业、及时', byMe: true, revieweeOrgId: orgId(t.pr) }] });
    expectError(await call(t.e, 'POST', `/agreements/${id}/reviews`, { quality: 1, timeliness: 1, communication: 1 }), 409, 'ALREADY_REVIEWED');
    expect((await call(t.pr, 'POST', `/agreements/${id}/reviews`, { quality: 4, timeliness: 4, communication: 4, body: '配合良好' })).status).toBe(201);
    const sf = await call(null, 'GET', `/storefronts/${orgId(t.pr)}`);
    expect(sf.json.rating.count).toBe(1);
    expect(sf.json.rating.average).toBeCloseTo(14 / 3);
    const ofProvider = await call(null, 'GET', `/organisations/${orgId(t.pr)}/reviews`);
    expect(ofProvider.status, ofProvider.text).toBe(200);
    expect(ofProvider.json).toMatchObject({
      count: 1,
      average: 4.7,
      quality: 5,
      timeliness: 4,
      communication: 5,
      items: [{ reviewer: t.e.input.organisationName, body: '专业、及时', reply: null }],
    });
    expect((await call(null, 'GET', `/organisations/${orgId(t.e)}/reviews?limit=5`)).json).toMatchObject({
      count: 1,
      average: 4,
      items: [{ body: '配合良好' }],
    });

    const reviewId = ofProvider.json.items[0].id as string;
    expectError(await call(t.e, 'POST', `/reviews/${reviewId}/reply`, { reply: '谢谢' }), 404, 'NOT_FOUND');
    const replied = await call(t.pr, 'POST', `/reviews/${reviewId}/reply`, { reply: '感谢信任' });
    expect(replied.status, replied.text).toBe(200);
    expect(replied.json).toMatchObject({ id: reviewId, reply: '感谢信任', repliedAt: expect.any(String) });
    expectError(await call(t.pr, 'POST', `/reviews/${reviewId}/reply`, { reply: '再次感谢' }), 409, 'ALREADY_REPLIED');
    expect((await call(null, 'GET', `/organisations/${orgId(t.pr)}/reviews`)).json.items[0]).toMatchObject({ reply: '感谢信任' });

    // What each side may do now follows the service: after-sales stays open for 30 days after completion, termination does not.
    expect(last.json.allowed).toEqual({ openCase: true, proposeTermination: false, answerTermination: false });
    expect((await call(t.pr, 'GET', `/agreements/${id}`)).json.allowed).toEqual({ openCase: false, proposeTermination: false, answerTermination: false });
    clock.advance(31 * 86_400_000);
    await relogin(t.e, t.pr);
    expect((await call(t.e, 'GET', `/agreements/${id}`)).json.allowed.openCase).toBe(false);
    expectError(await call(t.e, 'POST', `/agreements/${id}/after-sales-cases`, { reason: '完成一个多月后申请售后' }), 409, 'AFTER_SALES_PERIOD_OVER');
  });

  it('errors: field messages; a milestone not yet funded; the whole contract funded once', async () => {
    const t = await funded({}, { paymentMode: 'instalments', enterpriseFundsFen: 1_000_000 });
    const [m1, m2] = t.ag.milestones;
    const cases: [unknown, string, string][] = [
      [{}, 'note', '请说明交付内容'],
      [{ note: ' ' }, 'note', '请说明交付内容'],
      [{ note: '交付', attachmentIds: ['nope'] }, 'attachmentIds.0', '附件编号无效'],
      [{ note: '交付', attachmentIds: [NO_SUCH] }, 'attachmentIds', '附件不存在或不能使用'],
    ];
    for (const [body, field, message] of cases) {
      const res = await call(t.pr, 'POST', `/milestones/${m1!.id}/deliver`, body);
      expect(res.status, `${field}: ${res.text}`).toBe(400);
      expect(res.json.error.fields[field], field).toBe(message);
    }
    // Someone else's file cannot be passed off as a delivery.
    const foreign = await upload(await provider());
    expect((await call(t.pr, 'POST', `/milestones/${m1!.id}/deliver`, { note: '交付', attachmentIds: [foreign.id] })).json.error.fields).toEqual({
      attachmentIds: '附件不存在或不能使用',
    });
    const notFunded = await call(t.pr, 'POST', `/milestones/${m2!.id}/deliver`, { note: '提前交付' });
    expectError(notFunded, 409, 'MILESTONE_NOT_FUNDED');
    expect(notFunded.json.error.message).toBe('里程碑当前状态为「待托管」，不能提交交付');
    expectError(await call(t.e, 'POST', `/milestones/${m1!.id}/accept`), 409, 'MILESTONE_NOT_DELIVERED');
    await call(t.pr, 'POST', `/milestones/${m1!.id}/deliver`, { note: '首月交付' });
    expect((await call(t.e, 'POST', `/milestones/${m1!.id}/return`, {})).json.error.fields).toEqual({ reason: '请填写退回理由' });
    expect((await call(t.e, 'POST', `/milestones/${m1!.id}/return`, { reason: '改' })).json.error.fields).toEqual({ reason: '请填写退回理由' });
    expectError(await call(t.e, 'POST', `/milestones/${NO_SUCH}/accept`), 404, 'NOT_FOUND');
    expectError(await call(t.e, 'POST', '/milestones/not-a-uuid/accept'), 404, 'NOT_FOUND');
    // Instalments: the second milestone is paid before it starts, once the first is accepted …
    const early = await call(t.e, 'POST', `/agreements/${t.ag.id}/escrow`);
    expectError(early, 409, 'PREVIOUS_MILESTONE_OPEN');
    expect(early.json.error.message).toBe('里程碑 1 验收后再托管下一期合同款');
    expect((await call(t.e, 'POST', `/milestones/${m1!.id}/accept`)).status).toBe(200);
    // … and waits for the enterprise to top up.
    const short = await call(t.e, 'POST', `/agreements/${t.ag.id}/escrow`);
    expectError(short, 409, 'INSUFFICIENT_FUNDS');
    expect(short.json.error.message).toContain('托管 ¥20,000.00 还差 ¥19,800.00');
  });

  it('auth: anonymous 401; only the enterprise funds, accepts and returns, only the provider delivers (403); strangers get 404 and never read a delivery file', async () => {
    const t = await funded();
    const m1 = t.ag.milestones[0]!;
    const file = await upload(t.pr);
    await call(t.pr, 'POST', `/milestones/${m1.id}/deliver`, { note: '首月交付', attachmentIds: [file.id] });
    const routes = [
      { method: 'POST', path: `/api/v1/agreements/${t.ag.id}/escrow` },
      { method: 'POST', path: `/api/v1/milestones/${m1.id}/deliver`, body: { note: '交付' } },
      { method: 'POST', path: `/api/v1/milestones/${m1.id}/accept` },
      { method: 'POST', path: `/api/v1/milestones/${m1.id}/return`, body: { reason: '需修改' } },
      { method: 'POST', path: `/api/v1/agreements/${t.ag.id}/reviews`, body: { quality: 5, timeliness: 5, communication: 5 } },
      { method: 'POST', path: `/api/v1/reviews/${NO_SUCH}/reply`, body: { reply: '谢谢' } },
    ];
    for (const r of routes) await h.expectRefusals('signed-in', r);

    expectError(await call(t.pr, 'POST', `/agreements/${t.ag.id}/escrow`), 403, 'FORBIDDEN');
    expectError(await call(t.pr, 'POST', `/milestones/${m1.id}/accept`), 403, 'FORBIDDEN');
    expectError(await call(t.pr, 'POST', `/milestones/${m1.id}/return`, { reason: '自己退回' }), 403, 'FORBIDDEN');
    expectError(await call(t.e, 'POST', `/milestones/${m1.id}/deliver`, { note: '企业代交' }), 403, 'FORBIDDEN');
    expectError(await call(op, 'POST', `/milestones/${m1.id}/accept`), 404, 'NOT_FOUND');

    for (const stranger of [await provider(), await enterprise()]) {
      expectError(await call(stranger, 'POST', `/agreements/${t.ag.id}/escrow`), 404, 'NOT_FOUND');
      expectError(await call(stranger, 'POST', `/milestones/${m1.id}/accept`), 404, 'NOT_FOUND');
      expectError(await call(stranger, 'POST', `/milestones/${m1.id}/return`, { reason: '陌生人退回' }), 404, 'NOT_FOUND');
      expectError(await call(stranger, 'POST', `/milestones/${m1.id}/deliver`, { note: '陌生人交付' }), 404, 'NOT_FOUND');
      expectError(await call(stranger, 'POST', `/agreements/${t.ag.id}/reviews`, { quality: 5, timeliness: 5, communication: 5 }), 404, 'NOT_FOUND');
      const res = await download(stranger, file.url);
      expect(res.status).toBe(404);
      expect(await res.text()).not.toContain('交付说明');
    }
    expect((await download(null, file.url)).status).not.toBe(200);
    expect((await download(t.e, file.url)).status).toBe(200);
    expect((await download(op, file.url)).status).toBe(200);
    expect((await call(t.e, 'GET', `/agreements/${t.ag.id}`)).json.milestones[0].status).toBe('delivered');
  });
});

describe('reviews: GET /organisations/{id}/reviews, POST /reviews/{id}/reply', () => {
  it('errors: stars 1–5 and a reply are required; unknown organisations and reviews are 404', async () => {
    const t = await funded({ milestones: [{ title: '全年服务', deliverables: '全部报表', amountFen: 3_000_000, dueDate: '2027-03-31' }] });
    await call(t.pr, 'POST', `/milestones/${t.ag.milestones[0]!.id}/deliver`, { note: '全部交付' });
    await call(t.e, 'POST', `/milestones/${t.ag.milestones[0]!.id}/accept`);
    const cases: [unknown, Record<string, string>][] = [
      [{}, { quality: '请为服务质量打分', timeliness: '请为及时性打分', communication: '请为沟通打分' }],
      [
        { quality: 6, timeliness: 0, communication: 4.5 },
        { quality: '服务质量为 1–5 星', timeliness: '及时性为 1–5 星', communication: '请为沟通打分' },
      ],
    ];
    for (const [body, fields] of cases) {
      const res = await call(t.e, 'POST', `/agreements/${t.ag.id}/reviews`, body);
      expect(res.status, res.text).toBe(400);
      expect(res.json.error.fields).toEqual(fields);
    }
    expect(
      (await call(t.e, 'POST', `/agreements/${t.ag.id}/reviews`, { quality: 5, timeliness: 5, communication: 5, body: '好'.repeat(2001) })).json.error.fields,
    ).toEqual({ body: '评价不超过 2000 字' });
    expect((await call(t.e, 'POST', `/agreements/${t.ag.id}/reviews`, { quality: 5, timeliness: 5, communication: 5 })).status).toBe(201);
    const reviewId = (await call(null, 'GET', `/organisations/${orgId(t.pr)}/reviews`)).json.items[0].id as string;
    expect((await call(t.pr, 'POST', `/reviews/${reviewId}/reply`, {})).json.error.fields).toEqual({ reply: '请填写回复' });
    expectError(await call(t.pr, 'POST', `/reviews/${NO_SUCH}/reply`, { reply: '谢谢' }), 404, 'NOT_FOUND');
    expectError(await call(t.pr, 'POST', '/reviews/not-a-uuid/reply', { reply: '谢谢' }), 404, 'NOT_FOUND');
    expectError(await call(await provider(), 'POST', `/reviews/${reviewId}/reply`, { reply: '冒充回复' }), 404, 'NOT_FOUND');
    expect((await call(null, 'GET', `/organisations/${orgId(t.pr)}/reviews?limit=0`)).json.error.fields).toEqual({ limit: '条数为 1–50' });
    expectError(await call(null, 'GET', '/organisations/not-a-uuid/reviews'), 404, 'NOT_FOUND');
    expect((await call(null, 'GET', `/organisations/${NO_SUCH}/reviews`)).json).toMatchObject({ count: 0, average: null, items: [] });
  });
});

describe('after-sales cases: POST /agreements/{id}/after-sales-cases, GET /after-sales-cases/{id}, POST …/messages|escalate|withdraw, operator decision', () => {
  it('happy: a case holds unpaid escrow; the provider responds; escalated; the operator decides a split and ends the project', async () => {
    const t = await funded();
    const [m1] = t.ag.milestones;
    const opened = await call(t.e, 'POST', `/agreements/${t.ag.id}/after-sales-cases`, { reason: '首月报表错误较多，要求整改' });
    expect(opened.status, opened.text).toBe(201);
    expect(opened.json).toMatchObject({
      status: 'open',
      statusLabel: '待服务机构回应',
      side: 'enterprise',
      heldFen: 3_000_000,
      agreement: { id: t.ag.id },
      timeline: [{ type: 'opened', side: 'enterprise' }],
    });
    const caseId = opened.json.id as string;
    expectError(await call(t.e, 'POST', `/agreements/${t.ag.id}/after-sales-cases`, { reason: '再开一个售后' }), 409, 'AFTER_SALES_OPEN');
    expect((await call(t.e, 'GET', `/agreements/${t.ag.id}`)).json).toMatchObject({ openCaseId: caseId, escrow: { held: true } });

    // Nothing is paid while the case is open.
    const start = await available(t.pr);
    await call(t.pr, 'POST', `/milestones/${m1!.id}/deliver`, { note: '已整改' });
    expect((await call(t.e, 'POST', `/milestones/${m1!.id}/accept`)).json.milestones[0].status).toBe('accepted');
    expect(await available(t.pr)).toBe(start);

    const file = await upload(t.pr, '整改说明.pdf');
    const responded = await call(t.pr, 'POST', `/after-sales-cases/${caseId}/messages`, {
      kind: 'respond',
      body: '已按要求整改，请查收',
      attachmentIds: [file.id],
    });
    expect(responded.status, responded.text).toBe(200);
    expect(responded.json).toMatchObject({ status: 'responded', side: 'provider' });
    expect(responded.json.timeline.at(-1)).toMatchObject({ type: 'respond', side: 'provider', body: '已按要求整改，请查收', attachments: [{ id: file.id }] });
    expect((await download(t.e, file.url)).status).toBe(200);
    const comment = await call(t.e, 'POST', `/after-sales-cases/${caseId}/messages`, { body: '仍有两张报表不对' });
    expect(comment.json).toMatchObject({
      status: 'responded',
      timeline: expect.arrayContaining([expect.objectContaining({ type: 'comment', side: 'enterprise' })]),
    });
    expect((await call(t.pr, 'GET', `/after-sales-cases/${caseId}`)).json).toMatchObject({ id: caseId, side: 'provider' });

    expectError(
      await call(op, 'POST', `/admin/after-sales-cases/${caseId}/decision`, { refundFen: 0, payFen: 3_000_000, reason: '尚未升级就处理' }),
      409,
      'AFTER_SALES_NOT_ESCALATED',
    );
    const escalated = await call(t.pr, 'POST', `/after-sales-cases/${caseId}/escalate`);
    expect(escalated.status, escalated.text).toBe(200);
    expect(escalated.json).toMatchObject({ status: 'escalated', statusLabel: '平台处理中' });

    const queue = await call(op, 'GET', '/admin/after-sales-cases');
    expect(queue.status).toBe(200);
    expect(queue.json.find((c: { id: string }) => c.id === caseId)).toMatchObject({ status: 'escalated', agreementNo: t.ag.agreementNo });
    const statuses = queue.json.map((c: { status: string }) => c.status);
    expect(statuses).toEqual([...statuses].sort((a: string, b: string) => Number(b === 'escalated') - Number(a === 'escalated')));
    expect((await call(op, 'GET', `/after-sales-cases/${caseId}`)).json).toMatchObject({ side: 'operator', heldFen: 3_000_000 });
    expect((await download(op, file.url)).status).toBe(200);

    const decided = await call(op, 'POST', `/admin/after-sales-cases/${caseId}/decision`, {
      refundFen: 1_000_000,
      payFen: 2_000_000,
      reason: '首月服务有瑕疵，退回部分款项',
      outcome: 'terminate',
    });
    expect(decided.status, decided.text).toBe(200);
    expect(decided.json).toMatchObject({ status: 'decided', refundFen: 1_000_000, payFen: 2_000_000, decisionReason: '首月服务有瑕疵，退回部分款项' });
    expect(decided.json.timeline.map((e: { type: string }) => e.type)).toEqual(['opened', 'respond', 'comment', 'escalate', 'decided']);
    expect(await available(t.pr)).toBe(start + 2_000_000);
    expect((await call(t.e, 'GET', `/agreements/${t.ag.id}`)).json).toMatchObject({ status: 'terminated', openCaseId: null, escrow: { inEscrowFen: 0 } });
    expect((await call(t.e, 'GET', `/requirements/${t.r.id}`)).json.state).toBe('closed');
    expectError(
      await call(op, 'POST', `/admin/after-sales-cases/${caseId}/decision`, { refundFen: 0, payFen: 0, reason: '再处理一次' }),
      409,
      'AFTER_SALES_CLOSED',
    );
    expect((await call(op, 'GET', '/admin/escrow/check')).json).toMatchObject({ ok: true });
    expect((await call(op, 'GET', '/admin/after-sales-cases')).json.map((c: { id: string }) => c.id)).not.toContain(caseId);
  });

  it('happy: the enterprise withdraws a case; accepted work is then paid', async () => {
    const t = await funded();
    const [m1, m2] = t.ag.milestones;
    const c = (await call(t.e, 'POST', `/agreements/${t.ag.id}/after-sales-cases`, { reason: '交付进度落后于约定' })).json;
    for (const m of [m1!, m2!]) {
      await call(t.pr, 'POST', `/milestones/${m.id}/deliver`, { note: '交付' });
      await call(t.e, 'POST', `/milestones/${m.id}/accept`);
    }
    const start = await available(t.pr);
    expectError(await call(t.pr, 'POST', `/after-sales-cases/${c.id}/withdraw`), 403, 'FORBIDDEN');
    const withdrawn = await call(t.e, 'POST', `/after-sales-cases/${c.id}/withdraw`, { body: '双方已沟通解决' });
    expect(withdrawn.status, withdrawn.text).toBe(200);
    expect(withdrawn.json).toMatchObject({ status: 'withdrawn', heldFen: 0 });
    expect(withdrawn.json.timeline.at(-1)).toMatchObject({ type: 'withdraw', body: '双方已沟通解决' });
    expect(await available(t.pr)).toBe(start + 3_000_000);
    expect((await call(t.e, 'GET', `/agreements/${t.ag.id}`)).json.completedAt).toEqual(expect.any(String));
    expectError(await call(t.e, 'POST', `/after-sales-cases/${c.id}/withdraw`), 409, 'AFTER_SALES_CLOSED');
    expectError(await call(t.e, 'POST', `/after-sales-cases/${c.id}/escalate`), 409, 'AFTER_SALES_CLOSED');
  });

  it('errors: field messages for the reason, messages, notes and the decision', async () => {
    const t = await funded();
    expect((await call(t.e, 'POST', `/agreements/${t.ag.id}/after-sales-cases`, {})).json.error.fields).toEqual({ reason: '请填写售后原因' });
    expect((await call(t.e, 'POST', `/agreements/${t.ag.id}/after-sales-cases`, { reason: '太短' })).json.error.fields).toEqual({
      reason: '售后原因至少 5 个字',
    });
    expect((await call(t.e, 'POST', `/agreements/${t.ag.id}/after-sales-cases`, { reason: '报表错误较多', attachmentIds: ['x'] })).json.error.fields).toEqual({
      'attachmentIds.0': '附件编号无效',
    });
    const c = (await call(t.e, 'POST', `/agreements/${t.ag.id}/after-sales-cases`, { reason: '报表错误较多' })).json;
    expect((await call(t.pr, 'POST', `/after-sales-cases/${c.id}/messages`, { kind: 'respond' })).json.error.fields).toEqual({ body: '请填写内容' });
    expect((await call(t.pr, 'POST', `/after-sales-cases/${c.id}/messages`, { kind: 'shout', body: '大声说' })).json.error.fields).toEqual({
      kind: '留言类型只能是 comment 或 respond',
    });
    expect((await call(t.pr, 'POST', `/after-sales-cases/${c.id}/escalate`, { body: 42 })).json.error.fields).toEqual({ body: '说明须为文字' });
    expect((await call(t.pr, 'POST', `/after-sales-cases/${c.id}/escalate`, { attachmentIds: ['nope'] })).json.error.fields).toEqual({
      'attachmentIds.0': '附件编号无效',
    });
    expect((await call(t.pr, 'POST', `/after-sales-cases/${c.id}/escalate`, { attachmentIds: [NO_SUCH] })).json.error.fields).toEqual({
      attachmentIds: '附件不存在或不能使用',
    });
    expect((await call(t.e, 'GET', `/after-sales-cases/${c.id}`)).json.status).toBe('open');
    expect((await call(t.pr, 'POST', `/after-sales-cases/${c.id}/escalate`, { body: '双方意见不一致' })).json.status).toBe('escalated');
    const decisions: [unknown, Record<string, string>][] = [
      [{}, { refundFen: '请填写退回企业金额', payFen: '请填写支付服务机构金额', reason: '请填写处理理由' }],
      [
        { refundFen: -1, payFen: 1.5, reason: '理由', outcome: 'maybe' },
        { refundFen: '退回企业金额不能为负', payFen: '支付服务机构金额最多两位小数', reason: '处理理由至少 5 个字', outcome: '请选择项目是否继续' },
      ],
      [
        { refundFen: 1, payFen: 1, reason: '金额不对的处理' },
        { refundFen: '支付与退回之和须等于托管中的 ¥30,000.00', payFen: '支付与退回之和须等于托管中的 ¥30,000.00' },
      ],
    ];
    for (const [body, fields] of decisions) {
      const res = await call(op, 'POST', `/admin/after-sales-cases/${c.id}/decision`, body);
      expect(res.status, res.text).toBe(400);
      expect(res.json.error.fields).toEqual(fields);
    }
    expect((await call(t.e, 'GET', `/after-sales-cases/${c.id}`)).json.status).toBe('escalated');
    expectError(await call(op, 'POST', `/admin/after-sales-cases/${NO_SUCH}/decision`, { refundFen: 0, payFen: 0, reason: '不存在的售后' }), 404, 'NOT_FOUND');
    // The project goes on: the split is paid and refunded, the agreement stays in force.
    const cont = await call(op, 'POST', `/admin/after-sales-cases/${c.id}/decision`, { refundFen: 0, payFen: 3_000_000, reason: '服务机构已按约定交付' });
    expect(cont.json).toMatchObject({ status: 'decided', payFen: 3_000_000 });
    expect((await call(t.e, 'GET', `/agreements/${t.ag.id}`)).json).toMatchObject({ status: 'confirmed', escrow: { inEscrowFen: 0, releasedFen: 3_000_000 } });
  });

  it('auth: anonymous 401; only the enterprise opens and withdraws, only the provider responds (403); strangers never see a case or its files (404); operator routes refuse others', async () => {
    const t = await funded();
    const file = await upload(t.e, '问题截图.pdf');
    const c = (await call(t.e, 'POST', `/agreements/${t.ag.id}/after-sales-cases`, { reason: '首月报表错误较多', attachmentIds: [file.id] })).json;
    expect(c.timeline[0].attachments).toMatchObject([{ id: file.id }]);
    const routes = [
      { method: 'POST', path: `/api/v1/agreements/${t.ag.id}/after-sales-cases`, body: { reason: '报表错误较多' } },
      { method: 'GET', path: `/api/v1/after-sales-cases/${c.id}` },
      { method: 'POST', path: `/api/v1/after-sales-cases/${c.id}/messages`, body: { body: '补充说明' } },
      { method: 'POST', path: `/api/v1/after-sales-cases/${c.id}/escalate` },
      { method: 'POST', path: `/api/v1/after-sales-cases/${c.id}/withdraw` },
    ];
    for (const r of routes) await h.expectRefusals('signed-in', r);
    await h.expectRefusals('operator', { method: 'GET', path: '/api/v1/admin/after-sales-cases' });
    await h.expectRefusals('operator', {
      method: 'POST',
      path: `/api/v1/admin/after-sales-cases/${c.id}/decision`,
      body: { refundFen: 0, payFen: 3_000_000, reason: '服务机构已按约定交付' },
    });

    expectError(await call(t.pr, 'POST', `/agreements/${t.ag.id}/after-sales-cases`, { reason: '服务机构不能开售后' }), 403, 'FORBIDDEN');
    expectError(await call(t.e, 'POST', `/after-sales-cases/${c.id}/messages`, { kind: 'respond', body: '冒充回应' }), 403, 'FORBIDDEN');
    expectError(await call(t.pr, 'POST', `/after-sales-cases/${c.id}/withdraw`), 403, 'FORBIDDEN');
    expectError(
      await call(t.e, 'POST', `/admin/after-sales-cases/${c.id}/decision`, { refundFen: 0, payFen: 3_000_000, reason: '企业自己来处理' }),
      403,
      'FORBIDDEN',
    );
    expectError(await call(t.pr, 'GET', '/admin/after-sales-cases'), 403, 'FORBIDDEN');

    for (const stranger of [await provider(), await enterprise()]) {
      const seen = await call(stranger, 'GET', `/after-sales-cases/${c.id}`);
      expectError(seen, 404, 'NOT_FOUND');
      expect(seen.text).not.toContain('首月报表错误较多');
      expectError(await call(stranger, 'POST', `/agreements/${t.ag.id}/after-sales-cases`, { reason: '陌生人申请售后' }), 404, 'NOT_FOUND');
      expectError(await call(stranger, 'POST', `/after-sales-cases/${c.id}/messages`, { body: '陌生人留言' }), 404, 'NOT_FOUND');
      expectError(await call(stranger, 'POST', `/after-sales-cases/${c.id}/escalate`), 404, 'NOT_FOUND');
      expectError(await call(stranger, 'POST', `/after-sales-cases/${c.id}/withdraw`), 404, 'NOT_FOUND');
      expect((await download(stranger, file.url)).status).toBe(404);
    }
    expectError(await call(t.e, 'GET', '/after-sales-cases/not-a-uuid'), 404, 'NOT_FOUND');
    expect((await download(t.pr, file.url)).status).toBe(200);
    expect((await call(t.e, 'GET', `/after-sales-cases/${c.id}`)).json.timeline.map((e: { type: string }) => e.type)).toEqual(['opened']);
  });
});

describe('termination: POST /agreements/{id}/termination and /termination/answer', () => {
  it('happy, errors and auth: one side proposes a split, the other declines or accepts', async () => {
    const t = await funded({}, { paymentMode: 'instalments', enterpriseFundsFen: 1_000_000 });
    const id = t.ag.id;
    const body = { refundFen: 600_000, payFen: 400_000, reason: '业务调整，双方协商终止' };
    await h.expectRefusals('signed-in', { method: 'POST', path: `/api/v1/agreements/${id}/termination`, body });
    await h.expectRefusals('signed-in', { method: 'POST', path: `/api/v1/agreements/${id}/termination/answer`, body: { decision: 'accept' } });

    expect((await call(t.e, 'POST', `/agreements/${id}/termination`, {})).json.error.fields).toEqual({
      refundFen: '请填写退回企业金额',
      payFen: '请填写支付服务机构金额',
      reason: '请填写终止原因',
    });
    const wrong = await call(t.e, 'POST', `/agreements/${id}/termination`, { ...body, payFen: 300_000 });
    expect(wrong.status).toBe(400);
    expect(wrong.json.error.fields.payFen).toBe('支付与退回之和须等于托管中的 ¥10,000.00');
    expectError(await call(op, 'POST', `/agreements/${id}/termination`, body), 403, 'FORBIDDEN');
    const stranger = await enterprise();
    expectError(await call(stranger, 'POST', `/agreements/${id}/termination`, body), 404, 'NOT_FOUND');
    expectError(await call(t.pr, 'POST', `/agreements/${id}/termination/answer`, { decision: 'accept' }), 404, 'NOT_FOUND');

    const proposed = await call(t.e, 'POST', `/agreements/${id}/termination`, body);
    expect(proposed.status, proposed.text).toBe(200);
    expect(proposed.json.termination).toMatchObject({ status: 'proposed', proposedBySide: 'enterprise', refundFen: 600_000, payFen: 400_000 });
    expect(proposed.json.allowed).toMatchObject({ proposeTermination: false, answerTermination: false });
    expect((await call(t.pr, 'GET', `/agreements/${id}`)).json.allowed).toMatchObject({ proposeTermination: false, answerTermination: true });
    expectError(await call(t.pr, 'POST', `/agreements/${id}/termination`, { ...body, reason: '再提一次终止申请' }), 409, 'TERMINATION_PENDING');
    expectError(await call(t.e, 'POST', `/agreements/${id}/termination/answer`, { decision: 'accept' }), 403, 'FORBIDDEN');
    expect((await call(t.pr, 'POST', `/agreements/${id}/termination/answer`, { decision: 'maybe' })).json.error.fields).toEqual({
      decision: '请选择同意或不同意',
    });
    expectError(await call(stranger, 'POST', `/agreements/${id}/termination/answer`, { decision: 'accept' }), 404, 'NOT_FOUND');

    const declined = await call(t.pr, 'POST', `/agreements/${id}/termination/answer`, { decision: 'decline' });
    expect(declined.json).toMatchObject({ status: 'confirmed', termination: { status: 'declined' } });
    clock.advance(60_000);
    await call(t.pr, 'POST', `/agreements/${id}/termination`, { refundFen: 500_000, payFen: 500_000, reason: '服务机构人员调整，申请终止' });
    const before = { e: await available(t.e), pr: await available(t.pr) };
    const accepted = await call(t.e, 'POST', `/agreements/${id}/termination/answer`, { decision: 'accept' });
    expect(accepted.status, accepted.text).toBe(200);
    expect(accepted.json).toMatchObject({
      status: 'terminated',
      terminatedAt: expect.any(String),
      termination: { status: 'accepted', proposedBySide: 'provider' },
    });
    expect(accepted.json.milestones.map((m: { status: string }) => m.status)).toEqual(['refunded', 'refunded']);
    expect(await available(t.e)).toBe(before.e + 500_000);
    expect(await available(t.pr)).toBe(before.pr + 500_000);
    expectError(await call(t.e, 'POST', `/agreements/${id}/termination/answer`, { decision: 'accept' }), 404, 'NOT_FOUND');
    expectError(await call(t.e, 'POST', `/agreements/${id}/termination`, body), 409, 'AGREEMENT_NOT_IN_PROGRESS');
    expect((await call(op, 'GET', '/admin/escrow/check')).json).toMatchObject({ ok: true });
  });
});

describe('operators: GET /admin/milestone-reminders, POST /admin/milestones/{id}/remind, GET /admin/escrow/check', () => {
  it('happy, errors and auth: a delivery unanswered for 5 working days is queued; the operator reminds the enterprise', async () => {
    const t = await funded({}, { paymentMode: 'instalments', enterpriseFundsFen: 1_000_000 });
    const m = t.ag.milestones[0]!;
    const delivered = await call(t.pr, 'POST', `/milestones/${m.id}/deliver`, { note: '首月交付' });
    const { reminderDueAt, autoAcceptAt } = delivered.json.milestones[0] as { reminderDueAt: string; autoAcceptAt: string };
    expect((await call(op, 'GET', '/admin/milestone-reminders')).json.map((x: { milestoneId: string }) => x.milestoneId)).not.toContain(m.id);
    expectError(await call(op, 'POST', `/admin/milestones/${t.ag.milestones[1]!.id}/remind`), 409, 'MILESTONE_NOT_DELIVERED');

    clock.set(new Date(reminderDueAt));
    await relogin(t.e, t.pr);
    const queue = await call(op, 'GET', '/admin/milestone-reminders');
    expect(queue.status).toBe(200);
    expect(queue.json.find((x: { milestoneId: string }) => x.milestoneId === m.id)).toMatchObject({
      agreementId: t.ag.id,
      agreementNo: t.ag.agreementNo,
      seq: 1,
      amountFen: 1_000_000,
      enterprise: t.e.input.organisationName,
      provider: t.pr.input.organisationName,
      remindedAt: null,
    });
    await h.expectRefusals('operator', { method: 'GET', path: '/api/v1/admin/milestone-reminders' });
    await h.expectRefusals('operator', { method: 'POST', path: `/api/v1/admin/milestones/${m.id}/remind` });
    expectError(await call(t.e, 'POST', `/admin/milestones/${m.id}/remind`), 403, 'FORBIDDEN');

    const reminded = await call(op, 'POST', `/admin/milestones/${m.id}/remind`);
    expect(reminded.status, reminded.text).toBe(200);
    expect(reminded.json).toMatchObject({ milestoneId: m.id, remindedAt: clock.now().toISOString() });
    expect(new Date(reminded.json.autoAcceptAt).getTime()).toBeGreaterThanOrEqual(new Date(autoAcceptAt).getTime());
    const seen = await call(t.e, 'GET', `/agreements/${t.ag.id}`);
    expect(seen.json.milestones[0].timeline.at(-1)).toMatchObject({ type: 'reminded' });
    expectError(await call(op, 'POST', `/admin/milestones/${NO_SUCH}/remind`), 404, 'NOT_FOUND');
    expectError(await call(op, 'POST', '/admin/milestones/not-a-uuid/remind'), 404, 'NOT_FOUND');
    await call(t.e, 'POST', `/milestones/${m.id}/accept`);
    expectError(await call(op, 'POST', `/admin/milestones/${m.id}/remind`), 409, 'MILESTONE_NOT_DELIVERED');

    await h.expectRefusals('operator', { method: 'GET', path: '/api/v1/admin/escrow/check' });
    const check = await call(op, 'GET', '/admin/escrow/check');
    expect(check.json).toEqual({ ok: true, escrowFen: check.json.heldFen, heldFen: expect.any(Number) });
  });
});

describe('settings: GET|PUT /admin/settings/escrow-fee, /calendar, /room-timing', () => {
  it('happy, errors and auth', async () => {
    const original = {
      fee: (await call(op, 'GET', '/admin/settings/escrow-fee')).json,
      calendar: (await call(op, 'GET', '/admin/settings/calendar')).json,
      timing: (await call(op, 'GET', '/admin/settings/room-timing')).json,
    };
    expect(original.fee).toEqual({ feeBp: expect.any(Number) });
    expect(original.calendar.holidays).toContain('2027-01-01');
    expect(original.timing).toEqual({ waitingRoomMinutes: expect.any(Number), enterPromptMinutes: expect.any(Number) });
    try {
      expect((await call(op, 'PUT', '/admin/settings/escrow-fee', { feeBp: 250 })).json).toEqual({ feeBp: 250 });
      expect((await call(op, 'GET', '/admin/settings/escrow-fee')).json).toEqual({ feeBp: 250 });
      // The fee in force is fixed into agreements confirmed from now on.
      const t = await confirmed();
      expect((await call(t.e, 'GET', `/agreements/${t.ag.id}`)).json.feeBp).toBe(250);

      expect((await call(op, 'PUT', '/admin/settings/calendar', { holidays: ['2026-12-08'], workdays: ['2026-12-12'] })).json).toEqual({
        holidays: ['2026-12-08'],
        workdays: ['2026-12-12'],
      });
      expect((await call(op, 'GET', '/admin/settings/calendar')).json).toEqual({ holidays: ['2026-12-08'], workdays: ['2026-12-12'] });
      expect((await call(op, 'PUT', '/admin/settings/room-timing', { waitingRoomMinutes: 45, enterPromptMinutes: 10 })).json).toEqual({
        waitingRoomMinutes: 45,
        enterPromptMinutes: 10,
      });
      expect((await call(op, 'GET', '/admin/settings/room-timing')).json).toEqual({ waitingRoomMinutes: 45, enterPromptMinutes: 10 });

      const bad: [string, unknown, Record<string, string>][] = [
        ['escrow-fee', { feeBp: 5000 }, { feeBp: '服务费比例为 0–20%' }],
        ['escrow-fee', {}, { feeBp: '请填写服务费比例' }],
        ['calendar', { holidays: ['2026-13-45'], workdays: ['12/12/2026'] }, { 'holidays.0': '日期无效', 'workdays.0': '日期格式为 YYYY-MM-DD' }],
        [
          'room-timing',
          { waitingRoomMinutes: 1, enterPromptMinutes: 60 },
          { waitingRoomMinutes: '待标室提前开放 5–180 分钟', enterPromptMinutes: '提示进入竞价室为开标前 1–30 分钟' },
        ],
      ];
      for (const [name, body, fields] of bad) {
        const res = await call(op, 'PUT', `/admin/settings/${name}`, body);
        expect(res.status, `${name}: ${res.text}`).toBe(400);
        expect(res.json.error.fields).toEqual(fields);
      }
      expect((await call(op, 'GET', '/admin/settings/escrow-fee')).json).toEqual({ feeBp: 250 });

      const valid: Record<string, unknown> = {
        'escrow-fee': { feeBp: 100 },
        calendar: { holidays: [], workdays: [] },
        'room-timing': { waitingRoomMinutes: 30, enterPromptMinutes: 5 },
      };
      for (const [name, body] of Object.entries(valid)) {
        await h.expectRefusals('operator', { method: 'GET', path: `/api/v1/admin/settings/${name}` });
        await h.expectRefusals('operator', { method: 'PUT', path: `/api/v1/admin/settings/${name}`, body });
      }
      expect((await call(op, 'GET', '/admin/settings/escrow-fee')).json).toEqual({ feeBp: 250 });
    } finally {
      await call(op, 'PUT', '/admin/settings/escrow-fee', original.fee);
      await call(op, 'PUT', '/admin/settings/calendar', original.calendar);
      await call(op, 'PUT', '/admin/settings/room-timing', original.timing);
    }
    expect((await call(op, 'GET', '/admin/settings/calendar')).json).toEqual(original.calendar);
  });
});

it('every escrow route is in the OpenAPI document with its named schemas', async () => {
  const doc = await h.json('GET', '/api/v1/openapi.json');
  expect(doc.status).toBe(200);
  const expected: [string, string][] = [
    ['get', '/requirements/{id}/agreement-basis'],
    ['put', '/requirements/{id}/agreement'],
    ['get', '/agreements'],
    ['get', '/agreements/awaiting'],
    ['get', '/agreements/{id}'],
    ['post', '/agreements/{id}/send'],
    ['post', '/agreements/{id}/return'],
    ['post', '/agreements/{id}/confirm'],
    ['get', '/agreements/{id}/pdf'],
    ['post', '/agreements/{id}/escrow'],
    ['post', '/milestones/{id}/deliver'],
    ['post', '/milestones/{id}/accept'],
    ['post', '/milestones/{id}/return'],
    ['post', '/agreements/{id}/after-sales-cases'],
    ['get', '/after-sales-cases/{id}'],
    ['post', '/after-sales-cases/{id}/messages'],
    ['post', '/after-sales-cases/{id}/escalate'],
    ['post', '/after-sales-cases/{id}/withdraw'],
    ['post', '/agreements/{id}/termination'],
    ['post', '/agreements/{id}/termination/answer'],
    ['post', '/agreements/{id}/reviews'],
    ['post', '/reviews/{id}/reply'],
    ['get', '/organisations/{id}/reviews'],
    ['get', '/admin/milestone-reminders'],
    ['post', '/admin/milestones/{id}/remind'],
    ['get', '/admin/after-sales-cases'],
    ['post', '/admin/after-sales-cases/{id}/decision'],
    ['get', '/admin/escrow/check'],
    ['get', '/admin/settings/escrow-fee'],
    ['put', '/admin/settings/escrow-fee'],
    ['get', '/admin/settings/calendar'],
    ['put', '/admin/settings/calendar'],
    ['get', '/admin/settings/room-timing'],
    ['put', '/admin/settings/room-timing'],
  ];
  for (const [method, path] of expected) {
    const op = doc.json.paths[`/api/v1${path}`]?.[method];
    expect(op, `${method.toUpperCase()} ${path}`).toBeDefined();
    expect(op.summary, path).toMatch(/[\u4e00-\u9fff]/);
    expect(op.tags.length, path).toBeGreaterThan(0);
    if (!path.startsWith('/organisations/')) expect(op.security, path).toEqual([{ cookie: [] }, { bearer: [] }]);
  }
  for (const name of [
    'Agreement',
    'AgreementListItem',
    'AgreementPage',
    'AgreementBasis',
    'AwaitingAgreement',
    'Milestone',
    'EscrowFunding',
    'AfterSalesCase',
    'Review',
    'ReviewSummary',
    'Termination',
    'MilestoneReminder',
    'EscrowCheck',
  ]) {
    expect(Object.keys(doc.json.components.schemas), name).toContain(name);
  }
  expect(Object.keys(doc.json.paths['/api/v1/agreements/{id}/pdf'].get.responses['200'].content)).toEqual(['application/pdf']);
});
