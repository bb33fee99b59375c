import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  categoriesOrDefault,
  categoryErrors,
  fundingDeadline,
  fundingWarning,
  ISSUANCE_TRANSITIONS,
  issuanceEditable,
  issuanceErrors,
  issuanceTotalFen,
  issuanceTransition,
  issuanceCouponCount,
  poolIdentity,
  rowValueFen,
  tierLabel,
  unallocatedBudgetFen,
  unissuedStockFen,
  type IssuanceEvent,
  type IssuanceStatus,
  type PoolFigures,
  type TierRow,
} from './campaigns.machine';

/** The manual's first issuance (12-03 10:00): 12,700 coupons, ¥500,000. */
const MANUAL_ROWS: TierRow[] = [
  { categoryCode: 'general', tierNo: 1, thresholdFen: 10_000, discountFen: 3_000, count: 3000 },
  { categoryCode: 'general', tierNo: 2, thresholdFen: 15_000, discountFen: 5_000, count: 2200 },
  { categoryCode: 'dining', tierNo: 1, thresholdFen: 10_000, discountFen: 3_000, count: 5000 },
  { categoryCode: 'dining', tierNo: 2, thresholdFen: 20_000, discountFen: 6_000, count: 2500 },
];
const CATEGORIES = categoriesOrDefault(undefined);
const now = new Date('2023-11-28T02:00:00Z');
const check = (over: Partial<Parameters<typeof issuanceErrors>[0]> = {}) =>
  issuanceErrors({
    rows: MANUAL_ROWS,
    startsAt: new Date('2023-12-03T10:00:00+08:00'),
    now,
    validUntil: new Date('2023-12-10T23:59:00+08:00'),
    categories: CATEGORIES,
    unallocatedFen: 100_000_000,
    ...over,
  });

describe('categories', () => {
  it('default to 通用券 (超市/商场/百货/家电/建材) and 餐饮券 (餐饮)', () => {
    expect(CATEGORIES).toEqual([
      { code: 'general', name: '通用券', merchantCategories: ['supermarket', 'mall', 'department_store', 'appliances', 'building_materials'] },
      { code: 'dining', name: '餐饮券', merchantCategories: ['dining'] },
    ]);
    expect(categoriesOrDefault([{ code: 'x', name: '家电券', merchantCategories: ['appliances'] }])).toHaveLength(1);
  });
  it('refuse duplicate codes and names', () => {
    expect(
      categoryErrors([
        { code: 'a', name: '甲', merchantCategories: [] },
        { code: 'a', name: '甲', merchantCategories: [] },
      ]),
    ).toEqual({ 'categories.1.code': '券类别代码重复', 'categories.1.name': '券类别名称重复' });
  });
});

