import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { decideUnitAction, resetStaysInSubtree, type UnitAction } from './quotas.rules';

/** Depth of `descendant` below `ancestor` by walking parents (the closure table's answer, computed the slow way). */
function depthBelow(parents: readonly (number | null)[], ancestor: number, descendant: number): number | undefined {
  let depth = 0;
  for (let n: number | null = descendant; n !== null; n = parents[n]!, depth++) if (n === ancestor) return depth;
  return undefined;
}

describe('decideUnitAction', () => {
  it.each<[UnitAction, number | undefined, string | null]>([
    ['view', 0, null],
    ['view', 3, null],
    ['view', undefined, 'QUOTA_OUTSIDE_SUBTREE'],
    ['edit_figures', 0, 'QUOTA_SUPERIOR_ONLY'],
    ['edit_figures', 1, null],
    ['reset_password', 0, 'QUOTA_SUPERIOR_ONLY'],
    ['reset_password', 2, null],
    ['reset_password', undefined, 'QUOTA_OUTSIDE_SUBTREE'],
    ['account', 0, 'QUOTA_SUPERIOR_ONLY'],
    ['edit', 0, 'QUOTA_SUPERIOR_ONLY'],
  ])('%s at depth %s → %s', (action, depth, code) => {
    expect(decideUnitAction('owner', action, depth)?.code ?? null).toBe(code);
    expect(decideUnitAction('admin', action, depth)?.code ?? null).toBe(code);
  });

  it('a unit changing its own ratio is told to ask its superior', () => {
    expect(decideUnitAction('owner', 'edit_figures', 0)?.message).toContain('请联系上级预算单位修改');
  });

  it.each(['finance', 'member', 'buyer'] as const)('a %s manages nothing', (role) => {
    expect(decideUnitAction(role, 'view', 1)?.code).toBe('FORBIDDEN');
    expect(decideUnitAction(role, 'reset_password', 1)?.code).toBe('FORBIDDEN');
  });

  it('1,000 random (actor, target) pairs on a random tree: reset and ratio edits only by a strict ancestor', () => {
    const tree = fc.integer({ min: 2, max: 60 }).chain((n) =>
      // Node i's parent is one of the nodes before it, or none (a forest of preset departments).
      fc.tuple(...Array.from({ length: n }, (_, i) => (i === 0 ? fc.constant(null) : fc.option(fc.integer({ min: 0, max: i - 1 }), { freq: 8 })))),
    );
    let pairs = 0;
    fc.assert(
      fc.property(tree, fc.array(fc.tuple(fc.nat(), fc.nat()), { minLength: 10, maxLength: 10 }), (parents, picks) => {
        for (const [a, b] of picks) {
          const actor = a % parents.length;
          const target = b % parents.length;
          const depth = depthBelow(parents, actor, target);
          const strictAncestor = depth !== undefined && depth >= 1;
          for (const action of ['reset_password', 'edit_figures'] as const) expect(decideUnitAction('owner', action, depth) === null).toBe(strictAncestor);
          expect(decideUnitAction('owner', 'view', depth) === null).toBe(depth !== undefined);
          pairs++;
        }
      }),
      { numRuns: 100, seed: 16 },
    );
    expect(pairs).toBe(1_000);
  });
});

describe('resetStaysInSubtree', () => {
  it('refuses an account that also belongs to an organisation outside the subtree', () => {
    expect(resetStaysInSubtree(['a', 'b'], new Set(['a', 'b', 'c']))).toBe(true);
    expect(resetStaysInSubtree(['a', 'x'], new Set(['a', 'b']))).toBe(false);
  });
});
