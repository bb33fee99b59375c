import { z } from 'zod';
import type { SheetSpec } from '../imports/sheet';
import { yuanToFen } from '../shared/money';
import { Mobile, usccNamed } from '../shared/validators';

/** 预算级次 (manual 003: required, or the row is not imported). */
export const BUDGET_LEVELS = ['中央', '省', '市', '县', '乡'] as const;
export type BudgetLevel = (typeof BUDGET_LEVELS)[number];

/** 行政级次 of the unit (confirmed with the superior at first login). */
export const ADMIN_LEVELS = ['部级', '厅局级', '县处级', '乡科级', '其他'] as const;
export type AdminLevel = (typeof ADMIN_LEVELS)[number];

const FullName = z.string().max(60, '名称不超过 60 字（须填写全称）').min(4, '请填写单位全称（如“中华人民共和国财政部”，不能用简称）');

/** 拟预留比例 in percent with up to 2 decimals → basis points (35.5 % → 3550). */
const RatioPercent = z
  .string()
  .regex(/^\d{1,3}(\.\d{1,2})?$/, '拟预留比例填 0–100 的数字，最多两位小数，不带 %')
  .transform((s) => Math.round(Number(s) * 100))
  .refine((bp) => bp <= 10_000, '拟预留比例不能超过 100');

/** 年度农副产品采购额 in yuan (up to 2 decimals, ≥ 0) → fen. */
const AmountYuan = z.string().transform((s, ctx) => {
  const fen = yuanToFen(s);
  if (fen === undefined) {
    ctx.addIssue({ code: 'custom', message: '年度农副产品采购额填不小于 0 的金额（元），最多两位小数' });
    return z.NEVER;
  }
  return fen;
});

/** One budget unit as the sheet brings it (after the column checks). */
export interface BudgetUnitRow {
  fullName: string;
  /** 上级预算单位名称 (full name); empty: the uploader itself. */
  superiorName?: string;
  uscc: string;
  contactName: string;
  mobile: string;
  budgetLevel: BudgetLevel;
  adminLevel?: AdminLevel;
  annualFen?: number;
  ratioBp?: number;
}

/** 《预算单位采购贫困地区农副产品预留份额情况表》: the template and the upload's columns. */
export const BUDGET_UNIT_SHEET: SheetSpec = {
  name: '预算单位情况表',
  filename: '预算单位采购贫困地区农副产品预留份额情况表.xlsx',
  maxRows: 100_000,
  instructions: [
    '每行一个预算单位。“预算单位名称”及“上级预算单位名称”须填写全称，否则无法匹配（如“财政部”的全称为“中华人民共和国财政部”）。',
    '“上级预算单位”是该单位的直属预算上级单位；留空表示上级为您的单位。上级可以是已导入的单位，也可以是本表中其他行的单位（顺序不限）。',
    '统一社会信用代码已导入过的单位再次导入时更新其信息，不会重复创建。',
    '平台将以短信把登录信息发给联系人手机，请核对号码。',
  ],
  columns: [
    { key: 'fullName', header: '预算单位名称', required: true, note: '须填写全称', width: 34, schema: FullName },
    { key: 'superiorName', header: '上级预算单位名称', note: '直属上级的全称；留空为本单位', width: 34, schema: FullName },
    {
      key: 'uscc',
      header: '预算单位统一信用代码',
      required: true,
      text: true,
      note: '18 位统一社会信用代码',
      width: 24,
      schema: usccNamed('统一信用代码'),
    },
    { key: 'contactName', header: '联系人', required: true, schema: z.string().min(2, '联系人至少 2 个字').max(20, '联系人不超过 20 字') },
    {
      key: 'mobile',
      header: '联系人手机号',
      required: true,
      text: true,
      width: 16,
      schema: Mobile,
    },
    {
      key: 'budgetLevel',
      header: '预算级次',
      required: true,
      options: BUDGET_LEVELS,
      schema: z.enum(BUDGET_LEVELS, `预算级次只能是${BUDGET_LEVELS.join('、')}`),
    },
    { key: 'adminLevel', header: '行政级次', options: ADMIN_LEVELS, schema: z.enum(ADMIN_LEVELS, `行政级次只能是${ADMIN_LEVELS.join('、')}`) },
    { key: 'annualFen', header: '年度农副产品采购额（元）', note: '本年度计划采购农副产品的金额，单位元', width: 22, schema: AmountYuan },
    { key: 'ratioBp', header: '拟预留比例（%）', note: '0–100，最多两位小数，不带 %', width: 16, schema: RatioPercent },
  ],
};
