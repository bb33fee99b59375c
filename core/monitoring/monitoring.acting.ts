import type { DbOrTx } from '../../db/client';
import type { Actor } from '../shared/actor';
import { requireActor } from '../shared/actor';
import { AppError } from '../shared/app-error';
import { monitoringRepo as repo, type MonitoringUnitRow } from './monitoring.repo';
import type { Level, MonitoringRole } from './monitoring.schema';

/** Who is acting in monitoring: the person, the unit they act for (their active organisation) and their part there. */
export interface ActingMonitor {
  actor: Actor;
  unit: MonitoringUnitRow;
  role: MonitoringRole;
}

export const isDepartment = (m: ActingMonitor) => m.unit.kind === 'province' || m.unit.kind === 'city';
/** A market or chain account: opens sub-accounts and gives the first-level review. */
export const isParentChannel = (m: ActingMonitor) => m.unit.kind === 'market' || m.unit.kind === 'chain';

/**
 * Resolves the actor's monitoring part. UNAUTHENTICATED without a session; MONITORING_NOT_A_MEMBER when the
 * person has no monitoring account, or has one in another organisation than the active one (the message
 * says to switch); MONITORING_ROLE_REQUIRED when `roles` is given and the person's part is not among them.
 */
export async function actingMonitor(q: DbOrTx, actorOrNull: Actor | null, roles?: readonly MonitoringRole[]): Promise<ActingMonitor> {
  const actor = requireActor(actorOrNull);
  const found = await repo.findMemberAndUnit(q, actor.userId);
  if (!found) throw new AppError('MONITORING_NOT_A_MEMBER', '您还没有消费扶贫监测账号：请联系所在地级市扶贫部门开通，企业可自行注册');
  const { member, unit } = found;
  const active = actor.organisation;
  if (!active || active.organisationId !== member.organisationId) {
    const there = actor.memberships.find((m) => m.organisationId === member.organisationId);
    throw new AppError('MONITORING_NOT_A_MEMBER', there ? `请在页面顶部切换到“${there.fullName}”后再操作` : '您的监测账号所在单位不可用');
  }
  if (active.status !== 'active') throw new AppError('MONITORING_NOT_A_MEMBER', '您所在的单位已停用');
  if (!unit) throw new AppError('MONITORING_NOT_A_MEMBER', '您所在的单位未登记为监测单位');
  if (roles && !roles.includes(member.role))
    throw new AppError('MONITORING_ROLE_REQUIRED', roles.includes('admin') && roles.length === 1 ? '只有管理员可以进行此操作' : '您的账号不能进行此操作');
  return { actor, unit, role: member.role };
}

/**
 * The level the acting person holds on a record, or null when the record is not theirs to act on: the
 * reporter's own account; the market or chain the record was filed with; the department that reviews it
 * (its administrators and auditors).
 */
export function levelOn(m: ActingMonitor, record: { reporterId: string; parentId: string | null; departmentId: string }): Level | null {
  const org = m.unit.organisationId;
  if (record.reporterId === org && m.role === 'reporter') return 'reporter';
  if (record.parentId === org && m.role === 'reporter' && isParentChannel(m)) return 'parent';
  if (record.departmentId === org && (m.role === 'admin' || m.role === 'auditor') && isDepartment(m)) return 'department';
  return null;
}
