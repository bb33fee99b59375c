/**
 * Reserved share against actual purchases (统计报表), pure: the reserved amount of a unit, completion,
 * the distribution that shows laggards, and the roll-up of a subtree. Amounts are fen, ratios basis
 * points (1 % = 100 bp); no floating point touches money.
 */

/** 预留金额 = 年度农副产品采购额 × 拟预留比例, rounded half up to the fen. */
export function reservedFen(annualFen: number, ratioBp: number): number {
  return Math.floor((annualFen * ratioBp + 5_000) / 10_000);
}

/** Completion in basis points (actual ÷ reserved; 10000 = 100 %); null when nothing is reserved. */
export function completionBp(actualFen: number, reserved: number): number | null {
  if (reserved <= 0) return null;
  return Math.floor((actualFen * 10_000) / reserved);
}

/** The bands a superior sees, laggards first. */
export const COMPLETION_BANDS = [
  { key: 'none', label: '未采购（0%）' },
  { key: 'low', label: '低于 50%' },
  { key: 'mid', label: '50%–100%' },
  { key: 'done', label: '已完成（≥100%）' },
  { key: 'unset', label: '未设预留' },
] as const;
export type CompletionBand = (typeof COMPLETION_BANDS)[number]['key'];

export function completionBand(actualFen: number, reserved: number): CompletionBand {
  const bp = completionBp(actualFen, reserved);
  if (bp === null) return 'unset';
  if (actualFen === 0) return 'none';
  if (bp < 5_000) return 'low';
  if (bp < 10_000) return 'mid';
  return 'done';
}

export interface UnitFigures {
  id: string;
  parentId: string | null;
  annualFen: number;
  ratioBp: number;
  /** Completed mall purchases of assisted-area products this year. */
  actualFen: number;
  /** Paid, not yet completed. */
  pendingFen: number;
}

export interface RolledUp {
  reservedFen: number;
  actualFen: number;
  pendingFen: number;
  units: number;
  bands: Record<CompletionBand, number>;
}

const emptyBands = (): Record<CompletionBand, number> => ({ none: 0, low: 0, mid: 0, done: 0, unset: 0 });

/**
 * Each unit's subtree totals (itself and every unit below it): reserved, actual, pending, the number of
 * units and how many of them sit in each completion band. Units whose parent is not in the list are
 * roots. Cycles cannot occur (the import refuses them); a unit met twice is counted once.
 */
export function rollUp(units: readonly UnitFigures[]): Map<string, RolledUp> {
  const children = new Map<string, string[]>();
  const byId = new Map(units.map((u) => [u.id, u]));
  for (const u of units) if (u.parentId && byId.has(u.parentId)) children.set(u.parentId, [...(children.get(u.parentId) ?? []), u.id]);
  const out = new Map<string, RolledUp>();
  // Post-order without recursion (trees may be deep).
  const roots = units.filter((u) => !u.parentId || !byId.has(u.parentId)).map((u) => u.id);
  const stack: { id: string; done: boolean }[] = roots.map((id) => ({ id, done: false }));
  while (stack.length) {
    const top = stack.pop()!;
    if (out.has(top.id)) continue;
    if (!top.done) {
      stack.push({ id: top.id, done: true });
      for (const c of children.get(top.id) ?? []) if (!out.has(c)) stack.push({ id: c, done: false });
      continue;
    }
    const u = byId.get(top.id)!;
    const reserved = reservedFen(u.annualFen, u.ratioBp);
    const sum: RolledUp = { reservedFen: reserved, actualFen: u.actualFen, pendingFen: u.pendingFen, units: 1, bands: emptyBands() };
    sum.bands[completionBand(u.actualFen, reserved)]++;
    for (const c of children.get(top.id) ?? []) {
      const s = out.get(c);
      if (!s) continue;
      sum.reservedFen += s.reservedFen;
      sum.actualFen += s.actualFen;
      sum.pendingFen += s.pendingFen;
      sum.units += s.units;
      for (const k of Object.keys(s.bands) as CompletionBand[]) sum.bands[k] += s.bands[k];
    }
    out.set(top.id, sum);
  }
  return out;
}
