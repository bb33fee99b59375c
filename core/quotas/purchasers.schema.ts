import { z } from 'zod';
import type { CellError, SheetSpec } from '../imports/sheet';
import { Mobile, usccNamed } from '../shared/validators';

/** 采购人类型: who in the budget unit buys (the unit itself, its union, its canteen, a subordinate body). */
export const PURCHASER_KINDS = ['预算单位本级', '工会组织', '机关食堂', '下属单位', '其他'] as const;
export type PurchaserKind = (typeof PURCHASER_KINDS)[number];

/** One purchaser (trading account) as the sheet brings it. */
export interface PurchaserRow {
  name: string;
  uscc: string;
  kind: PurchaserKind;
  contactName: string;
  mobile: string;
}

/** 《采购人交易账号开通填报表》: a budget unit's purchasers, each becoming a trading account. */
export const PURCHASER_SHEET: SheetSpec = {
  name: '采购人交易账号开通填报表',
  filename: '采购人交易账号开通填报表.xlsx',
  maxRows: 10_000,
  instructions: [
    '每行一个采购人（交易账号），采购时订单计入本预算单位。',
    '平台以短信把登录账号和激活码发给联系人手机；一个手机号只能开通一个账号。',
    '统一信用代码已导入过的采购人再次导入时更新其信息，不会重复开通。',
  ],
  columns: [
    { key: 'name', header: '采购人名称', required: true, width: 32, schema: z.string().min(2, '采购人名称至少 2 个字').max(60, '采购人名称不超过 60 字') },
    {
      key: 'uscc',
      header: '统一信用代码',
      required: true,
      text: true,
      width: 24,
      schema: usccNamed('统一信用代码'),
    },
    {
      key: 'kind',
      header: '采购人类型',
      required: true,
      options: PURCHASER_KINDS,
      width: 16,
      schema: z.enum(PURCHASER_KINDS, `采购人类型只能是${PURCHASER_KINDS.join('、')}`),
    },
    { key: 'contactName', header: '联系人', required: true, schema: z.string().min(2, '联系人至少 2 个字').max(20, '联系人不超过 20 字') },
    {
      key: 'mobile',
      header: '手机号',
      required: true,
      text: true,
      width: 16,
      schema: Mobile,
    },
  ],
};

/**
 * The purchaser sheet's checks across rows: one code and one mobile per row in the file; a mobile that
 * already signs in another account, or a code that is another unit's purchaser, is refused (one mobile,
 * one account). `known` holds what the platform has for the file's codes and mobiles.
 */
export function checkPurchaserFile(
  rows: readonly { row: number; value: PurchaserRow }[],
  known: { mobilesInUse: ReadonlySet<string>; purchaserUnitByUscc: ReadonlyMap<string, string>; unitId: string },
): { status: 'new' | 'update' | 'error'; errors: CellError[] }[] {
  const firstCode = new Map<string, number>();
  const firstMobile = new Map<string, number>();
  return rows.map((r) => {
    const errors: CellError[] = [];
    const code = firstCode.get(r.value.uscc);
    if (code !== undefined) errors.push({ column: 'uscc', message: `与第 ${code} 行的统一信用代码重复` });
    else firstCode.set(r.value.uscc, r.row);
    const mobile = firstMobile.get(r.value.mobile);
    if (mobile !== undefined) errors.push({ column: 'mobile', message: `与第 ${mobile} 行的手机号重复（一个手机号只能开通一个账号）` });
    else firstMobile.set(r.value.mobile, r.row);
    const owner = known.purchaserUnitByUscc.get(r.value.uscc);
    if (owner && owner !== known.unitId) errors.push({ column: 'uscc', message: '该统一信用代码已是其他预算单位的采购人' });
    const updating = owner === known.unitId;
    if (!updating && known.mobilesInUse.has(r.value.mobile)) errors.push({ column: 'mobile', message: '该手机号已开通过账号，请换一个手机号' });
    return errors.length ? { status: 'error', errors } : { status: updating ? 'update' : 'new', errors: [] };
  });
}
