import type { MemberRole } from '../shared/actor';

/**
 * Who may act on a budget unit (pure, no I/O). The actor acts for its active organisation, which must be
 * a budget unit (or a preset department) on the platform; managing means its owner or an admin there.
 * A superior acts over its whole subtree and nothing else: the caller passes the target's depth below
 * the actor's unit, read in one lookup from the closure table (0: the unit itself, undefined: outside).
 */

/** What is done to a unit. */
export type UnitAction =
  /** Look at it: lists, detail, history, export, statistics. */
  | 'view'
  /** Its sheet fields (name, contact, levels), its purchasers' sheet. */
  | 'edit'
  /** Its annual amount and reserved ratio. */
  | 'edit_figures'
  /** Generate its management account, send a new activation code. */
  | 'account'
  /** Reset its management account's password. */
  | 'reset_password';

const MANAGERS: readonly MemberRole[] = ['owner', 'admin'];

/** Actions only a strict ancestor may take (the unit itself may not, whatever its role). */
const ANCESTOR_ONLY: readonly UnitAction[] = ['edit', 'edit_figures', 'account', 'reset_password'];

export type UnitRefusal = { code: 'FORBIDDEN' | 'QUOTA_OUTSIDE_SUBTREE' | 'QUOTA_SUPERIOR_ONLY'; message: string };

const SELF_MESSAGES: Record<UnitAction, string> = {
  view: '',
  edit: '本单位信息请联系上级预算单位修改',
  edit_figures: '本单位的年度采购额和预留比例请联系上级预算单位修改',
  account: '本单位的管理账号请联系上级预算单位办理',
  reset_password: '本单位的密码请联系上级预算单位重置',
};

/**
 * Whether a member with `role` of the acting unit may take `action` on a unit `depth` levels below it.
 * Refusals: FORBIDDEN (not owner/admin), QUOTA_OUTSIDE_SUBTREE (depth undefined), QUOTA_SUPERIOR_ONLY
 * (depth 0 for an ancestor-only action: 请联系上级预算单位修改).
 */
export function decideUnitAction(role: MemberRole, action: UnitAction, depth: number | undefined): UnitRefusal | null {
  if (!MANAGERS.includes(role)) return { code: 'FORBIDDEN', message: '只有本单位负责人或管理员可以管理预算单位' };
  if (depth === undefined || depth < 0) return { code: 'QUOTA_OUTSIDE_SUBTREE', message: '该预算单位不在您的管辖范围内' };
  if (depth === 0 && ANCESTOR_ONLY.includes(action)) return { code: 'QUOTA_SUPERIOR_ONLY', message: SELF_MESSAGES[action] };
  return null;
}

/** Whether the acting member manages its unit (owner or admin): imports, lists, generation runs. */
export const managesUnit = (role: MemberRole) => MANAGERS.includes(role);

/**
 * Whether a reset of an account's password stays inside the actor's subtree: every organisation the
 * account belongs to must be in it (an account shared with another tree is that tree's too).
 */
export function resetStaysInSubtree(accountOrganisationIds: readonly string[], inSubtree: ReadonlySet<string>): boolean {
  return accountOrganisationIds.every((id) => inSubtree.has(id));
}

export const ACCOUNT_STATES = ['none', 'pending', 'active'] as const;
export type AccountState = (typeof ACCOUNT_STATES)[number];
