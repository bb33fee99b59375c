import { Readable } from 'node:stream';
import ExcelJS from 'exceljs';
import yauzl from 'yauzl';
import { strToU8, unzipSync, zipSync } from 'fflate';
import type { z } from 'zod';
import { AppError } from '../shared/app-error';
import { logger } from '../shared/logger';
import { guardCell, XLSX_TYPE } from '../shared/export';

/**
 * The spreadsheet-import engine's sheet side (no database): what a sheet looks like (`SheetSpec`), its
 * template, reading an upload with ExcelJS's streaming reader (headers checked, rows as text), checking
 * each row column by column, and the error workbook people fix and upload again. The npm `xlsx` package
 * never reads uploads (it is frozen at a vulnerable version).
 */

export interface SheetColumn {
  /** The field's name in the row's values. */
  key: string;
  /** The header people see (without the `*` that marks a required column in the template). */
  header: string;
  required?: boolean;
  /** Kept as text in the template (codes, mobiles: leading zeros and 18 digits survive). */
  text?: boolean;
  /** A dropdown list in the template; the row check decides what is accepted. */
  options?: readonly string[];
  /** One line of help: shown in the instructions sheet and as the header's note. */
  note?: string;
  width?: number;
  /** The column's check: a trimmed non-empty text in, the field's value out; its messages are Chinese. */
  schema: z.ZodType;
}

export interface SheetSpec {
  /** The worksheet's name in the template and the error workbook. */
  name: string;
  /** The template's file name. */
  filename: string;
  columns: readonly SheetColumn[];
  /** Lines of the instructions sheet (the columns' notes follow them). */
  instructions: readonly string[];
  /** Rows one upload may hold. */
  maxRows: number;
}

/** An uploaded row as people typed it: every column's text, trimmed ('' when empty). */
export interface SheetRow {
  /** The row's number in the worksheet (the header is row 1). */
  row: number;
  values: Record<string, string>;
}

export interface CellError {
  /** The column's key. */
  column: string;
  message: string;
}

/** Rows written into the template ready for people to type in (its text format and dropdowns reach this far). */
const TEMPLATE_ROWS = 5000;
const REQUIRED_MARK = '*';

const headerText = (c: SheetColumn) => (c.required ? `${c.header}${REQUIRED_MARK}` : c.header);
/** A header as typed, compared without the `*`, spaces and full-width brackets' differences. */
const normaliseHeader = (s: string) =>
  s
    .replace(/[*＊\s]/g, '')
    .replace(/（/g, '(')
    .replace(/）/g, ')');

const columnLetter = (n: number) => {
  let s = '';
  for (let i = n; i > 0; i = Math.floor((i - 1) / 26)) s = String.fromCharCode(65 + ((i - 1) % 26)) + s;
  return s;
};

