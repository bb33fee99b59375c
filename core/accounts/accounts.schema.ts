import { z } from 'zod';
import { AgreeTerms } from '../legal/legal.schema';
import { isRegionCode } from '../shared/regions';
import { whenFieldsValid } from '../shared/validate';
import { Email, Mobile, Password, SmsCode, Username, Uscc } from '../shared/validators';

/** 企业会员, 服务机构, and 供货商家 (merchants of the consumption-assistance mall, in assisted areas). */
export const AccountType = z.enum(['enterprise', 'provider', 'merchant'], { message: '请选择注册类型' });

export const SendRegisterCodeInput = z.object({ mobile: Mobile });
export type SendRegisterCodeInput = z.infer<typeof SendRegisterCodeInput>;

const optionalEmail = z.preprocess((v) => (typeof v === 'string' && v.trim() === '' ? undefined : v), Email.optional());

export const RegisterInput = z
  .object({
    accountType: AccountType,
    username: Username,
    mobile: Mobile,
    code: SmsCode,
    email: optionalEmail,
    password: Password,
    confirmPassword: z.string({ message: '请再次输入密码' }),
    organisationName: z.string({ message: '请填写单位全称' }).trim().min(2, '请填写单位全称（开发票用）').max(100, '单位全称不超过 100 个字'),
    uscc: Uscc,
    /** Where the organisation is; required for merchants (their district or township). */
    regionCode: z.preprocess((v) => (v === '' || v === null ? undefined : v), z.string().trim().max(12).optional()),
    agreeTerms: AgreeTerms,
  })
  .refine((v) => v.password === v.confirmPassword, {
    path: ['confirmPassword'],
    message: '两次输入的密码不一致',
    ...whenFieldsValid('password', 'confirmPassword'),
  })
  .superRefine(
    (v, ctx) => {
      if (v.accountType === 'merchant') {
        if (!v.regionCode) ctx.addIssue({ code: 'custom', path: ['regionCode'], message: '请选择商家所在的区县或乡镇' });
        else if (!/^\d{6}(\d{3})?$/.test(v.regionCode) || !isRegionCode(v.regionCode))
          ctx.addIssue({ code: 'custom', path: ['regionCode'], message: '请选择到区县或乡镇' });
      } else if (v.regionCode && !isRegionCode(v.regionCode)) {
        ctx.addIssue({ code: 'custom', path: ['regionCode'], message: '所在地区无效' });
      }
    },
    whenFieldsValid('accountType', 'regionCode'),
  );
export type RegisterInput = z.infer<typeof RegisterInput>;

export const LoginInput = z.object({
  identifier: z.string({ message: '请填写用户名、手机号或邮箱' }).trim().min(1, '请填写用户名、手机号或邮箱').max(254),
  password: z.string({ message: '请填写密码' }).min(1, '请填写密码').max(64),
});
export type LoginInput = z.infer<typeof LoginInput>;

/** 短信登录, step 1: the mobile the sign-in code goes to (answered the same whether or not it has an account). */
export const RequestLoginCodeInput = z.object({ mobile: Mobile });
export type RequestLoginCodeInput = z.infer<typeof RequestLoginCodeInput>;

/** 短信登录, step 2: the mobile and the 6-digit code from the SMS. */
export const SmsLoginInput = z.object({ mobile: Mobile, code: SmsCode });
export type SmsLoginInput = z.infer<typeof SmsLoginInput>;

/** The target is a mobile for `sms` and an e-mail for `email`. */
export const PasswordResetRequestInput = z.discriminatedUnion('channel', [
  z.object({ channel: z.literal('sms'), target: Mobile }),
  z.object({ channel: z.literal('email'), target: Email }),
]);
export type PasswordResetRequestInput = z.infer<typeof PasswordResetRequestInput>;

const newPasswordPair = {
  newPassword: Password,
  confirmPassword: z.string({ message: '请再次输入新密码' }),
};
const samePasswords = { path: ['confirmPassword'], message: '两次输入的密码不一致', ...whenFieldsValid('newPassword', 'confirmPassword') };

/** 激活: the first sign-in of a generated account, with the code from the SMS; sets the password. */
export const ActivateInput = z
  .object({
    identifier: z.string({ message: '请填写短信中的登录账号或手机号' }).trim().min(1, '请填写短信中的登录账号或手机号').max(254),
    code: z.string({ message: '请填写激活码' }).trim().min(1, '请填写激活码').max(40),
    ...newPasswordPair,
  })
  .refine((v) => v.newPassword === v.confirmPassword, samePasswords);
export type ActivateInput = z.infer<typeof ActivateInput>;

export const PasswordResetConfirmInput = z
  .discriminatedUnion('channel', [
    z.object({ channel: z.literal('sms'), target: Mobile, code: SmsCode, ...newPasswordPair }),
    z.object({ channel: z.literal('email'), target: Email, code: SmsCode, ...newPasswordPair }),
  ])
  .refine((v) => v.newPassword === v.confirmPassword, samePasswords);
export type PasswordResetConfirmInput = z.infer<typeof PasswordResetConfirmInput>;

export const ChangePasswordInput = z
  .object({ currentPassword: z.string({ message: '请填写当前密码' }).min(1, '请填写当前密码'), ...newPasswordPair })
  .refine((v) => v.newPassword === v.confirmPassword, samePasswords)
  .refine((v) => v.newPassword !== v.currentPassword, {
    path: ['newPassword'],
    message: '新密码不能与当前密码相同',
    ...whenFieldsValid('currentPassword', 'newPassword'),
  });
export type ChangePasswordInput = z.infer<typeof ChangePasswordInput>;

export const UpdateProfileInput = z.object({
  displayName: z.string().trim().max(40, '昵称不超过 40 个字').optional(),
  email: optionalEmail,
  locale: z.enum(['zh-CN', 'en']).optional(),
});
export type UpdateProfileInput = z.infer<typeof UpdateProfileInput>;

export const SwitchOrganisationInput = z.object({ organisationId: z.uuid('请选择组织') });

// Views: what the account service returns and the API publishes. Times travel as ISO strings (the
// services hand back Date values, which JSON turns into exactly that).

/** A user as they see themselves (never the password hash). */
export const PublicUserView = z.object({
  id: z.uuid(),
  username: z.string(),
  mobile: z.string(),
  email: z.string().nullable(),
  displayName: z.string().nullable(),
  locale: z.string(),
  status: z.enum(['active', 'disabled']),
  createdAt: z.iso.datetime(),
  /** 用户协议 / 隐私政策 versions agreed at registration; null for accounts opened by an operator or an import. */
  termsVersion: z.number().int().nullable(),
  privacyVersion: z.number().int().nullable(),
  agreedAt: z.iso.datetime().nullable(),
});

/** One organisation the user belongs to, with their role in it. */
export const MembershipView = z.object({
  organisationId: z.uuid(),
  kind: z.string(),
  fullName: z.string(),
  uscc: z.string().nullable(),
  status: z.string(),
  role: z.enum(['owner', 'admin', 'finance', 'member', 'buyer']),
});

export const SessionView = z.object({
  token: z.string().describe('Bearer token for API clients; browsers use the cookie'),
  expiresAt: z.iso.datetime(),
  user: PublicUserView,
});

export const MeView = z.object({
  user: PublicUserView,
  memberships: z.array(MembershipView),
  activeOrganisation: MembershipView.nullable(),
  isOperator: z.boolean(),
});
