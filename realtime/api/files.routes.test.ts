import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { count, eq } from 'drizzle-orm';
import { files } from '../../db/schema';
import { MAX_FILE_BYTES } from '../../core/files/files.limits';
import { HOUR } from '../../core/shared/clock';
import { buildRequirement, fund, proposalInput } from '../../core/testing/tenders-factories';
import { ManualClock } from '../../core/testing/test-platform';
import type { RequirementInput } from '../../core/tenders/tenders.schema';
import { createApiHarness, read, type ApiHarness } from './test-helpers';

type Person = { input: { username: string; password: string }; token: string; actor: { organisation?: { organisationId: string } } };

const clock = new ManualClock(new Date('2026-11-23T02:00:00Z'));
let h: ApiHarness;
let op: Person;
beforeAll(async () => {
  h = await createApiHarness({ clock });
  op = await h.operator();
});
afterAll(() => h?.close());

const call = (who: Person | null, method: string, path: string, body?: unknown) => h.json(method, `/api/v1${path}`, body, who ? { token: who.token } : {});
const orgId = (p: Person) => p.actor.organisation!.organisationId;
const provider = () => h.user({ accountType: 'provider' });
const enterprise = () => h.user({ accountType: 'enterprise' });
const PDF = new TextEncoder().encode('%PDF-1.4\n% 需求说明书\n');

async function postForm(who: Person | null, form: FormData | string, headers: Record<string, string> = {}) {
  return read(
    await h.app.request('/api/v1/files', { method: 'POST', headers: { ...(who ? { authorization: `Bearer ${who.token}` } : {}), ...headers }, body: form }),
  );
}
function uploadForm(bytes: Uint8Array<ArrayBuffer>, name: string, type: string, extra: Record<string, string> = {}) {
  const form = new FormData();
  form.append('file', new File([bytes], name, { type }));
  for (const [k, v] of Object.entries(extra)) form.append(k, v);
  return form;
}
async function upload(who: Person, name = '需求说明书.pdf', type = 'application/pdf', bytes = PDF) {
  const res = await postForm(who, uploadForm(bytes, name, type));
  expect(res.status, res.text).toBe(201);
  return res.json as { id: string; url: string; filename: string };
}
const download = (who: Person | null, url: string) => h.app.request(url, { headers: who ? { authorization: `Bearer ${who.token}` } : {} });

async function openWithAttachment(owner: Person, fileId: string, over: Partial<RequirementInput> = {}) {
  const d = await call(owner, 'POST', '/requirements', buildRequirement(clock.now(), { attachmentIds: [fileId], ...over }));
  expect(d.status, d.text).toBe(201);
  return d.json as { id: string; attachments: { id: string }[] };
}