/** The template: headers (required ones marked `*`, each with its note), text columns, dropdowns, an instructions sheet. */
export async function sheetTemplate(spec: SheetSpec): Promise<{ filename: string; contentType: string; bytes: Uint8Array<ArrayBuffer> }> {
  const wb = new ExcelJS.Workbook();
  wb.creator = '帮扶平台';
  const ws = wb.addWorksheet(spec.name, { views: [{ state: 'frozen', ySplit: 1 }] });
  ws.columns = spec.columns.map((c) => ({ header: headerText(c), key: c.key, width: c.width ?? Math.max(14, c.header.length * 2 + 6) }));
  const header = ws.getRow(1);
  header.font = { bold: true };
  spec.columns.forEach((c, i) => {
    const cell = header.getCell(i + 1);
    if (c.required) cell.font = { bold: true, color: { argb: 'FFB91C1C' } };
    if (c.note) cell.note = c.note;
    const letter = columnLetter(i + 1);
    if (c.text) ws.getColumn(i + 1).numFmt = '@';
    for (let r = 2; r <= TEMPLATE_ROWS + 1; r++) {
      const target = ws.getCell(`${letter}${r}`);
      if (c.text) target.numFmt = '@';
      if (c.options?.length) {
        target.dataValidation = {
          type: 'list',
          allowBlank: !c.required,
          formulae: [`"${c.options.join(',')}"`],
          showErrorMessage: true,
          errorTitle: '请从列表中选择',
          error: `${c.header}只能是：${c.options.join('、')}`,
        };
      }
    }
  });
  const help = wb.addWorksheet('填写说明');
  help.getColumn(1).width = 100;
  help.addRow(['填写说明']).font = { bold: true, size: 14 };
  for (const line of spec.instructions) help.addRow([line]);
  help.addRow([`带 ${REQUIRED_MARK} 的列为必填；请勿修改、删除或调换表头；一次最多 ${spec.maxRows.toLocaleString('zh-CN')} 行。`]);
  help.addRow([]);
  help.addRow(['各列说明']).font = { bold: true };
  for (const c of spec.columns) {
    const parts = [headerText(c), c.note, c.options?.length ? `可选：${c.options.join('、')}` : undefined].filter(Boolean);
    help.addRow([parts.join('：')]);
  }
  return { filename: spec.filename, contentType: XLSX_TYPE, bytes: new Uint8Array(await wb.xlsx.writeBuffer()) };
}

/** A cell's text as people see it (rich text joined, a formula's result, a hyperlink's text, a date as YYYY-MM-DD). */
export function cellText(v: ExcelJS.CellValue): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (v instanceof Date) return v.toISOString().slice(0, 10);
  if (typeof v === 'object') {
    if ('richText' in v) return v.richText.map((t) => t.text).join('');
    if ('formula' in v || 'sharedFormula' in v) return cellText((v as { result?: ExcelJS.CellValue }).result ?? null);
    if ('text' in v) return cellText((v as { text: ExcelJS.CellValue }).text);
    if ('error' in v) return '';
    // Anything else (a shared string the file does not hold, an unknown cell type) has no text: never "[object Object]".
    return '';
  }
  return String(v);
}

/** The number a text column holds when it was typed as a number too long to keep exactly (18-digit codes). */
const unsafeNumber = (v: ExcelJS.CellValue) => typeof v === 'number' && !Number.isSafeInteger(v) && Math.abs(v) >= 1e15;

export interface ReadOptions {
  /** Called with the rows read so far, at most about once per `progressEveryMs`. */
  onProgress?: (rowsRead: number) => void;
  progressEveryMs?: number;
}

const notXlsx = () =>
  new AppError('VALIDATION', '文件不是有效的 Excel（.xlsx）文件，请使用下载的模板', { file: '文件不是有效的 Excel（.xlsx）文件，请使用下载的模板' });

/**
 * Reads the first worksheet of an upload row by row (ExcelJS's streaming reader): checks the header row
 * against the spec (missing and renamed columns are named in the message), then yields each non-empty
 * row's text. Wrong files, empty sheets and too many rows are refused with field messages (`file`).
 * Call after unzippedBytes() has bounded what the workbook unzips to.
 */
