import type { ImportBatchView, ImportRowsPage } from '$core/imports/imports.schema';

/*
 * Browser side of the import engine (core/imports): the API calls SheetImport.svelte makes with the
 * session cookie, and the words it shows.
 */

export type { ImportBatchView, ImportRowsPage };
export type RowFilter = '' | 'valid' | 'new' | 'update' | 'error';

export const ROW_STATUS: Record<string, { label: string; tone: 'success' | 'info' | 'danger' | 'neutral' }> = {
  new: { label: '新增', tone: 'success' },
  update: { label: '更新', tone: 'info' },
  error: { label: '错误', tone: 'danger' },
  pending: { label: '检查中', tone: 'neutral' },
};

export const BATCH_STATUS: Record<ImportBatchView['status'], string> = {
  parsing: '正在检查表格',
  ready: '检查完成，待确认',
  confirming: '正在导入',
  done: '导入完成',
  failed: '导入失败',
};

const BASE = '/api/v1/imports';

/** The API's error message (field `file` first), or a generic one. */
async function failure(res: Response, fallback: string): Promise<Error> {
  const body = await res.json().catch(() => ({}));
  return new Error(body?.error?.fields?.file ?? body?.error?.message ?? fallback);
}

async function call<T>(input: string, init: RequestInit = {}, fallback = '操作失败，请重试'): Promise<T> {
  let res: Response;
  try {
    res = await fetch(input, { credentials: 'same-origin', ...init });
  } catch {
    throw new Error('网络异常，请检查网络后重试');
  }
  if (!res.ok) throw await failure(res, fallback);
  return (await res.json()) as T;
}

export const templateUrl = (kind: string) => `${BASE}/templates/${encodeURIComponent(kind)}`;
export const errorWorkbookUrl = (batchId: string) => `${BASE}/${batchId}/error-workbook`;

export function uploadSheet(kind: string, organisationId: string, file: File) {
  const body = new FormData();
  body.set('file', file);
  body.set('kind', kind);
  body.set('organisationId', organisationId);
  return call<ImportBatchView>(BASE, { method: 'POST', body }, '上传失败，请重试');
}

export const getBatch = (batchId: string) => call<ImportBatchView>(`${BASE}/${batchId}`);

export function getRows(batchId: string, q: { status: RowFilter; page: number; pageSize: number }) {
  const params = new URLSearchParams({ page: String(q.page), pageSize: String(q.pageSize) });
  if (q.status) params.set('status', q.status);
  return call<ImportRowsPage>(`${BASE}/${batchId}/rows?${params}`);
}

export const confirmBatch = (batchId: string) => call<ImportBatchView>(`${BASE}/${batchId}/confirm`, { method: 'POST' }, '确认导入失败，请重试');

export const discardBatch = (batchId: string) => call<{ id: string }>(`${BASE}/${batchId}`, { method: 'DELETE' }, '取消失败，请重试');

/** "12,345 / 20,000" style progress in percent (0–100), given what is known. */
export function percent(b: ImportBatchView): number | null {
  const of = b.status === 'confirming' ? b.counts.valid : b.counts.total;
  if (!of) return null;
  return Math.min(100, Math.round((b.progress / of) * 100));
}
