import { and, asc, count, desc, eq, inArray, or, sql, type SQL } from 'drizzle-orm';
import { rowsOf, type DbOrTx } from '../../db/client';
import { tableRow } from '../../db/table-rows';
import {
  mallOrders,
  monitoringCounties,
  monitoringEvidence,
  monitoringPeriods,
  monitoringRecordEvents,
  monitoringRecords,
  monitoringRecordVersions,
  organisations,
  users,
} from '../../db/schema';
import { containsPattern } from '../shared/like';
import type { RecordStatus } from './monitoring.schema';
import type { CountyRef, PeriodRef, RecordContent } from './records.schema';

/** Every SQL statement of purchase records. No rules here: the service asks the review machine first. */

export type RecordRow = typeof monitoringRecords.$inferSelect;
export type RecordInsert = typeof monitoringRecords.$inferInsert;
export type EventInsert = typeof monitoringRecordEvents.$inferInsert;

const r = monitoringRecords;

export type RecordViewRow = {
  record: RecordRow;
  reporterName: string;
  parentName: string | null;
  departmentName: string;
  periodName: string;
  originProvinceName: string;
  originCityName: string;
  originCountyName: string;
  evidenceCount: number;
};

/**
 * Records with what a view of them shows (their organisations' names, the period, the county, the evidence
 * count), `from` naming the records as `monitoring_records` (the table, or a page of it). The names are
 * subselects on primary keys rather than joins, so a list reads its page from the records' index and then
 * names those 20 rows only, with no join order to plan; and the statement is written out rather than built:
 * building it with the query builder cost as much as running it (bench:monitoring).
 */
const viewSql = (from: SQL, where?: SQL) => sql`
  select monitoring_records.*,
    (select o.full_name from organisations o where o.id = monitoring_records.reporter_id) as view_reporter_name,
    (select o.full_name from organisations o where o.id = monitoring_records.parent_id) as view_parent_name,
    (select o.full_name from organisations o where o.id = monitoring_records.department_id) as view_department_name,
    (select p.name from monitoring_periods p where p.id = monitoring_records.period_id) as view_period_name,
    c.province_name as view_province_name, c.city_name as view_city_name, c.name as view_county_name,
    (select count(*)::int from monitoring_evidence e where e.record_id = monitoring_records.id) as view_evidence_count
  from ${from} join monitoring_counties c on c.code = monitoring_records.origin_county_code
  ${where ? sql`where ${where}` : sql``}
  order by monitoring_records.updated_at desc, monitoring_records.id desc`;

const toViewRow = (raw: Record<string, unknown>): RecordViewRow => ({
  record: tableRow(r, raw),
  reporterName: raw.view_reporter_name as string,
  parentName: (raw.view_parent_name as string | null) ?? null,
  departmentName: raw.view_department_name as string,
  periodName: raw.view_period_name as string,
  originProvinceName: raw.view_province_name as string,
  originCityName: raw.view_city_name as string,
  originCountyName: raw.view_county_name as string,
  evidenceCount: Number(raw.view_evidence_count),
});

/** The filters of a list (already validated), as SQL on monitoring_records (and the reporter's name for q). */
export interface ListFilter {
  status?: RecordStatus;
  category?: string;
  originProvinceCode?: string;
  originCountyCode?: string;
  reporterKind?: RecordRow['reporterKind'];
  filingType?: RecordRow['filingType'];
  periodId?: string;
  cityCode?: string;
  q?: string;
}
export function filterSql(f: ListFilter): SQL[] {
  const r = monitoringRecords;
  const out: SQL[] = [];
  if (f.status) out.push(eq(r.status, f.status));
  if (f.category) out.push(eq(r.category, f.category));
  if (f.originProvinceCode) out.push(eq(r.originProvinceCode, f.originProvinceCode));
  if (f.originCountyCode) out.push(eq(r.originCountyCode, f.originCountyCode));
  if (f.reporterKind) out.push(eq(r.reporterKind, f.reporterKind));
  if (f.filingType) out.push(eq(r.filingType, f.filingType));
  if (f.periodId) out.push(eq(r.periodId, f.periodId));
  if (f.cityCode) out.push(eq(r.cityCode, f.cityCode));
  if (f.q) {
    const p = containsPattern(f.q);
    out.push(or(sql`${r.productName} ilike ${p}`, sql`exists (select 1 from ${organisations} o where o.id = ${r.reporterId} and o.full_name ilike ${p})`)!);
  }
  return out;
}

