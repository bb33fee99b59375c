import { and, asc, count, desc, eq, inArray, isNotNull, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client';
import { importBatches, importRows } from '../../db/schema';
import type { CellError } from './sheet';

export type BatchRow = typeof importBatches.$inferSelect;
type BatchStatus = BatchRow['status'];
type RowStatus = (typeof importRows.$inferSelect)['status'];

/** Every column of a batch but the file (lists and views never carry the bytes). */
const batchColumns = {
  id: importBatches.id,
  kind: importBatches.kind,
  organisationId: importBatches.organisationId,
  uploadedBy: importBatches.uploadedBy,
  filename: importBatches.filename,
  sizeBytes: importBatches.sizeBytes,
  status: importBatches.status,
  failure: importBatches.failure,
  progress: importBatches.progress,
  totalRows: importBatches.totalRows,
  validRows: importBatches.validRows,
  errorRows: importBatches.errorRows,
  newRows: importBatches.newRows,
  updateRows: importBatches.updateRows,
  writtenRows: importBatches.writtenRows,
  createdAt: importBatches.createdAt,
  updatedAt: importBatches.updatedAt,
  confirmedBy: importBatches.confirmedBy,
  confirmedAt: importBatches.confirmedAt,
  finishedAt: importBatches.finishedAt,
};
export type BatchMeta = Omit<BatchRow, 'file'>;

export interface StageRow {
  row: number;
  cells: Record<string, string>;
  value: Record<string, unknown> | null;
  errors: CellError[];
}

/** SQL of import batches and their staged rows. */
export const importsRepo = {
  async insertBatch(q: DbOrTx, values: typeof importBatches.$inferInsert) {
    const [row] = await q.insert(importBatches).values(values).returning(batchColumns);
    return row!;
  },

  findBatch: async (q: DbOrTx, id: string): Promise<BatchMeta | undefined> =>
    (await q.select(batchColumns).from(importBatches).where(eq(importBatches.id, id)))[0],

  /** The stored workbook (null once the batch is done or failed). */
  fileOf: async (q: DbOrTx, id: string) => (await q.select({ file: importBatches.file }).from(importBatches).where(eq(importBatches.id, id)))[0]?.file ?? null,

  async listBatches(q: DbOrTx, f: { kind: string; organisationId: string; limit: number; offset: number }) {
    const where = and(eq(importBatches.kind, f.kind), eq(importBatches.organisationId, f.organisationId));
    const [items, [total]] = await Promise.all([
      q.select(batchColumns).from(importBatches).where(where).orderBy(desc(importBatches.createdAt), desc(importBatches.id)).limit(f.limit).offset(f.offset),
      q.select({ n: count() }).from(importBatches).where(where),
    ]);
    return { items, total: total?.n ?? 0 };
  },

  /** Batches a job must run for (after a restart). */
  listInProgress: (q: DbOrTx) =>
    q
      .select({ id: importBatches.id, status: importBatches.status })
      .from(importBatches)
      .where(inArray(importBatches.status, ['parsing', 'confirming'])),

  /** A conditional update: only from `from`; returns the row when it moved. */
  async updateBatchIf(
    q: DbOrTx,
    id: string,
    from: BatchStatus | BatchStatus[],
    set: Partial<typeof importBatches.$inferInsert>,
    extra?: ReturnType<typeof sql>,
  ) {
    const states = Array.isArray(from) ? from : [from];
    const [row] = await q
      .update(importBatches)
      .set(set)
      .where(and(eq(importBatches.id, id), inArray(importBatches.status, states), extra))
      .returning(batchColumns);
    return row;
  },

  /** Stages rows; rows already staged by an earlier run stay as they are. */
  async stageRows(q: DbOrTx, batchId: string, rows: readonly StageRow[]) {
    if (!rows.length) return;
    await q
      .insert(importRows)
      .values(
        rows.map((r) => ({
          batchId,
          row: r.row,
          cells: r.cells,
          value: r.value,
          errors: r.errors,
          status: (r.errors.length ? 'error' : 'pending') as RowStatus,
        })),
      )
      .onConflictDoNothing();
  },

  /** Rows that passed their column checks, in file order. */
  valueRows: (q: DbOrTx, batchId: string) =>
    q
      .select({ row: importRows.row, value: importRows.value })
      .from(importRows)
      .where(and(eq(importRows.batchId, batchId), isNotNull(importRows.value)))
      .orderBy(asc(importRows.row)),

  /** Sets each row's verdict in one statement per call. */
  async setVerdicts(q: DbOrTx, batchId: string, verdicts: readonly { row: number; status: RowStatus; errors: CellError[] }[]) {
    if (!verdicts.length) return;
    await q.execute(sql`
      update import_rows r set status = x.status::import_row_status, errors = x.errors
      from jsonb_to_recordset(${JSON.stringify(verdicts)}::jsonb) as x("row" int, status text, errors jsonb)
      where r.batch_id = ${batchId} and r."row" = x."row"`);
  },

  /** Marks written rows (target ids) and rows refused at write time, in one statement. */
  async setWritten(q: DbOrTx, batchId: string, at: Date, rows: readonly { row: number; targetId: string | null; errors: CellError[] | null }[]) {
    if (!rows.length) return;
    await q.execute(sql`
      update import_rows r set
        target_id = case when x.errors is null then x."targetId"::uuid else r.target_id end,
        written_at = case when x.errors is null then ${at.toISOString()}::timestamptz else r.written_at end,
        status = case when x.errors is null then r.status else 'error'::import_row_status end,
        errors = coalesce(x.errors, r.errors)
      from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as x("row" int, "targetId" text, errors jsonb)
      where r.batch_id = ${batchId} and r."row" = x."row"`);
  },

  /** Valid rows (new/update) in file order, with whether each is written. */
  validRows: (q: DbOrTx, batchId: string) =>
    q
      .select({ row: importRows.row, value: importRows.value, writtenAt: importRows.writtenAt })
      .from(importRows)
      .where(and(eq(importRows.batchId, batchId), inArray(importRows.status, ['new', 'update'])))
      .orderBy(asc(importRows.row)),

  async countRows(q: DbOrTx, batchId: string) {
    const rows = await q
      .select({ status: importRows.status, n: count(), written: sql<number>`count(${importRows.writtenAt})::int` })
      .from(importRows)
      .where(eq(importRows.batchId, batchId))
      .groupBy(importRows.status);
    const by = (s: RowStatus) => rows.find((r) => r.status === s)?.n ?? 0;
    const total = rows.reduce((a, r) => a + r.n, 0);
    return {
      totalRows: total,
      newRows: by('new'),
      updateRows: by('update'),
      validRows: by('new') + by('update'),
      errorRows: by('error'),
      writtenRows: rows.reduce((a, r) => a + Number(r.written), 0),
    };
  },

  stagedCount: async (q: DbOrTx, batchId: string) => (await q.select({ n: count() }).from(importRows).where(eq(importRows.batchId, batchId)))[0]?.n ?? 0,

  writtenCount: async (q: DbOrTx, batchId: string) =>
    (
      await q
        .select({ n: count() })
        .from(importRows)
        .where(and(eq(importRows.batchId, batchId), isNotNull(importRows.writtenAt)))
    )[0]?.n ?? 0,

  async listRows(q: DbOrTx, batchId: string, f: { status?: 'new' | 'update' | 'error' | 'valid'; limit: number; offset: number }) {
    const where = and(
      eq(importRows.batchId, batchId),
      f.status === 'valid' ? inArray(importRows.status, ['new', 'update']) : f.status ? eq(importRows.status, f.status) : undefined,
    );
    const [items, [total]] = await Promise.all([
      q
        .select({ row: importRows.row, cells: importRows.cells, status: importRows.status, errors: importRows.errors, targetId: importRows.targetId })
        .from(importRows)
        .where(where)
        .orderBy(asc(importRows.row))
        .limit(f.limit)
        .offset(f.offset),
      q.select({ n: count() }).from(importRows).where(where),
    ]);
    return { items, total: total?.n ?? 0 };
  },

  /** Every row with errors, in file order (the error workbook). */
  errorRows: (q: DbOrTx, batchId: string) =>
    q
      .select({ row: importRows.row, cells: importRows.cells, errors: importRows.errors })
      .from(importRows)
      .where(and(eq(importRows.batchId, batchId), eq(importRows.status, 'error')))
      .orderBy(asc(importRows.row)),

  /** Unused staged rows of a batch that never reached `ready` are dropped with it. */
  deleteBatch: (q: DbOrTx, id: string) => q.delete(importBatches).where(eq(importBatches.id, id)),
};
