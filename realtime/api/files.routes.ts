import { createRoute, z } from '@hono/zod-openapi';
import { bodyLimit } from 'hono/body-limit';
import { AppError } from '../../core/shared/app-error';
import { MAX_FILE_BYTES } from '../../core/files/files.limits';
import { FileView } from '../../core/files/files.schema';
import { regionChildren, regionName } from '../../core/shared/regions';
import type { ApiRouter } from './context';
import { optionalAuth } from './openapi-document';
import { authed, errorResponses, json, named } from './schemas';

const StoredFile = named(FileView, 'File');

const routes = {
  upload: createRoute({
    method: 'post',
    path: '/files',
    tags: ['files'],
    summary: '上传附件（multipart/form-data，字段 file；≤ 10 MB；PDF、Office、图片、文本、ZIP）',
    description:
      "The file belongs to the caller's organisation until a requirement, proposal, negotiation message or storefront that the caller saves lists its id in `attachmentIds` (or `logoFileId` / `imageFileId`). `imageOnly=true` accepts images only. A person acting for no organisation (a mall buyer not yet confirmed by their unit) may upload images only (`imageOnly=true`), for their own reviews.",
    security: authed,
    request: {
      body: {
        required: true,
        content: {
          'multipart/form-data': {
            schema: z.object({
              file: z.instanceof(File, { message: '请选择要上传的文件' }).openapi({ type: 'string', format: 'binary' }),
              imageOnly: z.enum(['true', 'false'], { message: 'imageOnly 只能是 true 或 false' }).optional(),
            }),
          },
        },
      },
    },
    responses: { 201: json(StoredFile, 'Stored'), ...errorResponses(400, 401, 403, 413) },
  }),
  download: createRoute({
    method: 'get',
    path: '/files/{id}',
    tags: ['files'],
    summary: '下载附件（上传方，或按所属项目/标书/洽谈的权限）',
    description: 'Files of public pages (storefront logos and cases, product images) need no session.',
    security: optionalAuth,
    request: { params: z.object({ id: z.string() }), query: z.object({ download: z.enum(['1']).optional() }) },
    responses: { 200: { description: 'The bytes, with their content type' }, ...errorResponses(404) },
  }),
  regions: createRoute({
    method: 'get',
    path: '/regions',
    tags: ['reference'],
    summary: '行政区划（GB/T 2260）：省级，或某一级的下级',
    request: { query: z.object({ parent: z.string().optional().openapi({ description: '上级代码：省 2 位、市 4 位；不填返回省级' }) }) },
    responses: {
      200: json(
        z.object({
          parent: z.string().nullable(),
          parentName: z.string().nullable(),
          items: z.array(z.object({ code: z.string(), name: z.string(), hasChildren: z.boolean() })),
        }),
        'Divisions',
      ),
      ...errorResponses(404),
    },
  }),
};

export function registerFileRoutes(api: ApiRouter) {
  // Refused from the Content-Length before anything is read, or as soon as a body without one passes the limit.
  api.use(
    '/files',
    bodyLimit({
      maxSize: MAX_FILE_BYTES + 64 * 1024,
      onError: () => {
        throw new AppError('PAYLOAD_TOO_LARGE', '文件不能超过 10 MB', { file: '文件不能超过 10 MB' });
      },
    }),
  );
  api.openapi(routes.upload, async (c) => {
    const type = c.req.header('content-type') ?? '';
    if (!type.toLowerCase().startsWith('multipart/form-data')) throw new AppError('UNSUPPORTED_MEDIA_TYPE', '请以 multipart/form-data 上传文件');
    const length = Number(c.req.header('content-length') ?? 0);
    if (length > MAX_FILE_BYTES + 64 * 1024) throw new AppError('PAYLOAD_TOO_LARGE', '文件不能超过 10 MB', { file: '文件不能超过 10 MB' });
    const form = await c.req.parseBody();
    const file = form.file;
    if (!(file instanceof File)) throw new AppError('VALIDATION', '请选择要上传的文件', { file: '请选择要上传的文件' });
    const view = await c.var.services.files.upload(c.var.actor, {
      filename: file.name,
      contentType: file.type || 'application/octet-stream',
      bytes: new Uint8Array(await file.arrayBuffer()),
      imageOnly: form.imageOnly === 'true',
    });
    return c.json(view, 201);
  });

  api.openapi(routes.download, async (c) => {
    const f = await c.var.services.files.read(c.var.actor, c.req.valid('param').id);
    const inline = !c.req.valid('query').download && /^(image\/|application\/pdf|text\/plain)/.test(f.contentType);
    return c.body(new Uint8Array(f.data), 200, {
      'content-type': f.contentType === 'text/plain' ? 'text/plain; charset=utf-8' : f.contentType,
      'content-length': String(f.data.byteLength),
      'content-disposition': `${inline ? 'inline' : 'attachment'}; filename*=UTF-8''${encodeURIComponent(f.filename)}`,
      'x-content-type-options': 'nosniff',
      // Uploaded files never run as pages of this origin.
      'content-security-policy': "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox",
      'cache-control': 'private, max-age=3600',
    });
  });

  api.openapi(routes.regions, (c) => {
    const parent = c.req.valid('query').parent || null;
    const items = regionChildren(parent);
    if (!items) throw new AppError('NOT_FOUND', '地区不存在');
    return c.json({ parent, parentName: parent ? regionName(parent) : null, items }, 200);
  });
}
