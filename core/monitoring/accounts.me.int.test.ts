import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memberships, monitoringMembers, monitoringUnits, organisations } from '../../db/schema';
import { createTestPlatform } from '../testing/test-platform';
import { registerUser } from '../testing/factories';
import type { Platform } from '../platform/platform';
import type { Actor } from '../shared/actor';
import type { MonitoringRole, MonitoringUnitKind } from './monitoring.schema';

let p: Platform;
beforeAll(async () => {
  p = await createTestPlatform();
});
afterAll(() => p?.close());

/** A unit written straight into the tables, with one registered person as its member (me() reads, nothing more). */
async function unitWith(kind: MonitoringUnitKind, role: MonitoringRole, at: { parentId?: string; departmentId?: string; cityCode?: string } = {}) {
  const person = await registerUser(p);
  const [org] = await p.db
    .insert(organisations)
    .values({
      kind: kind === 'province' || kind === 'city' ? 'government' : 'enterprise',
      fullName: `${kind}测试单位${Math.random().toString(36).slice(2, 6)}`,
      uscc: null,
    })
    .returning();
  await p.db.insert(monitoringUnits).values({
    organisationId: org!.id,
    kind,
    parentId: at.parentId ?? null,
    departmentId: at.departmentId ?? null,
    cityCode: at.cityCode ?? null,
    contactName: '联系人',
    contactMobile: person.input.mobile,
  });
  await p.db
    .insert(memberships)
    .values({ userId: person.actor.userId, organisationId: org!.id, role: role === 'reporter' ? 'owner' : role === 'admin' ? 'admin' : 'member' });
  await p.db.insert(monitoringMembers).values({ userId: person.actor.userId, organisationId: org!.id, role, contactName: '联系人' });
  const a = await p.services.accounts.actorForUser(person.actor.userId);
  const actor: Actor = { ...a, organisation: a.memberships.find((m) => m.organisationId === org!.id) };
  return { org: org!, actor, other: a };
}

describe('monitoringAccounts.me', () => {
  it('is null when not signed in or without a monitoring account', async () => {
    expect(await p.services.monitoringAccounts.me(null)).toBeNull();
    const someone = await registerUser(p);
    expect(await p.services.monitoringAccounts.me(someone.actor)).toBeNull();
  });

  it('answers each kind with its place and what it may do', async () => {
    const me = p.services.monitoringAccounts.me;
    const province = await unitWith('province', 'admin');
    const city = await unitWith('city', 'admin', { parentId: province.org.id, departmentId: province.org.id, cityCode: '440100' });
    const auditor = await unitWith('city', 'auditor', { parentId: province.org.id, departmentId: province.org.id, cityCode: '440300' });
    const market = await unitWith('market', 'reporter', { parentId: city.org.id, departmentId: city.org.id, cityCode: '440100' });
    const wholesaler = await unitWith('wholesaler', 'reporter', { parentId: market.org.id, departmentId: city.org.id, cityCode: '440100' });
    const enterprise = await unitWith('enterprise', 'reporter', { parentId: city.org.id, departmentId: city.org.id, cityCode: '440100' });

    expect(await me(province.actor)).toMatchObject({
      kind: 'province',
      kindLabel: '省级扶贫部门',
      role: 'admin',
      roleLabel: '管理员',
      cityName: null,
      switchTo: null,
      can: { manageAccounts: true, review: true, report: false, rollup: true, settings: true },
    });
    expect(await me(city.actor)).toMatchObject({
      kind: 'city',
      cityCode: '440100',
      cityName: '广州市',
      departmentName: province.org.fullName,
      can: { manageAccounts: true, review: true, report: false, rollup: true, settings: false },
    });
    expect(await me(auditor.actor)).toMatchObject({
      role: 'auditor',
      roleLabel: '审核员',
      cityName: '深圳市',
      can: { manageAccounts: false, review: true, report: false, rollup: true, settings: false },
    });
    expect(await me(market.actor)).toMatchObject({
      kindLabel: '农产品批发市场',
      parentName: city.org.fullName,
      can: { manageAccounts: true, review: true, report: true, rollup: true, settings: false },
    });
    expect(await me(wholesaler.actor)).toMatchObject({
      kind: 'wholesaler',
      parentName: market.org.fullName,
      departmentName: city.org.fullName,
      can: { manageAccounts: false, review: false, report: true, rollup: false, settings: false },
    });
    expect(await me(enterprise.actor)).toMatchObject({ kind: 'enterprise', can: { manageAccounts: false, review: false, report: true, rollup: false } });
  });

  it('names the unit to switch to when another organisation is active', async () => {
    const province = await unitWith('province', 'admin');
    const own = province.other.memberships.find((m) => m.organisationId !== province.org.id)!;
    const elsewhere: Actor = { ...province.actor, organisation: own };
    expect(await p.services.monitoringAccounts.me(elsewhere)).toMatchObject({ switchTo: province.org.fullName, organisationId: province.org.id });
  });
});
