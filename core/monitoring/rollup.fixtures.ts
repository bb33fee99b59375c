import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { Db } from '../../db/client';
import type { Actor } from '../shared/actor';
import type { MonitoringRole, MonitoringUnitKind } from './monitoring.schema';

/**
 * Test fixtures of the roll-up, written straight to the tables (the records service is not needed): monitoring
 * units with one member each, periods, counties, and records in any state.
 */

export interface FixtureUnit {
  id: string;
  kind: MonitoringUnitKind;
  parentId: string | null;
  departmentId: string | null;
  cityCode: string | null;
  name: string;
  role: MonitoringRole;
  userId: string;
  actor: Actor;
}

let serial = 0;
const mobile = () => `197${String(Date.now() % 100_000).padStart(5, '0')}${String(serial++ % 1000).padStart(3, '0')}`;

/** A unit (an organisation, its monitoring row) and one member with `role`, and the actor acting for it. */
export async function insertUnit(
  db: Db,
  u: { kind: MonitoringUnitKind; parentId?: string | null; departmentId?: string | null; cityCode?: string | null; name: string; role: MonitoringRole },
): Promise<FixtureUnit> {
  const id = randomUUID();
  const userId = randomUUID();
  const orgKind: 'government' | 'enterprise' = u.kind === 'province' || u.kind === 'city' ? 'government' : 'enterprise';
  await db.execute(sql`insert into organisations (id, kind, full_name) values (${id}, ${orgKind}, ${u.name})`);
  await db.execute(sql`insert into users (id, username, mobile, password_hash) values (${userId}, ${`ru${userId.slice(0, 12)}`}, ${mobile()}, 'x')`);
  await db.execute(sql`insert into monitoring_units (organisation_id, kind, parent_id, department_id, city_code, contact_name, contact_mobile)
    values (${id}, ${u.kind}, ${u.parentId ?? null}, ${u.departmentId ?? null}, ${u.cityCode ?? null}, '联系人', '13800000000')`);
  await db.execute(sql`insert into monitoring_members (user_id, organisation_id, role, contact_name) values (${userId}, ${id}, ${u.role}, '联系人')`);
  const m = {
    organisationId: id,
    kind: orgKind,
    fullName: u.name,
    uscc: null,
    status: 'active' as const,
    role: u.role === 'auditor' ? ('member' as const) : u.role === 'admin' ? ('admin' as const) : ('owner' as const),
  };
  const actor: Actor = { userId, username: `ru${userId.slice(0, 12)}`, sessionId: randomUUID(), memberships: [m], organisation: m, isOperator: false };
  return {
    id,
    kind: u.kind,
    parentId: u.parentId ?? null,
    departmentId: u.departmentId ?? null,
    cityCode: u.cityCode ?? null,
    name: u.name,
    role: u.role,
    userId,
    actor,
  };
}

/** Another person of an existing unit (an auditor of a department), and the actor acting for it. */
export async function addMember(db: Db, unit: FixtureUnit, role: MonitoringRole): Promise<FixtureUnit> {
  const userId = randomUUID();
  await db.execute(sql`insert into users (id, username, mobile, password_hash) values (${userId}, ${`ru${userId.slice(0, 12)}`}, ${mobile()}, 'x')`);
  await db.execute(sql`insert into monitoring_members (user_id, organisation_id, role, contact_name) values (${userId}, ${unit.id}, ${role}, '联系人')`);
  const m = { ...unit.actor.organisation!, role: role === 'auditor' ? ('member' as const) : role === 'admin' ? ('admin' as const) : ('owner' as const) };
  return {
    ...unit,
    role,
    userId,
    actor: { ...unit.actor, userId, username: `ru${userId.slice(0, 12)}`, sessionId: randomUUID(), memberships: [m], organisation: m },
  };
}

export const FIXTURE_COUNTIES = [
  { code: '522601', provinceCode: '520000', provinceName: '贵州省', cityCode: '522600', cityName: '黔东南苗族侗族自治州', name: '凯里市' },
  { code: '522622', provinceCode: '520000', provinceName: '贵州省', cityCode: '522600', cityName: '黔东南苗族侗族自治州', name: '黄平县' },
  { code: '451225', provinceCode: '450000', provinceName: '广西壮族自治区', cityCode: '451200', cityName: '河池市', name: '罗城仫佬族自治县' },
  { code: '441881', provinceCode: '440000', provinceName: '广东省', cityCode: '441800', cityName: '清远市', name: '英德市' },
];

/** The fixture counties (kept when the reference migration already has them) and two periods of their own. */
export async function insertReference(db: Db) {
  for (const c of FIXTURE_COUNTIES)
    await db.execute(sql`insert into monitoring_counties (code, province_code, province_name, city_code, city_name, name)
      values (${c.code}, ${c.provinceCode}, ${c.provinceName}, ${c.cityCode}, ${c.cityName}, ${c.name}) on conflict (code) do nothing`);
  const tag = randomUUID().slice(0, 6);
  const periods: { id: string; name: string }[] = [];
  for (const [i, [type, from, to]] of [
    ['backfill', '2026-01-01', '2026-06-30'],
    ['regular', '2026-07-01', '2026-12-31'],
  ].entries()) {
    const id = randomUUID();
    const name = `测试期间${i + 1}-${tag}`;
    await db.execute(sql`insert into monitoring_periods (id, filing_type, name, starts_on, ends_on) values (${id}, ${type}, ${name}, ${from}, ${to})`);
    periods.push({ id, name });
  }
  return { periods };
}

export interface FixtureRecord {
  reporter: FixtureUnit;
  status: 'draft' | 'filed' | 'submitted' | 'approved' | 'returned';
  periodId: string;
  countyCode: string;
  category: string;
  unit: string;
  /** Thousandths of the unit (quantity × 1000). */
  milli: number;
  amountFen: number;
  approvedAt: Date | null;
}

/** The records as they would stand (department and parent from the reporter's unit), in chunks. */
export async function insertRecords(db: Db, records: readonly FixtureRecord[]) {
  for (let i = 0; i < records.length; i += 200) {
    const part = records.slice(i, i + 200);
    const values = part.map((r) => {
      const county = FIXTURE_COUNTIES.find((c) => c.code === r.countyCode)!;
      const parent = r.reporter.kind === 'wholesaler' || r.reporter.kind === 'store' ? r.reporter.parentId : null;
      const qty = `${Math.floor(r.milli / 1000)}.${String(r.milli % 1000).padStart(3, '0')}`;
      return sql`(${r.reporter.id}, ${r.reporter.kind}, ${parent}, ${r.reporter.departmentId}, ${r.reporter.cityCode}, 'regular', ${r.periodId}, true,
        ${county.provinceCode}, ${county.cityCode}, ${county.code}, ${r.category}, '测试产品', ${r.unit}, ${qty}::numeric, ${r.amountFen}, ${r.status},
        ${r.reporter.userId}, ${r.approvedAt ? r.approvedAt.toISOString() : null}::timestamptz)`;
    });
    await db.execute(sql`insert into monitoring_records (reporter_id, reporter_kind, parent_id, department_id, city_code, filing_type, period_id, direct_from_origin,
      origin_province_code, origin_city_code, origin_county_code, category, product_name, unit, quantity, amount_fen, status, created_by, approved_at)
      values ${sql.join(values, sql`, `)}`);
  }
}
