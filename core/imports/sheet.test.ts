import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import ExcelJS from 'exceljs';
import { unzipSync, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AppError } from '../shared/app-error';
import { isMainlandMobile, usccCheckCharacter } from '../shared/validators';
import { cellText, checkRow, errorWorkbook, readSheet, sheetTemplate, streamableWorkbook, type SheetSpec } from './sheet';

/** A sheet like the budget units' one: names, an 18-character code, a mobile, a level from a list, a ratio. */
const SPEC: SheetSpec = {
  name: '预算单位',
  filename: '预算单位导入模板.xlsx',
  maxRows: 100,
  instructions: ['每行一个预算单位。'],
  columns: [
    { key: 'fullName', header: '单位全称', required: true, note: '须填写全称', schema: z.string().max(60, '单位全称不超过 60 字') },
    {
      key: 'uscc',
      header: '统一社会信用代码',
      required: true,
      text: true,
      schema: z
        .string()
        .regex(/^[0-9A-HJ-NP-RTUWXY]{18}$/, '统一社会信用代码应为 18 位')
        .refine((s) => usccCheckCharacter(s.slice(0, 17)) === s[17], '统一社会信用代码校验位不正确'),
    },
    { key: 'mobile', header: '联系人手机', required: true, text: true, schema: z.string().refine(isMainlandMobile, '请填写正确的 11 位手机号') },
    {
      key: 'level',
      header: '预算级次',
      required: true,
      options: ['中央', '省', '市', '县', '乡'],
      schema: z.enum(['中央', '省', '市', '县', '乡'], '预算级次只能是中央、省、市、县、乡'),
    },
    {
      key: 'ratio',
      header: '拟预留比例(%)',
      schema: z.coerce.number('拟预留比例应为数字').min(0, '拟预留比例在 0–100 之间').max(100, '拟预留比例在 0–100 之间'),
    },
  ],
};

const uscc = (n: number) => {
  const s17 = `11500110MB${String(1000000 + n)}`;
  return s17 + usccCheckCharacter(s17);
};

async function workbook(header: (string | null)[], rows: unknown[][], opts: { textColumns?: number[] } = {}) {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('预算单位');
  ws.addRow(header);
  for (const r of rows) {
    const row = ws.addRow(r);
    for (const c of opts.textColumns ?? []) row.getCell(c).numFmt = '@';
  }
  return Buffer.from(await wb.xlsx.writeBuffer());
}
async function readAll(bytes: Uint8Array, onProgress?: (n: number) => void) {
  const out = [];
  for await (const r of readSheet(SPEC, bytes, { onProgress, progressEveryMs: 0 })) out.push(r);
  return out;
}
const fileMessage = async (bytes: Uint8Array) => {
  const e = await readAll(bytes).catch((x: unknown) => x);
  expect(e).toBeInstanceOf(AppError);
  return (e as AppError).fields?.file;
};

describe('sheet template', () => {
  it('has the headers with * on required ones, text-formatted code columns, the level dropdown and an instructions sheet', async () => {
    const t = await sheetTemplate(SPEC);
    expect(t.filename).toBe('预算单位导入模板.xlsx');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(Buffer.from(t.bytes) as never);
    const ws = wb.getWorksheet('预算单位')!;
    expect((ws.getRow(1).values as unknown[]).slice(1)).toEqual(['单位全称*', '统一社会信用代码*', '联系人手机*', '预算级次*', '拟预留比例(%)']);
    expect(ws.getCell('B2').numFmt).toBe('@');
    expect(ws.getCell('C500').numFmt).toBe('@');
    expect(ws.getCell('D2').dataValidation).toMatchObject({ type: 'list', formulae: ['"中央,省,市,县,乡"'] });
    expect(ws.getCell('A1').note).toBe('须填写全称');
    const help = wb.getWorksheet('填写说明')!;
    const lines = help.getColumn(1).values.map((v) => cellText(v as ExcelJS.CellValue));
    expect(lines.join('\n')).toContain('预算级次*：可选：中央、省、市、县、乡');
  });

  it('round trip: the template filled in (codes as text, leading zeros) reads back exactly', async () => {
    const t = await sheetTemplate(SPEC);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(Buffer.from(t.bytes) as never);
    const ws = wb.getWorksheet('预算单位')!;
    ws.getRow(2).values = ['重庆市綦江区财政局', uscc(1), '13800138000', '县', 35.5];
    ws.getRow(3).values = ['  酉阳县财政局 ', uscc(2), '13900139000', '县', null];
    const rows = await readAll(Buffer.from(await wb.xlsx.writeBuffer()));
    expect(rows.map((r) => [r.row, r.values])).toEqual([
      [2, { fullName: '重庆市綦江区财政局', uscc: uscc(1), mobile: '13800138000', level: '县', ratio: '35.5' }],
      [3, { fullName: '酉阳县财政局', uscc: uscc(2), mobile: '13900139000', level: '县', ratio: '' }],
    ]);
  });
});

