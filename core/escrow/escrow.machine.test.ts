import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  amountDueFen,
  AGREEMENT_TRANSITIONS,
  agreementTransition,
  allocateSplit,
  allowedActions,
  CASE_TRANSITIONS,
  caseTransition,
  checkAgreementNumbers,
  checkCanOpenCase,
  feeOf,
  heldFen,
  MILESTONE_TRANSITIONS,
  milestonesToFund,
  milestonesToRelease,
  milestoneTransition,
  type AgreementEvent,
  type AgreementStatus,
  type CaseEvent,
  type CaseStatus,
  type MilestoneEvent,
  type MilestoneMoney,
  type MilestoneStatus,
} from './escrow.machine';
import { addWorkingDays, DEFAULT_CALENDAR, isWorkingDay, workingDaysBetween, type WorkCalendar } from './working-days';
import { canonicalContent, contentSha256, fenToChineseCapitals, renderAgreementPdf, type AgreementContent } from './agreement-document';
import { findCjkFont } from '../shared/cjk-font';
import { pdfText } from '../testing/pdf-text';

/** Every (state, event) pair: allowed ones give the table's state, the rest a code naming why (the tables below). */
function everyPair<S extends string, E extends string>(table: Record<S, Partial<Record<E, S>>>, events: E[]) {
  return (Object.keys(table) as S[]).flatMap((s) => events.map((e) => [s, e, (table[s] as Partial<Record<E, S>>)[e] ?? null] as const));
}

/** The refusal each refused pair must give (written out here, not derived from the machine). */
const AGREEMENT_REFUSED: Record<AgreementEvent, string> = {
  send: 'AGREEMENT_NOT_EDITABLE',
  return: 'AGREEMENT_NOT_SENT',
  confirm: 'AGREEMENT_NOT_SENT',
  terminate: 'AGREEMENT_NOT_CONFIRMED',
};
const MILESTONE_REFUSED: Record<MilestoneStatus, Partial<Record<MilestoneEvent, string>>> = {
  unfunded: { deliver: 'MILESTONE_NOT_FUNDED', return: 'MILESTONE_NOT_DELIVERED', accept: 'MILESTONE_NOT_DELIVERED', release: 'MILESTONE_NOT_ACCEPTED' },
  funded: { fund: 'MILESTONE_ALREADY_FUNDED', return: 'MILESTONE_NOT_DELIVERED', accept: 'MILESTONE_NOT_DELIVERED', release: 'MILESTONE_NOT_ACCEPTED' },
  delivered: { fund: 'MILESTONE_ALREADY_FUNDED', deliver: 'MILESTONE_NOT_IN_PROGRESS', release: 'MILESTONE_NOT_ACCEPTED' },
  accepted: { fund: 'MILESTONE_ALREADY_FUNDED', deliver: 'MILESTONE_NOT_IN_PROGRESS', return: 'MILESTONE_NOT_DELIVERED', accept: 'MILESTONE_NOT_DELIVERED' },
  released: {
    fund: 'MILESTONE_SETTLED',
    deliver: 'MILESTONE_SETTLED',
    return: 'MILESTONE_SETTLED',
    accept: 'MILESTONE_SETTLED',
    release: 'MILESTONE_SETTLED',
    settle: 'MILESTONE_SETTLED',
  },
  refunded: {
    fund: 'MILESTONE_SETTLED',
    deliver: 'MILESTONE_SETTLED',
    return: 'MILESTONE_SETTLED',
    accept: 'MILESTONE_SETTLED',
    release: 'MILESTONE_SETTLED',
    settle: 'MILESTONE_SETTLED',
  },
};
const CASE_REFUSED: Record<CaseStatus, string> = {
  open: 'AFTER_SALES_NOT_ESCALATED',
  responded: 'AFTER_SALES_NOT_ESCALATED',
  escalated: 'AFTER_SALES_ESCALATED',
  decided: 'AFTER_SALES_CLOSED',
  withdrawn: 'AFTER_SALES_CLOSED',
};

