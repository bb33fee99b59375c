import { z } from 'zod';
import { PageNumber, PageSize } from '../shared/paging';

/** A batch's state: parsing → ready → confirming → done, or failed (the whole file refused). */
export const ImportBatchStatus = z.enum(['parsing', 'ready', 'confirming', 'done', 'failed']);
export const ImportRowStatus = z.enum(['pending', 'new', 'update', 'error']);

const Uuid = z.uuid({ message: '编号无效' });
const KindKey = z.string({ message: '请指定导入类型' }).trim().min(1, '请指定导入类型').max(64, '导入类型无效');

export const UploadInput = z.object({
  kind: KindKey,
  organisationId: z.uuid({ message: '请指定导入的单位' }),
  filename: z.string().trim().max(200, '文件名不超过 200 个字').default(''),
});

export const RowsQuery = z.object({
  status: z.enum(['new', 'update', 'error', 'valid'], { message: '状态只能是 new、update、error 或 valid' }).optional(),
  page: PageNumber,
  pageSize: PageSize(100, 20),
});

export const ListQuery = z.object({ kind: KindKey, organisationId: z.uuid({ message: '请指定单位' }), page: PageNumber });

export const BatchIdInput = Uuid;

/** A batch as every caller sees it (API, socket pushes, the component). */
export const ImportBatchView = z.object({
  id: z.uuid(),
  kind: z.string(),
  kindLabel: z.string(),
  organisationId: z.uuid(),
  filename: z.string(),
  sizeBytes: z.number().int(),
  status: ImportBatchStatus,
  /** Why the whole file was refused. */
  failure: z.string().nullable(),
  /** Rows read (parsing) or written (confirming/done). */
  progress: z.number().int(),
  counts: z.object({
    total: z.number().int(),
    valid: z.number().int(),
    error: z.number().int(),
    new: z.number().int(),
    update: z.number().int(),
    written: z.number().int(),
  }),
  createdAt: z.iso.datetime(),
  confirmedAt: z.iso.datetime().nullable(),
  finishedAt: z.iso.datetime().nullable(),
});
export type ImportBatchView = z.infer<typeof ImportBatchView>;

export const ImportRowView = z.object({
  row: z.number().int(),
  cells: z.record(z.string(), z.string()),
  status: ImportRowStatus,
  errors: z.array(z.object({ column: z.string(), message: z.string() })),
  targetId: z.uuid().nullable(),
});
export type ImportRowView = z.infer<typeof ImportRowView>;

/** A page of rows with the sheet's columns (so a table can show headers without knowing the kind). */
export const ImportRowsPage = z.object({
  items: z.array(ImportRowView),
  total: z.number().int(),
  page: z.number().int(),
  pageSize: z.number().int(),
  columns: z.array(z.object({ key: z.string(), header: z.string() })),
});
export type ImportRowsPage = z.infer<typeof ImportRowsPage>;
