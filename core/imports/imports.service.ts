import type { Db } from '../../db/client';
import { recordAudit } from '../audit/audit';
import type { JobQueue } from '../jobs/jobs.service';
import { requireActor, type Actor } from '../shared/actor';
import { AppError } from '../shared/app-error';
import type { Clock } from '../shared/clock';
import { pageOffset } from '../shared/paging';
import type { Publisher } from '../shared/publisher';
import type { RateLimiter, RateRule } from '../shared/rate-limit';
import { parseInput } from '../shared/validate';
import type { ImportKind, ImportScope, RowWrite, StagedRow } from './imports.kinds';
import { importsRepo as repo, type BatchMeta, type StageRow } from './imports.repo';
import { BatchIdInput, ListQuery, RowsQuery, UploadInput, type ImportBatchView, type ImportRowsPage } from './imports.schema';
import { checkRow, errorWorkbook, readSheet, sheetTemplate, unzippedBytes, type CellError } from './sheet';

/** The largest workbook one upload may be (the route refuses bigger bodies before reading them). */
export const IMPORT_MAX_BYTES = 20 * 1024 * 1024;
/** What a workbook may declare once unzipped: a 100,000-row sheet is about 45 MB; more is a crafted file. */
const IMPORT_MAX_UNZIPPED = 200 * 1024 * 1024;
/** Socket room of one batch and the event its progress is pushed as. */
export const importRoom = (batchId: string) => `import:${batchId}`;
export const IMPORT_PROGRESS_EVENT = 'imports:progress';

const PARSE_JOB = 'imports.parse';
const CONFIRM_JOB = 'imports.confirm';
const STAGE_CHUNK = 500;
const WRITE_CHUNK = 500;
const VERDICT_CHUNK = 2000;
const LIST_PAGE_SIZE = 20;
const UPLOAD_RULE: RateRule = { name: 'import_upload', points: 30, durationSeconds: 3600 };

export interface ImportDeps {
  db: Db;
  clock: Clock;
  jobs: JobQueue;
  publisher: Publisher;
  rateLimiter: RateLimiter;
  log: (line: string) => void;
  /** Largest upload in bytes (default IMPORT_MAX_BYTES). */
  maxBytes?: number;
  /** Progress is written and pushed at most this often while a job runs (default 1000 ms). */
  progressEveryMs?: number;
}

const fileRefusal = (code: 'VALIDATION' | 'PAYLOAD_TOO_LARGE', message: string) => new AppError(code, message, { file: message });
const mb = (bytes: number) => `${Math.round(bytes / 1024 / 1024)} MB`;