export const recordsRepo = {
  /** The periods and counties named by some content (for checkRecordContent): any state, the check says why not. */
  async refsFor(q: DbOrTx, periodIds: string[], countyCodes: string[]): Promise<{ periods: PeriodRef[]; counties: CountyRef[] }> {
    const ids = [...new Set(periodIds)].filter((s) => /^[0-9a-f-]{36}$/i.test(s));
    const codes = [...new Set(countyCodes)].filter((s) => /^\d{6}$/.test(s));
    const periods = ids.length
      ? await q
          .select({ id: monitoringPeriods.id, filingType: monitoringPeriods.filingType, name: monitoringPeriods.name, open: monitoringPeriods.open })
          .from(monitoringPeriods)
          .where(inArray(monitoringPeriods.id, ids))
      : [];
    const counties = codes.length ? await q.select().from(monitoringCounties).where(inArray(monitoringCounties.code, codes)) : [];
    return { periods, counties };
  },

  async find(q: DbOrTx, id: string): Promise<RecordRow | undefined> {
    const [row] = await q.select().from(monitoringRecords).where(eq(monitoringRecords.id, id));
    return row;
  },

  async findView(q: DbOrTx, where: SQL): Promise<RecordViewRow | undefined> {
    const [row] = rowsOf<Record<string, unknown>>(await q.execute(viewSql(sql`monitoring_records`, where)));
    return row && toViewRow(row);
  },

  /** One page in the order of the indexes (newest change first), without a count (the export's batches). */
  async pageItems(q: DbOrTx, where: SQL | undefined, limit: number, offset: number): Promise<RecordViewRow[]> {
    const page = sql`(select * from monitoring_records ${where ? sql`where ${where}` : sql``}
      order by updated_at desc, id desc limit ${limit} offset ${offset}) monitoring_records`;
    return rowsOf<Record<string, unknown>>(await q.execute(viewSql(page))).map(toViewRow);
  },

  /**
   * One page and the total, the count stopping at `cap` + 1 rows (an exact count(*) of a large scope costs
   * many times the page): `capped` when there are more than `cap`, total then `cap`.
   */
  async page(q: DbOrTx, where: SQL | undefined, limit: number, offset: number, cap: number) {
    const items = limit > 0 ? await recordsRepo.pageItems(q, where, limit, offset) : [];
    // A short page that is not empty tells the total without counting.
    if (items.length > 0 && items.length < limit) return { items, total: offset + items.length, capped: false };
    const inner = q
      .select({ one: sql`1` })
      .from(monitoringRecords)
      .where(where)
      .limit(cap + 1)
      .as('t');
    const [{ n }] = (await q.select({ n: count() }).from(inner)) as [{ n: number }];
    const total = Number(n);
    return { items, total: Math.min(total, cap), capped: total > cap };
  },

  /** Ids matching a condition (bulk decisions by filter), newest first, at most `limit`. */
  async ids(q: DbOrTx, where: SQL | undefined, limit: number) {
    const rows = await q
      .select({ id: monitoringRecords.id })
      .from(monitoringRecords)
      .where(where)
      .orderBy(desc(monitoringRecords.updatedAt), desc(monitoringRecords.id))
      .limit(limit);
    return rows.map((r) => r.id);
  },

  /** Counts under conditions, one statement. */
  async counts<K extends string>(q: DbOrTx, parts: Record<K, SQL>): Promise<Record<K, number>> {
    const keys = Object.keys(parts) as K[];
    const cols = Object.fromEntries(keys.map((k) => [k, sql<number>`count(*) filter (where ${parts[k]})::int`]));
    const any = or(...keys.map((k) => parts[k]));
    const [row] = await q
      .select(cols as Record<K, SQL<number>>)
      .from(monitoringRecords)
      .where(any);
    return Object.fromEntries(keys.map((k) => [k, Number((row as Record<K, number> | undefined)?.[k] ?? 0)])) as Record<K, number>;
  },

  async insertRecords(q: DbOrTx, values: RecordInsert[]) {
    const out: { id: string }[] = [];
    for (let i = 0; i < values.length; i += 1000)
      out.push(
        ...(await q
          .insert(monitoringRecords)
          .values(values.slice(i, i + 1000))
          .returning({ id: monitoringRecords.id })),
      );
    return out.map((r) => r.id);
  },

  /** The write of every change: only when the record is still at the seq (and state) the caller decided on. */
  async updateAt(q: DbOrTx, id: string, expectedSeq: number, fromStatus: RecordStatus, set: Partial<RecordInsert>) {
    const [row] = await q
      .update(monitoringRecords)
      .set({ ...set, seq: sql`${monitoringRecords.seq} + 1` })
      .where(and(eq(monitoringRecords.id, id), eq(monitoringRecords.seq, expectedSeq), eq(monitoringRecords.status, fromStatus)))
      .returning();
    return row;
  },

  async insertEvents(q: DbOrTx, rows: EventInsert[]) {
    for (let i = 0; i < rows.length; i += 2000) await q.insert(monitoringRecordEvents).values(rows.slice(i, i + 2000));
  },

  async lastEvent(q: DbOrTx, recordId: string, seq: number) {
    const [row] = await q
      .select({ action: monitoringRecordEvents.action })
      .from(monitoringRecordEvents)
      .where(and(eq(monitoringRecordEvents.recordId, recordId), eq(monitoringRecordEvents.seq, seq)));
    return row;
  },

  async insertVersion(q: DbOrTx, recordId: string, version: number, content: RecordContent, at: Date) {
    await q
      .insert(monitoringRecordVersions)
      .values({ recordId, version, content: content as unknown as Record<string, unknown>, createdAt: at })
      .onConflictDoNothing();
  },

  listVersions: (q: DbOrTx, recordId: string) =>
    q.select().from(monitoringRecordVersions).where(eq(monitoringRecordVersions.recordId, recordId)).orderBy(asc(monitoringRecordVersions.version)),

  timeline: (q: DbOrTx, recordId: string) =>
    q
      .select({
        seq: monitoringRecordEvents.seq,
        action: monitoringRecordEvents.action,
        fromStatus: monitoringRecordEvents.fromStatus,
        toStatus: monitoringRecordEvents.toStatus,
        level: monitoringRecordEvents.level,
        actorName: sql<string>`coalesce(${users.displayName}, ${users.username})`,
        organisationName: organisations.fullName,
        comment: monitoringRecordEvents.comment,
        at: monitoringRecordEvents.at,
      })
      .from(monitoringRecordEvents)
      .innerJoin(users, eq(users.id, monitoringRecordEvents.actorUserId))
      .innerJoin(organisations, eq(organisations.id, monitoringRecordEvents.actorOrganisationId))
      .where(eq(monitoringRecordEvents.recordId, recordId))
      .orderBy(asc(monitoringRecordEvents.seq)),

  listEvidence: (q: DbOrTx, recordId: string) =>
    q.select().from(monitoringEvidence).where(eq(monitoringEvidence.recordId, recordId)).orderBy(asc(monitoringEvidence.createdAt), asc(monitoringEvidence.id)),

  /** Replaces the uploaded-file evidence of a record (a mall order's evidence stays). */
  async replaceFileEvidence(q: DbOrTx, recordId: string, rows: { fileId: string; kind: 'invoice' | 'contract' | 'waybill' | 'other' }[]) {
    await q.delete(monitoringEvidence).where(and(eq(monitoringEvidence.recordId, recordId), sql`${monitoringEvidence.fileId} is not null`));
    if (rows.length) await q.insert(monitoringEvidence).values(rows.map((r) => ({ recordId, fileId: r.fileId, kind: r.kind })));
  },

  async insertOrderEvidence(q: DbOrTx, rows: { recordId: string; mallOrderId: string }[]) {
    for (let i = 0; i < rows.length; i += 2000)
      await q
        .insert(monitoringEvidence)
        .values(rows.slice(i, i + 2000).map((r) => ({ recordId: r.recordId, mallOrderId: r.mallOrderId, kind: 'mall_order' as const })));
  },

  /** Deletes a draft with its rows, when it is still the draft at `seq` the caller saw; false otherwise. */
  async deleteDraft(q: DbOrTx, id: string, seq: number) {
    const [locked] = await q
      .select({ id: monitoringRecords.id })
      .from(monitoringRecords)
      .where(and(eq(monitoringRecords.id, id), eq(monitoringRecords.seq, seq), eq(monitoringRecords.status, 'draft')))
      .for('update');
    if (!locked) return false;
    const again = await q.select({ seq: monitoringRecords.seq, status: monitoringRecords.status }).from(monitoringRecords).where(eq(monitoringRecords.id, id));
    if (again[0]?.seq !== seq || again[0]?.status !== 'draft') return false;
    await q.delete(monitoringEvidence).where(eq(monitoringEvidence.recordId, id));
    await q.delete(monitoringRecordEvents).where(eq(monitoringRecordEvents.recordId, id));
    await q.delete(monitoringRecordVersions).where(eq(monitoringRecordVersions.recordId, id));
    await q.delete(monitoringRecords).where(eq(monitoringRecords.id, id));
    return true;
  },

  /**
   * Approves many records in one statement: those among `ids` in state `from` whose reviewer column names the
   * organisation move to `to`, seq + 1, with one event each (insert … select from the update). Rows a
   * concurrent decision moved are left out by the re-checked where clause. Returns the approved ids and reporters.
   */
  async bulkApprove(
    q: DbOrTx,
    p: {
      ids: string[];
      from: RecordStatus;
      to: RecordStatus;
      level: 'parent' | 'department';
      organisationId: string;
      actorUserId: string;
      at: Date;
    },
  ): Promise<{ id: string; reporterId: string }[]> {
    const scope = p.level === 'parent' ? sql`r.parent_id = ${p.organisationId}` : sql`r.department_id = ${p.organisationId}`;
    // postgres.js binds no Date into raw sql (PGlite would): the instant travels as ISO text, cast.
    const at = sql`${p.at.toISOString()}::timestamptz`;
    const stamp = p.to === 'approved' ? sql`approved_at = ${at}` : sql`submitted_at = ${at}`;
    const result = await q.execute(sql`
      with wanted as (select distinct value::uuid as id from jsonb_array_elements_text(${JSON.stringify(p.ids)}::jsonb)),
      upd as (
        update monitoring_records r
           set status = ${p.to}::monitoring_status, seq = r.seq + 1, updated_at = ${at}, ${stamp}
          from wanted w
         where r.id = w.id and r.status = ${p.from}::monitoring_status and ${scope}
        returning r.id, r.seq, r.reporter_id
      ),
      ev as (
        insert into monitoring_record_events (record_id, seq, action, from_status, to_status, level, actor_user_id, actor_organisation_id, at)
        select id, seq, 'approve', ${p.from}::monitoring_status, ${p.to}::monitoring_status, ${p.level}, ${p.actorUserId}, ${p.organisationId}, ${at} from upd
      )
      select id, reporter_id from upd`);
    const rows = rowsOf<{ id: string; reporter_id: string }>(result);
    return rows.map((r) => ({ id: r.id, reporterId: r.reporter_id }));
  },

  findMany: (q: DbOrTx, ids: string[]) =>
    ids.length
      ? q
          .select({
            id: monitoringRecords.id,
            status: monitoringRecords.status,
            reporterId: monitoringRecords.reporterId,
            parentId: monitoringRecords.parentId,
            departmentId: monitoringRecords.departmentId,
          })
          .from(monitoringRecords)
          .where(sql`${monitoringRecords.id} in (select value::uuid from jsonb_array_elements_text(${JSON.stringify(ids)}::jsonb))`)
      : Promise.resolve([]),

  /**
   * The numbers of mall orders a record's evidence names. A read of the mall's table for display only (the
   * orders service has no lookup by ids; the order is the record's evidence and never changes).
   */
  async orderNumbers(q: DbOrTx, ids: string[]) {
    if (!ids.length) return new Map<string, string>();
    const rows = await q.select({ id: mallOrders.id, orderNo: mallOrders.orderNo }).from(mallOrders).where(inArray(mallOrders.id, ids));
    return new Map(rows.map((r) => [r.id, r.orderNo]));
  },
};