describe('issuance table', () => {
  it("the manual's issuance: row values 9万/11万/15万/15万, 12,700 coupons, ¥500,000", () => {
    expect(MANUAL_ROWS.map(rowValueFen)).toEqual([9_000_000, 11_000_000, 15_000_000, 15_000_000]);
    expect(issuanceTotalFen(MANUAL_ROWS)).toBe(50_000_000);
    expect(issuanceCouponCount(MANUAL_ROWS)).toBe(12_700);
    expect(tierLabel(MANUAL_ROWS[0]!)).toBe('满100减30');
    expect(check()).toEqual({});
  });

  it('refuses a total above the unallocated budget on the count of the first row that goes over', () => {
    // ¥1,000,000 budget, one ¥500,000 issuance planned; this one's 餐饮券一档 asks 20,000 coupons (¥600,000).
    const rows = MANUAL_ROWS.map((r, i) => (i === 2 ? { ...r, count: 20_000 } : r));
    const e = check({ rows, unallocatedFen: unallocatedBudgetFen(100_000_000, [{ totalFen: 50_000_000, returnedFen: 0 }]) });
    expect(Object.keys(e)).toEqual(['rows.2.count']);
    expect(e['rows.2.count']).toContain('超出未分配预算 ¥500,000.00');
    expect(e['rows.2.count']).toContain('本行最多 10,000 张');
    // One coupon too many lands on the last row.
    expect(Object.keys(check({ rows: MANUAL_ROWS.map((r, i) => (i === 2 ? { ...r, count: 5001 } : r)), unallocatedFen: 50_000_000 }))).toEqual([
      'rows.3.count',
    ]);
    // Exactly the unallocated budget is fine.
    expect(check({ unallocatedFen: 50_000_000 })).toEqual({});
  });

  it('a stop gives its returned value back to the budget for planning', () => {
    expect(unallocatedBudgetFen(100_000_000, [{ totalFen: 50_000_000, returnedFen: 20_000_000 }])).toBe(70_000_000);
  });

  it('refuses bad rows with one Chinese message per field', () => {
    const e = check({
      rows: [
        { categoryCode: 'general', tierNo: 1, thresholdFen: 10_000, discountFen: 10_000, count: 1 },
        { categoryCode: 'general', tierNo: 1, thresholdFen: 15_000, discountFen: 5_000, count: 0 },
        { categoryCode: 'toys', tierNo: 1, thresholdFen: 15_000, discountFen: 5_000, count: 1 },
        { categoryCode: 'dining', tierNo: 3, thresholdFen: 15_000, discountFen: 0, count: 1.5 },
      ],
    });
    expect(e).toEqual({
      'rows.0.discountFen': '减免金额须小于门槛金额',
      'rows.1.tierNo': '通用券一档重复',
      'rows.1.count': '发放张数须大于 0',
      'rows.2.categoryCode': '请选择本活动的券类别',
      'rows.3.discountFen': '减免金额须大于 0',
      'rows.3.count': '发放张数须大于 0',
      'rows.3.tierNo': '餐饮券的档次须从一档起连续编号',
    });
    expect(check({ rows: [] })).toEqual({ rows: '请至少设置一个档次' });
  });

  it('starts in the future and before the validity end', () => {
    expect(check({ startsAt: now })).toEqual({ startsAt: '发放时间须晚于当前时间' });
    expect(check({ startsAt: new Date('2023-12-11T00:00:00+08:00') })).toEqual({ startsAt: '发放时间须早于消费券有效期截止时间' });
  });

  it('a stop returns Σ (count − granted) × discount', () => {
    expect(
      unissuedStockFen([
        { count: 10, granted: 4, discountFen: 3000 },
        { count: 5, granted: 5, discountFen: 5000 },
      ]),
    ).toBe(18_000);
  });
});

describe('issuance state machine', () => {
  const events: IssuanceEvent[] = ['start', 'pause', 'resume', 'stop', 'finish'];
  const expected: Record<IssuanceStatus, Partial<Record<IssuanceEvent, IssuanceStatus>>> = {
    scheduled: { start: 'running' },
    running: { pause: 'paused', stop: 'stopped', finish: 'finished' },
    paused: { resume: 'running', stop: 'stopped', finish: 'finished' },
    stopped: {},
    finished: {},
  };
  it('allows exactly the table, and rows are editable only while scheduled', () => {
    for (const s of Object.keys(ISSUANCE_TRANSITIONS) as IssuanceStatus[]) {
      for (const ev of events) expect(issuanceTransition(s, ev), `${s} + ${ev}`).toBe(expected[s][ev] ?? null);
      expect(issuanceEditable(s)).toBe(s === 'scheduled');
    }
  });
});

describe('funding deadline: 2 working days before the first issuance', () => {
  it('the manual: first issuance Sunday 2023-12-03 10:00 → funded by the end of Thursday 11-30', () => {
    const first = new Date('2023-12-03T10:00:00+08:00');
    expect(fundingDeadline(first).toISOString()).toBe(new Date('2023-12-01T00:00:00+08:00').toISOString());
    expect(fundingWarning({ status: 'draft', firstStartsAt: first }, new Date('2023-11-30T15:00:00Z')).late).toBe(false);
    expect(fundingWarning({ status: 'draft', firstStartsAt: first }, new Date('2023-11-30T16:00:01Z')).late).toBe(true);
    expect(fundingWarning({ status: 'funded', firstStartsAt: first }, new Date('2023-12-02T00:00:00Z')).late).toBe(false);
    expect(fundingWarning({ status: 'draft', firstStartsAt: null }, now)).toEqual({ deadline: null, late: false });
  });
});

// ---------------------------------------------------------------------------------------------
// The pool identity over random money events, with the design's transfers on a model ledger.

