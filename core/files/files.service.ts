import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { Db, DbOrTx } from '../../db/client';
import { requireActor, requireOrganisation, type Actor } from '../shared/actor';
import { AppError } from '../shared/app-error';
import { contentMatchesType, safeFileName } from './sniff';
import type { FileView } from './files.schema';
import { filesRepo as repo } from './files.repo';
import { IMAGE_TYPES, MAX_FILE_BYTES } from './files.limits';
export const FILE_PURPOSES = [
  'requirement',
  'proposal',
  'negotiation',
  'storefront',
  'milestone',
  'after_sales',
  'mall_receipt',
  'product',
  'mall_review',
  'voucher_merchant',
  'monitoring_evidence',
] as const;
export type FilePurpose = (typeof FILE_PURPOSES)[number];

/** What may be uploaded: documents, spreadsheets, images and archives people attach to tenders. */
export const ALLOWED_CONTENT_TYPES: Record<string, string> = {
  'application/pdf': 'pdf',
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'image/webp': 'webp',
  'image/gif': 'gif',
  'text/plain': 'txt',
  'application/zip': 'zip',
  'application/msword': 'doc',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'docx',
  'application/vnd.ms-excel': 'xls',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': 'xlsx',
  'application/vnd.ms-powerpoint': 'ppt',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation': 'pptx',
};

export const fileUrl = (id: string) => `/api/v1/files/${id}`;
export const toFileView = (f: { id: string; filename: string; contentType: string; sizeBytes: number }): FileView => ({
  id: f.id,
  filename: f.filename,
  contentType: f.contentType,
  sizeBytes: f.sizeBytes,
  url: fileUrl(f.id),
});

/**
 * Decides whether `actor` may read a file attached to `subjectId` for `purpose`. Supplied by the
 * contexts that own the subjects (tenders knows who may see a proposal), so files stays generic.
 */
export type FileAccessCheck = (actor: Actor | null, file: { purpose: FilePurpose; subjectId: string; organisationId: string | null }) => Promise<boolean>;

/**
 * Uploads and attachments. A file belongs to the uploading organisation until it is attached; a person
 * acting for no organisation (an individual buyer) may upload pictures only, which are theirs alone.
 */
export function createFileService({ db }: { db: Db }) {
  let access: FileAccessCheck = async () => false;

  return {
    /** Tenders registers who may read what (called once by the composition root). */
    setAccessCheck(check: FileAccessCheck) {
      access = check;
    },

    /**
     * Stores an upload for the actor's organisation, or, for a person acting for none, a picture of their
     * own (`imageOnly`; anything else still asks for an organisation). Errors: VALIDATION (type), PAYLOAD_TOO_LARGE.
     */
    async upload(actor: Actor | null, f: { filename: string; contentType: string; bytes: Uint8Array; imageOnly?: boolean }) {
      const a = requireActor(actor);
      const org = a.organisation || !f.imageOnly ? requireOrganisation(a) : null;
      const filename = safeFileName(f.filename);
      const type = f.contentType.split(';')[0]!.trim().toLowerCase();
      if (!ALLOWED_CONTENT_TYPES[type] || (f.imageOnly && !IMAGE_TYPES.includes(type))) {
        const msg = f.imageOnly ? '只能上传 PNG、JPG、WebP 或 GIF 图片' : '不支持的文件类型：请上传 PDF、Office 文档、图片、文本或 ZIP';
        throw new AppError('VALIDATION', msg, { file: msg });
      }
      if (f.bytes.byteLength === 0) throw new AppError('VALIDATION', '文件是空的', { file: '文件是空的' });
      if (f.bytes.byteLength > MAX_FILE_BYTES) throw new AppError('PAYLOAD_TOO_LARGE', '文件不能超过 10 MB', { file: '文件不能超过 10 MB' });
      if (!contentMatchesType(f.bytes, type)) {
        const msg = `文件内容与类型不符：这不是一个有效的 ${ALLOWED_CONTENT_TYPES[type]!.toUpperCase()} 文件`;
        throw new AppError('VALIDATION', msg, { file: msg });
      }
      const row = await repo.insertFile(db, {
        organisationId: org?.organisationId ?? null,
        uploadedBy: a.userId,
        filename,
        contentType: type,
        sizeBytes: f.bytes.byteLength,
        sha256: createHash('sha256').update(f.bytes).digest('hex'),
        data: f.bytes,
      });
      return toFileView(row);
    },

    /**
     * Attaches the owner's unattached (or already to this subject) files to a subject, inside the caller's
     * transaction. The owner is the organisation, or with `userId` also that person's own pictures (uploaded
     * acting for no organisation). Anyone else's file, or one attached elsewhere (also by a concurrent
     * attach), is VALIDATION.
     */
    async attach(
      tx: DbOrTx,
      p: { fileIds: string[]; organisationId: string | null; userId?: string; purpose: FilePurpose; subjectId: string; field?: string; imagesOnly?: boolean },
    ) {
      const ids = [...new Set(p.fileIds)];
      if (!ids.length) return [];
      const rows = await repo.listAttachments(tx, ids);
      const field = p.field ?? 'attachmentIds';
      const unusable = () => new AppError('VALIDATION', '附件不存在或不能使用', { [field]: '附件不存在或不能使用' });
      for (const id of ids) {
        const r = rows.find((x) => x.id === id);
        const owned = r && (r.organisationId === null ? p.userId !== undefined && r.uploadedBy === p.userId : r.organisationId === p.organisationId);
        if (!owned || (r.subjectId !== null && (r.purpose !== p.purpose || r.subjectId !== p.subjectId))) throw unusable();
        if (p.imagesOnly && !IMAGE_TYPES.includes(r.contentType)) throw new AppError('VALIDATION', '请上传图片', { [field]: '请上传图片' });
      }
      const attached = await repo.attach(tx, ids, { organisationId: p.organisationId, userId: p.userId }, p.purpose, p.subjectId);
      if (attached.length !== ids.length) throw unusable();
      return ids;
    },

    /** Files attached to a subject (metadata only). */
    async listAttached(q: DbOrTx, purpose: FilePurpose, subjectIds: string[]) {
      if (!subjectIds.length) return [];
      return repo.listAttached(q, purpose, subjectIds);
    },

    /** Detaches files no longer listed on a subject (they stay stored but unreachable until re-attached). */
    async detachExcept(tx: DbOrTx, purpose: FilePurpose, subjectId: string, keep: string[]) {
      const attached = await repo.listAttachedIds(tx, purpose, subjectId);
      const drop = attached.map((r) => r.id).filter((id) => !keep.includes(id));
      if (drop.length) await repo.detach(tx, drop);
    },

    /**
     * The bytes of a file the actor may read: the uploader's organisation always; otherwise whoever the
     * owning context allows. Anything else is NOT_FOUND (no hint that the file exists).
     */
    async read(actor: Actor | null, id: string) {
      if (!z.uuid().safeParse(id).success) throw new AppError('NOT_FOUND', '文件不存在');
      const f = await repo.findFile(db, id);
      if (!f) throw new AppError('NOT_FOUND', '文件不存在');
      const own = f.organisationId === null ? actor?.userId === f.uploadedBy : actor?.organisation?.organisationId === f.organisationId;
      const allowed =
        own ||
        (f.purpose && f.subjectId && (await access(actor, { purpose: f.purpose as FilePurpose, subjectId: f.subjectId, organisationId: f.organisationId })));
      if (!allowed) throw new AppError('NOT_FOUND', '文件不存在');
      return f;
    },
  };
}
export type FileService = ReturnType<typeof createFileService>;
