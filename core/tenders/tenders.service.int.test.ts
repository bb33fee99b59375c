import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, desc, eq } from 'drizzle-orm';
import { requirements, siteMessages } from '../../db/schema';
import { createTestPlatform, ManualClock } from '../testing/test-platform';
import { availableFen, buildRequirement, enterprise, fund, openRequirement, operator, proposalInput, provider } from '../testing/tenders-factories';
import type { Platform } from '../platform/platform';
import type { Actor } from '../shared/actor';
import { DAY, HOUR } from '../shared/clock';

let p: Platform;
const clock = new ManualClock(new Date('2026-11-23T02:00:00Z'));
let ops: Actor;
beforeAll(async () => {
  p = await createTestPlatform({ clock });
  ops = await operator(p);
});
afterAll(() => p?.close());

const platformBalance = async (kind: 'deposits' | 'revenue') => p.services.ledger.balanceOf(p.db, await p.services.ledger.platformAccount(kind));
const lastMessage = async (userId: string) =>
  (await p.db.select().from(siteMessages).where(eq(siteMessages.userId, userId)).orderBy(desc(siteMessages.createdAt)).limit(1))[0];
const stateOf = async (id: string) => (await p.db.select({ s: requirements.state }).from(requirements).where(eq(requirements.id, id)))[0]!.s;
/** Every test leaves the ledger balanced. */
const expectLedgerBalanced = async () => expect((await p.services.ledger.check()).ok).toBe(true);

