import type { DbOrTx, Tx } from '../../db/client';
import { recordAudit } from '../audit/audit';
import type { ImportKind, RowCheck, RowWrite, StagedRow } from '../imports/imports.kinds';
import type { OrganisationService } from '../organisations/organisations.service';
import type { Actor } from '../shared/actor';
import { AppError } from '../shared/app-error';
import { BUDGET_UNIT_SHEET, type BudgetUnitRow } from './budget-units.schema';
import { checkBudgetUnitFile, type KnownUnit } from './budget-units.machine';
import { quotasRepo as repo } from './quotas.repo';
import { managesUnit } from './quotas.rules';

export interface BudgetUnitImportDeps {
  db: DbOrTx;
  organisations: Pick<OrganisationService, 'upsertByUscc'>;
}

/**
 * Who may import units for `organisationId`: its owner or an admin, acting for it, and it is a budget
 * unit (or preset department) on the platform. Shared by the purchaser sheet.
 */
export async function authorizeUnitManager(q: DbOrTx, actor: Actor | null, organisationId: string) {
  if (!actor) throw new AppError('UNAUTHENTICATED', '请先登录');
  const org = actor.organisation;
  if (!org || org.organisationId !== organisationId || org.kind !== 'budget_unit' || org.status !== 'active')
    throw new AppError('FORBIDDEN', '请先切换到您所在的预算单位');
  if (!managesUnit(org.role)) throw new AppError('FORBIDDEN', '只有本单位负责人或管理员可以导入');
  if (!(await repo.findUnit(q, organisationId))) throw new AppError('FORBIDDEN', '本单位尚未登记为预算单位，请联系上级预算单位');
}

/** Units the file mentions and every unit between them and the uploader (cycles through units already there are seen). */
async function loadKnown(q: DbOrTx, uploaderId: string, rows: readonly BudgetUnitRow[]): Promise<KnownUnit[]> {
  const names = [...new Set(rows.flatMap((r) => [r.fullName, ...(r.superiorName ? [r.superiorName.trim()] : [])]))];
  const usccs = [...new Set(rows.map((r) => r.uscc))];
  const known = new Map<string, KnownUnit>();
  for (const k of await repo.knownUnits(q, uploaderId, names, usccs)) known.set(k.id, k);
  const inside = [...known.values()].filter((k) => k.inSubtree).map((k) => k.id);
  for (const k of await repo.ancestorsWithin(q, uploaderId, inside)) known.set(k.id, k);
  return [...known.values()];
}

/** Superiors before the rows that name them (rows naming no row of the file keep file order). */
export function superiorsFirst<T extends { value: BudgetUnitRow }>(rows: readonly T[]): T[] {
  const byName = new Map(rows.map((r, i) => [r.value.fullName, i]));
  const state = new Uint8Array(rows.length); // 0 new, 1 on the path, 2 placed
  const out: T[] = [];
  for (let start = 0; start < rows.length; start++) {
    // Iterative walk up the superiors, then place them top-down.
    const path: number[] = [];
    for (let i: number | undefined = start; i !== undefined && state[i] === 0;) {
      state[i] = 1;
      path.push(i);
      const s: string | undefined = rows[i]!.value.superiorName?.trim();
      i = s ? byName.get(s) : undefined;
    }
    for (let k = path.length - 1; k >= 0; k--) {
      state[path[k]!] = 2;
      out.push(rows[path[k]!]!);
    }
  }
  return out;
}

/**
 * The budget-unit sheet as an import kind: the checks across rows against the uploader's subtree, and
 * the writer — idempotent by USCC (the organisation is upserted by code; a unit updated with another
 * superior moves with its subtree in the closure table); what became invalid since the preview (a code
 * now outside the subtree, a superior gone, a move into its own subtree) is refused on its row.
 */
