import { stringify } from 'csv-stringify/sync';
import ExcelJS from 'exceljs';

/**
 * Every CSV and XLSX the platform hands out is built here, so each one is guarded the same way:
 * text that a spreadsheet would run as a formula (starting with = + - @, or a tab / carriage return
 * that some programs strip first) gets a leading apostrophe, which spreadsheets show as plain text.
 * Numbers passed as numbers are left as numbers; text the program itself produced and knows to be
 * safe (a formatted negative amount) can be marked with `trusted()`.
 */

/** A spreadsheet would run a cell starting with = + - @ (or a tab / carriage return) as a formula. */
export const guardCell = (v: string) => (/^[=+\-@\t\r]/.test(v) ? `'${v}` : v);

const TRUSTED = Symbol('trusted');
/** Text produced by the platform (never typed by people) that may start with a minus sign: written as is. */
export interface Trusted {
  readonly [TRUSTED]: string;
}
export const trusted = (v: string): Trusted => ({ [TRUSTED]: v });

export type Cell = string | number | null | undefined | Trusted;

const cellValue = (c: Cell): string | number => {
  if (c === null || c === undefined) return '';
  if (typeof c === 'number') return c;
  if (typeof c === 'string') return guardCell(c);
  return c[TRUSTED];
};

export interface Sheet {
  /** The worksheet's name (XLSX only). */
  name: string;
  columns: string[];
  rows: Cell[][];
  /** Column widths in characters; by default from the header. */
  widths?: number[];
  /** Columns kept as text in XLSX (ids, codes, usernames must not turn into numbers): indexes, or every column. */
  textColumns?: number[] | 'all';
}

export interface ExportFile {
  filename: string;
  contentType: string;
  bytes: Uint8Array<ArrayBuffer>;
}

export const CSV_TYPE = 'text/csv; charset=utf-8';
export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** CSV text with a BOM (so Excel opens the Chinese as UTF-8), header row first. */
export const toCsv = (sheet: Pick<Sheet, 'columns' | 'rows'>) => `\uFEFF${stringify([sheet.columns, ...sheet.rows.map((r) => r.map(cellValue))])}`;

/** An XLSX workbook with one worksheet per sheet, bold headers. */
export async function toXlsx(sheets: Sheet[]): Promise<Uint8Array<ArrayBuffer>> {
  const wb = new ExcelJS.Workbook();
  wb.creator = '帮扶平台';
  for (const s of sheets) {
    const ws = wb.addWorksheet(s.name);
    ws.addRow(s.columns).font = { bold: true };
    for (const r of s.rows) ws.addRow(r.map(cellValue));
    ws.columns.forEach((c, i) => {
      c.width = s.widths?.[i] ?? Math.max(12, s.columns[i]!.length * 2 + 4);
      if (s.textColumns === 'all' || s.textColumns?.includes(i)) c.numFmt = '@';
    });
  }
  return new Uint8Array(await wb.xlsx.writeBuffer());
}

export const csvFile = (filename: string, sheet: Pick<Sheet, 'columns' | 'rows'>): ExportFile => ({
  filename,
  contentType: CSV_TYPE,
  bytes: new TextEncoder().encode(toCsv(sheet)),
});

export const xlsxFile = async (filename: string, sheets: Sheet[]): Promise<ExportFile> => ({ filename, contentType: XLSX_TYPE, bytes: await toXlsx(sheets) });

/** Response headers for a download; the file name may be Chinese (RFC 5987). */
export const downloadHeaders = (file: Pick<ExportFile, 'filename' | 'contentType'>) => ({
  'content-type': file.contentType,
  'content-disposition': `attachment; filename*=UTF-8''${encodeURIComponent(file.filename)}`,
  'cache-control': 'private, no-store',
});