/** What an upload starts with: a zip (an .xlsx is one), or the old binary Excel format. */
function checkWorkbookBytes(bytes: Uint8Array) {
  const head = Buffer.from(bytes.subarray(0, 8));
  if (head.length >= 4 && head.readUInt32LE(0) === 0x04034b50) return;
  if (head.length >= 8 && head.toString('hex') === 'd0cf11e0a1b11ae1') {
    throw fileRefusal('VALIDATION', '这是旧版 Excel（.xls）文件，请在 Excel 中另存为 .xlsx 后再上传');
  }
  throw fileRefusal('VALIDATION', '文件不是有效的 Excel（.xlsx）文件，请使用下载的模板');
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/**
 * The spreadsheet-import engine: contexts register kinds (their sheet, rights, checks across rows and
 * writer); people upload a sheet, the parse job stages its rows with their verdicts, people preview and
 * confirm, the confirm job writes valid rows in chunks. Both jobs resume from what is staged or written.
 */
export function createImportService(deps: ImportDeps) {
  const { db, clock, jobs, publisher } = deps;
  const maxBytes = deps.maxBytes ?? IMPORT_MAX_BYTES;
  const every = deps.progressEveryMs ?? 1000;
  const kinds = new Map<string, ImportKind<unknown>>();

  const kindOf = (key: string) => {
    const kind = kinds.get(key);
    if (!kind) throw new AppError('NOT_FOUND', '没有这种导入');
    return kind;
  };

  function toView(b: BatchMeta): ImportBatchView {
    return {
      id: b.id,
      kind: b.kind,
      kindLabel: kinds.get(b.kind)?.label ?? b.kind,
      organisationId: b.organisationId,
      filename: b.filename,
      sizeBytes: b.sizeBytes,
      status: b.status,
      failure: b.failure,
      progress: b.progress,
      counts: { total: b.totalRows, valid: b.validRows, error: b.errorRows, new: b.newRows, update: b.updateRows, written: b.writtenRows },
      createdAt: b.createdAt.toISOString(),
      confirmedAt: iso(b.confirmedAt),
      finishedAt: iso(b.finishedAt),
    };
  }

  async function publish(b: BatchMeta | undefined) {
    if (!b) return;
    try {
      await publisher.publish(importRoom(b.id), IMPORT_PROGRESS_EVENT, toView(b));
    } catch (e) {
      deps.log(`[imports] publish failed: ${(e as Error).message}`);
    }
  }

  /** The batch, once the actor may see it (its kind's rights for its organisation). */
  async function loadBatch(actor: Actor | null, rawId: unknown) {
    requireActor(actor);
    const id = BatchIdInput.safeParse(rawId);
    const batch = id.success ? await repo.findBatch(db, id.data) : undefined;
    const kind = batch && kinds.get(batch.kind);
    if (!batch || !kind) throw new AppError('NOT_FOUND', '导入批次不存在');
    await kind.authorize(actor, batch.organisationId);
    return { batch, kind };
  }

  /** Writes the progress and pushes the view, at most once per `every` ms (and always when `force`). */
  function progressWriter(batchId: string, status: 'parsing' | 'confirming') {
    let last = 0;
    return async (progress: number, force = false) => {
      const now = Date.now();
      if (!force && now - last < every) return;
      last = now;
      await publish(await repo.updateBatchIf(db, batchId, status, { progress, updatedAt: clock.now() }));
    };
  }

  async function failBatch(batchId: string, message: string) {
    await publish(
      await repo.updateBatchIf(db, batchId, 'parsing', { status: 'failed', failure: message, file: null, updatedAt: clock.now(), finishedAt: clock.now() }),
    );
  }

  /** The parse job: stage every row (skipping rows an earlier run staged), then check across rows. */
  async function parse(batchId: string) {
    const batch = await repo.findBatch(db, batchId);
    if (!batch || batch.status !== 'parsing') return;
    const kind = kinds.get(batch.kind);
    if (!kind) return failBatch(batchId, '这种导入已停用');
    const file = await repo.fileOf(db, batchId);
    if (!file) return failBatch(batchId, '上传的文件已不存在，请重新上传');
    const progress = progressWriter(batchId, 'parsing');
    let chunk: StageRow[] = [];
    let read = 0;
    try {
      for await (const r of readSheet(kind.spec, file)) {
        const checked = checkRow(kind.spec, r);
        chunk.push({ row: r.row, cells: r.values, value: checked.ok ? checked.value : null, errors: checked.ok ? [] : checked.errors });
        read++;
        if (chunk.length >= STAGE_CHUNK) {
          await repo.stageRows(db, batchId, chunk);
          chunk = [];
          await progress(read);
        }
      }
      await repo.stageRows(db, batchId, chunk);
    } catch (e) {
      if (e instanceof AppError) return failBatch(batchId, e.message);
      throw e;
    }
    await progress(read, true);

    // Checks across rows: every row that passed its column checks, in file order.
    const staged = await repo.valueRows(db, batchId);
    const scope: ImportScope = { organisationId: batch.organisationId, actorUserId: batch.uploadedBy, batchId };
    let answers;
    try {
      answers = await kind.check(
        db,
        scope,
        staged.map((r) => ({ row: r.row, value: r.value as unknown })),
      );
    } catch (e) {
      // A refusal of the whole file (the uploader is no longer a budget unit…) ends the batch with its reason
      // instead of leaving it 检查中 for ever while the job retries.
      if (e instanceof AppError) return failBatch(batchId, e.message);
      throw e;
    }
    if (answers.length !== staged.length) throw new Error(`import kind ${kind.key}: check answered ${answers.length} rows for ${staged.length}`);
    const verdicts = staged.map((r, i) => {
      const a = answers[i]!;
      return { row: r.row, status: a.status, errors: (a.errors ?? []) as CellError[] };
    });
    for (let i = 0; i < verdicts.length; i += VERDICT_CHUNK) await repo.setVerdicts(db, batchId, verdicts.slice(i, i + VERDICT_CHUNK));
    const counts = await repo.countRows(db, batchId);
    await publish(await repo.updateBatchIf(db, batchId, 'parsing', { ...counts, status: 'ready', progress: counts.totalRows, updatedAt: clock.now() }));
  }

  /** The confirm job: valid unwritten rows in the kind's order, a chunk per transaction. */
  async function write(batchId: string) {
    const batch = await repo.findBatch(db, batchId);
    if (!batch || batch.status !== 'confirming') return;
    const kind = kinds.get(batch.kind);
    if (!kind) throw new Error(`import kind ${batch.kind} is not registered`);
    const scope: ImportScope = { organisationId: batch.organisationId, actorUserId: batch.confirmedBy ?? batch.uploadedBy, batchId };
    const valid = await repo.validRows(db, batchId);
    const written = new Set(valid.filter((r) => r.writtenAt).map((r) => r.row));
    const all: StagedRow<unknown>[] = valid.map((r) => ({ row: r.row, value: r.value as unknown }));
    const ordered = (kind.writeOrder ? kind.writeOrder(all) : all).filter((r) => !written.has(r.row));
    const progress = progressWriter(batchId, 'confirming');
    let done = written.size;
    for (let i = 0; i < ordered.length; i += WRITE_CHUNK) {
      const rows = ordered.slice(i, i + WRITE_CHUNK);
      await db.transaction(async (tx) => {
        const answers: RowWrite[] = await kind.write(tx, scope, rows);
        if (answers.length !== rows.length) throw new Error(`import kind ${kind.key}: write answered ${answers.length} rows for ${rows.length}`);
        await repo.setWritten(
          tx,
          batchId,
          clock.now(),
          rows.map((r, j) => {
            const a = answers[j]!;
            return 'targetId' in a ? { row: r.row, targetId: a.targetId, errors: null } : { row: r.row, targetId: null, errors: a.errors };
          }),
        );
      });
      done += rows.length;
      await progress(done);
    }
    const counts = await repo.countRows(db, batchId);
    const finished = await repo.updateBatchIf(db, batchId, 'confirming', {
      ...counts,
      status: 'done',
      progress: counts.writtenRows,
      file: null,
      updatedAt: clock.now(),
      finishedAt: clock.now(),
    });
    if (!finished) return;
    await publish(finished);
    if (kind.afterConfirm) await kind.afterConfirm(scope).catch((e) => deps.log(`[imports] ${kind.key} afterConfirm: ${(e as Error).message}`));
  }

  jobs.on(PARSE_JOB, (job) => parse(job.key));
  jobs.on(CONFIRM_JOB, (job) => write(job.key));

  return {
    /** Registers an import kind (inside a context's `create`); keys are unique. */
    register(kind: ImportKind<any>) {
      if (kinds.has(kind.key)) throw new Error(`import kind ${kind.key} is already registered`);
      kinds.set(kind.key, kind as ImportKind<unknown>);
    },

    /** The kind's .xlsx template (anyone signed in). */
    async template(actor: Actor | null, kindKey: string) {
      requireActor(actor);
      return sheetTemplate(kindOf(kindKey).spec);
    },

    /**
     * Stores an upload as a batch in `parsing` and schedules its parse job; answers at once.
     * Errors: VALIDATION (empty, not an .xlsx), PAYLOAD_TOO_LARGE, RATE_LIMITED, NOT_FOUND (kind), FORBIDDEN.
     */
    async upload(actor: Actor | null, input: { kind: string; organisationId: string; filename?: string; bytes: Uint8Array }) {
      const a = requireActor(actor);
      const {
        kind: kindKey,
        organisationId,
        filename,
      } = parseInput(UploadInput, { kind: input.kind, organisationId: input.organisationId, filename: input.filename });
      const kind = kindOf(kindKey);
      await kind.authorize(a, organisationId);
      const bytes = input.bytes;
      if (!bytes || bytes.byteLength === 0) throw fileRefusal('VALIDATION', '文件是空的，请选择填写好的 Excel 文件');
      if (bytes.byteLength > maxBytes) throw fileRefusal('PAYLOAD_TOO_LARGE', `文件不能超过 ${mb(maxBytes)}，请分批上传`);
      checkWorkbookBytes(bytes);
      if ((await unzippedBytes(bytes)) > IMPORT_MAX_UNZIPPED) {
        throw fileRefusal('PAYLOAD_TOO_LARGE', `文件解压后超过 ${mb(IMPORT_MAX_UNZIPPED)}，不是正常的表格，请使用下载的模板分批上传`);
      }
      await deps.rateLimiter.consume(UPLOAD_RULE, a.userId, '上传太频繁，请稍后再试');
      const batch = await db.transaction(async (tx) => {
        const b = await repo.insertBatch(tx, {
          kind: kind.key,
          organisationId,
          uploadedBy: a.userId,
          filename: filename || kind.spec.filename,
          file: bytes,
          sizeBytes: bytes.byteLength,
          status: 'parsing',
          createdAt: clock.now(),
          updatedAt: clock.now(),
        });
        await jobs.schedule(tx, { kind: PARSE_JOB, key: b.id, runAt: clock.now() });
        return b;
      });
      jobs.wake();
      return toView(batch);
    },

    /** The batch with its counts, status, progress and failure. */
    async get(actor: Actor | null, batchId: string) {
      return toView((await loadBatch(actor, batchId)).batch);
    },

    /** A page of the batch's rows, optionally of one status ('valid': new and update). */
    async rows(actor: Actor | null, batchId: string, raw: unknown = {}): Promise<ImportRowsPage> {
      const { batch, kind } = await loadBatch(actor, batchId);
      const q = parseInput(RowsQuery, raw);
      const { items, total } = await repo.listRows(db, batch.id, { status: q.status, limit: q.pageSize, offset: pageOffset(q) });
      return { items, total, page: q.page, pageSize: q.pageSize, columns: kind.spec.columns.map((c) => ({ key: c.key, header: c.header })) };
    },

    /** The organisation's batches of one kind, newest first. */
    async list(actor: Actor | null, raw: unknown) {
      requireActor(actor);
      const q = parseInput(ListQuery, raw);
      const kind = kindOf(q.kind);
      await kind.authorize(actor, q.organisationId);
      const { items, total } = await repo.listBatches(db, {
        kind: kind.key,
        organisationId: q.organisationId,
        limit: LIST_PAGE_SIZE,
        offset: (q.page - 1) * LIST_PAGE_SIZE,
      });
      return { items: items.map(toView), total, page: q.page, pageSize: LIST_PAGE_SIZE };
    },

    /** Every row with errors as an .xlsx people fix and upload again. */
    async errorWorkbook(actor: Actor | null, batchId: string) {
      const { batch, kind } = await loadBatch(actor, batchId);
      if (batch.status === 'parsing' || batch.status === 'failed') throw new AppError('IMPORT_BATCH_STATE', '表格尚未检查完成，暂无错误报告');
      const rows = await repo.errorRows(db, batch.id);
      return errorWorkbook(
        kind.spec,
        rows.map((r) => ({ row: r.row, values: r.cells, errors: r.errors })),
      );
    },

    /**
     * Confirms a ready batch with at least one valid row: ready → confirming (one of two confirmations
     * at once wins), the confirm job scheduled; answers at once. Errors: IMPORT_ALREADY_CONFIRMED,
     * IMPORT_BATCH_STATE, IMPORT_NOTHING_VALID.
     */
    async confirm(actor: Actor | null, batchId: string) {
      const { batch } = await loadBatch(actor, batchId);
      const a = requireActor(actor);
      if (batch.status === 'confirming' || batch.status === 'done') throw new AppError('IMPORT_ALREADY_CONFIRMED', '该批次已确认导入，无需重复确认');
      if (batch.status !== 'ready')
        throw new AppError('IMPORT_BATCH_STATE', batch.status === 'parsing' ? '表格还在检查中，请稍候' : '该批次导入失败，请重新上传');
      if (batch.validRows < 1) throw new AppError('IMPORT_NOTHING_VALID', '没有可导入的有效行，请修改后重新上传');
      const moved = await db.transaction(async (tx) => {
        const row = await repo.updateBatchIf(tx, batch.id, 'ready', {
          status: 'confirming',
          confirmedBy: a.userId,
          confirmedAt: clock.now(),
          progress: 0,
          updatedAt: clock.now(),
        });
        if (!row) return undefined;
        await jobs.schedule(tx, { kind: CONFIRM_JOB, key: row.id, runAt: clock.now() });
        await recordAudit(tx, {
          actorUserId: a.userId,
          action: 'imports.confirm',
          targetType: 'import_batch',
          targetId: row.id,
          organisationId: row.organisationId,
          after: { kind: row.kind, filename: row.filename, validRows: row.validRows, newRows: row.newRows, updateRows: row.updateRows },
        });
        return row;
      });
      if (!moved) throw new AppError('IMPORT_ALREADY_CONFIRMED', '该批次已确认导入，无需重复确认');
      jobs.wake();
      await publish(moved);
      return toView(moved);
    },

    /** Discards a batch that is not being imported or imported (its staged rows go with it). */
    async discard(actor: Actor | null, batchId: string) {
      const { batch } = await loadBatch(actor, batchId);
      const gone = await db.transaction(async (tx) => {
        const row = await repo.updateBatchIf(tx, batch.id, ['parsing', 'ready', 'failed'], {
          status: 'failed',
          failure: '已取消',
          file: null,
          updatedAt: clock.now(),
        });
        if (!row) return false;
        await jobs.cancel(tx, PARSE_JOB, row.id);
        await repo.deleteBatch(tx, row.id);
        return true;
      });
      if (!gone) throw new AppError('IMPORT_BATCH_STATE', '正在导入或已导入的批次不能取消');
      return { id: batch.id };
    },

    /** After a restart: a batch still parsing or confirming whose job is gone (or failed for good) gets it again. */
    async resume() {
      for (const b of await repo.listInProgress(db)) {
        const kind = b.status === 'parsing' ? PARSE_JOB : CONFIRM_JOB;
        const job = await jobs.find(kind, b.id);
        if (!job || job.status === 'done' || job.status === 'failed') await jobs.schedule(db, { kind, key: b.id, runAt: clock.now() });
      }
      jobs.wake();
    },
  };
}

export type ImportService = ReturnType<typeof createImportService>;