export function createBudgetUnitImport(deps: BudgetUnitImportDeps): ImportKind<BudgetUnitRow> {
  return {
    key: 'quotas.budget_units',
    label: '预算单位',
    spec: BUDGET_UNIT_SHEET,
    authorize: (actor, organisationId) => authorizeUnitManager(deps.db, actor, organisationId),

    async check(q, scope, rows): Promise<RowCheck[]> {
      const uploader = await repo.findUnit(q, scope.organisationId);
      if (!uploader) throw new AppError('FORBIDDEN', '本单位尚未登记为预算单位');
      const known = await loadKnown(
        q,
        uploader.id,
        rows.map((r) => r.value),
      );
      return checkBudgetUnitFile(rows, { uploader: { id: uploader.id, fullName: uploader.fullName }, known }).map((v) =>
        v.status === 'error' ? { status: 'error', errors: v.errors } : { status: v.status, errors: [] },
      );
    },

    writeOrder: (rows) => superiorsFirst(rows),

    async write(tx: Tx, scope, rows: readonly StagedRow<BudgetUnitRow>[]): Promise<RowWrite[]> {
      const uploader = await repo.findUnit(tx, scope.organisationId);
      if (!uploader) return rows.map(() => ({ errors: [{ column: 'fullName', message: '本单位已不是预算单位，无法导入' }] }));
      const known = await repo.knownUnits(
        tx,
        uploader.id,
        [...new Set(rows.flatMap((r) => [r.value.fullName, r.value.superiorName?.trim() ?? '']).filter(Boolean))],
        rows.map((r) => r.value.uscc),
      );
      const byUscc = new Map(known.filter((k) => k.uscc).map((k) => [k.uscc!, k]));
      const inSubtreeByName = new Map(known.filter((k) => k.inSubtree).map((k) => [k.fullName, k.id]));
      const answers: (RowWrite | undefined)[] = rows.map(() => undefined);
      const refuse = (i: number, column: string, message: string) => (answers[i] = { errors: [{ column, message }] });

      // 1. Codes: another tree's code, or the uploader's own, cannot be written.
      rows.forEach((r, i) => {
        const owner = byUscc.get(r.value.uscc);
        if (owner?.id === uploader.id) refuse(i, 'uscc', '这是您本单位的统一信用代码，不能作为下属单位导入');
        else if (owner && !owner.inSubtree) refuse(i, 'uscc', '该统一信用代码已属于您管辖范围以外的单位，请核对或联系其上级');
      });
      // 2. Superiors by name (in write order: a superior row of this chunk comes first), before anything is
      // written, so a refused row leaves no organisation behind; then the organisations by code (one statement).
      const resolvedByName = new Map<string, string>(); // superior name → the uscc of a chunk row that will be written
      const superiorRef: ({ id: string } | { uscc: string } | undefined)[] = rows.map(() => undefined);
      rows.forEach((r, i) => {
        if (answers[i]) return;
        const name = r.value.superiorName?.trim();
        const ref =
          !name || name === uploader.fullName
            ? { id: uploader.id }
            : resolvedByName.has(name)
              ? { uscc: resolvedByName.get(name)! }
              : inSubtreeByName.has(name)
                ? { id: inSubtreeByName.get(name)! }
                : undefined;
        if (!ref || name === r.value.fullName) {
          refuse(i, 'superiorName', `找不到上级预算单位“${name ?? ''}”，或它不在您的管辖范围内（须填写全称）`);
          return;
        }
        superiorRef[i] = ref;
        resolvedByName.set(r.value.fullName, r.value.uscc);
      });
      const valid = rows.filter((_, i) => !answers[i]);
      // In code order: two batches naming the same codes lock their organisations in one order (no deadlock).
      const ids = await deps.organisations.upsertByUscc(
        tx,
        'budget_unit',
        valid.map((r) => ({ fullName: r.value.fullName, uscc: r.value.uscc })).sort((a, b) => (a.uscc < b.uscc ? -1 : a.uscc > b.uscc ? 1 : 0)),
      );

      // 3. New units in a few statements: their rows, then their closure rows computed in write order from
      // their superiors' ancestors (a superior of this chunk comes before its units); one audit row per chunk.
      const existing = await repo.lockUnits(
        tx,
        valid.map((r) => ids.get(r.value.uscc)!),
      );
      const fieldsOf = (i: number) => {
        const v = rows[i]!.value;
        const ref = superiorRef[i]!;
        return {
          superiorId: 'id' in ref ? ref.id : ids.get(ref.uscc)!,
          contactName: v.contactName,
          contactMobile: v.mobile,
          budgetLevel: v.budgetLevel,
          adminLevel: v.adminLevel ?? null,
          ...(v.annualFen !== undefined ? { annualFen: v.annualFen } : {}),
          ...(v.ratioBp !== undefined ? { ratioBp: v.ratioBp } : {}),
        };
      };
      const fresh = [...rows.keys()].filter((i) => !answers[i] && !existing.has(ids.get(rows[i]!.value.uscc)!));
      if (fresh.length) {
        await repo.insertUnits(
          tx,
          fresh.map((i) => ({ organisationId: ids.get(rows[i]!.value.uscc)!, role: 'unit' as const, ...fieldsOf(i) })),
        );
        const ancestors = await repo.ancestorsOf(tx, [...new Set(fresh.map((i) => fieldsOf(i).superiorId))]);
        const pairs: { ancestorId: string; descendantId: string; depth: number }[] = [];
        for (const i of fresh) {
          const id = ids.get(rows[i]!.value.uscc)!;
          const up = (ancestors.get(fieldsOf(i).superiorId) ?? []).map((a) => ({ ancestorId: a.ancestorId, depth: a.depth + 1 }));
          const mine = [{ ancestorId: id, depth: 0 }, ...up];
          ancestors.set(id, mine);
          for (const m of mine) pairs.push({ ancestorId: m.ancestorId, descendantId: id, depth: m.depth });
          answers[i] = { targetId: id };
        }
        await repo.insertPairs(tx, pairs);
        await recordAudit(tx, {
          actorUserId: scope.actorUserId,
          action: 'quotas.unit_import',
          targetType: 'budget_unit',
          targetId: uploader.id,
          organisationId: uploader.id,
          data: { batchId: scope.batchId, created: fresh.length, rows: fresh.map((i) => rows[i]!.row) },
        });
      }

      // 4. Updated units row by row (after the new ones, so a unit may move under a new one; a move takes the
      // unit's whole subtree along, new units attached below it included). One audit row each, before and after.
      for (const [i, r] of rows.entries()) {
        if (answers[i]) continue;
        const v = r.value;
        const id = ids.get(v.uscc)!;
        const fields = fieldsOf(i);
        const before = existing.get(id)!;
        if (before.superiorId !== fields.superiorId) {
          // The new superior inside the unit's own subtree would close a loop (checked under the moves' lock).
          await repo.lockMoves(tx);
          if ((await repo.depthBelow(tx, id, fields.superiorId)) !== undefined) {
            refuse(i, 'superiorName', '上级关系形成循环：上级预算单位是本单位的下级');
            continue;
          }
          await repo.move(tx, id, fields.superiorId);
        }
        await repo.updateUnit(tx, id, fields);
        await recordAudit(tx, {
          actorUserId: scope.actorUserId,
          action: 'quotas.unit_import',
          targetType: 'budget_unit',
          targetId: id,
          organisationId: uploader.id,
          before: pickFields(before),
          after: { fullName: v.fullName, ...fields },
          data: { batchId: scope.batchId, row: r.row },
        });
        answers[i] = { targetId: id };
      }
      return answers.map((a) => a!);
    },
  };
}

const pickFields = (u: {
  superiorId: string | null;
  contactName: string;
  contactMobile: string;
  budgetLevel: string;
  adminLevel: string | null;
  annualFen: number;
  ratioBp: number;
}) => ({
  superiorId: u.superiorId,
  contactName: u.contactName,
  contactMobile: u.contactMobile,
  budgetLevel: u.budgetLevel,
  adminLevel: u.adminLevel,
  annualFen: u.annualFen,
  ratioBp: u.ratioBp,
});
