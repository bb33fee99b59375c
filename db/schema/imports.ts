import { sql } from 'drizzle-orm';
import { index, integer, jsonb, pgEnum, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { users } from './accounts';
import { organisations } from './organisations';
import { bytea } from './tenders';

/**
 * The spreadsheet-import engine (core/imports): an uploaded sheet is a batch; its rows are staged here
 * with their values, status and reasons; nothing reaches the target context until the uploader
 * confirms. Parsing and confirming run as jobs that resume from what is staged or written.
 */
export const importBatchStatus = pgEnum('import_batch_status', ['parsing', 'ready', 'confirming', 'done', 'failed']);

export const importBatches = pgTable(
  'import_batches',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** The registered import kind, e.g. 'quotas.budget_units'. */
    kind: text('kind').notNull(),
    /** The organisation the sheet is imported for (the uploader acts for it). */
    organisationId: uuid('organisation_id')
      .notNull()
      .references(() => organisations.id),
    uploadedBy: uuid('uploaded_by')
      .notNull()
      .references(() => users.id),
    filename: text('filename').notNull(),
    /** The uploaded workbook, kept until the batch is done so a restarted parse reads it again. */
    file: bytea('file'),
    sizeBytes: integer('size_bytes').notNull(),
    status: importBatchStatus('status').notNull().default('parsing'),
    /** Why the whole file was refused (wrong type, missing headers, …). */
    failure: text('failure'),
    /** Rows read so far (parsing) or written so far (confirming). */
    progress: integer('progress').notNull().default(0),
    totalRows: integer('total_rows').notNull().default(0),
    validRows: integer('valid_rows').notNull().default(0),
    errorRows: integer('error_rows').notNull().default(0),
    newRows: integer('new_rows').notNull().default(0),
    updateRows: integer('update_rows').notNull().default(0),
    writtenRows: integer('written_rows').notNull().default(0),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    confirmedBy: uuid('confirmed_by').references(() => users.id),
    confirmedAt: timestamp('confirmed_at', { withTimezone: true }),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
  },
  (t) => [index('import_batches_org_idx').on(t.organisationId, t.kind, t.createdAt)],
);

export const importRowStatus = pgEnum('import_row_status', ['pending', 'new', 'update', 'error']);

/** One staged row: the cells as uploaded (text), the parsed value, the verdict, and once written its target. */
export const importRows = pgTable(
  'import_rows',
  {
    batchId: uuid('batch_id')
      .notNull()
      .references(() => importBatches.id, { onDelete: 'cascade' }),
    /** The worksheet's row number. */
    row: integer('row').notNull(),
    /** The cells as uploaded, by column key (text, as the error workbook gives them back). */
    cells: jsonb('cells').$type<Record<string, string>>().notNull(),
    /** The parsed value when every column passed its check. */
    value: jsonb('value').$type<Record<string, unknown>>(),
    status: importRowStatus('status').notNull().default('pending'),
    errors: jsonb('errors').$type<{ column: string; message: string }[]>().notNull().default([]),
    /** What the row created or updated (e.g. the organisation id), once written. */
    targetId: uuid('target_id'),
    writtenAt: timestamp('written_at', { withTimezone: true }),
  },
  (t) => [
    primaryKey({ columns: [t.batchId, t.row] }),
    index('import_rows_status_idx').on(t.batchId, t.status, t.row),
    index('import_rows_unwritten_idx')
      .on(t.batchId, t.row)
      .where(sql`${t.writtenAt} is null and ${t.status} in ('new', 'update')`),
  ],
);
