import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkRow } from '../imports/sheet';
import { usccCheckCharacter } from '../shared/validators';
import { checkBudgetUnitFile, type FileContext, type KnownUnit, type ParsedRow } from './budget-units.machine';
import { BUDGET_UNIT_SHEET, type BudgetUnitRow } from './budget-units.schema';

const uscc = (n: number) => {
  const s17 = `11500110MB${String(1_000_000 + n)}`;
  return s17 + usccCheckCharacter(s17);
};
const unit = (n: number, fullName: string, superiorName?: string): ParsedRow => ({
  row: n + 1,
  value: { fullName, superiorName, uscc: uscc(n), contactName: '张三', mobile: '13800138000', budgetLevel: '县' } as BudgetUnitRow,
});
const FINANCE = { id: 'f', fullName: '重庆市綦江区财政局' };
const ctx = (known: KnownUnit[] = []): FileContext => ({ uploader: FINANCE, known });
const messages = (v: ReturnType<typeof checkBudgetUnitFile>[number]) => (v.status === 'error' ? v.errors.map((e) => `${e.column}:${e.message}`) : v.status);

describe('budget-unit sheet: column checks', () => {
  const text = (over: Record<string, string> = {}) => ({
    row: 2,
    values: {
      fullName: '重庆市綦江区教育委员会',
      superiorName: '',
      uscc: uscc(1).toLowerCase(),
      contactName: '李四',
      mobile: '+86 138-0013-8000',
      budgetLevel: '县',
      adminLevel: '',
      annualFen: '1,234.5',
      ratioBp: '35.25',
      ...over,
    },
  });
  it('a good row: code upper-cased, mobile normalised, yuan → fen, percent → basis points', () => {
    expect(checkRow(BUDGET_UNIT_SHEET, text())).toEqual({
      ok: true,
      value: {
        fullName: '重庆市綦江区教育委员会',
        superiorName: undefined,
        uscc: uscc(1),
        contactName: '李四',
        mobile: '13800138000',
        budgetLevel: '县',
        adminLevel: undefined,
        annualFen: 123_450,
        ratioBp: 3525,
      },
    });
  });
  it.each([
    ['fullName', { fullName: '财政部' }, '请填写单位全称'],
    ['uscc', { uscc: '123' }, '统一信用代码应为 18 位'],
    ['uscc', { uscc: `${uscc(1).slice(0, 17)}${uscc(1).endsWith('0') ? '1' : '0'}` }, '校验位不正确'],
    ['mobile', { mobile: '1380013800' }, '11 位大陆手机号'],
    ['budgetLevel', { budgetLevel: '区' }, '预算级次只能是中央、省、市、县、乡'],
    ['budgetLevel', { budgetLevel: '' }, '请填写预算级次'],
    ['adminLevel', { adminLevel: '正部级' }, '行政级次只能是'],
    ['annualFen', { annualFen: '-5' }, '不小于 0 的金额'],
    ['annualFen', { annualFen: '1.234' }, '最多两位小数'],
    ['ratioBp', { ratioBp: '100.01' }, '不能超过 100'],
    ['ratioBp', { ratioBp: '35%' }, '不带 %'],
    ['ratioBp', { ratioBp: '3.333' }, '最多两位小数'],
    ['contactName', { contactName: '' }, '请填写联系人'],
  ])('%s: %j → %s', (column, over, message) => {
    const r = checkRow(BUDGET_UNIT_SHEET, text(over as Record<string, string>));
    expect(r.ok).toBe(false);
    const e = !r.ok ? r.errors.find((x) => x.column === column) : undefined;
    expect(e?.message).toContain(message);
    expect(!r.ok && r.errors).toHaveLength(1);
  });
});

