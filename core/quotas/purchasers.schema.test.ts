import { describe, expect, it } from 'vitest';
import { checkRow } from '../imports/sheet';
import { usccCheckCharacter } from '../shared/validators';
import { checkPurchaserFile, PURCHASER_SHEET, type PurchaserRow } from './purchasers.schema';

const uscc = (n: number) => {
  const s17 = `12500110MB${String(2_000_000 + n)}`;
  return s17 + usccCheckCharacter(s17);
};
const row = (n: number, over: Partial<PurchaserRow> = {}) => ({
  row: n + 1,
  value: { name: `綦江区采购人${n}`, uscc: uscc(n), kind: '预算单位本级', contactName: '王五', mobile: `1380013${String(8000 + n)}`, ...over } as PurchaserRow,
});

describe('purchaser sheet', () => {
  it("column checks: the manual's columns, the type from its list, the mobile normalised", () => {
    const ok = checkRow(PURCHASER_SHEET, {
      row: 2,
      values: { name: '綦江区教委机关食堂', uscc: uscc(1), kind: '机关食堂', contactName: '王五', mobile: '138 0013 8000' },
    });
    expect(ok).toEqual({ ok: true, value: { name: '綦江区教委机关食堂', uscc: uscc(1), kind: '机关食堂', contactName: '王五', mobile: '13800138000' } });
    const bad = checkRow(PURCHASER_SHEET, { row: 3, values: { name: '甲', uscc: 'x', kind: '食堂', contactName: '', mobile: '123' } });
    expect(!bad.ok && bad.errors.map((e) => e.column)).toEqual(['name', 'uscc', 'kind', 'contactName', 'mobile']);
    expect(PURCHASER_SHEET.columns.map((c) => c.header)).toEqual(['采购人名称', '统一信用代码', '采购人类型', '联系人', '手机号']);
  });

  it("across rows: one code and one mobile per file; a mobile in use and another unit's purchaser refused; its own purchaser updated", () => {
    const v = checkPurchaserFile([row(1), row(2, { uscc: uscc(1) }), row(3, { mobile: row(1).value.mobile }), row(4), row(5), row(6)], {
      unitId: 'mine',
      mobilesInUse: new Set([row(4).value.mobile, row(6).value.mobile]),
      purchaserUnitByUscc: new Map([
        [uscc(5), 'other'],
        [uscc(6), 'mine'],
      ]),
    });
    expect(v.map((x) => (x.status === 'error' ? x.errors.map((e) => e.message).join('；') : x.status))).toEqual([
      'new',
      '与第 2 行的统一信用代码重复',
      '与第 2 行的手机号重复（一个手机号只能开通一个账号）',
      '该手机号已开通过账号，请换一个手机号',
      '该统一信用代码已是其他预算单位的采购人',
      'update',
    ]);
  });
});