describe('state machines', () => {
  it.each(everyPair<AgreementStatus, AgreementEvent>(AGREEMENT_TRANSITIONS, ['send', 'return', 'confirm', 'terminate']))(
    'agreement %s --%s--> %s',
    (s, e, to) => {
      if (to) expect(agreementTransition(s, e)).toBe(to);
      else expect(() => agreementTransition(s, e)).toThrow(expect.objectContaining({ code: AGREEMENT_REFUSED[e] }));
    },
  );
  it.each(everyPair<MilestoneStatus, MilestoneEvent>(MILESTONE_TRANSITIONS, ['fund', 'deliver', 'return', 'accept', 'release', 'settle']))(
    'milestone %s --%s--> %s',
    (s, e, to) => {
      if (to) expect(milestoneTransition(s, e)).toBe(to);
      else expect(() => milestoneTransition(s, e)).toThrow(expect.objectContaining({ code: MILESTONE_REFUSED[s][e] }));
    },
  );
  it.each(everyPair<CaseStatus, CaseEvent>(CASE_TRANSITIONS, ['respond', 'escalate', 'decide', 'withdraw', 'comment']))(
    'after-sales %s --%s--> %s',
    (s, e, to) => {
      if (to) expect(caseTransition(s, e)).toBe(to);
      else expect(() => caseTransition(s, e)).toThrow(expect.objectContaining({ code: CASE_REFUSED[s] }));
    },
  );
});

describe('agreement numbers', () => {
  const ok = {
    totalFen: 3_000_000,
    startDate: '2026-12-01',
    endDate: '2027-03-31',
    milestones: [
      { title: '建账', deliverables: '账套', amountFen: 1_000_000, dueDate: '2026-12-31' },
      { title: '汇算', deliverables: '报告', amountFen: 2_000_000, dueDate: '2027-03-31' },
    ],
  };
  it('accepts milestones that add up to the total, in order, within the dates', () => expect(() => checkAgreementNumbers(ok)).not.toThrow());
  it.each([
    [
      'amounts not adding up',
      { milestones: [{ ...ok.milestones[0]!, amountFen: 999_999 }, ok.milestones[1]!] },
      'milestones',
      '里程碑金额合计 ¥29,999.99，须等于合同总价 ¥30,000.00',
    ],
    ['no milestone', { milestones: [] }, 'milestones', '至少需要一个里程碑'],
    ['an end before the start', { endDate: '2026-11-30' }, 'endDate', '结束日期不能早于开始日期'],
    [
      'a due date after the end',
      { milestones: [ok.milestones[0]!, { ...ok.milestones[1]!, dueDate: '2027-04-01' }] },
      'milestones.1.dueDate',
      '里程碑日期须在合同起止日期之内',
    ],
    [
      'milestones out of order',
      {
        milestones: [
          { ...ok.milestones[0]!, dueDate: '2027-02-01' },
          { ...ok.milestones[1]!, dueDate: '2027-01-01' },
        ],
      },
      'milestones.1.dueDate',
      '里程碑须按时间先后排列',
    ],
  ])('refuses %s', (_, over, field, message) => {
    expect(() => checkAgreementNumbers({ ...ok, ...over })).toThrow(
      expect.objectContaining({ code: 'VALIDATION', fields: expect.objectContaining({ [field]: message }) }),
    );
  });
});

const ms = (...specs: [MilestoneStatus, number, number?][]): MilestoneMoney[] =>
  specs.map(([status, amount, funded], i) => ({
    id: `m${i + 1}`,
    seq: i + 1,
    status,
    amountFen: amount,
    fundedFen: funded ?? (status === 'unfunded' ? 0 : amount),
    releasedFen: status === 'released' ? amount : 0,
    refundedFen: 0,
  }));