describe('reading an upload', () => {
  it('finds columns in any order, ignores extra columns and empty rows, reports progress', async () => {
    const bytes = await workbook(
      ['预算级次', '联系人手机*', '单位全称 *', '备注', '统一社会信用代码', '拟预留比例（%）'],
      [['省', '13800138000', '重庆市财政局', '随便', uscc(3), '10'], [], ['市', '13800138001', '重庆市某局', '', uscc(4), '']],
    );
    const seen: number[] = [];
    const rows = await readAll(bytes, (n) => seen.push(n));
    expect(rows.map((r) => r.row)).toEqual([2, 4]);
    expect(rows[0]!.values).toEqual({ fullName: '重庆市财政局', uscc: uscc(3), mobile: '13800138000', level: '省', ratio: '10' });
    expect(seen.at(-1)).toBe(2);
  });

  it(
    'refuses missing and renamed headers by name, empty sheets, sheets without rows, too many rows and files that are not xlsx',
    { timeout: 60_000 },
    async () => {
      expect(await fileMessage(await workbook(['单位名称', '统一社会信用代码', '联系人手机', '预算级次', '拟预留比例(%)'], [['a']]))).toBe(
        '缺少列：单位全称；表头中有无法识别的列：单位名称（表头不能改名）。请使用下载的模板',
      );
      expect(await fileMessage(await workbook(['单位全称', '联系人手机', '预算级次', '拟预留比例(%)'], [['a']]))).toBe(
        '缺少列：统一社会信用代码。请使用下载的模板',
      );
      const empty = new ExcelJS.Workbook();
      empty.addWorksheet('空');
      expect(await fileMessage(Buffer.from(await empty.xlsx.writeBuffer()))).toContain('表格是空的');
      expect(await fileMessage(await workbook(['单位全称', '统一社会信用代码', '联系人手机', '预算级次', '拟预留比例(%)'], []))).toContain('没有数据行');
      const many = await workbook(
        ['单位全称', '统一社会信用代码', '联系人手机', '预算级次', '拟预留比例(%)'],
        Array.from({ length: 101 }, (_, i) => [`单位${i}`, uscc(i), '13800138000', '县', '']),
      );
      expect(await fileMessage(many)).toBe('一次最多导入 100 行，请分批上传');
      expect(await fileMessage(Buffer.from('名称,代码\n甲,1\n'))).toBe('文件不是有效的 Excel（.xlsx）文件，请使用下载的模板');
      expect(await fileMessage(Buffer.alloc(0))).toBe('文件不是有效的 Excel（.xlsx）文件，请使用下载的模板');
      // A zip's first bytes and then nothing a workbook has.
      expect(await fileMessage(Buffer.from('PK\u0003\u0004 not really a workbook'))).toBe('文件不是有效的 Excel（.xlsx）文件，请使用下载的模板');
    },
  );
});