type Acc = 'bureau' | 'pool' | 'issued' | 'payable' | 'm0' | 'm1';
interface Model {
  budget: number;
  funded: boolean;
  settled: boolean;
  acc: Record<Acc, number>;
  issuances: { total: number; started: boolean; stopped: boolean; returned: number; tiers: { count: number; granted: number; discount: number }[] }[];
  coupons: { discount: number; status: 'unused' | 'used' | 'expired' }[];
  redemptions: { coupon: number; merchant: 0 | 1; status: 'paid' | 'refunded'; settled: boolean }[];
  settledNet: number;
  remainder: number;
}
type Ev =
  | { t: 'fund' }
  | { t: 'allocate'; i: number }
  | { t: 'grant'; i: number; k: number }
  | { t: 'redeem'; c: number; m: 0 | 1 }
  | { t: 'refund'; r: number }
  | { t: 'expire' }
  | { t: 'stop'; i: number }
  | { t: 'settle' };

function move(m: Model, from: Acc, to: Acc, fen: number) {
  if (fen === 0) return;
  if (m.acc[from] < fen) throw new Error(`${from} would go negative`);
  m.acc[from] -= fen;
  m.acc[to] += fen;
}

function apply(m: Model, e: Ev) {
  const iss = 'i' in e ? m.issuances[e.i % m.issuances.length]! : undefined;
  switch (e.t) {
    case 'fund':
      if (!m.funded) (move(m, 'bureau', 'pool', m.budget), (m.funded = true));
      return;
    case 'allocate':
      if (m.funded && !m.settled && !iss!.started) (move(m, 'pool', 'issued', iss!.total), (iss!.started = true));
      return;
    case 'grant': {
      const tier = iss!.tiers[e.k % iss!.tiers.length]!;
      if (iss!.started && !iss!.stopped && !m.settled && tier.granted < tier.count) {
        tier.granted++;
        m.coupons.push({ discount: tier.discount, status: 'unused' });
      }
      return;
    }
    case 'redeem': {
      const c = m.coupons[e.c % Math.max(1, m.coupons.length)];
      if (c?.status === 'unused') {
        c.status = 'used';
        move(m, 'issued', 'payable', c.discount);
        m.redemptions.push({ coupon: m.coupons.indexOf(c), merchant: e.m, status: 'paid', settled: false });
      }
      return;
    }
    case 'refund': {
      const r = m.redemptions[e.r % Math.max(1, m.redemptions.length)];
      if (r?.status === 'paid') {
        r.status = 'refunded';
        const d = m.coupons[r.coupon]!.discount;
        if (r.settled) (move(m, r.merchant ? 'm1' : 'm0', 'pool', d), (m.settledNet -= d));
        else move(m, 'payable', 'pool', d);
      }
      return;
    }
    case 'expire': {
      const due = m.coupons.filter((c) => c.status === 'unused');
      for (const c of due) c.status = 'expired';
      move(
        m,
        'issued',
        'pool',
        due.reduce((s, c) => s + c.discount, 0),
      );
      return;
    }
    case 'stop':
      if (iss!.started && !iss!.stopped) {
        iss!.stopped = true;
        iss!.returned = unissuedStockFen(iss!.tiers.map((t) => ({ ...t, discountFen: t.discount })));
        move(m, 'issued', 'pool', iss!.returned);
      }
      return;
    case 'settle': {
      if (m.settled || !m.funded) return;
      apply(m, { t: 'expire' });
      for (const i of m.issuances) if (i.started && !i.stopped) apply(m, { t: 'stop', i: m.issuances.indexOf(i) });
      for (const merchant of [0, 1] as const) {
        const rs = m.redemptions.filter((r) => r.merchant === merchant && r.status === 'paid' && !r.settled);
        const owed = rs.reduce((s, r) => s + m.coupons[r.coupon]!.discount, 0);
        move(m, 'payable', merchant ? 'm1' : 'm0', owed);
        m.settledNet += owed;
        for (const r of rs) r.settled = true;
      }
      m.remainder = m.acc.pool;
      move(m, 'pool', 'bureau', m.acc.pool);
      m.settled = true;
      return;
    }
  }
}