describe('funding and release', () => {
  it('full escrow funds every unfunded milestone; instalments only the next one', () => {
    const all = ms(['unfunded', 100], ['unfunded', 200]);
    expect(milestonesToFund('full_escrow', all).map((m) => m.id)).toEqual(['m1', 'm2']);
    expect(milestonesToFund('instalments', all).map((m) => m.id)).toEqual(['m1']);
    expect(milestonesToFund('instalments', ms(['released', 100], ['unfunded', 200])).map((m) => m.id)).toEqual(['m2']);
    expect(() => milestonesToFund('instalments', ms(['funded', 100]))).toThrow(
      expect.objectContaining({ code: 'ESCROW_FULLY_FUNDED', message: '合同款已全部托管' }),
    );
    // The next instalment is paid before its milestone starts: after the previous one is accepted.
    for (const running of ['funded', 'delivered'] as const) {
      expect(() => milestonesToFund('instalments', ms([running, 100], ['unfunded', 200]))).toThrow(
        expect.objectContaining({ code: 'PREVIOUS_MILESTONE_OPEN', message: '里程碑 1 验收后再托管下一期合同款' }),
      );
      expect(amountDueFen('instalments', ms([running, 100], ['unfunded', 200]))).toBe(0);
    }
    expect(amountDueFen('instalments', ms(['accepted', 100], ['unfunded', 200]))).toBe(200);
    expect(amountDueFen('full_escrow', ms(['unfunded', 100], ['unfunded', 200]))).toBe(300);
  });

  it('per-milestone release pays each accepted milestone; at completion waits for the last; a case holds everything', () => {
    const partly = ms(['accepted', 100], ['delivered', 200]);
    expect(milestonesToRelease('per_milestone', partly, false).map((m) => m.id)).toEqual(['m1']);
    expect(milestonesToRelease('at_completion', partly, false)).toEqual([]);
    expect(milestonesToRelease('at_completion', ms(['accepted', 100], ['accepted', 200]), false).map((m) => m.id)).toEqual(['m1', 'm2']);
    expect(milestonesToRelease('per_milestone', partly, true)).toEqual([]);
  });

  it('the fee rounds down and is 0 by default', () => {
    expect(feeOf(12_345, 0)).toBe(0);
    expect(feeOf(12_345, 250)).toBe(308);
  });

  it('a split must add up to what is held, and goes to the provider earliest milestone first', () => {
    const held = ms(['released', 100], ['accepted', 200], ['funded', 300]);
    expect(allocateSplit(held, { payFen: 250, refundFen: 250 })).toEqual([
      { id: 'm2', payFen: 200, refundFen: 0 },
      { id: 'm3', payFen: 50, refundFen: 250 },
    ]);
    expect(() => allocateSplit(held, { payFen: 100, refundFen: 100 })).toThrow(
      expect.objectContaining({ code: 'VALIDATION', fields: expect.objectContaining({ payFen: '支付与退回之和须等于托管中的 ¥5.00' }) }),
    );
  });

  it('property: any valid split shares out exactly what each milestone holds', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 10_000_000 }), { minLength: 1, maxLength: 8 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (amounts, share) => {
          const held = ms(...amounts.map((a) => ['funded', a] as [MilestoneStatus, number]));
          const total = held.reduce((s, m) => s + heldFen(m), 0);
          const payFen = Math.floor(total * share);
          const out = allocateSplit(held, { payFen, refundFen: total - payFen });
          expect(out.reduce((s, x) => s + x.payFen, 0)).toBe(payFen);
          for (const x of out) expect(x.payFen + x.refundFen).toBe(heldFen(held.find((m) => m.id === x.id)!));
          expect(out.every((x) => x.payFen >= 0 && x.refundFen >= 0)).toBe(true);
        },
      ),
    );
  });

  it('after-sales: during the work, or within 30 days of completion', () => {
    const now = new Date('2026-12-31T00:00:00Z');
    expect(() => checkCanOpenCase({ agreementStatus: 'confirmed', completedAt: null, now })).not.toThrow();
    expect(() => checkCanOpenCase({ agreementStatus: 'confirmed', completedAt: new Date('2026-12-02T00:00:00Z'), now })).not.toThrow();
    expect(() => checkCanOpenCase({ agreementStatus: 'confirmed', completedAt: new Date('2026-11-30T00:00:00Z'), now })).toThrow(
      expect.objectContaining({ code: 'AFTER_SALES_PERIOD_OVER' }),
    );
    expect(() => checkCanOpenCase({ agreementStatus: 'sent', completedAt: null, now })).toThrow(expect.objectContaining({ code: 'AGREEMENT_NOT_CONFIRMED' }));
  });

  it('allowed actions follow the same rules the services check', () => {
    const now = new Date('2026-12-31T00:00:00Z');
    const base = { agreementStatus: 'confirmed' as const, completedAt: null, now, caseOpen: false, pendingTerminationBy: null };
    // During the work: the enterprise may open a case, either side may propose ending it.
    expect(allowedActions({ ...base, side: 'enterprise' })).toEqual({ openCase: true, proposeTermination: true, answerTermination: false });
    expect(allowedActions({ ...base, side: 'provider' })).toEqual({ openCase: false, proposeTermination: true, answerTermination: false });
    // Operators and outsiders act through other screens.
    expect(allowedActions({ ...base, side: undefined })).toEqual({ openCase: false, proposeTermination: false, answerTermination: false });
    // Within 30 days of completion after-sales is still open; after that it is not, and termination never is once completed.
    const lately = { ...base, side: 'enterprise' as const, completedAt: new Date('2026-12-02T00:00:00Z') };
    expect(allowedActions(lately)).toEqual({ openCase: true, proposeTermination: false, answerTermination: false });
    expect(allowedActions({ ...lately, completedAt: new Date('2026-11-30T00:00:00Z') }).openCase).toBe(false);
    // One open case at a time; nothing before confirmation.
    expect(allowedActions({ ...base, side: 'enterprise', caseOpen: true }).openCase).toBe(false);
    expect(allowedActions({ ...base, side: 'enterprise', agreementStatus: 'sent' })).toEqual({
      openCase: false,
      proposeTermination: false,
      answerTermination: false,
    });
    // A pending proposal: the proposer waits, the other side answers, nobody proposes another.
    const pending = { ...base, pendingTerminationBy: 'provider' as const };
    expect(allowedActions({ ...pending, side: 'provider' })).toEqual({ openCase: false, proposeTermination: false, answerTermination: false });
    expect(allowedActions({ ...pending, side: 'enterprise' })).toEqual({ openCase: true, proposeTermination: false, answerTermination: true });
  });
});