export async function* readSheet(spec: SheetSpec, bytes: Uint8Array, opts: ReadOptions = {}): AsyncGenerator<SheetRow & { unsafe: string[] }> {
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(Readable.from([streamableWorkbook(bytes)]) as never, {
    worksheets: 'emit',
    sharedStrings: 'cache',
    styles: 'ignore',
    hyperlinks: 'ignore',
  });
  let positions: number[] | null = null;
  let count = 0;
  let lastProgress = Date.now();
  const every = opts.progressEveryMs ?? 500;
  try {
    for await (const ws of reader) {
      for await (const r of ws as AsyncIterable<ExcelJS.Row>) {
        if (!positions) {
          positions = headerPositions(spec, r);
          continue;
        }
        const values: Record<string, string> = {};
        const unsafe: string[] = [];
        let empty = true;
        spec.columns.forEach((c, i) => {
          const raw = r.getCell(positions![i]!).value;
          const text = cellText(raw).trim();
          if (text) empty = false;
          if (unsafeNumber(raw)) unsafe.push(c.key);
          values[c.key] = text;
        });
        if (empty) continue;
        if (++count > spec.maxRows) throw fileError(`一次最多导入 ${spec.maxRows.toLocaleString('zh-CN')} 行，请分批上传`);
        if (opts.onProgress && Date.now() - lastProgress >= every) {
          lastProgress = Date.now();
          opts.onProgress(count);
        }
        yield { row: r.number, values, unsafe };
      }
      break; // the first worksheet only
    }
  } catch (e) {
    if (e instanceof AppError) throw e;
    logger.warn({ err: e }, 'an uploaded workbook could not be read');
    throw notXlsx();
  }
  if (!positions) throw fileError('表格是空的：第一个工作表没有表头，请使用下载的模板');
  if (count === 0) throw fileError('表格中没有数据行，请在表头下方填写后再上传');
  opts.onProgress?.(count);
}

/**
 * What the workbook's parts take once unzipped, as its zip directory declares them; a damaged zip is
 * refused. An upload is a few megabytes, but a crafted one can unzip to gigabytes (the reader keeps the
 * shared strings in memory): the engine refuses a workbook that declares more than it can read.
 */
export function unzippedBytes(bytes: Uint8Array): Promise<number> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), { lazyEntries: true }, (err, zip) => {
      if (err || !zip) return reject(notXlsx());
      let total = 0;
      zip.on('entry', (entry: yauzl.Entry) => {
        total += entry.uncompressedSize;
        zip.readEntry();
      });
      zip.once('end', () => resolve(total));
      zip.once('error', () => reject(notXlsx()));
      zip.readEntry();
    });
  });
}

const EMPTY_SHARED_STRINGS =
  '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="0" uniqueCount="0"/>';
/** The parts ExcelJS's streaming reader must have read before any worksheet, in the order it reads them. */
const READ_FIRST = ['[Content_Types].xml', '_rels/.rels', 'xl/_rels/workbook.xml.rels', 'xl/workbook.xml', 'xl/sharedStrings.xml', 'xl/styles.xml'];

/**
 * The workbook re-packed (stored, not compressed again) with the parts the streaming reader needs first
 * ahead of the worksheets, or a refusal when it is no zip. Workbooks written by ExcelJS — our templates,
 * our error reports and many programs — store xl/workbook.xml last: the reader then parks each worksheet
 * in a temporary file until the end of the zip, and under load it sometimes reached the worksheets
 * without the workbook (exceljs#3064: "无法读取文件" for a good file), and it left its temporary copies
 * of the uploads behind when we stopped after the first sheet. In this order it reads each worksheet
 * straight from the zip: no temporary files, no race. Call after unzippedBytes() has bounded the size.
 */
export function streamableWorkbook(bytes: Uint8Array): Buffer {
  let parts: Record<string, Uint8Array>;
  try {
    parts = unzipSync(bytes, { filter: (f) => !f.name.endsWith('/') });
  } catch {
    throw notXlsx();
  }
  if (!parts['xl/workbook.xml']) throw notXlsx(); // a zip, but not a workbook (a .docx, an archive)
  // Without shared strings (a sheet of numbers only) the reader would park the worksheets all the same.
  parts['xl/sharedStrings.xml'] ??= strToU8(EMPTY_SHARED_STRINGS);
  const ordered: Record<string, Uint8Array> = {};
  for (const name of READ_FIRST) if (parts[name]) ordered[name] = parts[name];
  for (const [name, data] of Object.entries(parts)) if (!(name in ordered)) ordered[name] = data;
  return Buffer.from(zipSync(ordered, { level: 0 }));
}

const fileError = (message: string) => new AppError('VALIDATION', message, { file: message });

