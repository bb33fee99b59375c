import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  checkPayMethod,
  checkReimbursable,
  checkReprice,
  ORDER_TRANSITIONS,
  orderTotal,
  orderTransition,
  remittanceNote,
  type OrderEvent,
  type OrderStatus,
} from './orders.machine';

const EVENTS: OrderEvent[] = ['pay', 'cancel', 'expire', 'ship', 'receive', 'complete', 'refund'];
const pairs = (Object.keys(ORDER_TRANSITIONS) as OrderStatus[]).flatMap((s) =>
  EVENTS.map((e) => [s, e, (ORDER_TRANSITIONS[s] as Partial<Record<OrderEvent, OrderStatus>>)[e] ?? null] as const),
);

describe('order state machine', () => {
  it.each(pairs)('%s --%s--> %s', (s, e, to) => {
    if (to) expect(orderTransition(s, e)).toBe(to);
    else expect(() => orderTransition(s, e)).toThrow(expect.objectContaining({ code: 'ORDER_STATUS_FORBIDS' }));
  });

  it('property: any sequence of events ends in a state reachable by the table, and final states accept nothing', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...EVENTS), { maxLength: 12 }), (events) => {
        let s: OrderStatus = 'pending_payment';
        for (const e of events) {
          try {
            s = orderTransition(s, e);
          } catch {
            /* refused: state unchanged */
          }
        }
        if (s === 'completed' || s === 'cancelled' || s === 'refunded') for (const e of EVENTS) expect(() => orderTransition(s, e)).toThrow();
      }),
    );
  });
});

describe('the manual’s payment ways', () => {
  it.each([
    ['unit', 'corporate_online', [50_000_000], null],
    ['unit', 'corporate_online', [100], null],
    ['unit', 'offline_transfer', [1_000_000], null],
    ['unit', 'offline_transfer', [999_999], '大额支付适用于 ¥10,000.00 及以上的订单'],
    ['unit', 'offline_transfer', [1_000_000, 1_000_000], '大额支付须逐笔订单转账，请选择一个订单'],
    ['unit', 'personal_online', [100], expect.stringContaining('单位订单请使用对公支付或大额支付')],
    ['individual', 'personal_online', [100], null],
    ['individual', 'corporate_online', [100], '个人用户请使用在线支付'],
    ['individual', 'offline_transfer', [2_000_000], '个人用户请使用在线支付'],
  ] as const)('%s paying by %s %o', (buyerKind, method, orderTotalsFen, error) => {
    const run = () => checkPayMethod({ buyerKind, method, orderTotalsFen: [...orderTotalsFen] });
    if (error === null) expect(run).not.toThrow();
    else expect(run).toThrow(expect.objectContaining({ code: 'VALIDATION', fields: { method: error } }));
  });

  it('self-purchase reimbursement: only with a unit, only under ¥10,000', () => {
    expect(() => checkReimbursable({ unitId: 'u', orderTotalsFen: [999_999] })).not.toThrow();
    expect(() => checkReimbursable({ unitId: 'u', orderTotalsFen: [1_000_000] })).toThrow(expect.objectContaining({ code: 'VALIDATION' }));
    expect(() => checkReimbursable({ unitId: null, orderTotalsFen: [100] })).toThrow(
      expect.objectContaining({ fields: { reimbursable: '您还没有所属单位，不能选择单位报销' } }),
    );
  });

  it('the remittance note is exactly 消费帮扶+<order number>', () => expect(remittanceNote('MO202611230000000001')).toBe('消费帮扶+MO202611230000000001'));
});

describe('repricing (议价)', () => {
  const ok = {
    status: 'pending_payment' as OrderStatus,
    bulk: true,
    awaitingTransfer: false,
    lineIds: ['a', 'b'],
    changes: [{ lineId: 'a', priceFen: 900 }],
    reason: '批量优惠',
  };
  it('accepts an unpaid bulk order with a reason', () => expect(() => checkReprice(ok)).not.toThrow());
  it.each([
    [{ status: 'paid' }, 'ORDER_NOT_REPRICEABLE'],
    [{ status: 'cancelled' }, 'ORDER_NOT_REPRICEABLE'],
    [{ bulk: false }, 'ORDER_NOT_REPRICEABLE'],
    [{ awaitingTransfer: true }, 'ORDER_NOT_REPRICEABLE'],
    [{ changes: [] }, 'VALIDATION'],
    [{ changes: [{ lineId: 'z', priceFen: 900 }] }, 'VALIDATION'],
    [{ changes: [{ lineId: 'a', priceFen: 0 }] }, 'VALIDATION'],
    [{ reason: ' ' }, 'VALIDATION'],
  ] as const)('refuses %o', (over, code) => {
    expect(() => checkReprice({ ...ok, ...over } as typeof ok)).toThrow(expect.objectContaining({ code }));
  });

  it('property: the total is Σ price × quantity', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ priceFen: fc.integer({ min: 1, max: 10_000_000 }), quantity: fc.integer({ min: 1, max: 9999 }) }), { maxLength: 20 }),
        (lines) => {
          expect(orderTotal(lines)).toBe(lines.reduce((s, l) => s + l.priceFen * l.quantity, 0));
        },
      ),
    );
  });
});