describe('working days (Asia/Shanghai)', () => {
  const plain: WorkCalendar = { holidays: [], workdays: [] };
  it('skips weekends: Friday 15:00 + 5 working days is the next Friday 15:00', () => {
    expect(addWorkingDays(new Date('2026-11-27T07:00:00Z'), 5, plain).toISOString()).toBe('2026-12-04T07:00:00.000Z');
  });
  it('uses the Shanghai date: Sunday 23:30 UTC is already Monday in Shanghai, so one working day later is Tuesday there', () => {
    expect(addWorkingDays(new Date('2026-11-29T23:30:00Z'), 1, plain).toISOString()).toBe('2026-11-30T23:30:00.000Z');
  });
  it('skips public holidays and counts make-up weekend workdays (National Day 2026)', () => {
    // Wed 2026-09-30 10:00 Shanghai: Oct 1–7 off except the weekend; Sat Oct 10 is a working day.
    const from = new Date('2026-09-30T02:00:00Z');
    expect(addWorkingDays(from, 1, DEFAULT_CALENDAR).toISOString()).toBe('2026-10-08T02:00:00.000Z');
    expect(addWorkingDays(from, 3, DEFAULT_CALENDAR).toISOString()).toBe('2026-10-10T02:00:00.000Z');
    expect(isWorkingDay('2026-10-10', DEFAULT_CALENDAR)).toBe(true);
    expect(isWorkingDay('2026-10-05', DEFAULT_CALENDAR)).toBe(false);
  });
  it('an operator-configured holiday moves the deadline', () => {
    const cal = { holidays: ['2026-12-02'], workdays: [] };
    expect(addWorkingDays(new Date('2026-11-30T02:00:00Z'), 5, cal).toISOString()).toBe('2026-12-08T02:00:00.000Z');
  });
  it('property: n working days later there are exactly n working days in between, and a weekday result', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('2026-01-01'), max: new Date('2027-12-01'), noInvalidDate: true }), fc.integer({ min: 1, max: 30 }), (from, n) => {
        const to = addWorkingDays(from, n, DEFAULT_CALENDAR);
        expect(workingDaysBetween(from, to, DEFAULT_CALENDAR)).toBe(n);
        expect(to.getTime()).toBeGreaterThan(from.getTime());
      }),
    );
  });
});