describe('budget-unit sheet: checks across rows', () => {
  it('superiors in any order: the uploader, another row (before or after), a unit in the subtree', () => {
    const known: KnownUnit[] = [{ id: 'edu', fullName: '重庆市綦江区教育委员会', uscc: uscc(50), parentId: 'f', inSubtree: true }];
    const v = checkBudgetUnitFile(
      [
        unit(1, '綦江区古南街道中心小学', '重庆市綦江区文龙街道办事处'), // its superior comes later in the file
        unit(2, '重庆市綦江区文龙街道办事处'), // empty superior: the uploader
        unit(3, '綦江中学', '重庆市綦江区教育委员会'), // an existing unit
        unit(4, '重庆市綦江区卫生健康委员会', '重庆市綦江区财政局'), // the uploader by name
      ],
      ctx(known),
    );
    expect(v).toEqual([
      { status: 'new', superior: { rowIndex: 1 }, errors: [] },
      { status: 'new', superior: { unitId: 'f' }, errors: [] },
      { status: 'new', superior: { unitId: 'edu' }, errors: [] },
      { status: 'new', superior: { unitId: 'f' }, errors: [] },
    ]);
  });

  it("a known code in the subtree updates; outside the subtree, the uploader's own code, a same name with another code are refused", () => {
    const known: KnownUnit[] = [
      { id: 'a', fullName: '重庆市綦江区教育委员会', uscc: uscc(1), parentId: 'f', inSubtree: true },
      { id: 'x', fullName: '重庆市酉阳县教育委员会', uscc: uscc(2), parentId: 'y', inSubtree: false },
      { id: 'f', fullName: FINANCE.fullName, uscc: uscc(3), parentId: null, inSubtree: true },
      { id: 'b', fullName: '重庆市綦江区民政局', uscc: uscc(99), parentId: 'f', inSubtree: true },
    ];
    const v = checkBudgetUnitFile(
      [unit(1, '重庆市綦江区教育委员会（更名）'), unit(2, '某单位甲'), unit(3, '某单位乙'), unit(4, '重庆市綦江区民政局')],
      ctx(known),
    );
    expect(v[0]).toEqual({ status: 'update', superior: { unitId: 'f' }, unitId: 'a', errors: [] });
    expect(messages(v[1]!)).toEqual(['uscc:该统一信用代码已属于您管辖范围以外的单位，请核对或联系其上级']);
    expect(messages(v[2]!)).toEqual(['uscc:这是您本单位的统一信用代码，不能作为下属单位导入']);
    expect(messages(v[3]!)).toEqual(['fullName:已有同名单位但统一信用代码不同，请核对名称或代码']);
  });

  it('duplicates within the file, an unknown or out-of-subtree superior, itself as superior', () => {
    const known: KnownUnit[] = [{ id: 'x', fullName: '重庆市酉阳县财政局', uscc: null, parentId: null, inSubtree: false }];
    const rows = [
      unit(1, '单位甲甲'),
      unit(2, '单位甲甲'),
      { ...unit(3, '单位乙乙'), value: { ...unit(3, '单位乙乙').value, uscc: uscc(1) } },
      unit(4, '单位丙丙', '财政部'),
      unit(5, '单位丁丁', '重庆市酉阳县财政局'),
      unit(6, '单位戊戊', '单位戊戊'),
    ];
    const v = checkBudgetUnitFile(rows, ctx(known));
    expect(v[0]!.status).toBe('new');
    expect(messages(v[1]!)).toEqual(['fullName:与第 2 行的预算单位名称重复']);
    expect(messages(v[2]!)).toEqual(['uscc:与第 2 行的统一信用代码重复']);
    expect(messages(v[3]!)).toEqual(['superiorName:找不到上级预算单位“财政部”，或它不在您的管辖范围内（须填写全称）']);
    expect(messages(v[4]!)).toEqual(['superiorName:找不到上级预算单位“重庆市酉阳县财政局”，或它不在您的管辖范围内（须填写全称）']);
    expect(messages(v[5]!)).toEqual(['superiorName:上级预算单位不能是本单位']);
  });

  it('cycles in the file and through units already there are refused on the rows in the loop; rows under them are blocked', () => {
    const known: KnownUnit[] = [
      { id: 'p', fullName: '单位上级', uscc: uscc(20), parentId: 'f', inSubtree: true },
      { id: 'q', fullName: '单位下级', uscc: uscc(21), parentId: 'p', inSubtree: true },
    ];
    const v = checkBudgetUnitFile(
      [
        unit(1, '单位甲甲', '单位乙乙'),
        unit(2, '单位乙乙', '单位甲甲'),
        unit(3, '单位丙丙', '单位甲甲'), // hangs under the loop
        { ...unit(20, '单位上级', '单位下级') }, // updates p to hang under its own child q
      ],
      ctx(known),
    );
    expect(messages(v[0]!)).toEqual(['superiorName:上级关系形成循环：单位甲甲 → 单位乙乙 → 单位甲甲']);
    expect(messages(v[1]!)).toEqual(['superiorName:上级关系形成循环：单位乙乙 → 单位甲甲 → 单位乙乙']);
    expect(messages(v[2]!)).toEqual(['superiorName:上级预算单位（第 2 行）有错误，请先改正该行']);
    expect(messages(v[3]!)).toEqual(['superiorName:上级关系形成循环：单位上级 → 单位下级 → 单位上级']);
  });

  it('property: a random forest written in random order is accepted with every superior resolved; closing any chain into a loop is refused', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(), { minLength: 1, maxLength: 30 }), fc.nat(), (parents, seed) => {
        // Unit i's superior is some unit before it (or the uploader).
        const names = parents.map((_, i) => `测试单位${i}号`);
        const rows = parents.map((p, i) => unit(i, names[i]!, i === 0 || p % (i + 1) === i ? undefined : names[p % i]));
        const order = rows.map((_, i) => i).sort((a, b) => ((a * 7919 + seed) % 31) - ((b * 7919 + seed) % 31));
        const shuffled = order.map((i) => rows[i]!);
        const v = checkBudgetUnitFile(shuffled, ctx());
        expect(v.every((x) => x.status === 'new')).toBe(true);
        v.forEach((x, k) => {
          if (x.status !== 'new') return;
          const s = x.superior;
          const expected = shuffled[k]!.value.superiorName;
          if ('unitId' in s) expect(expected).toBeUndefined();
          else expect(shuffled[s.rowIndex]!.value.fullName).toBe(expected);
        });
        // The first unit hung under the last one: a loop whenever the last descends from the first.
        const looped = rows.map((r, i) => (i === 0 ? { ...r, value: { ...r.value, superiorName: names.at(-1) } } : r));
        const w = checkBudgetUnitFile(looped, ctx());
        let n = rows.length - 1;
        const chain = new Set([n]);
        while (n !== 0 && rows[n]!.value.superiorName) {
          n = names.indexOf(rows[n]!.value.superiorName!);
          chain.add(n);
        }
        if (rows.length > 1 && n === 0) expect(w[0]!.status).toBe('error');
        else if (rows.length > 1) expect(w[0]!.status).toBe('new');
      }),
      { numRuns: 200 },
    );
  });
});