function figures(m: Model): PoolFigures {
  const sum = (xs: { discount: number }[]) => xs.reduce((s, c) => s + c.discount, 0);
  const started = m.issuances.filter((i) => i.started);
  return {
    budgetFen: m.budget,
    fundedFen: m.funded ? m.budget : 0,
    allocatedFen: started.reduce((s, i) => s + i.total, 0),
    stopReturnedFen: m.issuances.reduce((s, i) => s + i.returned, 0),
    grantedFen: sum(m.coupons),
    unusedFen: sum(m.coupons.filter((c) => c.status === 'unused')),
    redeemedFen: sum(m.redemptions.filter((r) => r.status === 'paid').map((r) => m.coupons[r.coupon]!)),
    refundedFen: sum(m.redemptions.filter((r) => r.status === 'refunded').map((r) => m.coupons[r.coupon]!)),
    expiredFen: sum(m.coupons.filter((c) => c.status === 'expired')),
    poolFen: m.acc.pool,
    issuedFen: m.acc.issued,
    payableFen: m.acc.payable,
    settledFen: m.settledNet,
    remainderFen: m.remainder,
  };
}

const tierArb = fc.record({ count: fc.integer({ min: 1, max: 6 }), granted: fc.constant(0), discount: fc.integer({ min: 1, max: 60 }).map((n) => n * 100) });
const issuanceArb = fc.array(tierArb, { minLength: 1, maxLength: 3 });
const eventArb: fc.Arbitrary<Ev> = fc.oneof(
  fc.constant({ t: 'fund' as const }),
  fc.nat(3).map((i) => ({ t: 'allocate' as const, i })),
  fc.record({ i: fc.nat(3), k: fc.nat(3) }).map((x) => ({ t: 'grant' as const, ...x })),
  fc.record({ i: fc.nat(3), k: fc.nat(3) }).map((x) => ({ t: 'grant' as const, ...x })),
  fc.record({ c: fc.nat(40), m: fc.constantFrom(0 as const, 1 as const) }).map((x) => ({ t: 'redeem' as const, ...x })),
  fc.nat(40).map((r) => ({ t: 'refund' as const, r })),
  fc.constant({ t: 'expire' as const }),
  fc.nat(3).map((i) => ({ t: 'stop' as const, i })),
  fc.constant({ t: 'settle' as const }),
);

describe('pool identity', () => {
  it('holds to the fen after every event of any sequence, and no account goes negative', () => {
    fc.assert(
      fc.property(
        fc.array(issuanceArb, { minLength: 1, maxLength: 3 }),
        fc.integer({ min: 0, max: 50_000 }),
        fc.array(eventArb, { maxLength: 80 }),
        (plans, spare, events) => {
          const issuances = plans.map((tiers) => ({
            total: tiers.reduce((s, t) => s + t.count * t.discount, 0),
            started: false,
            stopped: false,
            returned: 0,
            tiers: tiers.map((t) => ({ ...t })),
          }));
          const budget = issuances.reduce((s, i) => s + i.total, 0) + spare;
          const m: Model = {
            budget,
            funded: false,
            settled: false,
            acc: { bureau: budget, pool: 0, issued: 0, payable: 0, m0: 0, m1: 0 },
            issuances,
            coupons: [],
            redemptions: [],
            settledNet: 0,
            remainder: 0,
          };
          for (const e of events) {
            apply(m, e);
            const id = poolIdentity(figures(m));
            expect(id.checks.filter((c) => !c.ok)).toEqual([]);
            expect(Object.values(m.acc).every((v) => v >= 0)).toBe(true);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('names the check that is off', () => {
    const f: PoolFigures = {
      budgetFen: 10_000,
      fundedFen: 10_000,
      allocatedFen: 6_000,
      stopReturnedFen: 0,
      grantedFen: 3_000,
      unusedFen: 1_000,
      redeemedFen: 1_500,
      refundedFen: 500,
      expiredFen: 0,
      poolFen: 4_500,
      issuedFen: 4_000,
      payableFen: 1_500,
      settledFen: 0,
      remainderFen: 0,
    };
    const ok = poolIdentity(f);
    expect(ok.ok).toBe(true);
    expect(ok.terms).toEqual({ budgetFen: 10_000, unissuedFen: 7_000, grantedUnusedFen: 1_000, redeemedFen: 1_500, expiredReturnedFen: 500 });
    const off = poolIdentity({ ...f, payableFen: 1_499, poolFen: 4_501 });
    expect(off.ok).toBe(false);
    expect(off.checks.filter((c) => !c.ok).map((c) => c.name)).toEqual(['payable']);
  });
});