const content: AgreementContent = {
  agreementNo: 'HT202612010001',
  requirement: { requirementNo: 'XQ20261123001', title: '年度代理记账与税务申报服务' },
  enterprise: { fullName: '赣州市章贡区青禾食品有限公司', uscc: '91360702MA35K8Q2XA' },
  provider: { fullName: '赣州诚信财税咨询有限公司', uscc: '91360702MA35F3JD6B' },
  scope: '全年代理记账、月度纳税申报、年度汇算清缴与季度经营分析报告。',
  totalFen: 2_400_050,
  startDate: '2026-12-01',
  endDate: '2027-11-30',
  paymentMode: 'instalments',
  releaseMode: 'per_milestone',
  feeBp: 0,
  milestones: [
    { seq: 1, title: '建账与首月申报', deliverables: '账套、12 月申报表', amountFen: 400_050, dueDate: '2026-12-31' },
    { seq: 2, title: '全年服务', deliverables: '月度报表、汇算清缴报告', amountFen: 2_000_000, dueDate: '2027-11-30' },
  ],
  confirmedOn: '2026-12-01',
  termsVersion: '2026-11',
};

describe('the formal agreement', () => {
  it.each([
    [2_400_050, '人民币贰万肆仟元伍角'],
    [2_000_000, '人民币贰万元整'],
    [10_000_000_000, '人民币壹亿元整'],
    [5, '人民币伍分'],
    [100_001, '人民币壹仟元零壹分'],
  ])('%i fen in capitals: %s', (fen, words) => expect(fenToChineseCapitals(fen)).toBe(words));

  it('hashes the canonical content: any change of a term changes the hash', () => {
    expect(contentSha256(content)).toMatch(/^[0-9a-f]{64}$/);
    expect(contentSha256({ ...content })).toBe(contentSha256(content));
    expect(contentSha256({ ...content, totalFen: content.totalFen + 1 })).not.toBe(contentSha256(content));
    expect(JSON.parse(canonicalContent(content)).milestones).toHaveLength(2);
  });

  it.runIf(Boolean(findCjkFont()))('renders a PDF that carries the parties, both USCCs, amounts in figures and capitals, and the hash', async () => {
    const pdf = await renderAgreementPdf(content);
    expect(Buffer.from(pdf.slice(0, 5)).toString()).toBe('%PDF-');
    const text = await pdfText(pdf);
    for (const s of [
      'HT202612010001',
      '赣州市章贡区青禾食品有限公司',
      '91360702MA35K8Q2XA',
      '赣州诚信财税咨询有限公司',
      '91360702MA35F3JD6B',
      '¥24,000.50',
      '贰万肆仟元伍角',
      '建账与首月申报',
      contentSha256(content),
    ]) {
      expect(text.replace(/\s+/g, '')).toContain(s.replace(/\s+/g, ''));
    }
    // The same content renders the same bytes.
    expect(Buffer.from(await renderAgreementPdf(content)).equals(Buffer.from(pdf))).toBe(true);
  });

  it('without a Chinese font it says what to install instead of writing boxes', async () => {
    await expect(renderAgreementPdf(content, null)).rejects.toThrow(/fonts-noto-cjk/);
  });
});
