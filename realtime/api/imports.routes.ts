import { createRoute, z } from '@hono/zod-openapi';
import { bodyLimit } from 'hono/body-limit';
import { ImportBatchView, ImportRowsPage } from '../../core/imports/imports.schema';
import { IMPORT_MAX_BYTES, type ImportService } from '../../core/imports/imports.service';
import { AppError } from '../../core/shared/app-error';
import type { ApiRouter } from './context';
import { authed, errorResponses, json, named, page } from './schemas';

const T = ['imports'];
const Batch = named(ImportBatchView, 'ImportBatch');
const RowsPage = named(ImportRowsPage, 'ImportRowsPage');
const idParam = z.object({ id: z.string().openapi({ description: '导入批次编号' }) });
const xlsx = (description: string) => ({
  description,
  content: { 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': { schema: z.string().openapi({ format: 'binary' }) } },
});
const download = (file: { filename: string; contentType: string }) => ({
  'content-type': file.contentType,
  'content-disposition': `attachment; filename*=UTF-8''${encodeURIComponent(file.filename)}`,
});
/** The multipart envelope around the workbook (boundaries, the other fields). */
const FORM_OVERHEAD = 64 * 1024;
const TOO_LARGE = `文件不能超过 ${IMPORT_MAX_BYTES / 1024 / 1024} MB，请分批上传`;

const routes = {
  template: createRoute({
    method: 'get',
    path: '/imports/templates/{kind}',
    operationId: 'getImportTemplate',
    tags: T,
    summary: '下载导入模板（XLSX；必填列带 *，含填写说明）',
    security: authed,
    request: { params: z.object({ kind: z.string().openapi({ description: '导入类型，如 quotas.budget_units' }) }) },
    responses: { 200: xlsx('The template'), ...errorResponses(401, 404) },
  }),
  upload: createRoute({
    method: 'post',
    path: '/imports',
    operationId: 'uploadImport',
    tags: T,
    summary: '上传表格（multipart：file、kind、organisationId；≤ 20 MB；立即返回批次，后台逐行检查）',
    security: authed,
    request: {
      body: {
        required: true,
        content: {
          'multipart/form-data': {
            schema: z.object({
              file: z.instanceof(File).openapi({ type: 'string', format: 'binary' }),
              kind: z.string().openapi({ description: '导入类型' }),
              organisationId: z.string().openapi({ description: '导入到哪个单位' }),
            }),
          },
        },
      },
    },
    responses: { 202: json(Batch, 'Stored; parsing in the background'), ...errorResponses(400, 401, 403, 404, 413, 415, 429) },
  }),
  list: createRoute({
    method: 'get',
    path: '/imports',
    operationId: 'listImports',
    tags: T,
    summary: '某单位某类型的导入批次（最新在前）',
    security: authed,
    request: { query: z.object({ kind: z.string(), organisationId: z.string(), page: z.string().optional() }) },
    responses: { 200: json(page(Batch, 'ImportBatchPage'), 'Batches'), ...errorResponses(400, 401, 403, 404) },
  }),
  get: createRoute({
    method: 'get',
    path: '/imports/{id}',
    operationId: 'getImport',
    tags: T,
    summary: '导入批次：状态、进度、统计（有效 / 错误 / 新增 / 更新）',
    security: authed,
    request: { params: idParam },
    responses: { 200: json(Batch, 'The batch'), ...errorResponses(401, 403, 404) },
  }),
  rows: createRoute({
    method: 'get',
    path: '/imports/{id}/rows',
    operationId: 'listImportRows',
    tags: T,
    summary: '预览：逐行的状态与错误原因（可按 new / update / error / valid 筛选；分页）',
    security: authed,
    request: {
      params: idParam,
      query: z.object({ status: z.string().optional(), page: z.string().optional(), pageSize: z.string().optional() }),
    },
    responses: { 200: json(RowsPage, 'Rows'), ...errorResponses(400, 401, 403, 404) },
  }),
  errors: createRoute({
    method: 'get',
    path: '/imports/{id}/error-workbook',
    operationId: 'getImportErrorWorkbook',
    tags: T,
    summary: '下载错误报告（XLSX：所有错误行、原行号、错误原因；改正后可直接重新上传）',
    security: authed,
    request: { params: idParam },
    responses: { 200: xlsx('The rows with errors'), ...errorResponses(401, 403, 404, 'IMPORT_BATCH_STATE') },
  }),
  confirm: createRoute({
    method: 'post',
    path: '/imports/{id}/confirm',
    operationId: 'confirmImport',
    tags: T,
    summary: '确认导入有效行（后台分批写入；进度见 imports:progress）',
    security: authed,
    request: { params: idParam },
    responses: {
      202: json(Batch, 'Confirming in the background'),
      ...errorResponses(401, 403, 404, 'IMPORT_BATCH_STATE', 'IMPORT_NOTHING_VALID', 'IMPORT_ALREADY_CONFIRMED'),
    },
  }),
  discard: createRoute({
    method: 'delete',
    path: '/imports/{id}',
    operationId: 'discardImport',
    tags: T,
    summary: '取消导入（未确认的批次；已暂存的行一并删除）',
    security: authed,
    request: { params: idParam },
    responses: { 200: json(z.object({ id: z.string() }), 'Discarded'), ...errorResponses(401, 403, 404, 'IMPORT_BATCH_STATE') },
  }),
};

/** The spreadsheet-import engine: templates, uploads, preview, error workbook, confirmation. */
export function registerImportRoutes(api: ApiRouter) {
  const svc = (c: { var: { services: { imports: ImportService } } }) => c.var.services.imports;
  // Refused from the Content-Length before anything is read, or as soon as a body without one passes the limit.
  api.use(
    '/imports',
    bodyLimit({
      maxSize: IMPORT_MAX_BYTES + FORM_OVERHEAD,
      onError: () => {
        throw new AppError('PAYLOAD_TOO_LARGE', TOO_LARGE, { file: TOO_LARGE });
      },
    }),
  );

  api.openapi(routes.template, async (c) => {
    const file = await svc(c).template(c.var.actor, c.req.valid('param').kind);
    return c.body(new Uint8Array(file.bytes), 200, download(file));
  });
  api.openapi(routes.upload, async (c) => {
    const type = c.req.header('content-type') ?? '';
    if (!type.toLowerCase().startsWith('multipart/form-data')) throw new AppError('UNSUPPORTED_MEDIA_TYPE', '请以 multipart/form-data 上传文件');
    if (Number(c.req.header('content-length') ?? 0) > IMPORT_MAX_BYTES + FORM_OVERHEAD) throw new AppError('PAYLOAD_TOO_LARGE', TOO_LARGE, { file: TOO_LARGE });
    let form: Record<string, string | File>;
    try {
      form = (await c.req.parseBody()) as Record<string, string | File>;
    } catch (e) {
      if (e instanceof AppError) throw e;
      throw new AppError('VALIDATION', '上传的内容无法读取，请重新选择文件', { file: '上传的内容无法读取，请重新选择文件' });
    }
    const file = form.file;
    if (!(file instanceof File)) throw new AppError('VALIDATION', '请选择要上传的 Excel（.xlsx）文件', { file: '请选择要上传的 Excel（.xlsx）文件' });
    const text = (v: unknown) => (typeof v === 'string' ? v : '');
    const view = await svc(c).upload(c.var.actor, {
      kind: text(form.kind),
      organisationId: text(form.organisationId),
      filename: file.name,
      bytes: new Uint8Array(await file.arrayBuffer()),
    });
    return c.json(view, 202);
  });
  api.openapi(routes.list, async (c) => c.json(await svc(c).list(c.var.actor, c.req.valid('query')), 200));
  api.openapi(routes.get, async (c) => c.json(await svc(c).get(c.var.actor, c.req.valid('param').id), 200));
  api.openapi(routes.rows, async (c) => c.json(await svc(c).rows(c.var.actor, c.req.valid('param').id, c.req.valid('query')), 200));
  api.openapi(routes.errors, async (c) => {
    const file = await svc(c).errorWorkbook(c.var.actor, c.req.valid('param').id);
    return c.body(new Uint8Array(file.bytes), 200, download(file));
  });
  api.openapi(routes.confirm, async (c) => c.json(await svc(c).confirm(c.var.actor, c.req.valid('param').id), 202));
  api.openapi(routes.discard, async (c) => c.json(await svc(c).discard(c.var.actor, c.req.valid('param').id), 200));
}
