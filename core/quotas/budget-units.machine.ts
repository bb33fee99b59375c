import type { CellError } from '../imports/sheet';
import type { BudgetUnitRow } from './budget-units.schema';

/**
 * The budget-unit sheet's checks across rows (no I/O): duplicates within the file, each unit's superior
 * (the uploader, a unit already in the uploader's subtree, or another row of the file, in any order),
 * cycles (in the file, or through units already there), codes owned outside the subtree, and rows that
 * cannot be written because their superior's row cannot. Column checks come first (`checkRow`).
 */

/** A unit already on the platform, as the checks need it. */
export interface KnownUnit {
  id: string;
  fullName: string;
  uscc: string | null;
  /** Its superior's id (null: the top of what the uploader may see). */
  parentId: string | null;
  /** In the uploader's subtree (the uploader may update it and hang units under it). */
  inSubtree: boolean;
}

export interface FileContext {
  /** The uploader's own unit (a finance department or a central department, or a budget unit). */
  uploader: { id: string; fullName: string };
  /** Units already on the platform with a full name or code that the file mentions. */
  known: readonly KnownUnit[];
}

/** Where a row's superior is: a unit on the platform, or another row of this file (its index). */
export type SuperiorRef = { unitId: string } | { rowIndex: number };

export type RowVerdict = { status: 'new' | 'update'; superior: SuperiorRef; unitId?: string; errors: [] } | { status: 'error'; errors: CellError[] };

export interface ParsedRow {
  /** The worksheet's row number (for messages). */
  row: number;
  value: BudgetUnitRow;
}

export function checkBudgetUnitFile(rows: readonly ParsedRow[], ctx: FileContext): RowVerdict[] {
  const errors: CellError[][] = rows.map(() => []);
  const byName = new Map<string, number>();
  const byUscc = new Map<string, number>();
  rows.forEach((r, i) => {
    const sameName = byName.get(r.value.fullName);
    if (sameName !== undefined) errors[i]!.push({ column: 'fullName', message: `与第 ${rows[sameName]!.row} 行的预算单位名称重复` });
    else byName.set(r.value.fullName, i);
    const sameCode = byUscc.get(r.value.uscc);
    if (sameCode !== undefined) errors[i]!.push({ column: 'uscc', message: `与第 ${rows[sameCode]!.row} 行的统一信用代码重复` });
    else byUscc.set(r.value.uscc, i);
  });

  const knownByName = new Map(ctx.known.map((u) => [u.fullName, u]));
  const knownByUscc = new Map(ctx.known.filter((u) => u.uscc).map((u) => [u.uscc!, u]));
  const knownById = new Map(ctx.known.map((u) => [u.id, u]));

  // Each row: the unit it updates (same code in the subtree), its superior.
  const target: (KnownUnit | undefined)[] = [];
  const superior: (SuperiorRef | undefined)[] = [];
  rows.forEach((r, i) => {
    const v = r.value;
    const owner = knownByUscc.get(v.uscc);
    if (owner && !owner.inSubtree) errors[i]!.push({ column: 'uscc', message: '该统一信用代码已属于您管辖范围以外的单位，请核对或联系其上级' });
    if (owner?.id === ctx.uploader.id) errors[i]!.push({ column: 'uscc', message: '这是您本单位的统一信用代码，不能作为下属单位导入' });
    target.push(owner?.inSubtree && owner.id !== ctx.uploader.id ? owner : undefined);
    const sameNameElsewhere = knownByName.get(v.fullName);
    if (!owner && sameNameElsewhere) errors[i]!.push({ column: 'fullName', message: '已有同名单位但统一信用代码不同，请核对名称或代码' });

    const name = v.superiorName?.trim();
    if (!name || name === ctx.uploader.fullName) superior.push({ unitId: ctx.uploader.id });
    else if (name === v.fullName) {
      errors[i]!.push({ column: 'superiorName', message: '上级预算单位不能是本单位' });
      superior.push(undefined);
    } else if (byName.has(name)) superior.push({ rowIndex: byName.get(name)! });
    else {
      const k = knownByName.get(name);
      if (k?.inSubtree) superior.push({ unitId: k.id });
      else {
        errors[i]!.push({ column: 'superiorName', message: `找不到上级预算单位“${name}”，或它不在您的管辖范围内（须填写全称）` });
        superior.push(undefined);
      }
    }
  });

  // Cycles: walk up from each row through rows and units on the platform (a row that updates a unit
  // replaces that unit's superior) until the uploader or the top.
  const rowOfUnit = new Map<string, number>();
  target.forEach((t, i) => t && rowOfUnit.set(t.id, i));
  const parentOf = (node: string): string | null => {
    if (node.startsWith('row:')) {
      const s = superior[Number(node.slice(4))];
      if (!s) return null;
      if ('rowIndex' in s) return `row:${s.rowIndex}`;
      return rowOfUnit.has(s.unitId) ? `row:${rowOfUnit.get(s.unitId)}` : `unit:${s.unitId}`;
    }
    const id = node.slice(5);
    if (id === ctx.uploader.id) return null;
    const parent = knownById.get(id)?.parentId;
    if (!parent) return null;
    return rowOfUnit.has(parent) ? `row:${rowOfUnit.get(parent)}` : `unit:${parent}`;
  };
  const label = (node: string) => (node.startsWith('row:') ? rows[Number(node.slice(4))]!.value.fullName : (knownById.get(node.slice(5))?.fullName ?? '?'));
  rows.forEach((_, i) => {
    const seen: string[] = [];
    for (let node: string | null = `row:${i}`; node; node = parentOf(node)) {
      const at = seen.indexOf(node);
      if (at >= 0) {
        // Said on the rows inside the loop; a row that only leads into it is blocked by its superior below.
        if (at === 0) errors[i]!.push({ column: 'superiorName', message: `上级关系形成循环：${[...seen, node].map(label).join(' → ')}` });
        break;
      }
      seen.push(node);
      if (seen.length > rows.length + ctx.known.length + 1) break;
    }
  });

  // A row whose superior's row is refused cannot be written either (said once, at the nearest refused superior).
  const blocked = (i: number, depth = 0): number | undefined => {
    const s = superior[i];
    if (!s || !('rowIndex' in s) || depth > rows.length) return undefined;
    if (errors[s.rowIndex]!.length) return s.rowIndex;
    return blocked(s.rowIndex, depth + 1);
  };
  const verdicts: RowVerdict[] = rows.map((_, i) => {
    if (errors[i]!.length) return { status: 'error', errors: errors[i]! };
    const b = blocked(i);
    if (b !== undefined) return { status: 'error', errors: [{ column: 'superiorName', message: `上级预算单位（第 ${rows[b]!.row} 行）有错误，请先改正该行` }] };
    const t = target[i];
    return t ? { status: 'update', superior: superior[i]!, unitId: t.id, errors: [] } : { status: 'new', superior: superior[i]!, errors: [] };
  });
  return verdicts;
}