describe('POST /files', () => {
  it('happy: a multipart upload is stored for the organisation; images with imageOnly', async () => {
    const e = await enterprise();
    const res = await postForm(e, uploadForm(PDF, '需求说明书.pdf', 'application/pdf'));
    expect(res.status).toBe(201);
    expect(res.json).toEqual({
      id: expect.any(String),
      filename: '需求说明书.pdf',
      contentType: 'application/pdf',
      sizeBytes: PDF.byteLength,
      url: `/api/v1/files/${res.json.id}`,
    });
    const img = await postForm(e, uploadForm(new Uint8Array([0x89, 0x50, 0x4e, 0x47]), 'logo.png', 'image/png', { imageOnly: 'true' }));
    expect(img.status).toBe(201);
    expect(img.json.contentType).toBe('image/png');
    const odd = await postForm(e, uploadForm(PDF, '../../etc/说明.txt', 'text/plain'));
    expect(odd.status).toBe(201);
    expect(odd.json.filename).not.toContain('/');
  });

  it('errors: a refused type, images only, an empty file, no file → 400 fields.file', async () => {
    const e = await enterprise();
    const cases: [FormData, string][] = [
      [uploadForm(PDF, 'page.html', 'text/html'), '不支持的文件类型：请上传 PDF、Office 文档、图片、文本或 ZIP'],
      [uploadForm(PDF, 'run.exe', 'application/x-msdownload'), '不支持的文件类型：请上传 PDF、Office 文档、图片、文本或 ZIP'],
      [uploadForm(PDF, '说明.pdf', 'application/pdf', { imageOnly: 'true' }), '只能上传 PNG、JPG、WebP 或 GIF 图片'],
      [uploadForm(new Uint8Array(), 'empty.pdf', 'application/pdf'), '文件是空的'],
      [
        (() => {
          const f = new FormData();
          f.append('note', 'no file');
          return f;
        })(),
        '请选择要上传的文件',
      ],
    ];
    for (const [form, message] of cases) {
      const res = await postForm(e, form);
      expect(res.status, message).toBe(400);
      expect(res.json.error).toMatchObject({ code: 'VALIDATION', fields: { file: message } });
    }
    const flag = await postForm(e, uploadForm(PDF, 'a.pdf', 'application/pdf', { imageOnly: 'yes' }));
    expect(flag.status).toBe(400);
    expect(flag.json.error.fields).toEqual({ imageOnly: 'imageOnly 只能是 true 或 false' });
  });

  it('errors: over 10 MB → 413, whether the declared length or the file itself says so', async () => {
    const e = await enterprise();
    const big = await postForm(e, uploadForm(new Uint8Array(MAX_FILE_BYTES + 1), 'big.pdf', 'application/pdf'));
    expect(big.status).toBe(413);
    expect(big.json.error).toEqual({ code: 'PAYLOAD_TOO_LARGE', message: '文件不能超过 10 MB', fields: { file: '文件不能超过 10 MB' } });
    const declared = await postForm(e, uploadForm(PDF, 'x.pdf', 'application/pdf'), { 'content-length': String(MAX_FILE_BYTES + 1024 * 1024) });
    expect(declared.status).toBe(413);
    const max = new Uint8Array(MAX_FILE_BYTES);
    max.set(PDF);
    const exactly = await postForm(e, uploadForm(max, 'max.pdf', 'application/pdf'));
    expect(exactly.status).toBe(201);
  }, 120_000);

  it('errors: a body without Content-Length is cut off with 413 once it passes the limit, not read to its end', async () => {
    const e = await enterprise();
    const total = 4 * MAX_FILE_BYTES;
    const chunk = new Uint8Array(256 * 1024);
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent === 0)
          controller.enqueue(
            new TextEncoder().encode(
              '--b\r\ncontent-disposition: form-data; name="file"; filename="big.pdf"\r\ncontent-type: application/pdf\r\n\r\n%PDF-1.4\n',
            ),
          );
        if (sent >= total) return controller.close();
        sent += chunk.byteLength;
        controller.enqueue(chunk);
      },
    });
    const res = await read(
      await h.app.request('/api/v1/files', {
        method: 'POST',
        headers: { authorization: `Bearer ${e.token}`, 'content-type': 'multipart/form-data; boundary=b' },
        body: stream,
        duplex: 'half',
      } as RequestInit),
    );
    expect(res.status).toBe(413);
    expect(res.json.error).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', fields: { file: '文件不能超过 10 MB' } });
    expect(sent).toBeLessThan(total);
  });

  it('errors: content that does not match the declared type → 400 fields.file, nothing stored', async () => {
    const e = await enterprise();
    const html = new TextEncoder().encode('<html><script>alert(1)</script></html>');
    const cases: [FormData, string][] = [
      [uploadForm(html, 'logo.png', 'image/png', { imageOnly: 'true' }), '文件内容与类型不符：这不是一个有效的 PNG 文件'],
      [uploadForm(html, '说明.pdf', 'application/pdf'), '文件内容与类型不符：这不是一个有效的 PDF 文件'],
      [uploadForm(PDF, 'photo.jpg', 'image/jpeg'), '文件内容与类型不符：这不是一个有效的 JPG 文件'],
      [
        uploadForm(PDF, '合同.docx', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document'),
        '文件内容与类型不符：这不是一个有效的 DOCX 文件',
      ],
      [uploadForm(new Uint8Array([0x68, 0x00, 0x69]), 'a.txt', 'text/plain'), '文件内容与类型不符：这不是一个有效的 TXT 文件'],
    ];
    for (const [form, message] of cases) {
      const res = await postForm(e, form);
      expect(res.status, message).toBe(400);
      expect(res.json.error).toMatchObject({ code: 'VALIDATION', fields: { file: message } });
    }
    const [stored] = await h.platform.db
      .select({ n: count() })
      .from(files)
      .where(eq(files.organisationId, orgId(e)));
    expect(Number(stored!.n)).toBe(0);
  });

  it('a file name loses bidi controls and control characters (invoice‮fdp.exe does not read as invoiceexe.pdf)', async () => {
    const e = await enterprise();
    const f = await upload(e, '发票\u202Efdp.exe\u200F\u0007.pdf');
    expect(f.filename).toBe('发票fdp.exe.pdf');
  });

  it('errors: not multipart → 415', async () => {
    const e = await enterprise();
    const asJson = await h.json('POST', '/api/v1/files', { file: 'aGVsbG8=' }, { token: e.token });
    expect(asJson.status).toBe(415);
    expect(asJson.json.error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    const asText = await postForm(e, 'hello', { 'content-type': 'text/plain' });
    expect(asText.status).toBe(415);
    expect(asText.json.error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
  });

  it('auth: 401 without a session', async () => {
    for (const token of [undefined, 'not-a-real-token']) {
      const res = await postForm(token ? ({ token } as Person) : null, uploadForm(PDF, 'a.pdf', 'application/pdf'));
      expect(res.status).toBe(401);
      expect(res.json).toEqual({ error: { code: 'UNAUTHENTICATED', message: '请先登录' } });
    }
  });
});

describe('GET /files/{id}', () => {
  it('happy: the uploading organisation downloads it, inline for PDFs and images, never run as a page', async () => {
    const e = await enterprise();
    const f = await upload(e);
    const res = await download(e, f.url);
    expect(res.status).toBe(200);
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(PDF);
    expect(res.headers.get('content-type')).toBe('application/pdf');
    expect(res.headers.get('content-disposition')).toBe(`inline; filename*=UTF-8''${encodeURIComponent('需求说明书.pdf')}`);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-security-policy')).toContain('sandbox');
    const attachment = await download(e, `${f.url}?download=1`);
    expect(attachment.headers.get('content-disposition')).toMatch(/^attachment;/);
    const txt = await upload(e, 'notes.txt', 'text/plain', new TextEncoder().encode('备注'));
    expect((await download(e, txt.url)).headers.get('content-type')).toBe('text/plain; charset=utf-8');
  });

  it('errors: unknown or malformed ids → 404', async () => {
    const e = await enterprise();
    for (const id of ['00000000-0000-4000-8000-000000000000', 'nope']) {
      const res = await read(await download(e, `/api/v1/files/${id}`));
      expect(res.status).toBe(404);
      expect(res.json.error).toEqual({ code: 'NOT_FOUND', message: '文件不存在' });
    }
  });

  it("another organisation's file is 404 (as if it did not exist), also to anonymous callers", async () => {
    const e = await enterprise();
    const f = await upload(e);
    for (const who of [await enterprise(), await provider(), null]) {
      const res = await read(await download(who, f.url));
      expect(res.status).toBe(404);
      expect(res.json.error.code).toBe('NOT_FOUND');
    }
  });

  it('attached to a requirement: hidden while a draft or under review, readable by anyone once it is public', async () => {
    const e = await enterprise();
    await fund(h.platform, e.actor, 20_000);
    const f = await upload(e);
    const d = await openWithAttachment(e, f.id);
    expect(d.attachments.map((a) => a.id)).toEqual([f.id]);
    const stranger = await provider();
    expect((await download(stranger, f.url)).status).toBe(404);
    expect((await call(e, 'POST', `/requirements/${d.id}/submit`)).status).toBe(200);
    expect((await download(stranger, f.url)).status).toBe(404);
    expect((await download(op, f.url)).status).toBe(200);
    expect((await call(op, 'POST', `/admin/requirements/${d.id}/review`, { decision: 'approve' })).status).toBe(200);
    expect((await download(stranger, f.url)).status).toBe(200);
    expect((await download(null, f.url)).status).toBe(200);
    // Another organisation cannot attach the file to its own things.
    const other = await h.user({ accountType: 'enterprise' });
    const taken = await call(other, 'POST', '/requirements', buildRequirement(clock.now(), { attachmentIds: [f.id] }));
    expect(taken.status).toBe(400);
    expect(taken.json.error.fields).toEqual({ attachmentIds: '附件不存在或不能使用' });
  });

  it("attached to a proposal: its author; the requirement's owner only from the opening time; never a rival", async () => {
    const e = await enterprise();
    await fund(h.platform, e.actor, 20_000);
    const r = await openWithAttachment(e, (await upload(e)).id, { openingAt: new Date(clock.now().getTime() + 25 * HOUR).toISOString() });
    expect((await call(e, 'POST', `/requirements/${r.id}/submit`)).status).toBe(200);
    expect((await call(op, 'POST', `/admin/requirements/${r.id}/review`, { decision: 'approve' })).status).toBe(200);
    const author = await provider();
    const rival = await provider();
    const f = await upload(
      author,
      '报价单.xlsx',
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00]),
    );
    const p = await call(author, 'POST', `/requirements/${r.id}/proposals`, { ...proposalInput(), attachmentIds: [f.id] });
    expect(p.status, p.text).toBe(201);
    expect(p.json.attachments.map((a: { id: string }) => a.id)).toEqual([f.id]);
    expect((await download(author, f.url)).status).toBe(200);
    for (const who of [rival, e, null]) expect((await download(who, f.url)).status).toBe(404);
    expect((await download(op, f.url)).status).toBe(200);
    clock.advance(25 * HOUR);
    for (const p of [e, rival, op]) p.token = await h.loginAs(p.input);
    expect((await download(e, f.url)).status).toBe(200);
    expect((await download(rival, f.url)).status).toBe(404);
    expect((await download(await enterprise(), f.url)).status).toBe(404);
  });
});