describe('checking rows', () => {
  it('gives every bad column its own reason; a good row its values', async () => {
    const bytes = await workbook(
      ['单位全称', '统一社会信用代码', '联系人手机', '预算级次', '拟预留比例(%)'],
      [
        ['重庆市财政局', uscc(5), '13800138000', '省', '12.5'],
        ['', `${uscc(6).slice(0, 17)}${uscc(6).endsWith('0') ? '1' : '0'}`, '1380013800', '区', '120'],
        ['某单位', 915001107654321000, '13800138000', '县', 'abc'],
      ],
    );
    const rows = await readAll(bytes);
    expect(checkRow(SPEC, rows[0]!)).toEqual({ ok: true, value: { fullName: '重庆市财政局', uscc: uscc(5), mobile: '13800138000', level: '省', ratio: 12.5 } });
    expect(checkRow(SPEC, rows[1]!)).toEqual({
      ok: false,
      errors: [
        { column: 'fullName', message: '请填写单位全称' },
        { column: 'uscc', message: '统一社会信用代码校验位不正确' },
        { column: 'mobile', message: '请填写正确的 11 位手机号' },
        { column: 'level', message: '预算级次只能是中央、省、市、县、乡' },
        { column: 'ratio', message: '拟预留比例在 0–100 之间' },
      ],
    });
    // An 18-digit code typed as a number has lost its last digits: said so, not "wrong check character".
    const third = checkRow(SPEC, rows[2]!);
    expect(third.ok).toBe(false);
    expect(!third.ok && third.errors.map((e) => e.column)).toEqual(['uscc', 'ratio']);
    expect(!third.ok && third.errors[0]!.message).toContain('文本格式');
  });

  it('the error workbook: the rows as uploaded, their row numbers, reasons, and the bad cells filled with a note; it reads back as an upload', async () => {
    const bad = { row: 7, values: { fullName: '', uscc: '123', mobile: '=cmd', level: '县', ratio: '' } };
    const checked = checkRow(SPEC, bad);
    expect(checked.ok).toBe(false);
    const f = await errorWorkbook(SPEC, [{ ...bad, errors: checked.ok ? [] : checked.errors }]);
    expect(f.filename).toBe('预算单位导入模板-错误行.xlsx');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(Buffer.from(f.bytes) as never);
    const ws = wb.worksheets[0]!;
    expect((ws.getRow(1).values as unknown[]).slice(1)).toEqual([
      '单位全称*',
      '统一社会信用代码*',
      '联系人手机*',
      '预算级次*',
      '拟预留比例(%)',
      '原行号',
      '错误原因',
    ]);
    const row = ws.getRow(2);
    expect(row.getCell(3).value).toBe("'=cmd");
    expect(row.getCell(6).value).toBe(7);
    expect(String(row.getCell(7).value)).toBe('单位全称：请填写单位全称；统一社会信用代码：统一社会信用代码应为 18 位；联系人手机：请填写正确的 11 位手机号');
    expect(row.getCell(2).fill).toMatchObject({ type: 'pattern', fgColor: { argb: 'FFFECACA' } });
    expect(row.getCell(2).note).toBe('统一社会信用代码应为 18 位');
    expect(row.getCell(4).fill).toBeUndefined();
    // Fixed and uploaded again as is: the extra columns are ignored.
    row.getCell(1).value = '重庆市财政局';
    row.getCell(2).value = uscc(9);
    row.getCell(3).value = '13800138000';
    const again = await readAll(Buffer.from(await wb.xlsx.writeBuffer()));
    expect(checkRow(SPEC, again[0]!).ok).toBe(true);
  });
});

describe('cell text', () => {
  it('an unknown cell value (a shared string the file lacks) reads as empty, never "[object Object]"', () => {
    expect(cellText({ sharedString: 5 } as never)).toBe('');
    expect(cellText({ richText: [{ text: '綦江' }, { text: '区' }] })).toBe('綦江区');
  });
});

describe('streamableWorkbook', () => {
  const names = (bytes: Uint8Array) => Object.keys(unzipSync(bytes));
  const tempFiles = () => readdirSync(tmpdir()).filter((f) => f.startsWith('tmp-')).length;

  it('puts the workbook, its relationships and shared strings before the worksheets (ExcelJS writes the workbook last)', async () => {
    const bytes = await workbook(['单位全称', '统一社会信用代码', '联系人手机', '预算级次', '拟预留比例(%)'], [['綦江区财政局']]);
    const before = names(bytes);
    expect(before.indexOf('xl/workbook.xml')).toBeGreaterThan(before.indexOf('xl/worksheets/sheet1.xml'));
    const after = names(streamableWorkbook(bytes));
    for (const part of ['xl/_rels/workbook.xml.rels', 'xl/workbook.xml', 'xl/sharedStrings.xml']) {
      expect(after.indexOf(part), part).toBeLessThan(after.indexOf('xl/worksheets/sheet1.xml'));
    }
  });

  it('reads each worksheet straight from the zip: no temporary copies of an upload are left behind, also for a sheet of numbers only', async () => {
    const numbers = new ExcelJS.Workbook();
    numbers.addWorksheet('a').addRow([1, 2, 3]);
    const bytes = new Uint8Array(await numbers.xlsx.writeBuffer());
    expect(names(bytes)).not.toContain('xl/sharedStrings.xml');
    const left = tempFiles();
    await expect(readAll(bytes)).rejects.toThrow(AppError); // its header is not the spec's: refused, and nothing parked
    await readAll(await workbook(['单位全称', '统一社会信用代码', '联系人手机', '预算级次', '拟预留比例(%)'], [['綦江区财政局']])).catch(() => {});
    expect(tempFiles()).toBe(left);
  });

  it('refuses a zip that is not a workbook, and anything that is not a zip', () => {
    const docx = zipSync({ 'word/document.xml': new Uint8Array([60, 119, 47, 62]) });
    for (const bytes of [docx, new Uint8Array(0), new TextEncoder().encode('名称,代码\n')]) {
      expect(() => streamableWorkbook(bytes)).toThrow(AppError);
    }
  });
});