/** Where each spec column sits in the uploaded header row; missing or renamed headers are refused by name. */
function headerPositions(spec: SheetSpec, header: ExcelJS.Row): number[] {
  const found = new Map<string, number>();
  const unknown: string[] = [];
  header.eachCell({ includeEmpty: false }, (cell, col) => {
    const text = normaliseHeader(cellText(cell.value));
    if (!text) return;
    if (spec.columns.some((c) => normaliseHeader(c.header) === text)) found.set(text, col);
    else unknown.push(cellText(cell.value).trim());
  });
  const missing = spec.columns.filter((c) => !found.has(normaliseHeader(c.header)));
  if (missing.length) {
    const renamed = unknown.length ? `；表头中有无法识别的列：${unknown.join('、')}（表头不能改名）` : '';
    throw fileError(`缺少列：${missing.map((c) => c.header).join('、')}${renamed}。请使用下载的模板`);
  }
  return spec.columns.map((c) => found.get(normaliseHeader(c.header))!);
}

/**
 * Checks one row column by column: required columns filled, each column's schema, and numbers too long
 * to keep exactly in a text column. Returns the values parsed, or every column's reason.
 */
export function checkRow(
  spec: SheetSpec,
  row: SheetRow & { unsafe?: string[] },
): { ok: true; value: Record<string, unknown> } | { ok: false; errors: CellError[] } {
  const errors: CellError[] = [];
  const value: Record<string, unknown> = {};
  for (const c of spec.columns) {
    const text = row.values[c.key] ?? '';
    if (row.unsafe?.includes(c.key)) {
      errors.push({ column: c.key, message: `${c.header}被 Excel 当成了数字，末几位已丢失：请把该列设为文本格式后重新填写` });
      continue;
    }
    if (!text) {
      if (c.required) errors.push({ column: c.key, message: `请填写${c.header}` });
      else value[c.key] = undefined;
      continue;
    }
    const r = c.schema.safeParse(text);
    if (r.success) value[c.key] = r.data;
    else errors.push({ column: c.key, message: r.error.issues[0]?.message ?? `${c.header}不正确` });
  }
  return errors.length ? { ok: false, errors } : { ok: true, value };
}

/** The uploaded rows with a 错误原因 column; each bad cell filled red with its reason as a note. */
export async function errorWorkbook(spec: SheetSpec, rows: readonly (SheetRow & { errors: readonly CellError[] })[]) {
  const wb = new ExcelJS.Workbook();
  wb.creator = '帮扶平台';
  const ws = wb.addWorksheet(spec.name, { views: [{ state: 'frozen', ySplit: 1 }] });
  ws.columns = [
    ...spec.columns.map((c) => ({ header: headerText(c), key: c.key, width: c.width ?? Math.max(14, c.header.length * 2 + 6) })),
    { header: '原行号', key: '__row', width: 10 },
    { header: '错误原因', key: '__reasons', width: 60 },
  ];
  ws.getRow(1).font = { bold: true };
  spec.columns.forEach((c, i) => {
    if (c.text) ws.getColumn(i + 1).numFmt = '@';
  });
  for (const r of rows) {
    const added = ws.addRow([
      ...spec.columns.map((c) => guardCell(r.values[c.key] ?? '')),
      r.row,
      r.errors.map((e) => `${spec.columns.find((c) => c.key === e.column)?.header ?? e.column}：${e.message}`).join('；'),
    ]);
    for (const e of r.errors) {
      const at = spec.columns.findIndex((c) => c.key === e.column);
      if (at < 0) continue;
      const cell = added.getCell(at + 1);
      cell.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFFECACA' } };
      cell.note = e.message;
    }
    added.getCell(spec.columns.length + 2).font = { color: { argb: 'FFB91C1C' } };
  }
  return { filename: spec.filename.replace(/\.xlsx$/, '') + '-错误行.xlsx', contentType: XLSX_TYPE, bytes: new Uint8Array(await wb.xlsx.writeBuffer()) };
}
