import { eq } from 'drizzle-orm';
import { monitoringMembers, monitoringUnits, organisations } from '../../db/schema';
import { registerUser } from '../testing/factories';
import type { Platform } from '../platform/platform';
import type { MonitoringRole, MonitoringUnitKind } from './monitoring.schema';

/**
 * Test data for the reference, import and mall-order tests: a person registered through the real flow whose
 * own organisation (active in the session) is made a monitoring unit of `kind`, with a monitoring part `role`.
 * Departments become organisations of kind 'government' (the shared design); channels stay 'enterprise'.
 */
export async function monitoringPerson(
  p: Platform,
  opts: { kind: MonitoringUnitKind; role: MonitoringRole; name?: string; departmentId?: string | null; parentId?: string | null; cityCode?: string | null },
) {
  const u = await registerUser(p, opts.name ? { organisationName: opts.name } : {});
  const orgId = u.actor.organisation!.organisationId;
  if (opts.kind === 'province' || opts.kind === 'city')
    await p.db.update(organisations).set({ kind: 'government', uscc: null }).where(eq(organisations.id, orgId));
  await p.db.insert(monitoringUnits).values({
    organisationId: orgId,
    kind: opts.kind,
    parentId: opts.parentId ?? opts.departmentId ?? null,
    departmentId: opts.departmentId ?? null,
    cityCode: opts.cityCode ?? null,
    contactName: '测试联系人',
    contactMobile: u.input.mobile,
  });
  await p.db.insert(monitoringMembers).values({ userId: u.actor.userId, organisationId: orgId, role: opts.role, contactName: '测试联系人' });
  const actor = (await p.services.accounts.validateSessionToken(u.token))!.actor;
  return { ...u, actor, orgId };
}
