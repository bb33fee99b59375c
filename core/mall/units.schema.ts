import { z } from 'zod';
import { whenFieldsValid } from '../shared/validate';
import { Email, Mobile, Password, SmsCode, Username, Uscc } from '../shared/validators';
import { AgreeTerms } from '../legal/legal.schema';
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
    agreeTerms: AgreeTerms,
  })
  .refine((v) => v.password === v.confirmPassword, {
    path: ['confirmPassword'],
    message: '两次输入的密码不一致',
    ...whenFieldsValid('password', 'confirmPassword'),
  });
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
    agreeTerms: AgreeTerms,
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

/** Times are Dates in the services and ISO strings on the wire: `Stamp` reads either way. */
const Stamp = z.codec(z.iso.datetime(), z.date(), { decode: (s) => new Date(s), encode: (d) => d.toISOString() });
const AttributeKind = z.enum(UNIT_ATTRIBUTE_KINDS);
const MemberRole = z.enum(['owner', 'admin', 'finance', 'member', 'buyer']);
const EmployeeStatusEnum = z.enum(['pending', 'approved', 'rejected']);

// ── Views: what the unit service returns and the API publishes under these names ──
export const UnitAttributeOptionView = z
  .object({
    kind: AttributeKind,
    label: z.string(),
    groups: z.array(z.object({ code: z.string(), name: z.string() })).describe('Second-level groups; empty for 其他帮扶单位'),
  })
  .meta({ id: 'UnitAttributeOption' });
export type UnitAttributeOption = z.output<typeof UnitAttributeOptionView>;

export const UnitSearchResultView = z
  .object({
    id: z.uuid(),
    fullName: z.string(),
    regionCode: z.string().nullable(),
    regionName: z.string(),
    attributeKind: AttributeKind.nullable(),
    attributeLabel: z.string().nullable(),
    groupName: z.string().nullable(),
  })
  .meta({ id: 'UnitSearchResult' });
export type UnitSearchResult = z.output<typeof UnitSearchResultView>;

export const UnitView = z
  .object({
    id: z.uuid(),
    fullName: z.string(),
    uscc: z.string().nullable(),
    regionCode: z.string().nullable(),
    regionName: z.string(),
    status: z.enum(['active', 'disabled']),
    attributeKind: AttributeKind.nullable(),
    attributeLabel: z.string().nullable(),
    attributeGroupCode: z.string().nullable(),
    groupName: z.string().nullable(),
    memberCount: z.number().int().describe('Approved employees of the unit (members with the member role)'),
    role: MemberRole,
    createdAt: Stamp,
  })
  .meta({ id: 'Unit' });
export type UnitView = z.output<typeof UnitView>;

export const IndividualProfileView = z
  .object({
    userId: z.uuid(),
    username: z.string(),
    mobile: z.string(),
    realName: z.string(),
    regionCode: z.string(),
    regionName: z.string(),
    note: z.string().nullable(),
    unit: z
      .object({
        id: z.uuid(),
        fullName: z.string(),
        status: EmployeeStatusEnum.describe('Whether the unit has approved the individual as its employee (a member who may act for it)'),
        statusLabel: z.string(),
        rejectReason: z.string().nullable(),
      })
      .nullable()
      .describe('The unit the purchases count for'),
    updatedAt: Stamp,
  })
  .meta({ id: 'IndividualProfile' });
export type IndividualProfileView = z.output<typeof IndividualProfileView>;

export const UnitEmployeeView = z
  .object({
    userId: z.uuid(),
    username: z.string(),
    mobile: z.string().describe('Masked: 139****0051'),
    realName: z.string(),
    regionCode: z.string(),
    regionName: z.string(),
    note: z.string().nullable(),
    status: EmployeeStatusEnum,
    statusLabel: z.string(),
    rejectReason: z.string().nullable(),
    decidedAt: Stamp.nullable(),
    updatedAt: Stamp,
  })
  .meta({ id: 'UnitEmployee' });
export type UnitEmployeeView = z.output<typeof UnitEmployeeView>;

export const OrganisationMemberView = z
  .object({ userId: z.uuid(), username: z.string(), displayName: z.string().nullable(), role: MemberRole, roleLabel: z.string(), createdAt: Stamp })
  .meta({ id: 'OrganisationMember' });
export type OrganisationMemberView = z.output<typeof OrganisationMemberView>;

export const MemberRoleChangeView = z.object({ userId: z.uuid(), role: MemberRole, roleLabel: z.string() }).meta({ id: 'MemberRoleChange' });
export type MemberRoleChangeView = z.output<typeof MemberRoleChangeView>;

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
