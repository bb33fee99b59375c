import { IMAGE_TYPES, MAX_FILE_BYTES } from '$core/files/files.limits';
import type { FileView } from '$core/files/files.schema';

/**
 * Uploads chosen files one after the other to the files API while there is room, skipping (and naming)
 * the ones it would refuse. `taken()` is how many the field holds or is uploading now, `uploading(±1)`
 * follows the uploads in progress, `added` receives each stored file. Returns the message to show, or ''.
 */
export async function uploadFiles(
  chosen: File[],
  p: {
    max: number;
    /** Pictures only (PNG, JPG, WebP, GIF), as the API's `imageOnly`. */
    imageOnly?: boolean;
    /** The message when the field is full: 最多 6 张图片 / 最多 10 个附件. */
    full: string;
    taken: () => number;
    uploading: (delta: 1 | -1) => void;
    added: (file: FileView) => void;
  },
): Promise<string> {
  let message = '';
  for (const f of chosen) {
    if (p.taken() >= p.max) return p.full;
    if (p.imageOnly && !IMAGE_TYPES.includes(f.type)) {
      message = `「${f.name}」不是 PNG、JPG、WebP 或 GIF 图片`;
      continue;
    }
    if (f.size > MAX_FILE_BYTES) {
      message = `「${f.name}」超过 10 MB`;
      continue;
    }
    p.uploading(1);
    try {
      const body = new FormData();
      body.set('file', f);
      if (p.imageOnly) body.set('imageOnly', 'true');
      const res = await fetch('/api/v1/files', { method: 'POST', body });
      const data = await res.json().catch(() => ({}));
      if (res.ok) p.added(data as FileView);
      else message = data?.error?.fields?.file ?? data?.error?.message ?? '上传失败，请重试';
    } catch {
      message = '网络异常，上传失败，请重试';
    } finally {
      p.uploading(-1);
    }
  }
  return message;
}
