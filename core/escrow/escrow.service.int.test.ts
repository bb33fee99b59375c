import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { eq } from 'drizzle-orm';
import { requirements, storefronts } from '../../db/schema';
import { createTestPlatform, ManualClock } from '../testing/test-platform';
import { availableFen, awardedRequirement, fund, operator, provider } from '../testing/tenders-factories';
import type { Platform } from '../platform/platform';
import type { Actor } from '../shared/actor';
import { DAY } from '../shared/clock';
import { pdfText } from '../testing/pdf-text';
import { findCjkFont } from '../shared/cjk-font';
import { ESCROW_ERRORS } from './escrow.errors';

let p: Platform;
const clock = new ManualClock(new Date('2026-11-23T02:00:00Z'));
let ops: Actor;
beforeAll(async () => {
  p = await createTestPlatform({ clock });
  ops = await operator(p);
});
afterAll(() => p?.close());

const escrow = () => p.services.escrow;
const stateOf = async (id: string) =>
  (await p.db.select({ s: requirements.state, d: requirements.depositStatus }).from(requirements).where(eq(requirements.id, id)))[0]!;
const expectBalanced = async () => {
  expect(await escrow().check()).toMatchObject({ ok: true });
  expect((await p.services.ledger.check()).ok).toBe(true);
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

/** An agreement confirmed by the enterprise, with `over` applied to the draft. */
async function confirmed(over: Record<string, unknown> = {}, opts: Parameters<typeof awardedRequirement>[2] = {}) {
  clock.set(new Date('2026-11-23T02:00:00Z'));
  const t = await awardedRequirement(p, ops, opts);
  const ag = await escrow().saveDraft(t.pr.actor, t.r.id, draft(over));
  await escrow().send(t.pr.actor, ag.id);
  await escrow().confirm(t.e.actor, ag.id);
  return { ...t, ag };
}

describe('agreement', () => {
  it('the selected provider drafts; the enterprise returns it with comments, then confirms the revision; versions are kept; the PDF is the formal record', async () => {
    const t = await awardedRequirement(p, ops, { priceFen: 3_000_000 });
    const basis = await escrow().draftBasis(t.pr.actor, t.r.id);
    expect(basis).toMatchObject({ winningPriceFen: 3_000_000, agreementId: null });

    await expect(escrow().saveDraft(t.e.actor, t.r.id, draft())).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(escrow().saveDraft((await provider(p)).actor, t.r.id, draft())).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(escrow().saveDraft(t.pr.actor, t.r.id, draft({ totalFen: 3_100_000 }))).rejects.toMatchObject({
      fields: { milestones: '里程碑金额合计 ¥30,000.00，须等于合同总价 ¥31,000.00' },
    });

    const d = await escrow().saveDraft(t.pr.actor, t.r.id, draft());
    expect(d).toMatchObject({ status: 'draft', totalFen: 3_000_000, paymentMode: 'instalments' });
    await expect(escrow().confirm(t.e.actor, d.id)).rejects.toMatchObject({ code: 'AGREEMENT_NOT_SENT' });
    await escrow().send(t.pr.actor, d.id);
    await expect(escrow().saveDraft(t.pr.actor, t.r.id, draft())).rejects.toMatchObject({ code: 'AGREEMENT_NOT_EDITABLE' });
    await expect(escrow().confirm(t.pr.actor, d.id)).rejects.toMatchObject({ code: 'FORBIDDEN' });
    const back = await escrow().returnAgreement(t.e.actor, d.id, { comment: '请把首个里程碑改为两周内完成' });
    expect(back).toMatchObject({ status: 'returned', returnComment: '请把首个里程碑改为两周内完成' });

    await escrow().saveDraft(t.pr.actor, t.r.id, draft({ milestones: [{ ...draft().milestones[0]!, dueDate: '2026-12-15' }, draft().milestones[1]!] }));
    await escrow().send(t.pr.actor, d.id);
    const done = await escrow().confirm(t.e.actor, d.id);
    expect(done).toMatchObject({ status: 'confirmed', version: 2, contentSha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(done.versions.map((v) => [v.version, v.returnComment])).toEqual([
      [1, '请把首个里程碑改为两周内完成'],
      [2, null],
    ]);
    await expect(escrow().returnAgreement(t.e.actor, d.id, { comment: '再改改' })).rejects.toMatchObject({ code: 'AGREEMENT_NOT_SENT' });

    if (findCjkFont()) {
      const pdf = await escrow().pdf(t.pr.actor, d.id);
      const text = (await pdfText(pdf.bytes)).replace(/\s+/g, '');
      for (const s of [done.agreementNo, done.contentSha256!, '人民币叁万元整', '2026-12-15', t.e.input.uscc, t.pr.input.uscc]) expect(text).toContain(s);
      expect(Buffer.from((await escrow().pdf(t.e.actor, d.id)).bytes).equals(Buffer.from(pdf.bytes))).toBe(true);
    }
    await expect(escrow().pdf((await provider(p)).actor, d.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const reminders = await escrow().listMine(t.e.actor, {});
    expect(reminders.items[0]).toMatchObject({ id: d.id, todo: '待托管合同款', pdfUrl: `/api/v1/agreements/${d.id}/pdf` });
  });
});

describe('awaiting an agreement', () => {
  it('lists awarded requirements without an agreement for both sides until the provider saves a draft', async () => {
    clock.set(new Date('2026-11-23T02:00:00Z'));
    const t = await awardedRequirement(p, ops, { priceFen: 3_000_000 });
    const mine = (await escrow().awaitingAgreement(t.pr.actor)).find((x) => x.requirementId === t.r.id);
    expect(mine).toMatchObject({ side: 'provider', todo: '待起草协议', counterparty: t.e.input.organisationName });
    const theirs = (await escrow().awaitingAgreement(t.e.actor)).find((x) => x.requirementId === t.r.id);
    expect(theirs).toMatchObject({ side: 'enterprise', todo: '待服务机构起草协议' });
    expect((await escrow().awaitingAgreement((await provider(p)).actor)).some((x) => x.requirementId === t.r.id)).toBe(false);
    await escrow().saveDraft(t.pr.actor, t.r.id, draft());
    expect((await escrow().awaitingAgreement(t.pr.actor)).some((x) => x.requirementId === t.r.id)).toBe(false);
    expect((await escrow().awaitingAgreement(t.e.actor)).some((x) => x.requirementId === t.r.id)).toBe(false);
  });
});

describe('escrow, milestones and completion', () => {
  it('instalments: short balance refused with nothing moved; funding refunds the deposit; per-milestone release; completion; reviews', async () => {
    const t = await confirmed();
    const before = await availableFen(p, t.e.actor);
    await expect(escrow().fund(t.e.actor, t.ag.id)).rejects.toMatchObject({ code: 'INSUFFICIENT_FUNDS', message: expect.stringContaining('还差 ¥10,000.00') });
    expect(await availableFen(p, t.e.actor)).toBe(before);
    await expect(escrow().fund(t.pr.actor, t.ag.id)).rejects.toMatchObject({ code: 'FORBIDDEN' });

    await fund(p, t.e.actor, 3_000_000);
    const first = await escrow().fund(t.e.actor, t.ag.id);
    expect(first).toMatchObject({ fundedFen: 1_000_000, depositRefundFen: 20_000 });
    expect(await stateOf(t.r.id)).toEqual({ s: 'in_progress', d: 'refunded' });
    expect(first.agreement.milestones.map((m) => m.status)).toEqual(['funded', 'unfunded']);
    await expectBalanced();

    const [m1, m2] = first.agreement.milestones;
    await expect(escrow().deliver(t.pr.actor, m2!.id, { note: '提前交付' })).rejects.toMatchObject({ code: 'MILESTONE_NOT_FUNDED' });
    await expect(escrow().deliver(t.e.actor, m1!.id, { note: '企业代交' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await escrow().deliver(t.pr.actor, m1!.id, { note: '账套已建立，12 月申报完成' });
    await expect(escrow().accept(t.pr.actor, m1!.id)).rejects.toMatchObject({ code: 'FORBIDDEN' });
    const providerBefore = await availableFen(p, t.pr.actor);
    const accepted = await escrow().accept(t.e.actor, m1!.id);
    expect(accepted.milestones[0]).toMatchObject({ status: 'released', releasedFen: 1_000_000 });
    expect(await availableFen(p, t.pr.actor)).toBe(providerBefore + 1_000_000);
    await expect(escrow().accept(t.e.actor, m1!.id)).rejects.toMatchObject({ code: 'MILESTONE_SETTLED' });

    await escrow().fund(t.e.actor, t.ag.id);
    await expect(escrow().fund(t.e.actor, t.ag.id)).rejects.toMatchObject({ code: 'ESCROW_FULLY_FUNDED', message: '合同款已全部托管' });
    await escrow().deliver(t.pr.actor, m2!.id, { note: '汇算清缴报告初稿' });
    const returned = await escrow().returnMilestone(t.e.actor, m2!.id, { reason: '报告缺少研发费用加计扣除部分' });
    expect(returned.milestones[1]).toMatchObject({ status: 'funded', autoAcceptAt: null });
    await escrow().deliver(t.pr.actor, m2!.id, { note: '已补充加计扣除分析' });
    const last = await escrow().accept(t.e.actor, m2!.id);
    expect(last.completedAt).not.toBeNull();
    expect((await stateOf(t.r.id)).s).toBe('completed');
    expect(await availableFen(p, t.pr.actor)).toBe(providerBefore + 3_000_000);
    expect(last.milestones[1]!.timeline.map((e) => e.type)).toEqual(['funded', 'delivered', 'returned', 'delivered', 'accepted', 'released']);
    await expectBalanced();

    // Ratings: once each side, shown on the storefront; one reply.
    await escrow().review(t.e.actor, t.ag.id, { quality: 5, timeliness: 4, communication: 5, body: '专业、及时' });
    await expect(escrow().review(t.e.actor, t.ag.id, { quality: 1, timeliness: 1, communication: 1 })).rejects.toMatchObject({ code: 'ALREADY_REVIEWED' });
    await expect(escrow().review(t.e.actor, t.ag.id, { quality: 6, timeliness: 4, communication: 5 })).rejects.toMatchObject({
      fields: { quality: '服务质量为 1–5 星' },
    });
    await escrow().review(t.pr.actor, t.ag.id, { quality: 4, timeliness: 4, communication: 4, body: '配合良好' });
    const sf = (await p.db.select().from(storefronts).where(eq(storefronts.organisationId, t.pr.actor.organisation!.organisationId)))[0]!;
    expect(sf).toMatchObject({ ratingCount: 1 });
    expect(sf.ratingAvg).toBeCloseTo(14 / 3);
    const ofProvider = await escrow().reviewsOf(t.pr.actor.organisation!.organisationId);
    expect(ofProvider).toMatchObject({ count: 1, quality: 5, timeliness: 4 });
    const ofEnterprise = await escrow().reviewsOf(t.e.actor.organisation!.organisationId);
    expect(ofEnterprise.average).toBe(4);
    await expect(escrow().reply(t.e.actor, ofProvider.items[0]!.id, { reply: '谢谢' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await escrow().reply(t.pr.actor, ofProvider.items[0]!.id, { reply: '感谢信任' });
    await expect(escrow().reply(t.pr.actor, ofProvider.items[0]!.id, { reply: '再次感谢' })).rejects.toMatchObject({ code: 'ALREADY_REPLIED' });
  });

  it('full escrow at completion: pays once when the last milestone is accepted, less the operator-set fee', async () => {
    await p.services.settings.update(ops, 'escrow.fee', { feeBp: 250 });
    try {
      const t = await confirmed({ releaseMode: 'at_completion' }, { paymentMode: 'full_escrow', enterpriseFundsFen: 3_000_000 });
      const funded = await escrow().fund(t.e.actor, t.ag.id);
      expect(funded.fundedFen).toBe(3_000_000);
      expect(funded.agreement.feeBp).toBe(250);
      const [m1, m2] = funded.agreement.milestones;
      const start = await availableFen(p, t.pr.actor);
      await escrow().deliver(t.pr.actor, m1!.id, { note: '交付一' });
      await escrow().accept(t.e.actor, m1!.id);
      expect(await availableFen(p, t.pr.actor)).toBe(start);
      await escrow().deliver(t.pr.actor, m2!.id, { note: '交付二' });
      await escrow().accept(t.e.actor, m2!.id);
      expect(await availableFen(p, t.pr.actor)).toBe(start + 3_000_000 - 75_000);
      await expectBalanced();
    } finally {
      await p.services.settings.update(ops, 'escrow.fee', { feeBp: 0 });
    }
  });

  it('funds once when the enterprise pays twice at the same time', async () => {
    const t = await confirmed({}, { paymentMode: 'full_escrow', enterpriseFundsFen: 6_000_000 });
    const r = await Promise.allSettled([escrow().fund(t.e.actor, t.ag.id), escrow().fund(t.e.actor, t.ag.id), escrow().fund(t.e.actor, t.ag.id)]);
    expect(r.filter((x) => x.status === 'fulfilled')).toHaveLength(1);
    expect(await availableFen(p, t.e.actor)).toBe(6_000_000 + 20_000 - 3_000_000);
    await expectBalanced();
  });
});

describe('auto-acceptance on working days', () => {
  it('5 working days to the reminder queue, 2 more to acceptance; holidays skipped; once however often the job runs', async () => {
    await p.services.settings.update(ops, 'calendar', { holidays: ['2026-12-08'], workdays: [] });
    try {
      const t = await confirmed({}, { enterpriseFundsFen: 1_000_000 });
      const { agreement } = await escrow().fund(t.e.actor, t.ag.id);
      const m = agreement.milestones[0]!;
      clock.set(new Date('2026-11-27T07:00:00Z')); // Friday 15:00 in Shanghai
      const delivered = await escrow().deliver(t.pr.actor, m.id, { note: '首月交付' });
      // Mon 30, Tue 1, Wed 2, Thu 3, Fri 4 → due Friday 4 December; then Mon 7 and (Tue 8 is a holiday) Wed 9.
      expect(delivered.milestones[0]).toMatchObject({ reminderDueAt: new Date('2026-12-04T07:00:00Z'), autoAcceptAt: new Date('2026-12-09T07:00:00Z') });

      clock.set(new Date('2026-12-04T06:59:00Z'));
      expect((await escrow().reminderQueue(ops)).some((x) => x.milestoneId === m.id)).toBe(false);
      await expect(escrow().reminderQueue(t.e.actor)).rejects.toMatchObject({ code: 'FORBIDDEN' });
      clock.set(new Date('2026-12-07T02:00:00Z')); // Monday: an operator reminds
      expect((await escrow().reminderQueue(ops)).map((x) => x.milestoneId)).toContain(m.id);
      const reminded = await escrow().remind(ops, m.id);
      // Two working days from the reminder: Tue 8 is off → Thu 10.
      expect(reminded.autoAcceptAt).toEqual(new Date('2026-12-10T02:00:00Z'));
      expect((await escrow().get(t.e.actor, t.ag.id)).milestones[0]!.timeline.at(-1)).toMatchObject({
        type: 'reminded',
        note: expect.stringContaining('2026-12-10 10:00（北京时间）前'),
      });
      clock.set(new Date('2026-12-09T08:00:00Z'));
      expect(await escrow().autoAccept(m.id)).toBe(false);
      clock.set(new Date('2026-12-10T02:00:00Z'));
      const runs = await Promise.all([escrow().autoAccept(m.id), escrow().autoAccept(m.id), escrow().runDueJobs()]);
      expect(runs.filter((x) => x === true || x === 1)).toHaveLength(1);
      const after = await escrow().get(t.e.actor, t.ag.id);
      expect(after.milestones[0]).toMatchObject({ status: 'released', autoAccepted: true });
      await expectBalanced();
    } finally {
      await p.services.settings.update(ops, 'calendar', { holidays: [], workdays: [] });
    }
  });
});

describe('after-sales and termination', () => {
  it('a case holds unreleased escrow; the operator decides a split with a reason; nothing is paid during the case', async () => {
    const t = await confirmed({}, { paymentMode: 'full_escrow', enterpriseFundsFen: 3_000_000 });
    const { agreement } = await escrow().fund(t.e.actor, t.ag.id);
    const [m1] = agreement.milestones;
    await expect(escrow().openCase(t.pr.actor, t.ag.id, { reason: '服务机构不能开售后' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    const c = await escrow().openCase(t.e.actor, t.ag.id, { reason: '首月报表错误较多，要求整改' });
    await expect(escrow().openCase(t.e.actor, t.ag.id, { reason: '再开一个售后' })).rejects.toMatchObject({ code: 'AFTER_SALES_OPEN' });
    expect(c).toMatchObject({ status: 'open', heldFen: 3_000_000 });
    // Where the status is shown, the open case shows (not 已生效).
    expect(await escrow().get(t.e.actor, t.ag.id)).toMatchObject({ status: 'confirmed', statusLabel: '售后处理中', openCaseId: c.id });
    expect((await escrow().listMine(t.pr.actor, {})).items.find((x) => x.id === t.ag.id)).toMatchObject({ statusLabel: '售后处理中' });

    const start = await availableFen(p, t.pr.actor);
    await escrow().deliver(t.pr.actor, m1!.id, { note: '已整改' });
    await escrow().accept(t.e.actor, m1!.id);
    expect(await availableFen(p, t.pr.actor)).toBe(start); // held
    await expect(escrow().decideCase(ops, c.id, { refundFen: 0, payFen: 3_000_000, reason: '尚未升级就裁决' })).rejects.toMatchObject({
      code: 'AFTER_SALES_NOT_ESCALATED',
    });
    await escrow().caseMessage(t.pr.actor, c.id, { body: '已按要求整改，请查收' }, 'respond');
    await expect(escrow().caseMessage(t.e.actor, c.id, { body: '冒充回应' }, 'respond')).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await escrow().caseMessage(t.e.actor, c.id, {}, 'escalate');
    await expect(escrow().decideCase(t.e.actor, c.id, { refundFen: 0, payFen: 3_000_000, reason: '企业自己来裁决' })).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
    await expect(escrow().decideCase(ops, c.id, { refundFen: 1, payFen: 1, reason: '金额不对的裁决' })).rejects.toMatchObject({ code: 'VALIDATION' });
    const decided = await escrow().decideCase(ops, c.id, {
      refundFen: 1_000_000,
      payFen: 2_000_000,
      reason: '首月服务有瑕疵，退回部分款项',
      outcome: 'terminate',
    });
    expect(decided).toMatchObject({ status: 'decided', refundFen: 1_000_000, payFen: 2_000_000 });
    expect(decided.timeline.map((e) => e.type)).toEqual(['opened', 'respond', 'escalate', 'decided']);
    expect(await availableFen(p, t.pr.actor)).toBe(start + 2_000_000);
    expect((await stateOf(t.r.id)).s).toBe('closed');
    expect((await escrow().get(t.e.actor, t.ag.id)).status).toBe('terminated');
    await expectBalanced();
    // A stranger sees nothing of the case.
    await expect(escrow().getCase((await provider(p)).actor, c.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('termination by mutual agreement splits what is held; the proposer cannot accept its own proposal', async () => {
    const t = await confirmed({}, { enterpriseFundsFen: 1_000_000 });
    await escrow().fund(t.e.actor, t.ag.id);
    await expect(
      escrow().proposeTermination(t.e.actor, t.ag.id, { refundFen: 500_000, payFen: 400_000, reason: '业务调整，双方协商终止' }),
    ).rejects.toMatchObject({ code: 'VALIDATION' });
    await escrow().proposeTermination(t.e.actor, t.ag.id, { refundFen: 600_000, payFen: 400_000, reason: '业务调整，双方协商终止' });
    await expect(escrow().answerTermination(t.e.actor, t.ag.id, { decision: 'accept' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    const before = await availableFen(p, t.e.actor);
    const done = await escrow().answerTermination(t.pr.actor, t.ag.id, { decision: 'accept' });
    expect(done.status).toBe('terminated');
    expect(await availableFen(p, t.e.actor)).toBe(before + 600_000);
    await expectBalanced();
  });
});

describe('malformed input is refused with a field or NOT_FOUND, never reaching the database', () => {
  it('impossible dates, unparsed case notes, non-UUID milestone and organisation ids', async () => {
    const t = await awardedRequirement(p, ops, {});
    await expect(escrow().saveDraft(t.pr.actor, t.r.id, draft({ startDate: '2026-02-30' }))).rejects.toMatchObject({
      code: 'VALIDATION',
      fields: { startDate: '日期无效' },
    });
    const c = await confirmed({}, { enterpriseFundsFen: 1_000_000 });
    await escrow().fund(c.e.actor, c.ag.id);
    const opened = await escrow().openCase(c.e.actor, c.ag.id, { reason: '首月报表错误较多' });
    await expect(escrow().caseMessage(c.pr.actor, opened.id, { attachmentIds: ['nope'] }, 'escalate')).rejects.toMatchObject({
      code: 'VALIDATION',
      fields: { 'attachmentIds.0': '附件编号无效' },
    });
    await expect(escrow().caseMessage(c.e.actor, opened.id, { body: 42 }, 'withdraw')).rejects.toMatchObject({
      code: 'VALIDATION',
      fields: { body: '说明须为文字' },
    });
    expect(await escrow().caseMessage(c.e.actor, opened.id, undefined, 'withdraw')).toMatchObject({ status: 'withdrawn' });
    await expect(escrow().remind(ops, 'not-a-uuid')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(escrow().reviewsOf('not-a-uuid')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});

describe('invariant: escrow holds exactly the funded, unreleased milestone money', () => {
  it('property: random sequences of fund / deliver / accept / return / dispute / decide keep escrow = Σ held and the ledger at zero', async () => {
    const Action = fc.constantFrom(
      'fund',
      'deliver1',
      'deliver2',
      'accept1',
      'accept2',
      'return1',
      'return2',
      'dispute',
      'respond',
      'escalate',
      'decide',
      'withdrawCase',
      'terminate',
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(Action, { minLength: 4, maxLength: 14 }),
        fc.constantFrom('full_escrow', 'instalments'),
        fc.constantFrom('per_milestone', 'at_completion'),
        fc.integer({ min: 0, max: 100 }),
        async (actions, paymentMode, releaseMode, share) => {
          const t = await confirmed({ releaseMode }, { paymentMode: paymentMode as 'full_escrow', enterpriseFundsFen: 3_000_000 });
          for (const a of actions) {
            const ag = await escrow().get(t.e.actor, t.ag.id);
            const [m1, m2] = ag.milestones;
            const m = a.endsWith('2') ? m2! : m1!;
            const held = ag.escrow.inEscrowFen;
            const run = {
              fund: () => escrow().fund(t.e.actor, t.ag.id),
              deliver1: () => escrow().deliver(t.pr.actor, m.id, { note: '交付' }),
              deliver2: () => escrow().deliver(t.pr.actor, m.id, { note: '交付' }),
              accept1: () => escrow().accept(t.e.actor, m.id),
              accept2: () => escrow().accept(t.e.actor, m.id),
              return1: () => escrow().returnMilestone(t.e.actor, m.id, { reason: '需修改' }),
              return2: () => escrow().returnMilestone(t.e.actor, m.id, { reason: '需修改' }),
              dispute: () => escrow().openCase(t.e.actor, t.ag.id, { reason: '对交付质量有异议' }),
              respond: () => (ag.openCaseId ? escrow().caseMessage(t.pr.actor, ag.openCaseId, { body: '回应' }, 'respond') : Promise.resolve()),
              escalate: () => (ag.openCaseId ? escrow().caseMessage(t.pr.actor, ag.openCaseId, {}, 'escalate') : Promise.resolve()),
              decide: () => {
                const payFen = Math.floor((held * share) / 100);
                return ag.openCaseId
                  ? escrow().decideCase(ops, ag.openCaseId, {
                      payFen,
                      refundFen: held - payFen,
                      reason: '平台依据材料裁决',
                      outcome: share % 2 ? 'terminate' : 'continue',
                    })
                  : Promise.resolve();
              },
              withdrawCase: () => (ag.openCaseId ? escrow().caseMessage(t.e.actor, ag.openCaseId, {}, 'withdraw') : Promise.resolve()),
              terminate: async () => {
                const payFen = Math.floor((held * share) / 100);
                await escrow().proposeTermination(t.pr.actor, t.ag.id, { payFen, refundFen: held - payFen, reason: '双方协商一致终止' });
                await escrow().answerTermination(t.e.actor, t.ag.id, { decision: 'accept' });
              },
            }[a];
            await run().catch((e: { code?: string }) => {
              // Refusals are part of the game; anything else is a defect.
              if (![...Object.keys(ESCROW_ERRORS), 'FORBIDDEN', 'NOT_FOUND', 'VALIDATION', 'INSUFFICIENT_FUNDS'].includes(e.code ?? '')) throw e;
            });
            await expectBalanced();
          }
        },
      ),
      { numRuns: 12 },
    );
  }, 240_000);
});