describe('GET /regions', () => {
  it('happy: provinces, then one level at a time', async () => {
    const top = await call(null, 'GET', '/regions');
    expect(top.status).toBe(200);
    expect(top.json).toMatchObject({ parent: null, parentName: null });
    expect(top.json.items).toContainEqual({ code: '36', name: '江西省', hasChildren: true });
    const jiangxi = await call(null, 'GET', '/regions?parent=36');
    expect(jiangxi.json).toMatchObject({ parent: '36', parentName: '江西省' });
    expect(jiangxi.json.items).toContainEqual({ code: '3607', name: '赣州市', hasChildren: true });
    const ganzhou = await call(null, 'GET', '/regions?parent=3607');
    expect(ganzhou.json.parentName).toBe('江西省 赣州市');
    expect(ganzhou.json.items).toContainEqual({ code: '360702', name: '章贡区', hasChildren: true });
    // Down to townships (乡镇/街道), which the mall uses for origins and addresses.
    const yongchuan = await call(null, 'GET', '/regions?parent=500118');
    expect(yongchuan.json.parentName).toBe('重庆市 永川区');
    expect(yongchuan.json.items).toContainEqual({ code: '500118113', name: '双石镇', hasChildren: false });
  });

  it('errors: an unknown code → 404', async () => {
    for (const parent of ['99', '3699', 'x']) {
      const res = await call(null, 'GET', `/regions?parent=${parent}`);
      expect(res.status, parent).toBe(404);
      expect(res.json.error).toEqual({ code: 'NOT_FOUND', message: '地区不存在' });
    }
  });
});