describe('publishing with a deposit', () => {
  it('refuses with too little balance, keeps the draft, moves nothing; publishes after a recharge', async () => {
    const e = await enterprise(p, 5_000);
    const draft = await p.services.requirements.saveDraft(e.actor, buildRequirement(clock.now()));
    expect(draft.state).toBe('draft');
    const deposits = await platformBalance('deposits');

    await expect(p.services.requirements.submit(e.actor, draft.id)).rejects.toMatchObject({
      code: 'INSUFFICIENT_FUNDS',
      message: expect.stringContaining('还差') as unknown as string,
    });
    expect(await stateOf(draft.id)).toBe('draft');
    expect(await availableFen(p, e.actor)).toBe(5_000);
    expect(await platformBalance('deposits')).toBe(deposits);

    await fund(p, e.actor, 15_000);
    const sent = await p.services.requirements.submit(e.actor, draft.id);
    expect(sent).toMatchObject({ state: 'pending_review', depositFen: 20_000, depositStatus: 'held' });
    expect(await availableFen(p, e.actor)).toBe(0);
    expect(await platformBalance('deposits')).toBe(deposits + 20_000);
    await expectLedgerBalanced();
  });

  it('charges the deposit once when the same draft is published twice at the same time', async () => {
    const e = await enterprise(p, 100_000);
    const draft = await p.services.requirements.saveDraft(e.actor, buildRequirement(clock.now()));
    const results = await Promise.allSettled([p.services.requirements.submit(e.actor, draft.id), p.services.requirements.submit(e.actor, draft.id)]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(results.find((r) => r.status === 'rejected')).toMatchObject({ reason: { code: expect.stringMatching(/WRONG_REQUIREMENT_STATE|CONFLICT/) } });
    expect(await availableFen(p, e.actor)).toBe(80_000);
  });

  it('uses the operator-configured deposit amount', async () => {
    await p.services.settings.update(ops, 'tenders.deposit', { depositFen: 30_000, forfeitEarlyFen: 6_000, forfeitLateFen: 12_000 });
    try {
      const e = await enterprise(p, 30_000);
      const draft = await p.services.requirements.saveDraft(e.actor, buildRequirement(clock.now()));
      await p.services.requirements.submit(e.actor, draft.id);
      expect(await availableFen(p, e.actor)).toBe(0);
    } finally {
      await p.services.settings.update(ops, 'tenders.deposit', { depositFen: 20_000, forfeitEarlyFen: 5_000, forfeitLateFen: 10_000 });
    }
  });

  it('refuses settings from non-operators and bad settings with field messages', async () => {
    const e = await enterprise(p);
    await expect(p.services.settings.update(e.actor, 'tenders.deposit', { depositFen: 1, forfeitEarlyFen: 0, forfeitLateFen: 0 })).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
    await expect(p.services.settings.update(ops, 'tenders.deposit', { depositFen: 10_000, forfeitEarlyFen: 20_000, forfeitLateFen: 0 })).rejects.toMatchObject({
      code: 'VALIDATION',
      fields: { forfeitEarlyFen: '扣除金额不能超过保证金' },
    });
  });

  it('validates the form field by field and refuses an opening time less than 24 h ahead', async () => {
    const e = await enterprise(p, 20_000);
    await expect(
      p.services.requirements.saveDraft(e.actor, {
        ...buildRequirement(clock.now()),
        title: '短',
        budgetMinFen: 500,
        budgetMaxFen: 100,
        regionCode: '999999',
        categoryCode: 'finance',
      }),
    ).rejects.toMatchObject({ code: 'VALIDATION', fields: { title: '标题至少 4 个字', budgetMaxFen: '预算上限不能低于下限', regionCode: '地区代码无效' } });
    await expect(p.services.requirements.saveDraft(e.actor, buildRequirement(clock.now(), { categoryCode: 'finance' }))).rejects.toMatchObject({
      fields: { categoryCode: '请选择具体的服务类别' },
    });
    const draft = await p.services.requirements.saveDraft(
      e.actor,
      buildRequirement(clock.now(), { openingAt: new Date(clock.now().getTime() + 23 * HOUR).toISOString() }),
    );
    await expect(p.services.requirements.submit(e.actor, draft.id)).rejects.toMatchObject({ fields: { openingAt: '开标时间须至少在 24 小时之后' } });
    expect(await availableFen(p, e.actor)).toBe(20_000);
  });

  it('sanitises the description', async () => {
    const e = await enterprise(p);
    const d = await p.services.requirements.saveDraft(
      e.actor,
      buildRequirement(clock.now(), {
        descriptionHtml: '<p onclick="x()">需要商标注册与版权登记服务<script>alert(1)</script></p><img src=x onerror=alert(1)>',
      }),
    );
    const own = await p.services.requirements.getOwn(e.actor, d.id);
    expect(own.descriptionHtml).toBe('<p>需要商标注册与版权登记服务</p>');
  });

  it('only the owner edits, publishes or sees a draft', async () => {
    const e = await enterprise(p, 20_000);
    const other = await enterprise(p, 20_000);
    const pr = await provider(p);
    const draft = await p.services.requirements.saveDraft(e.actor, buildRequirement(clock.now()));
    await expect(p.services.requirements.submit(other.actor, draft.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(p.services.requirements.saveDraft(other.actor, buildRequirement(clock.now()), draft.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(p.services.requirements.get(pr.actor, draft.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(p.services.requirements.get(null, draft.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(p.services.requirements.saveDraft(pr.actor, buildRequirement(clock.now()))).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });
});

describe('operator review', () => {
  it('rejecting refunds the deposit in full and tells the enterprise; resubmitting pays again; approving lists it', async () => {
    const e = await enterprise(p, 40_000);
    const d = await p.services.requirements.saveDraft(e.actor, buildRequirement(clock.now(), { title: '商标注册及版权登记服务' }));
    await p.services.requirements.submit(e.actor, d.id);
    await expect(p.services.requirements.review(e.actor, d.id, { decision: 'approve' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(p.services.requirements.review(ops, d.id, { decision: 'reject', reason: '' })).rejects.toMatchObject({ fields: { reason: '请填写驳回原因' } });

    const rejected = await p.services.requirements.review(ops, d.id, { decision: 'reject', reason: '预算范围与描述不符' });
    expect(rejected).toMatchObject({ state: 'rejected', rejectReason: '预算范围与描述不符', depositStatus: 'refunded' });
    expect(await availableFen(p, e.actor)).toBe(40_000);
    expect(await lastMessage(e.actor.userId)).toMatchObject({ title: '需求未通过审核' });
    expect((await p.services.requirements.hall({ q: '商标注册' })).items.map((i) => i.id)).not.toContain(d.id);

    await p.services.requirements.saveDraft(e.actor, buildRequirement(clock.now(), { title: '商标注册及版权登记服务', budgetMinFen: 2_000_000 }), d.id);
    await p.services.requirements.submit(e.actor, d.id);
    expect(await availableFen(p, e.actor)).toBe(20_000);
    const approved = await p.services.requirements.review(ops, d.id, { decision: 'approve' });
    expect(approved.state).toBe('open');
    expect(await lastMessage(e.actor.userId)).toMatchObject({ title: '需求已通过审核' });
    expect((await p.services.requirements.hall({ q: '商标注册' })).items.map((i) => i.id)).toContain(d.id);
    await expect(p.services.requirements.review(ops, d.id, { decision: 'approve' })).rejects.toMatchObject({ code: 'WRONG_REQUIREMENT_STATE' });
    await expectLedgerBalanced();
  });
});

describe('withdrawing before opening', () => {
  it('refunds in full with no bidders', async () => {
    const e = await enterprise(p, 20_000);
    const r = await openRequirement(p, e.actor, ops);
    const out = await p.services.requirements.withdraw(e.actor, r.id);
    expect(out).toMatchObject({ refundFen: 20_000, forfeitFen: 0, requirement: { state: 'withdrawn' } });
    expect(await availableFen(p, e.actor)).toBe(20_000);
    expect((await p.services.requirements.hall({})).items.map((i) => i.id)).not.toContain(r.id);
  });

  it('forfeits ¥50 with bidders ≥ 24 h before opening, to revenue, and tells the bidders', async () => {
    const e = await enterprise(p, 20_000);
    const r = await openRequirement(p, e.actor, ops);
    const bidder = await provider(p);
    await p.services.proposals.submit(bidder.actor, r.id, proposalInput());
    const revenue = await platformBalance('revenue');
    const out = await p.services.requirements.withdraw(e.actor, r.id);
    expect(out).toMatchObject({ refundFen: 15_000, forfeitFen: 5_000 });
    expect(await availableFen(p, e.actor)).toBe(15_000);
    expect(await platformBalance('revenue')).toBe(revenue + 5_000);
    expect(await lastMessage(bidder.actor.userId)).toMatchObject({ title: '项目已撤销' });
    expect((await p.services.proposals.findMine(bidder.actor, r.id))?.status).toBe('not_selected');
    await expectLedgerBalanced();
  });

  it('forfeits ¥100 with bidders < 24 h before opening', async () => {
    const e = await enterprise(p, 20_000);
    const r = await openRequirement(p, e.actor, ops);
    await p.services.proposals.submit((await provider(p)).actor, r.id, proposalInput());
    const local = new ManualClock(new Date(r.openingAt!.getTime() - 23 * HOUR));
    const saved = clock.now();
    clock.set(local.now());
    try {
      const out = await p.services.requirements.withdraw(e.actor, r.id);
      expect(out).toMatchObject({ refundFen: 10_000, forfeitFen: 10_000 });
    } finally {
      clock.set(saved);
    }
  });

  it('refuses a withdrawal after opening, and a second withdrawal', async () => {
    const e = await enterprise(p, 20_000);
    const r = await openRequirement(p, e.actor, ops);
    const saved = clock.now();
    clock.set(r.openingAt!);
    try {
      await expect(p.services.requirements.withdraw(e.actor, r.id)).rejects.toMatchObject({ code: 'OPENING_PASSED' });
    } finally {
      clock.set(saved);
    }
    await p.services.requirements.withdraw(e.actor, r.id);
    await expect(p.services.requirements.withdraw(e.actor, r.id)).rejects.toMatchObject({ code: 'WRONG_REQUIREMENT_STATE' });
    expect(await availableFen(p, e.actor)).toBe(20_000);
  });

  it('counts a proposal racing the withdrawal either in or out, never half', async () => {
    const e = await enterprise(p, 20_000);
    const r = await openRequirement(p, e.actor, ops);
    const bidder = await provider(p);
    const [w, s] = await Promise.allSettled([
      p.services.requirements.withdraw(e.actor, r.id),
      p.services.proposals.submit(bidder.actor, r.id, proposalInput()),
    ]);
    expect(w.status).toBe('fulfilled');
    const out = (w as PromiseFulfilledResult<{ forfeitFen: number }>).value;
    // Either the proposal landed first (¥50 forfeited, proposal closed) or it was refused.
    if (s.status === 'fulfilled') expect(out.forfeitFen).toBe(5_000);
    else expect(out.forfeitFen).toBe(0);
    await expectLedgerBalanced();
  });
});

describe('abandoning at opening, re-tendering and ending', () => {
  it('abandons free when short of bidders, re-tenders with a new opening time, then ends with a full refund', async () => {
    const e = await enterprise(p, 20_000);
    const r = await openRequirement(p, e.actor, ops, { minBidders: 3 });
    const bidder = await provider(p);
    await p.services.proposals.submit(bidder.actor, r.id, proposalInput());
    await expect(p.services.requirements.abandon(e.actor, r.id)).rejects.toMatchObject({ code: 'OPENING_NOT_REACHED' });

    const saved = clock.now();
    clock.set(new Date(r.openingAt!.getTime() + 60_000));
    try {
      const view = await p.services.requirements.get(e.actor, r.id);
      expect(view.actions).toEqual(expect.arrayContaining(['abandon', 'abandon_free', 'select']));
      const abandoned = await p.services.requirements.abandon(e.actor, r.id);
      expect(abandoned.state).toBe('abandoned');
      expect(await lastMessage(bidder.actor.userId)).toMatchObject({ title: '本次招标已放弃' });
      await expect(p.services.requirements.retender(e.actor, r.id, { openingAt: new Date(clock.now().getTime() + HOUR).toISOString() })).rejects.toMatchObject({
        fields: { openingAt: '开标时间须至少在 24 小时之后' },
      });
      const again = await p.services.requirements.retender(e.actor, r.id, { openingAt: new Date(clock.now().getTime() + 2 * DAY).toISOString() });
      expect(again).toMatchObject({ state: 'open', round: 2, bidderCount: 1 });
      // The proposal carried over and may be revised before the new opening.
      await p.services.proposals.revise(bidder.actor, r.id, proposalInput(1_800_000));

      clock.set(new Date(again.openingAt!.getTime() + 1));
      await p.services.requirements.abandon(e.actor, r.id);
      const ended = await p.services.requirements.end(e.actor, r.id);
      expect(ended).toMatchObject({ refundFen: 20_000, forfeitFen: 0, requirement: { state: 'closed' } });
      expect(await availableFen(p, e.actor)).toBe(20_000);
    } finally {
      clock.set(saved);
    }
  });

  it('ending after abandoning a full round forfeits the late amount', async () => {
    const e = await enterprise(p, 20_000);
    const r = await openRequirement(p, e.actor, ops, { minBidders: 1 });
    await p.services.proposals.submit((await provider(p)).actor, r.id, proposalInput());
    const saved = clock.now();
    clock.set(r.openingAt!);
    try {
      await p.services.requirements.abandon(e.actor, r.id);
      const ended = await p.services.requirements.end(e.actor, r.id);
      expect(ended).toMatchObject({ refundFen: 10_000, forfeitFen: 10_000 });
    } finally {
      clock.set(saved);
    }
    await expectLedgerBalanced();
  });
});

describe('proposals', () => {
  it('one live proposal per provider; revise and withdraw until opening; frozen after', async () => {
    const e = await enterprise(p, 20_000);
    const r = await openRequirement(p, e.actor, ops);
    const pr = await provider(p);
    const first = await p.services.proposals.submit(pr.actor, r.id, proposalInput(2_500_000));
    expect(first).toMatchObject({ status: 'active', revision: 1, priceFen: 2_500_000 });
    await expect(p.services.proposals.submit(pr.actor, r.id, proposalInput())).rejects.toMatchObject({ code: 'PROPOSAL_EXISTS' });
    const revised = await p.services.proposals.revise(pr.actor, r.id, proposalInput(2_300_000));
    expect(revised).toMatchObject({ revision: 2, priceFen: 2_300_000 });
    expect((await p.services.requirements.get(null, r.id)).bidderCount).toBe(1);
    await p.services.proposals.withdraw(pr.actor, r.id);
    expect((await p.services.requirements.get(null, r.id)).bidderCount).toBe(0);
    await p.services.proposals.submit(pr.actor, r.id, proposalInput(2_200_000));
    expect((await p.services.requirements.get(null, r.id)).bidderCount).toBe(1);

    const saved = clock.now();
    clock.set(r.openingAt!);
    try {
      await expect(p.services.proposals.revise(pr.actor, r.id, proposalInput(1_000_000))).rejects.toMatchObject({ code: 'PROPOSALS_FROZEN' });
      await expect(p.services.proposals.withdraw(pr.actor, r.id)).rejects.toMatchObject({ code: 'PROPOSALS_FROZEN' });
      await expect(p.services.proposals.submit((await provider(p)).actor, r.id, proposalInput())).rejects.toMatchObject({ code: 'PROPOSALS_FROZEN' });
    } finally {
      clock.set(saved);
    }
  });

  it('refuses enterprises, bad prices and invitation requirements', async () => {
    const e = await enterprise(p, 40_000);
    const r = await openRequirement(p, e.actor, ops);
    await expect(p.services.proposals.submit(e.actor, r.id, proposalInput())).rejects.toMatchObject({ code: 'FORBIDDEN' });
    const pr = await provider(p);
    await expect(p.services.proposals.submit(pr.actor, r.id, { ...proposalInput(), priceFen: 0, plan: '短' })).rejects.toMatchObject({
      fields: { priceFen: '报价必须大于 0', plan: '服务方案至少 10 个字' },
    });
    const inv = await openRequirement(p, e.actor, ops, { mode: 'invitation', openingAt: null });
    await expect(p.services.proposals.submit(pr.actor, inv.id, proposalInput())).rejects.toMatchObject({ code: 'NOT_COMPETITIVE' });
  });

  it('sealed: nobody sees a rival’s proposal; the owner sees them only from opening; another enterprise never', async () => {
    const e = await enterprise(p, 20_000);
    const r = await openRequirement(p, e.actor, ops, { minBidders: 2 });
    const a = await provider(p);
    const b = await provider(p);
    await p.services.proposals.submit(a.actor, r.id, proposalInput(2_000_000));
    await p.services.proposals.submit(b.actor, r.id, proposalInput(1_900_000));
    await expect(p.services.proposals.listForRequirement(a.actor, r.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(p.services.proposals.listForRequirement(e.actor, r.id)).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect((await p.services.proposals.findMine(a.actor, r.id))?.priceFen).toBe(2_000_000);
    expect((await p.services.proposals.findMine(b.actor, r.id))?.priceFen).toBe(1_900_000);
    const publicView = await p.services.requirements.get(a.actor, r.id);
    expect(JSON.stringify(publicView)).not.toContain('1900000');
    expect(publicView).not.toHaveProperty('depositFen');

    const saved = clock.now();
    clock.set(r.openingAt!);
    try {
      const list = await p.services.proposals.listForRequirement(e.actor, r.id);
      expect(list.map((x) => x.priceFen)).toEqual([1_900_000, 2_000_000]);
      await expect(p.services.proposals.listForRequirement(a.actor, r.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
      const other = await enterprise(p);
      await expect(p.services.proposals.listForRequirement(other.actor, r.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
      expect(await p.services.proposals.listForRequirement(ops, r.id)).toHaveLength(2);
      // Selecting one: it wins, the other is told politely.
      const sel = await p.services.requirements.select(e.actor, r.id, b.actor.organisation!.organisationId);
      expect(sel.state).toBe('awarded');
      expect(await lastMessage(b.actor.userId)).toMatchObject({ title: '恭喜，您已被选中' });
      expect(await lastMessage(a.actor.userId)).toMatchObject({ title: '项目结果通知' });
      expect((await p.services.proposals.findMine(a.actor, r.id))?.status).toBe('not_selected');
    } finally {
      clock.set(saved);
    }
  });

  it('keeps proposal attachments from rivals', async () => {
    const e = await enterprise(p, 20_000);
    const r = await openRequirement(p, e.actor, ops);
    const a = await provider(p);
    const rival = await provider(p);
    const f = await p.services.files.upload(a.actor, {
      filename: '方案.pdf',
      contentType: 'application/pdf',
      bytes: new TextEncoder().encode('%PDF-1.4 方案'),
    });
    await p.services.proposals.submit(a.actor, r.id, { ...proposalInput(), attachmentIds: [f.id] });
    expect((await p.services.files.read(a.actor, f.id)).filename).toBe('方案.pdf');
    await expect(p.services.files.read(rival.actor, f.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(p.services.files.read(null, f.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(p.services.files.read(e.actor, f.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    // A rival cannot attach someone else's file either.
    await expect(p.services.proposals.submit(rival.actor, r.id, { ...proposalInput(), attachmentIds: [f.id] })).rejects.toMatchObject({
      fields: { attachmentIds: '附件不存在或不能使用' },
    });
    const saved = clock.now();
    clock.set(r.openingAt!);
    try {
      expect((await p.services.files.read(e.actor, f.id)).sizeBytes).toBeGreaterThan(0);
    } finally {
      clock.set(saved);
    }
  });
});

describe('invitation tenders', () => {
  it('invites, the provider accepts, both are told; the enterprise negotiates and selects', async () => {
    const e = await enterprise(p, 20_000);
    const r = await openRequirement(p, e.actor, ops, { mode: 'invitation', openingAt: null, title: '企业官网改版与小程序开发' });
    const a = await provider(p);
    const b = await provider(p);
    const inv = await p.services.invitations.invite(e.actor, { requirementId: r.id, providerId: a.actor.organisation!.organisationId, note: '期待合作' });
    expect(inv).toMatchObject({ status: 'pending', providerId: a.actor.organisation!.organisationId });
    expect(await lastMessage(a.actor.userId)).toMatchObject({ title: '收到项目邀请' });
    await expect(p.services.invitations.invite(e.actor, { requirementId: r.id, providerId: a.actor.organisation!.organisationId })).rejects.toMatchObject({
      code: 'ALREADY_INVITED',
    });
    const invB = await p.services.invitations.invite(e.actor, { requirementId: r.id, providerId: b.actor.organisation!.organisationId });

    await expect(p.services.invitations.respond(b.actor, inv.id, { decision: 'accept' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const accepted = await p.services.invitations.respond(a.actor, inv.id, { decision: 'accept' });
    expect(accepted.status).toBe('accepted');
    expect(await lastMessage(e.actor.userId)).toMatchObject({ title: '服务机构接受了邀请' });
    await expect(p.services.invitations.respond(a.actor, inv.id, { decision: 'decline' })).rejects.toMatchObject({ code: 'INVITATION_CLOSED' });

    // Negotiation thread: both sides, read receipts, resend counted once, outsiders refused.
    const providerId = a.actor.organisation!.organisationId;
    const m1 = await p.services.invitations.postMessage(e.actor, r.id, providerId, { body: '请报一下小程序的工期', clientId: 'client-0001' });
    await p.services.invitations.postMessage(e.actor, r.id, providerId, { body: '请报一下小程序的工期', clientId: 'client-0001' });
    await p.services.invitations.postMessage(a.actor, r.id, providerId, { body: '预计六周' });
    const thread = await p.services.invitations.listThread(a.actor, r.id, providerId, {});
    expect(thread.items.map((m) => m.body)).toEqual(['请报一下小程序的工期', '预计六周']);
    expect(thread.items[0]!.readAt).not.toBeNull();
    expect(m1.readAt).toBeNull();
    await expect(p.services.invitations.listThread(b.actor, r.id, providerId, {})).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const outsider = await enterprise(p);
    await expect(p.services.invitations.postMessage(outsider.actor, r.id, providerId, { body: '你好' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(p.services.invitations.postMessage(e.actor, r.id, providerId, { body: '' })).rejects.toMatchObject({
      fields: { body: '请填写内容或添加附件' },
    });

    // Only an accepted provider can be selected.
    await expect(p.services.requirements.select(e.actor, r.id, b.actor.organisation!.organisationId)).rejects.toMatchObject({
      fields: { providerId: '只能选中已接受邀请的服务机构' },
    });
    const sel = await p.services.requirements.select(e.actor, r.id, providerId);
    expect(sel.state).toBe('awarded');
    expect(await lastMessage(a.actor.userId)).toMatchObject({ title: '恭喜，您已被选中' });
    const list = await p.services.invitations.listForRequirement(e.actor, r.id);
    expect(Object.fromEntries(list.map((i) => [i.id, i.status]))).toEqual({ [inv.id]: 'selected', [invB.id]: 'cancelled' });
  });

  it('drops a provider; deleting the project refunds the deposit in full and cancels invitations', async () => {
    const e = await enterprise(p, 20_000);
    const r = await openRequirement(p, e.actor, ops, { mode: 'invitation', openingAt: null });
    const a = await provider(p);
    const inv = await p.services.invitations.invite(e.actor, { requirementId: r.id, providerId: a.actor.organisation!.organisationId });
    const dropped = await p.services.invitations.drop(e.actor, inv.id);
    expect(dropped.status).toBe('dropped');
    expect(await lastMessage(a.actor.userId)).toMatchObject({ title: '项目邀请结果' });
    const out = await p.services.requirements.deleteInvitationProject(e.actor, r.id);
    expect(out).toMatchObject({ refundFen: 20_000, requirement: { state: 'closed' } });
    expect(await availableFen(p, e.actor)).toBe(20_000);
    await expect(p.services.invitations.invite(e.actor, { requirementId: r.id, providerId: a.actor.organisation!.organisationId })).rejects.toMatchObject({
      code: 'REQUIREMENT_NOT_OPEN',
    });
  });

  it('refuses invitations to non-providers, on competitive or foreign requirements, and after the delivery date', async () => {
    const e = await enterprise(p, 40_000);
    const other = await enterprise(p);
    const a = await provider(p);
    const competitive = await openRequirement(p, e.actor, ops);
    const inv = await openRequirement(p, e.actor, ops, {
      mode: 'invitation',
      openingAt: null,
      deliveryDate: new Date(clock.now().getTime() + 2 * DAY).toISOString().slice(0, 10),
    });
    const pid = a.actor.organisation!.organisationId;
    await expect(p.services.invitations.invite(e.actor, { requirementId: competitive.id, providerId: pid })).rejects.toMatchObject({
      code: 'NOT_INVITATION_TENDER',
    });
    await expect(p.services.invitations.invite(other.actor, { requirementId: inv.id, providerId: pid })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(p.services.invitations.invite(e.actor, { requirementId: inv.id, providerId: other.actor.organisation!.organisationId })).rejects.toMatchObject(
      { fields: { providerId: '服务机构不存在' } },
    );
    await expect(p.services.invitations.invite(a.actor, { requirementId: inv.id, providerId: pid })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    const saved = clock.now();
    clock.advance(4 * DAY);
    try {
      await expect(p.services.invitations.invite(e.actor, { requirementId: inv.id, providerId: pid })).rejects.toMatchObject({
        message: '已过交付时间，不能再邀标',
      });
    } finally {
      clock.set(saved);
    }
  });
});

describe('project hall and my projects', () => {
  it('finds requirements by Chinese words, filters by category, region, mode and budget, and hides unapproved ones', async () => {
    const e = await enterprise(p, 60_000);
    const a = await openRequirement(p, e.actor, ops, {
      title: '高新技术企业认定申报辅导',
      categoryCode: 'ip.04',
      regionCode: '360702',
      budgetMinFen: 5_000_000,
      budgetMaxFen: 8_000_000,
    });
    const b = await openRequirement(p, e.actor, ops, {
      title: '员工社保代理与薪酬核算',
      categoryCode: 'hr.03',
      regionCode: '5001',
      mode: 'invitation',
      openingAt: null,
      budgetMinFen: 100_000,
      budgetMaxFen: 300_000,
    });
    const draft = await p.services.requirements.saveDraft(e.actor, buildRequirement(clock.now(), { title: '高新技术企业认定草稿' }));
    const ids = async (q: Record<string, unknown>) => (await p.services.requirements.hall({ pageSize: 50, ...q })).items.map((i) => i.id);

    expect(await ids({ q: '高新技术' })).toContain(a.id);
    expect(await ids({ q: '高新技术' })).not.toContain(draft.id);
    expect(await ids({ q: '企业认定' })).toContain(a.id);
    expect(await ids({ q: '社保' })).toContain(b.id);
    expect(await ids({ q: '社保' })).not.toContain(a.id);
    expect(await ids({ q: '薪' })).toContain(b.id);
    expect(await ids({ category: 'ip' })).toContain(a.id);
    expect(await ids({ category: 'ip' })).not.toContain(b.id);
    expect(await ids({ region: '3607' })).toContain(a.id);
    expect(await ids({ region: '3607' })).not.toContain(b.id);
    expect(await ids({ mode: 'invitation' })).toContain(b.id);
    expect(await ids({ budgetMinFen: 1_000_000 })).not.toContain(b.id);
    expect(await ids({ budgetMaxFen: 1_000_000 })).not.toContain(a.id);

    const page1 = await p.services.requirements.hall({ pageSize: 1, page: 1 });
    const page2 = await p.services.requirements.hall({ pageSize: 1, page: 2 });
    expect(page1.items[0]!.id).not.toBe(page2.items[0]!.id);
    expect(page1.total).toBeGreaterThanOrEqual(2);

    const mine = await p.services.requirements.listMine(e.actor, {});
    expect(mine.groups).toMatchObject({ bidding: 1, invitation: 1, draft: 1 });
    expect((await p.services.requirements.listMine(e.actor, { group: 'invitation' })).items.map((i) => i.id)).toEqual([b.id]);
  });

  it('my bids list the provider’s own proposals only', async () => {
    const e = await enterprise(p, 20_000);
    const r = await openRequirement(p, e.actor, ops);
    const a = await provider(p);
    const b = await provider(p);
    await p.services.proposals.submit(a.actor, r.id, proposalInput());
    expect((await p.services.proposals.listMine(a.actor, {})).items.map((i) => i.requirement.id)).toEqual([r.id]);
    expect((await p.services.proposals.listMine(b.actor, {})).items).toEqual([]);
    expect((await p.services.proposals.listMine(a.actor, {})).items[0]).toMatchObject({ editable: true });
  });
});

describe('deposit refund when escrow is funded (used by the agreements issue)', () => {
  it('refunds once, however often it is called', async () => {
    const e = await enterprise(p, 20_000);
    const r = await openRequirement(p, e.actor, ops, { mode: 'invitation', openingAt: null });
    const first = await p.db.transaction((tx) => p.services.requirements.refundDepositInFull(tx, r.id));
    const second = await p.db.transaction((tx) => p.services.requirements.refundDepositInFull(tx, r.id));
    expect([first, second]).toEqual([20_000, 0]);
    expect(await availableFen(p, e.actor)).toBe(20_000);
    const [row] = await p.db
      .select()
      .from(requirements)
      .where(and(eq(requirements.id, r.id)));
    expect(row!.depositStatus).toBe('refunded');
  });
});

describe('storefronts and the showcase hall', () => {
  it('providers edit their own storefront; the showcase finds them by words, category and region', async () => {
    const a = await provider(p);
    const b = await provider(p);
    await p.services.storefronts.update(a.actor, {
      introduction: '专注跨境电商知识产权保护十年',
      qualifications: '国家知识产权局备案代理机构',
      regionsServed: ['3607'],
      categoryCodes: ['ip'],
      contactPhone: '0797-8888888',
    });
    const item = await p.services.storefronts.addItem(a.actor, {
      title: '国际商标马德里注册',
      categoryCode: 'ip.01',
      priceMinFen: 300_000,
      priceMaxFen: 800_000,
      priceUnit: '件',
      description: '覆盖 120 个国家',
    });
    await p.services.storefronts.addCase(a.actor, { title: '某稀土企业海外商标布局', year: 2025, description: '三十国注册' });
    const sf = await p.services.storefronts.get(null, a.actor.organisation!.organisationId);
    expect(sf).toMatchObject({
      introduction: '专注跨境电商知识产权保护十年',
      items: [{ title: '国际商标马德里注册', categoryName: '商标注册' }],
      cases: [{ title: '某稀土企业海外商标布局' }],
    });

    const ids = async (q: Record<string, unknown>) => (await p.services.storefronts.showcase({ pageSize: 50, ...q })).items.map((i) => i.id);
    expect(await ids({ q: '马德里' })).toContain(a.actor.organisation!.organisationId);
    expect(await ids({ q: '马德里' })).not.toContain(b.actor.organisation!.organisationId);
    expect(await ids({ category: 'ip' })).toContain(a.actor.organisation!.organisationId);
    expect(await ids({ category: 'ip.01' })).toContain(a.actor.organisation!.organisationId);
    expect(await ids({ category: 'legal' })).not.toContain(a.actor.organisation!.organisationId);
    expect(await ids({ region: '360702' })).toContain(a.actor.organisation!.organisationId);
    expect(await ids({ region: '5001' })).not.toContain(a.actor.organisation!.organisationId);

    await expect(
      p.services.storefronts.updateItem(b.actor, item.id, { title: '改名', categoryCode: 'ip.01', priceMinFen: 1, priceMaxFen: 1 }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(p.services.storefronts.deleteItem(b.actor, item.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const e = await enterprise(p);
    await expect(p.services.storefronts.update(e.actor, { introduction: 'x' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(p.services.storefronts.addItem(a.actor, { title: '商标', categoryCode: 'nope', priceMinFen: 500, priceMaxFen: 100 })).rejects.toMatchObject({
      fields: { priceMaxFen: '价格上限不能低于下限' },
    });
    await expect(p.services.storefronts.get(null, e.actor.organisation!.organisationId)).rejects.toMatchObject({ code: 'NOT_FOUND' });

    // Unlisted items disappear from the public storefront but not from the owner's.
    await p.services.storefronts.updateItem(a.actor, item.id, {
      title: '国际商标马德里注册',
      categoryCode: 'ip.01',
      priceMinFen: 300_000,
      priceMaxFen: 800_000,
      status: 'unlisted',
    });
    expect((await p.services.storefronts.get(null, a.actor.organisation!.organisationId)).items).toEqual([]);
    expect((await p.services.storefronts.get(a.actor, a.actor.organisation!.organisationId)).items).toHaveLength(1);
  });
});
