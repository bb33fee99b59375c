import { and, asc, eq, gt, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client';
import { budgetUnits, budgetUnitTree, organisations } from '../../db/schema';

/** SQL of the quota statistics: the tree and each unit's amounts (purchases come from the mall's service). */
export const statisticsRepo = {
  /** Ancestors of a unit, nearest first (the closure table's rows above depth 0). */
  async ancestorIds(q: DbOrTx, unitId: string): Promise<string[]> {
    const rows = await q
      .select({ id: budgetUnitTree.ancestorId })
      .from(budgetUnitTree)
      .where(and(eq(budgetUnitTree.descendantId, unitId), gt(budgetUnitTree.depth, 0)))
      .orderBy(asc(budgetUnitTree.depth));
    return rows.map((r) => r.id);
  },

  /** The depth of `unitId` below `rootId` (0: itself), undefined when it is not in that subtree. */
  async depthBelow(q: DbOrTx, rootId: string, unitId: string): Promise<number | undefined> {
    const [row] = await q
      .select({ depth: budgetUnitTree.depth })
      .from(budgetUnitTree)
      .where(and(eq(budgetUnitTree.ancestorId, rootId), eq(budgetUnitTree.descendantId, unitId)));
    return row?.depth;
  },

  /** Every unit of the subtree (the root at depth 0) with its amounts, names and superior. */
  subtree(q: DbOrTx, rootId: string) {
    return q
      .select({
        id: budgetUnits.organisationId,
        superiorId: budgetUnits.superiorId,
        role: budgetUnits.role,
        budgetLevel: budgetUnits.budgetLevel,
        annualFen: budgetUnits.annualFen,
        ratioBp: budgetUnits.ratioBp,
        name: organisations.fullName,
        depth: budgetUnitTree.depth,
      })
      .from(budgetUnitTree)
      .innerJoin(budgetUnits, eq(budgetUnits.organisationId, budgetUnitTree.descendantId))
      .innerJoin(organisations, eq(organisations.id, budgetUnits.organisationId))
      .where(eq(budgetUnitTree.ancestorId, rootId));
  },

  /** One unit with its superior's name. */
  async unit(q: DbOrTx, unitId: string) {
    const superior = sql<string | null>`(select s.full_name from ${organisations} s where s.id = ${budgetUnits.superiorId})`;
    const [row] = await q
      .select({
        id: budgetUnits.organisationId,
        role: budgetUnits.role,
        budgetLevel: budgetUnits.budgetLevel,
        annualFen: budgetUnits.annualFen,
        ratioBp: budgetUnits.ratioBp,
        name: organisations.fullName,
        superiorName: superior,
      })
      .from(budgetUnits)
      .innerJoin(organisations, eq(organisations.id, budgetUnits.organisationId))
      .where(eq(budgetUnits.organisationId, unitId));
    return row;
  },
};
