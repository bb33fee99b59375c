import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { csvFile, downloadHeaders, guardCell, toCsv, toXlsx, trusted } from './export';

describe('exports', () => {
  it('guards text a spreadsheet would run as a formula', () => {
    for (const v of ['=1+1', '+1', '-1', '@SUM(A1)', '\t=1', '\r=1', '=HYPERLINK("http://evil","点我")']) expect(guardCell(v)).toBe(`'${v}`);
    for (const v of ['正常原因', 'R20261122', '1,000.00', '', 'a=b']) expect(guardCell(v)).toBe(v);
  });

  it('writes CSV with a BOM and a header, guarding text cells only', () => {
    const csv = toCsv({
      columns: ['名称', '金额', '备注'],
      rows: [
        ['=cmd|calc', -12, trusted('-1,000.00')],
        ['普通', 3.5, null],
      ],
    });
    expect(csv.startsWith('\uFEFF名称,金额,备注\n')).toBe(true);
    expect(csv).toContain(`'=cmd|calc,-12,"-1,000.00"`);
    expect(csv).toContain('普通,3.5,\n');
    const file = csvFile('报表.csv', { columns: ['a'], rows: [] });
    expect(downloadHeaders(file)).toMatchObject({
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': "attachment; filename*=UTF-8''%E6%8A%A5%E8%A1%A8.csv",
    });
  });

  it('writes XLSX sheets whose formula-like cells are plain text', async () => {
    const bytes = await toXlsx([
      {
        name: '记录',
        columns: ['原因', '数量'],
        rows: [
          ['@SUM(1)', 2],
          ['+86 138', 3],
        ],
        textColumns: [0],
      },
    ]);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(Buffer.from(bytes) as never);
    const ws = wb.getWorksheet('记录')!;
    expect(ws.getRow(1).values).toEqual([undefined, '原因', '数量']);
    expect(ws.getCell('A2').value).toBe("'@SUM(1)");
    expect(ws.getCell('A3').value).toBe("'+86 138");
    expect(ws.getCell('B2').value).toBe(2);
    expect(ws.getCell('A2').formula).toBeUndefined();
  });
});
