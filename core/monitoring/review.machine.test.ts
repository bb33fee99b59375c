import { describe, expect, it } from 'vitest';
import { LEVELS, RECORD_STATUSES } from './monitoring.schema';
import { allowedTransitions, decideRecord, PENDING_AT, type RecordAction } from './review.machine';

const ACTIONS: RecordAction[] = ['edit', 'submit', 'approve', 'return', 'delete'];

/** The review table written out by hand: [level, action, from, hasParent, to]. Anything not listed is refused. */
const EXPECTED: [string, RecordAction, string, boolean | null, string][] = [
  ['reporter', 'edit', 'draft', null, 'draft'],
  ['reporter', 'edit', 'returned', null, 'returned'],
  ['reporter', 'submit', 'draft', true, 'filed'],
  ['reporter', 'submit', 'draft', false, 'submitted'],
  ['reporter', 'submit', 'returned', true, 'filed'],
  ['reporter', 'submit', 'returned', false, 'submitted'],
  ['reporter', 'delete', 'draft', null, 'draft'],
  ['parent', 'approve', 'filed', null, 'submitted'],
  ['parent', 'return', 'filed', null, 'returned'],
  ['department', 'approve', 'submitted', null, 'approved'],
  ['department', 'return', 'submitted', null, 'returned'],
];

describe('the review machine (every level × action × state × parent)', () => {
  for (const level of LEVELS)
    for (const action of ACTIONS)
      for (const status of RECORD_STATUSES)
        for (const hasParent of [true, false]) {
          const row = EXPECTED.find(([l, a, f, p]) => l === level && a === action && f === status && (p === null || p === hasParent));
          it(`${level} ${action} ${status}${hasParent ? ' (has parent)' : ''} → ${row ? row[4] : 'refused'}`, () => {
            const d = decideRecord({ status, hasParent, evidenceCount: 1 }, action, level, '原因');
            if (row) expect(d).toEqual({ ok: true, to: row[4] });
            else {
              expect(d.ok).toBe(false);
              if (!d.ok) expect(d.message).toMatch(/[\u4e00-\u9fa5]/);
            }
          });
        }

  it('the enumerated transitions are exactly the hand-written table', () => {
    const listed = allowedTransitions().map((t) => `${t.level} ${t.action} ${t.from} ${t.to}`);
    const expected = EXPECTED.map(([l, a, f, , t]) => `${l} ${a} ${f} ${t}`);
    expect(new Set(listed)).toEqual(new Set(expected));
  });

  it('submitting needs evidence; returning needs a reason', () => {
    expect(decideRecord({ status: 'draft', hasParent: false, evidenceCount: 0 }, 'submit', 'reporter')).toMatchObject({
      ok: false,
      code: 'MONITORING_EVIDENCE_REQUIRED',
    });
    expect(decideRecord({ status: 'filed', hasParent: true, evidenceCount: 1 }, 'return', 'parent', '  ')).toMatchObject({ ok: false, code: 'VALIDATION' });
    expect(decideRecord({ status: 'submitted', hasParent: true, evidenceCount: 1 }, 'return', 'department')).toMatchObject({ ok: false, code: 'VALIDATION' });
  });

  it('approved records are locked for everyone', () => {
    for (const level of LEVELS)
      for (const action of ACTIONS) expect(decideRecord({ status: 'approved', hasParent: true, evidenceCount: 3 }, action, level, 'x').ok).toBe(false);
  });

  it('each level’s pending states are the states it can act on', () => {
    for (const level of LEVELS) {
      const actable = RECORD_STATUSES.filter((s) =>
        ACTIONS.some((a) => a !== 'delete' && decideRecord({ status: s, hasParent: true, evidenceCount: 1 }, a, level, 'x').ok),
      );
      expect(new Set(actable)).toEqual(new Set(PENDING_AT[level]));
    }
  });
});
