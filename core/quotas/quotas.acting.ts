import { z } from 'zod';
import type { DbOrTx } from '../../db/client';
import type { Actor, MemberRole } from '../shared/actor';
import { requireActor } from '../shared/actor';
import { AppError } from '../shared/app-error';
import { quotasRepo as repo, type UnitRecord } from './quotas.repo';
import { decideUnitAction, managesUnit, type UnitAction } from './quotas.rules';

/** The unit the actor acts for (its active organisation, a budget unit on the platform) and its role there. */
export interface ActingUnit {
  unit: UnitRecord;
  role: MemberRole;
  actor: Actor;
}

/**
 * Resolves the actor's acting unit. UNAUTHENTICATED without a session; QUOTA_NOT_A_BUDGET_UNIT when the
 * active organisation is no budget unit; FORBIDDEN when `manage` and the actor is neither owner nor admin.
 */
export async function actingUnit(q: DbOrTx, actorOrNull: Actor | null, opts: { manage: boolean }): Promise<ActingUnit> {
  const actor = requireActor(actorOrNull);
  const org = actor.organisation;
  if (!org || org.kind !== 'budget_unit' || org.status !== 'active') throw new AppError('QUOTA_NOT_A_BUDGET_UNIT', '请先切换到您所在的预算单位');
  const unit = await repo.findUnit(q, org.organisationId);
  if (!unit) throw new AppError('QUOTA_NOT_A_BUDGET_UNIT', '本单位尚未登记为预算单位，请联系上级预算单位');
  if (opts.manage && !managesUnit(org.role)) throw new AppError('FORBIDDEN', '只有本单位负责人或管理员可以管理预算单位');
  return { unit, role: org.role, actor };
}

/**
 * The target unit if the acting unit may take `action` on it (one closure-table lookup). An unknown id
 * and a unit outside the subtree both answer NOT_FOUND-like refusals without telling them apart.
 */
export async function targetUnit(q: DbOrTx, acting: ActingUnit, unitId: string, action: UnitAction): Promise<{ unit: UnitRecord; depth: number }> {
  if (!z.uuid().safeParse(unitId).success) throw new AppError('NOT_FOUND', '预算单位不存在');
  const depth = await repo.depthBelow(q, acting.unit.id, unitId);
  const refusal = decideUnitAction(acting.role, action, depth);
  if (refusal) throw new AppError(refusal.code, refusal.message);
  const unit = await repo.findUnit(q, unitId);
  if (!unit) throw new AppError('NOT_FOUND', '预算单位不存在');
  return { unit, depth: depth! };
}
