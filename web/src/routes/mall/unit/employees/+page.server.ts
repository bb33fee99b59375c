import { ASSIGNABLE_ROLES, MEMBER_ROLE_LABELS } from '$core/shared/access';
import { consoleAction, requireUnitAdmin } from '$lib/server/mall-console';
import { orError } from '$lib/server/session';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, url }) => {
  const { actor } = requireUnitAdmin(locals, url);
  const [pending, rejected, members] = await orError(() =>
    Promise.all([
      locals.services.units.listEmployees(actor, 'pending'),
      locals.services.units.listEmployees(actor, 'rejected'),
      locals.services.units.listMembers(actor),
    ]),
  );
  const iso = (d: Date | string | null) => (d ? new Date(d).toISOString() : null);
  return {
    me: actor.userId,
    pending: pending.map((e) => ({ ...e, updatedAt: iso(e.updatedAt)!, decidedAt: iso(e.decidedAt) })),
    rejected: rejected.slice(-20).map((e) => ({ ...e, updatedAt: iso(e.updatedAt)!, decidedAt: iso(e.decidedAt) })),
    members: members.map((m) => ({ ...m, createdAt: iso(m.createdAt)! })),
    roles: ASSIGNABLE_ROLES.map((value) => ({ value, label: MEMBER_ROLE_LABELS[value] })),
  };
};

export const actions: Actions = {
  approve: ({ request, locals }) =>
    consoleAction(request, 'approve', async (v) => {
      const e = await locals.services.units.decideEmployee(locals.actor, v.id ?? '', { decision: 'approve' }, locals.ip);
      return `已确认 ${e.realName} 为本单位员工，对方会收到站内信`;
    }),
  reject: ({ request, locals }) =>
    consoleAction(request, 'reject', async (v) => {
      const e = await locals.services.units.decideEmployee(locals.actor, v.id ?? '', { decision: 'reject', reason: v.reason ?? '' }, locals.ip);
      return `已将 ${e.realName} 标记为未通过，对方会收到原因`;
    }),
  role: ({ request, locals }) =>
    consoleAction(request, 'role', async (v) => {
      const r = await locals.services.units.setMemberRole(locals.actor, v.id ?? '', { role: v.role ?? '' }, locals.ip);
      return `已将 ${v.name ?? '该成员'} 的角色设为${r.roleLabel}`;
    }),
};
