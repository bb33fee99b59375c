import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { completionBand, completionBp, reservedFen, rollUp, type UnitFigures } from './statistics.machine';

describe('reserved share', () => {
  it('reserved = annual × ratio, half up to the fen; completion in basis points; bands show laggards', () => {
    expect(reservedFen(1_000_000_00, 3_000)).toBe(30_000_000); // ¥1,000,000 × 30 % = ¥300,000
    expect(reservedFen(333, 3_350)).toBe(112); // 111.555 fen → 112
    expect(reservedFen(1, 5_000)).toBe(1); // 0.5 fen → 1
    expect(reservedFen(1, 4_999)).toBe(0);
    expect(completionBp(0, 0)).toBeNull();
    expect(completionBp(150, 300)).toBe(5_000);
    expect([completionBand(0, 100), completionBand(49, 100), completionBand(50, 100), completionBand(100, 100), completionBand(5, 0)]).toEqual([
      'none',
      'low',
      'mid',
      'done',
      'unset',
    ]);
  });

  it("property: each unit's roll-up equals a brute-force sum over the units whose superior chain reaches it", () => {
    const tree = fc.array(
      fc.record({
        parent: fc.nat(),
        annualFen: fc.nat({ max: 10_000_000_00 }),
        ratioBp: fc.nat({ max: 10_000 }),
        actualFen: fc.nat({ max: 5_000_000_00 }),
        pendingFen: fc.nat({ max: 1_000_00 }),
      }),
      { minLength: 1, maxLength: 60 },
    );
    fc.assert(
      fc.property(tree, (spec) => {
        // Unit i hangs under some unit before it, or is a root: a forest, up to 60 deep.
        const units: UnitFigures[] = spec.map((s, i) => ({
          id: `u${i}`,
          parentId: i === 0 || s.parent % 4 === 0 ? null : `u${s.parent % i}`,
          annualFen: s.annualFen,
          ratioBp: s.ratioBp,
          actualFen: s.actualFen,
          pendingFen: s.pendingFen,
        }));
        const rolled = rollUp([...units].reverse());
        const byId = new Map(units.map((u) => [u.id, u]));
        for (const target of units) {
          const inside = units.filter((u) => {
            for (let at: UnitFigures | undefined = u; at; at = at.parentId ? byId.get(at.parentId) : undefined) if (at.id === target.id) return true;
            return false;
          });
          const r = rolled.get(target.id)!;
          expect(r.units).toBe(inside.length);
          expect(r.reservedFen).toBe(inside.reduce((s, u) => s + reservedFen(u.annualFen, u.ratioBp), 0));
          expect(r.actualFen).toBe(inside.reduce((s, u) => s + u.actualFen, 0));
          expect(r.pendingFen).toBe(inside.reduce((s, u) => s + u.pendingFen, 0));
          expect(Object.values(r.bands).reduce((a, b) => a + b, 0)).toBe(inside.length);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('a deep chain (10,000 levels) rolls up without running out of stack', () => {
    const units: UnitFigures[] = Array.from({ length: 10_000 }, (_, i) => ({
      id: `u${i}`,
      parentId: i === 0 ? null : `u${i - 1}`,
      annualFen: 100,
      ratioBp: 10_000,
      actualFen: 1,
      pendingFen: 0,
    }));
    const r = rollUp(units).get('u0')!;
    expect(r).toMatchObject({ units: 10_000, reservedFen: 1_000_000, actualFen: 10_000 });
    expect(r.bands.low).toBe(10_000);
  });
});
