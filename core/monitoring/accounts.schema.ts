import { z } from 'zod';
import { AgreeTerms } from '../legal/legal.schema';
import { PageNumber, PageSize } from '../shared/paging';
import { regionChildren } from '../shared/regions';
import { SearchKeyword } from '../shared/validate';
import { CHANNEL_KINDS, CityCode, ContactName, Mobile, UNIT_KINDS, UnitName, type MonitoringRole, type MonitoringUnitKind } from './monitoring.schema';

/**
 * Monitoring accounts (账号管理): who a person is in monitoring (`MonitoringMe`), the inputs that open
 * departments, auditors, channels, sub-accounts and enterprises, and the list of accounts a manager sees.
 */

/** The signed-in person's monitoring part: their unit, where it sits, and what they may do. */
export interface MonitoringMe {
  userId: string;
  organisationId: string;
  unitName: string;
  kind: MonitoringUnitKind;
  kindLabel: string;
  role: MonitoringRole;
  roleLabel: string;
  cityCode: string | null;
  cityName: string | null;
  departmentId: string | null;
  departmentName: string | null;
  parentName: string | null;
  /** the active organisation is not the monitoring unit: the name to switch to */
  switchTo: string | null;
  can: {
    /** department administrators, market and chain accounts */
    manageAccounts: boolean;
    /** department administrators and auditors, market and chain accounts */
    review: boolean;
    /** every channel or enterprise account (not departments) */
    report: boolean;
    /** departments, markets and chains */
    rollup: boolean;
    /** the province's administrators */
    settings: boolean;
  };
}

const GUANGDONG = '44';
/** Guangdong's 21 prefecture-level cities, GB/T 2260 six-digit codes (440100 广州市 …). */
export function guangdongCities(): { code: string; name: string }[] {
  return (regionChildren(GUANGDONG) ?? []).map((c) => ({ code: `${c.code}00`, name: c.name }));
}
/** The name of a Guangdong prefecture city by its six-digit code, or null. */
export function guangdongCityName(code: string | null | undefined): string | null {
  if (!code) return null;
  return guangdongCities().find((c) => c.code === code)?.name ?? null;
}
/** A Guangdong prefecture-level city (the unit's registered place: 按注册地归口). */
export const GuangdongCityCode = CityCode.refine((c) => guangdongCityName(c) !== null, '请选择广东省的地级市');

export const CreateDepartmentInput = z.object({
  kind: z.literal('province', { error: '只能开通省级扶贫部门' }),
  name: UnitName,
  contactName: ContactName,
  mobile: Mobile,
});
export const CreateCityInput = z.object({ cityCode: GuangdongCityCode, name: UnitName, contactName: ContactName, mobile: Mobile });
export const CreatePersonInput = z.object({ contactName: ContactName, mobile: Mobile });
export const CreateChannelInput = z.object({
  kind: z.enum(CHANNEL_KINDS, { error: '请选择类型（批发市场、连锁商超或电商平台）' }),
  name: UnitName,
  contactName: ContactName,
  mobile: Mobile,
});
export const CreateSubAccountInput = z.object({ name: UnitName, contactName: ContactName, mobile: Mobile });
export const RegisterEnterpriseInput = z.object({
  name: UnitName,
  contactName: ContactName,
  mobile: Mobile,
  cityCode: GuangdongCityCode,
  code: z
    .string({ error: '请填写短信验证码' })
    .trim()
    .regex(/^\d{6}$/, '请填写 6 位短信验证码'),
  agreeTerms: AgreeTerms,
});
export const RegisterExistingInput = z.object({ cityCode: GuangdongCityCode });

/** POST /monitoring/accounts: one body for what a manager opens. */
export const CreateAccountBody = z.discriminatedUnion(
  'type',
  [
    z.object({ type: z.literal('auditor'), contactName: ContactName, mobile: Mobile }),
    z.object({ type: z.literal('admin'), contactName: ContactName, mobile: Mobile }),
    CreateChannelInput.extend({ type: z.literal('channel') }),
    CreateSubAccountInput.extend({ type: z.literal('sub') }),
  ],
  { error: '请选择要开通的账号类型' },
);

export const ListAccountsQuery = z.object({
  kind: z.enum([...UNIT_KINDS, 'auditor', 'admin'], { error: '类型无效' }).optional(),
  q: SearchKeyword(60),
  page: PageNumber,
  pageSize: PageSize(100, 20),
});

/** One line of 账号管理: a person of the manager's own department (admin, auditor) or a unit it opened. */
export interface MonitoringAccountRow {
  /** 'member': an administrator or auditor of the manager's department; 'unit': a unit it manages. */
  type: 'member' | 'unit';
  /** The user (member) or the organisation (unit). */
  id: string;
  name: string;
  kind: MonitoringUnitKind | null;
  kindLabel: string;
  role: MonitoringRole | null;
  roleLabel: string;
  cityName: string | null;
  contactName: string;
  /** Masked (138****8000) unless the viewer manages the account. */
  mobile: string;
  createdAt: string;
  records: number;
}
