import { z } from 'zod';
import { Email, Mobile, Password, SmsCode, Username, Uscc } from '../shared/validators';
import { DistrictOrTownship } from './mall-regions';

/** zod contracts of unit (单位) and individual (个人用户) registration and the individual's profile. */

export const UNIT_ATTRIBUTE_KINDS = ['central', 'shandong', 'city_group', 'other'] as const;
export type UnitAttributeKind = (typeof UNIT_ATTRIBUTE_KINDS)[number];

export const UNIT_ATTRIBUTE_LABELS: Record<UnitAttributeKind, string> = {
  central: '中央帮扶单位',
  shandong: '鲁渝协作单位',
  city_group: '市级帮扶集团',
  other: '其他帮扶单位',
};

/** Kinds whose units also choose a second-level group (其他帮扶单位 enter only their name). */
export const KINDS_WITH_GROUPS: readonly UnitAttributeKind[] = ['central', 'shandong', 'city_group'];

const blankToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v === null ? undefined : v);
const optionalEmail = z.preprocess(blankToUndefined, Email.optional());

/** Han characters or letters (with the middle dot of minority and foreign names), 2–20. */
export const RealName = z
  .string({ message: '请填写真实姓名' })
  .trim()
  .regex(/^[\p{Script=Han}A-Za-z][\p{Script=Han}A-Za-z·• ]{0,18}[\p{Script=Han}A-Za-z]$/u, '真实姓名为 2–20 个汉字或字母');

export const RegisterUnitInput = z
  .object({
    username: Username,
    password: Password,
    confirmPassword: z.string({ message: '请再次输入密码' }),
    attributeKind: z.enum(UNIT_ATTRIBUTE_KINDS, { message: '请选择单位属性' }),
    /** The second level (水利部, 德州市, 市政府办公厅帮扶集团 …); none for 其他帮扶单位. */
    attributeGroupCode: z.preprocess(blankToUndefined, z.string().trim().max(40).optional()),
    unitName: z.string({ message: '请填写单位名称' }).trim().min(2, '请填写单位名称').max(100, '单位名称不超过 100 个字'),
    uscc: Uscc,
    regionCode: DistrictOrTownship('请选择所在地区'),
    mobile: Mobile,
    code: SmsCode,
    email: optionalEmail,
  })
  .refine((v) => v.password === v.confirmPassword, { path: ['confirmPassword'], message: '两次输入的密码不一致' });
export type RegisterUnitInput = z.input<typeof RegisterUnitInput>;

const UnitId = z.uuid('请从查找结果中选择您的单位；查找不到的，请先进行单位注册');
const Note = z.preprocess(blankToUndefined, z.string({ message: '备注须为文字' }).trim().max(100, '备注不超过 100 个字').optional());

export const RegisterIndividualInput = z
  .object({
    username: Username,
    mobile: Mobile,
    code: SmsCode,
    password: Password,
    /** Optional on the phone form; when sent it must match. */
    confirmPassword: z.string({ message: '请再次输入密码' }).optional(),
    realName: RealName,
    regionCode: DistrictOrTownship('请选择所在地区'),
    unitId: UnitId,
    note: Note,
  })
  .refine((v) => v.confirmPassword === undefined || v.password === v.confirmPassword, { path: ['confirmPassword'], message: '两次输入的密码不一致' });
export type RegisterIndividualInput = z.input<typeof RegisterIndividualInput>;

/** 个人信息: any of username, real name, region, note and unit; absent fields stay as they are. */
export const UpdateIndividualInput = z.object({
  username: Username.optional(),
  realName: RealName.optional(),
  regionCode: DistrictOrTownship('请选择所在地区').optional(),
  /** An empty note clears it. */
  note: z.string({ message: '备注须为文字' }).trim().max(100, '备注不超过 100 个字').optional(),
  unitId: UnitId.optional(),
});
export type UpdateIndividualInput = z.input<typeof UpdateIndividualInput>;

export const UnitSearchQuery = z.object({ q: z.string({ message: '请输入单位全称或关键字' }).trim().max(50, '关键字不超过 50 个字') });

export interface UnitAttributeOption {
  kind: UnitAttributeKind;
  label: string;
  /** Empty for 其他帮扶单位. */
  groups: { code: string; name: string }[];
}

export interface UnitSearchResult {
  id: string;
  fullName: string;
  regionCode: string | null;
  regionName: string;
  attributeKind: UnitAttributeKind | null;
  attributeLabel: string | null;
  groupName: string | null;
}

/** The unit admin's decision on a pending employee (员工审核). */
export const DecideEmployeeInput = z.discriminatedUnion(
  'decision',
  [
    z.object({ decision: z.literal('approve') }),
    z.object({
      decision: z.literal('reject'),
      reason: z.string({ message: '请填写不通过的原因' }).trim().min(2, '请填写不通过的原因').max(200, '原因不超过 200 字'),
    }),
  ],
  { message: '请选择通过或不通过' },
);
export type DecideEmployeeInput = z.input<typeof DecideEmployeeInput>;

/** The role an owner or admin gives an approved member (成员角色). */
export const SetMemberRoleInput = z.object({
  role: z.enum(['admin', 'finance', 'member'], { message: '角色只能是管理员、财务人员或成员' }),
});
export type SetMemberRoleInput = z.input<typeof SetMemberRoleInput>;

export type EmployeeStatus = 'pending' | 'approved' | 'rejected';
export const EMPLOYEE_STATUS_LABELS: Record<EmployeeStatus, string> = { pending: '待单位审核', approved: '已确认', rejected: '未通过' };
