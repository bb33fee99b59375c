import type { DbOrTx, Tx } from '../../db/client';
import type { Actor } from '../shared/actor';
import type { CellError, SheetSpec } from './sheet';

/**
 * What a context registers to import a sheet through the engine (core/imports): its columns, who may
 * import it, the checks across rows and the writer. The engine does the rest — upload, streaming parse,
 * staging, preview, error workbook, confirmation, progress, resume — the same way for every kind.
 * Register with `imports.register(kind)` inside the context's `create`.
 */

/** A row that passed its column checks: the worksheet's row number and the parsed value. */
export interface StagedRow<V> {
  row: number;
  value: V;
}

export type RowCheck = { status: 'new' | 'update'; errors?: [] } | { status: 'error'; errors: CellError[] };

/** A written row's target, or why the row could not be written after all (the platform moved since the preview). */
export type RowWrite = { targetId: string } | { errors: CellError[] };

export interface ImportScope {
  /** The organisation the sheet is imported for (the uploader acts for it). */
  organisationId: string;
  /** Who uploaded (checks) or confirmed (writes). */
  actorUserId: string;
  batchId: string;
}

export interface ImportKind<V = never> {
  /** Unique, `<ctx>.<what>`: 'quotas.budget_units'. */
  key: string;
  /** What is imported, for people: '预算单位'. */
  label: string;
  spec: SheetSpec;
  /**
   * Whether the actor may import this kind for the organisation (upload, preview, confirm, download):
   * returns nothing or throws the AppError (FORBIDDEN / UNAUTHENTICATED) with a Chinese message.
   */
  authorize(actor: Actor | null, organisationId: string): void | Promise<void>;
  /** The checks across all rows that passed their column checks, in file order; one answer per row. */
  check(q: DbOrTx, scope: ImportScope, rows: readonly StagedRow<V>[]): Promise<RowCheck[]>;
  /**
   * Writes a chunk of valid rows inside `tx` (the engine commits the chunk and marks its rows written
   * in the same transaction). Must be idempotent by the kind's natural key (the same USCC updates,
   * never duplicates): after a crash a chunk may be written again. One answer per row.
   */
  write(tx: Tx, scope: ImportScope, rows: readonly StagedRow<V>[]): Promise<RowWrite[]>;
  /** The order valid rows must be written in (superiors before their units); default file order. */
  writeOrder?(rows: readonly StagedRow<V>[]): StagedRow<V>[];
  /** After the last chunk is written (publish, notify). Errors are logged, not raised. */
  afterConfirm?(scope: ImportScope): Promise<void>;
}
