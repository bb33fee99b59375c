import { randomUUID } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { memberships, monitoringCounties, monitoringMembers, monitoringPeriods, monitoringUnits, organisations, users } from '../../db/schema';
import type { Actor, MemberRole, OrganisationKind } from '../shared/actor';
import type { MonitoringRole, MonitoringUnitKind } from './monitoring.schema';

/**
 * Test fixtures of records tests: monitoring units and their people written straight to the tables (the
 * accounts service is another helper's), and the actors their sessions would resolve to.
 */

let n = 0;
export interface TestUnit {
  orgId: string;
  actor: Actor;
  name: string;
}

/** A person of an organisation acting for it, with a monitoring part there. */
export async function addPerson(db: Db, orgId: string, name: string, kind: OrganisationKind, role: MonitoringRole): Promise<Actor> {
  n++;
  const tag = `${Date.now().toString(36)}${n}${randomUUID().slice(0, 4)}`;
  const [u] = await db
    .insert(users)
    .values({
      username: `mon${tag}`.slice(0, 20),
      mobile: `199${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`,
      passwordHash: '!sms',
      displayName: `测试${n}`,
    })
    .returning();
  const memberRole: MemberRole = role === 'admin' ? 'admin' : role === 'auditor' ? 'member' : 'owner';
  await db.insert(memberships).values({ userId: u!.id, organisationId: orgId, role: memberRole });
  await db.insert(monitoringMembers).values({ userId: u!.id, organisationId: orgId, role, contactName: '联系人' });
  const mv = { organisationId: orgId, kind, fullName: name, uscc: null, status: 'active' as const, role: memberRole };
  return { userId: u!.id, username: u!.username, sessionId: randomUUID(), memberships: [mv], organisation: mv, isOperator: false };
}

/** A monitoring unit (organisation + unit row) with one person (admin for departments, reporter for channels). */
export async function addUnit(
  db: Db,
  p: { kind: MonitoringUnitKind; name?: string; parentId?: string | null; departmentId?: string | null; cityCode?: string | null; role?: MonitoringRole },
): Promise<TestUnit> {
  n++;
  const name = p.name ?? `测试单位${p.kind}${n}`;
  const orgKind: OrganisationKind = p.kind === 'province' || p.kind === 'city' ? 'government' : 'enterprise';
  const [o] = await db.insert(organisations).values({ kind: orgKind, fullName: name }).returning();
  await db.insert(monitoringUnits).values({
    organisationId: o!.id,
    kind: p.kind,
    parentId: p.parentId ?? null,
    departmentId: p.departmentId ?? null,
    cityCode: p.cityCode ?? null,
    contactName: '联系人',
    contactMobile: '13900000000',
  });
  const role = p.role ?? (p.kind === 'province' || p.kind === 'city' ? 'admin' : 'reporter');
  return { orgId: o!.id, name, actor: await addPerson(db, o!.id, name, orgKind, role) };
}

/** The usual cast: a province, two cities, markets, chains, their sub-accounts, a 单列 market. */
export async function addWorld(db: Db) {
  const province = await addUnit(db, { kind: 'province', name: `测试省扶贫办${++n}` });
  const gz = await addUnit(db, { kind: 'city', parentId: province.orgId, departmentId: province.orgId, cityCode: '440100' });
  const gzAuditor = await addPerson(db, gz.orgId, gz.name, 'government', 'auditor');
  const sz = await addUnit(db, { kind: 'city', parentId: province.orgId, departmentId: province.orgId, cityCode: '440300' });
  const channel = (kind: MonitoringUnitKind, city: TestUnit, cityCode: string) =>
    addUnit(db, { kind, parentId: city.orgId, departmentId: city.orgId, cityCode });
  const market = await channel('market', gz, '440100');
  const market2 = await channel('market', gz, '440100');
  const chain = await channel('chain', gz, '440100');
  const ecommerce = await channel('ecommerce', gz, '440100');
  const szMarket = await channel('market', sz, '440300');
  const sub = (kind: MonitoringUnitKind, parent: TestUnit, dept: TestUnit, cityCode: string) =>
    addUnit(db, { kind, parentId: parent.orgId, departmentId: dept.orgId, cityCode });
  const wholesaler = await sub('wholesaler', market, gz, '440100');
  const wholesaler2 = await sub('wholesaler', market, gz, '440100');
  const otherWholesaler = await sub('wholesaler', market2, gz, '440100');
  const store = await sub('store', chain, gz, '440100');
  const listed = await addUnit(db, { kind: 'market', parentId: province.orgId, departmentId: province.orgId, cityCode: null });
  return { province, gz, gzAuditor, sz, market, market2, chain, ecommerce, szMarket, wholesaler, wholesaler2, otherWholesaler, store, listed };
}

/** An open period of each filing type and the county 451225 (the migration has them; written if absent). */
export async function refs(db: Db) {
  await db
    .insert(monitoringCounties)
    .values({
      code: '451225',
      provinceCode: '450000',
      provinceName: '广西壮族自治区',
      cityCode: '451200',
      cityName: '河池市',
      name: '罗城仫佬族自治县',
      active: true,
    })
    .onConflictDoNothing();
  await db
    .insert(monitoringCounties)
    .values({ code: '520121', provinceCode: '520000', provinceName: '贵州省', cityCode: '520100', cityName: '贵阳市', name: '开阳县', active: true })
    .onConflictDoNothing();
  const period = async (filingType: 'backfill' | 'regular') => {
    const [row] = await db
      .select()
      .from(monitoringPeriods)
      .where(and(eq(monitoringPeriods.filingType, filingType), eq(monitoringPeriods.open, true)))
      .limit(1);
    if (row) return row.id;
    const [made] = await db
      .insert(monitoringPeriods)
      .values({ filingType, name: `测试填报期${filingType}`, startsOn: '2026-01-01', endsOn: '2026-12-31', open: true })
      .returning();
    return made!.id;
  };
  return { regular: await period('regular'), backfill: await period('backfill') };
}

/** A PDF upload of the actor's organisation (evidence). */
export const pdfBytes = () => new TextEncoder().encode('%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n');
