/**
 * What the first bytes of an upload say it is, checked against the type the client declared. A file
 * whose content does not match its declared type is refused, so a page or script cannot be stored
 * as an "image" and an archive cannot pass as a PDF.
 */
const startsWith = (bytes: Uint8Array, sig: number[], at = 0) => sig.every((b, i) => bytes[at + i] === b);
const ascii = (s: string) => [...s].map((c) => c.charCodeAt(0));

const ZIP = [0x50, 0x4b, 0x03, 0x04];
const ZIP_EMPTY = [0x50, 0x4b, 0x05, 0x06];
/** The compound file format of the Office 97–2003 formats (doc, xls, ppt). */
const OLE2 = [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1];

const isZip = (b: Uint8Array) => startsWith(b, ZIP) || startsWith(b, ZIP_EMPTY);

/** Plain text: valid UTF-8 (a BOM allowed) with no NUL byte in the first 64 KiB. */
function isText(b: Uint8Array): boolean {
  const sample = b.subarray(0, 64 * 1024);
  if (sample.includes(0)) return false;
  try {
    // stream: true tolerates a character cut at the end of the sample.
    new TextDecoder('utf-8', { fatal: true }).decode(sample, { stream: sample.byteLength < b.byteLength });
    return true;
  } catch {
    return false;
  }
}

const CHECKS: Record<string, (b: Uint8Array) => boolean> = {
  'application/pdf': (b) => startsWith(b, ascii('%PDF-')),
  'image/png': (b) => startsWith(b, [0x89, 0x50, 0x4e, 0x47]),
  'image/jpeg': (b) => startsWith(b, [0xff, 0xd8, 0xff]),
  'image/gif': (b) => startsWith(b, ascii('GIF87a')) || startsWith(b, ascii('GIF89a')),
  'image/webp': (b) => startsWith(b, ascii('RIFF')) && startsWith(b, ascii('WEBP'), 8),
  'text/plain': isText,
  'application/zip': isZip,
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': isZip,
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': isZip,
  'application/vnd.openxmlformats-officedocument.presentationml.presentation': isZip,
  'application/msword': (b) => startsWith(b, OLE2),
  'application/vnd.ms-excel': (b) => startsWith(b, OLE2),
  'application/vnd.ms-powerpoint': (b) => startsWith(b, OLE2),
};

/** True when the bytes look like `contentType` (an allowed type; unknown types never match). */
export function contentMatchesType(bytes: Uint8Array, contentType: string): boolean {
  return CHECKS[contentType]?.(bytes) ?? false;
}

/** Bidirectional controls that make `invoice‮fdp.exe` read as `invoiceexe.pdf`, and other invisible marks. */
// eslint-disable-next-line no-control-regex
const UNSAFE_NAME_CHARACTERS = /[\u0000-\u001F\u007F-\u009F\u200E\u200F\u202A-\u202E\u2066-\u2069\uFEFF]/g;

/** A stored file name: no path separators, control or bidi characters, lone surrogates; at most 120 characters. */
export function safeFileName(name: string): string {
  const cleaned = name.toWellFormed().replace(UNSAFE_NAME_CHARACTERS, '').replace(/[\\/]/g, '_').trim();
  return [...cleaned].slice(-120).join('') || 'file';
}
