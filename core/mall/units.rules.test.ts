import { describe, expect, it } from 'vitest';
import { checkUnitAttribute } from './units.rules';
import { RegisterIndividualInput, RealName, RegisterUnitInput } from './units.schema';
import { isDistrictOrTownship } from './mall-regions';

const groups = [
  { code: 'central.mwr', kind: 'central' as const },
  { code: 'shandong.3714', kind: 'shandong' as const },
  { code: 'group.gov_office', kind: 'city_group' as const },
];

describe('unit attribute', () => {
  it.each([
    ['central', 'central.mwr', null],
    ['shandong', 'shandong.3714', null],
    ['city_group', 'group.gov_office', null],
    ['other', undefined, null],
    ['central', undefined, '请选择中央帮扶单位的二级帮扶单位'],
    ['shandong', undefined, '请选择鲁渝协作单位的二级帮扶单位'],
    ['city_group', undefined, '请选择市级帮扶集团的二级帮扶单位'],
    ['central', 'shandong.3714', '所选二级帮扶单位不属于“中央帮扶单位”'],
    ['city_group', 'central.mwr', '所选二级帮扶单位不属于“市级帮扶集团”'],
    ['shandong', 'nope', '二级帮扶单位不存在'],
    ['other', 'central.mwr', '其他帮扶单位无需选择二级帮扶单位，请直接填写单位名称'],
  ] as const)('%s + %s → %s', (kind, group, expected) => {
    expect(checkUnitAttribute(kind, group, groups)).toBe(expected);
  });
});

describe('regions of the mall', () => {
  it.each([
    ['500118', true],
    ['500242', true],
    ['500118113', true],
    ['50', false],
    ['5001', false],
    ['500199', false],
    ['500118999', false],
    ['50011811', false],
    ['abc', false],
  ])('%s is a district or township: %s', (code, ok) => {
    expect(isDistrictOrTownship(code)).toBe(ok);
  });
});

describe('real names', () => {
  it.each([
    ['张三', true],
    ['欧阳娜娜', true],
    ['阿依古丽·买买提', true],
    ['John Smith', true],
    ['财院张三', true],
    ['张', false],
    ['张3', false],
    ['张三！', false],
    ['一二三四五六七八九十一二三四五六七八九十一', false],
  ])('%s: %s', (name, ok) => {
    expect(RealName.safeParse(name).success).toBe(ok);
  });
});

describe('forms', () => {
  it('treats an empty group as none and checks the confirmation', () => {
    const base = {
      username: 'slb2026',
      password: 'Passw0rd1',
      confirmPassword: 'Passw0rd1',
      agreeTerms: true,
      attributeKind: 'other',
      attributeGroupCode: '',
      unitName: '酉阳县发改委',
      uscc: '11500242MB1234567X',
      regionCode: '500242',
      mobile: '13800138000',
      code: '123456',
    };
    const r = RegisterUnitInput.safeParse(base);
    // The USCC above has a wrong check character: only that field fails.
    expect(r.success).toBe(false);
    expect(r.error?.issues.map((i) => i.path.join('.'))).toEqual(['uscc']);
    const bad = RegisterUnitInput.safeParse({ ...base, uscc: undefined, attributeKind: 'x', regionCode: '50' });
    expect(bad.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`)).toEqual(
      expect.arrayContaining(['attributeKind: 请选择单位属性', 'regionCode: 请选择到区县（乡镇可选）', 'uscc: 请填写统一社会信用代码']),
    );
  });

  it('an individual needs the unit chosen from the lookup', () => {
    const r = RegisterIndividualInput.safeParse({
      username: 'zhang01',
      mobile: '13800138000',
      code: '123456',
      password: 'Passw0rd1',
      agreeTerms: true,
      realName: '张三',
      regionCode: '500118',
    });
    expect(r.error?.issues).toEqual([expect.objectContaining({ path: ['unitId'], message: expect.stringContaining('请先进行单位注册') })]);
  });
});
