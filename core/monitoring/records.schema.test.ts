import { describe, expect, it } from 'vitest';
import { checkRecordContent, DecideInput, makeRecordRefs, SeqInput } from './records.schema';

const P = '11111111-1111-4111-8111-111111111111';
const refs = makeRecordRefs(
  [{ id: P, filingType: 'regular', name: '2026 年 7 月起登记', open: true }],
  [{ code: '451225', provinceCode: '450000', provinceName: '广西壮族自治区', cityCode: '451200', cityName: '河池市', name: '罗城仫佬族自治县', active: true }],
);
const ok = {
  filingType: 'regular',
  periodId: P,
  directFromOrigin: 'on',
  originCountyCode: '451225',
  category: '水果',
  productName: ' 砂糖橘 ',
  unit: '公斤',
  quantity: '0120.500',
  amountYuan: '1,234.5',
};

describe('checkRecordContent (pure, shared with the sheet import)', () => {
  it('accepts good content and derives the province and city from the county', () => {
    expect(checkRecordContent(ok, refs)).toEqual({
      ok: true,
      content: {
        filingType: 'regular',
        periodId: P,
        directFromOrigin: true,
        originProvinceCode: '450000',
        originCityCode: '451200',
        originCountyCode: '451225',
        category: '水果',
        productName: '砂糖橘',
        unit: '公斤',
        quantity: '120.5',
        amountFen: 123450,
      },
    });
    expect(checkRecordContent({ ...ok, directFromOrigin: '否', quantity: 3, amountYuan: 12 }, refs)).toMatchObject({
      ok: true,
      content: { directFromOrigin: false, quantity: '3', amountFen: 1200 },
    });
  });
  it('answers each field in Chinese', () => {
    const hostile = {
      filingType: 'x',
      periodId: 'nope',
      directFromOrigin: 'maybe',
      originCountyCode: '1e309',
      category: {},
      productName: 'a\u0000b',
      unit: 7,
      quantity: 1e309,
      amountYuan: '0.001',
    };
    const r = checkRecordContent(hostile, refs);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(Object.keys(r.errors).sort()).toEqual(Object.keys(hostile).sort());
      for (const m of Object.values(r.errors)) expect(m).toMatch(/[\u4e00-\u9fa5]/);
    }
    for (const [field, value] of [
      ['quantity', '0'],
      ['quantity', '1.2345'],
      ['quantity', '1000000001'],
      ['amountYuan', '0'],
      ['amountYuan', '10000000000.01'],
      ['amountYuan', '9'.repeat(100000)],
      ['productName', 'x'.repeat(61)],
      ['productName', '   '],
    ] as const) {
      const c = checkRecordContent({ ...ok, [field]: value }, refs);
      expect(c.ok, `${field}=${value.slice(0, 20)}`).toBe(false);
    }
  });
  it('checks the period (open, of the filing type) and the county (active) against the references', () => {
    expect(checkRecordContent({ ...ok, filingType: 'backfill' }, refs)).toMatchObject({ ok: false, errors: { periodId: '填报期与填报类型不符' } });
    expect(checkRecordContent({ ...ok, originCountyCode: '440100' }, refs)).toMatchObject({
      ok: false,
      errors: { originCountyCode: '原产地不在帮扶县名单中' },
    });
    const closed = makeRecordRefs([{ id: P, filingType: 'regular', name: 'x', open: false }], [...refs.counties.values()]);
    expect(checkRecordContent(ok, closed)).toMatchObject({ ok: false, errors: { periodId: '填报期不存在或已关闭' } });
  });
});

describe('seq (the record state the caller saw)', () => {
  it('takes a JSON integer or digits from a query string or form, nothing else', () => {
    expect(SeqInput.parse({ seq: 0 })).toEqual({ seq: 0 });
    expect(SeqInput.parse({ seq: 7 })).toEqual({ seq: 7 });
    expect(SeqInput.parse({ seq: '12' })).toEqual({ seq: 12 });
    const message = '记录序号（seq）须为不小于 0 的整数，请刷新页面后重试';
    for (const seq of ['', ' ', null, true, false, '1e3', '0x10', '1.0', 1.5, -1, '-1', 1e309, Number.NaN, [], [3], {}, '３', '1 2', 2e9])
      expect(SeqInput.safeParse({ seq }).error?.issues[0]?.message, JSON.stringify(seq)).toBe(message);
    expect(SeqInput.safeParse({}).error?.issues[0]?.message).toBe('请提供记录序号（seq）');
    expect(DecideInput.safeParse({ seq: '', decision: 'approve' }).success).toBe(false);
  });
});
