import { and, asc, desc, eq, gte, ilike, inArray, lte, or, sql, type SQL } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client';
import { monitoringCounties, monitoringPeriods, monitoringRecords } from '../../db/schema';
import { containsPattern } from '../shared/like';
import type { FilingType } from './monitoring.schema';

/** Every SQL statement of the reference lists (assisted counties, filing periods). */

export type CountyRow = typeof monitoringCounties.$inferSelect;
export type PeriodRow = typeof monitoringPeriods.$inferSelect;

const countyOrder = [asc(monitoringCounties.provinceCode), asc(monitoringCounties.cityCode), asc(monitoringCounties.code)];

export const referenceRepo = {
  async counties(q: DbOrTx, f: { provinceCode?: string; activeOnly?: boolean; keyword?: string }): Promise<CountyRow[]> {
    const where: SQL[] = [];
    if (f.provinceCode) where.push(eq(monitoringCounties.provinceCode, f.provinceCode));
    if (f.activeOnly) where.push(eq(monitoringCounties.active, true));
    if (f.keyword) {
      const p = containsPattern(f.keyword);
      where.push(or(ilike(monitoringCounties.name, p), ilike(monitoringCounties.cityName, p), ilike(monitoringCounties.code, p))!);
    }
    return q
      .select()
      .from(monitoringCounties)
      .where(where.length ? and(...where) : undefined)
      .orderBy(...countyOrder);
  },

  async findCounty(q: DbOrTx, code: string): Promise<CountyRow | undefined> {
    const [row] = await q.select().from(monitoringCounties).where(eq(monitoringCounties.code, code));
    return row;
  },

  /** Provinces on the list with how many of their counties are active. */
  async provinces(q: DbOrTx) {
    return q
      .select({
        code: monitoringCounties.provinceCode,
        name: sql<string>`min(${monitoringCounties.provinceName})`,
        active: sql<number>`(count(*) filter (where ${monitoringCounties.active}))::int`,
        total: sql<number>`count(*)::int`,
      })
      .from(monitoringCounties)
      .groupBy(monitoringCounties.provinceCode)
      .orderBy(asc(monitoringCounties.provinceCode));
  },

  /** Adds a county, or makes it active again when it is on the list already. */
  async upsertCounty(q: DbOrTx, row: Omit<CountyRow, 'active'>): Promise<CountyRow> {
    const [out] = await q
      .insert(monitoringCounties)
      .values({ ...row, active: true })
      .onConflictDoUpdate({ target: monitoringCounties.code, set: { active: true } })
      .returning();
    return out!;
  },

  async setCountyActive(q: DbOrTx, code: string, active: boolean): Promise<CountyRow | undefined> {
    const [row] = await q.update(monitoringCounties).set({ active }).where(eq(monitoringCounties.code, code)).returning();
    return row;
  },

  async periods(q: DbOrTx, f: { filingType?: FilingType; openOnly?: boolean }): Promise<PeriodRow[]> {
    const where: SQL[] = [];
    if (f.filingType) where.push(eq(monitoringPeriods.filingType, f.filingType));
    if (f.openOnly) where.push(eq(monitoringPeriods.open, true));
    return q
      .select()
      .from(monitoringPeriods)
      .where(where.length ? and(...where) : undefined)
      .orderBy(desc(monitoringPeriods.startsOn), asc(monitoringPeriods.name));
  },

  async findPeriod(q: DbOrTx, id: string): Promise<PeriodRow | undefined> {
    const [row] = await q.select().from(monitoringPeriods).where(eq(monitoringPeriods.id, id));
    return row;
  },

  async lockPeriod(q: DbOrTx, id: string): Promise<PeriodRow | undefined> {
    const [row] = await q.select().from(monitoringPeriods).where(eq(monitoringPeriods.id, id)).for('update');
    return row;
  },

  /** The open period of a filing type containing a day (the latest starting one), else the latest open one of that type. */
  async openPeriodFor(q: DbOrTx, filingType: FilingType, day: string): Promise<PeriodRow | undefined> {
    const open = and(eq(monitoringPeriods.filingType, filingType), eq(monitoringPeriods.open, true));
    const [containing] = await q
      .select()
      .from(monitoringPeriods)
      .where(and(open, lte(monitoringPeriods.startsOn, day), gte(monitoringPeriods.endsOn, day)))
      .orderBy(desc(monitoringPeriods.startsOn))
      .limit(1);
    if (containing) return containing;
    const [latest] = await q.select().from(monitoringPeriods).where(open).orderBy(desc(monitoringPeriods.startsOn)).limit(1);
    return latest;
  },

  async insertPeriod(q: DbOrTx, row: { filingType: FilingType; name: string; startsOn: string; endsOn: string; open: boolean }): Promise<PeriodRow> {
    const [out] = await q.insert(monitoringPeriods).values(row).returning();
    return out!;
  },

  async updatePeriod(q: DbOrTx, id: string, set: Partial<Pick<PeriodRow, 'name' | 'startsOn' | 'endsOn' | 'open'>>): Promise<PeriodRow | undefined> {
    const [out] = await q.update(monitoringPeriods).set(set).where(eq(monitoringPeriods.id, id)).returning();
    return out;
  },

  /** Which of these mall orders are a record already (mall_order_id is unique on records). */
  async recordedOrderIds(q: DbOrTx, orderIds: readonly string[]): Promise<Set<string>> {
    if (!orderIds.length) return new Set();
    const rows = await q
      .select({ id: monitoringRecords.mallOrderId })
      .from(monitoringRecords)
      .where(inArray(monitoringRecords.mallOrderId, [...orderIds]));
    return new Set(rows.map((r) => r.id!));
  },
};
