import type { Actor, MemberRole, MembershipView, OrganisationKind } from './actor';
import { AppError } from './app-error';

/**
 * Who may do what for an organisation. One table of roles × actions, one rule for a parent
 * organisation over its descendants, no I/O: the services ask `can`/`authorize` before they read
 * or move anything of an organisation, pages and the API only call the services.
 *
 * "Works at" is not "may act for": an individual who names a unit is an employee for the mall's
 * statistics (individual_profiles.unit_id) and has no membership, hence no row here, until the
 * unit's owner or an admin approves them as a member.
 */

export const MEMBER_ROLES = ['owner', 'admin', 'finance', 'member', 'buyer'] as const satisfies readonly MemberRole[];

export const MEMBER_ROLE_LABELS: Record<MemberRole, string> = {
  owner: '负责人',
  admin: '管理员',
  finance: '财务人员',
  member: '成员',
  buyer: '采购人',
};

/** Every role that may see or move the organisation's money. */
const MONEY = ['owner', 'admin', 'finance'] as const;
const ADMINS = ['owner', 'admin'] as const;
/** Who may buy and pay for the organisation: its money roles and a budget unit's purchasers. */
const BUYING = [...MONEY, 'buyer'] as const;
const EVERYONE = MEMBER_ROLES;

/** What a member of the organisation itself may do, by role. */
export const ROLE_ACTIONS = {
  /** The organisation's own profile and pages (单位信息). */
  'organisation.view': EVERYONE,
  'organisation.manage': ADMINS,
  /** Members, pending employees and their roles. */
  'members.view': ADMINS,
  'members.approve': ADMINS,
  'members.set_role': ADMINS,
  /** Balances, statement, recharge orders. */
  'wallet.view': MONEY,
  'wallet.recharge': MONEY,
  /** Bank cards (银行认证). */
  'cards.view': MONEY,
  'cards.manage': MONEY,
  'withdrawals.view': MONEY,
  'withdrawals.request': MONEY,
  /** Paying for the organisation: mall unit orders, escrow, fees. */
  'payments.make': BUYING,
  /** Buying in the mall as the unit itself (the order is the unit's, paid by the unit). */
  'mall.buy_for_unit': BUYING,
  /** The unit's employee consumption statistics. */
  'statistics.view': ADMINS,
  /** The unit's reimbursement list (报销清单): the employees' paid orders. */
  'mall.reimbursements': MONEY,
  /** The organisation's own rows of the audit trail (操作记录). */
  'audit.view': ADMINS,
} as const satisfies Record<string, readonly MemberRole[]>;

export type Action = keyof typeof ROLE_ACTIONS;
export const ACTIONS = Object.keys(ROLE_ACTIONS) as Action[];

/**
 * What a member of an ancestor organisation may do over its descendants (a finance department over
 * its budget units, a city department over its reporters): look, never move money or manage people.
 */
export const PARENT_ACTIONS: Partial<Record<Action, readonly MemberRole[]>> = {
  'organisation.view': ['owner', 'admin', 'finance', 'member'],
  'members.view': ADMINS,
  'statistics.view': ADMINS,
  'wallet.view': MONEY,
  'audit.view': ADMINS,
};

const ACTION_LABELS: Record<Action, string> = {
  'organisation.view': '查看本组织信息',
  'organisation.manage': '修改本组织信息',
  'members.view': '查看成员',
  'members.approve': '审核员工',
  'members.set_role': '设置成员角色',
  'wallet.view': '查看资金账户',
  'wallet.recharge': '充值',
  'cards.view': '查看银行卡',
  'cards.manage': '管理银行卡',
  'withdrawals.view': '查看提现记录',
  'withdrawals.request': '提现',
  'payments.make': '代表本组织付款',
  'mall.buy_for_unit': '以单位名义采购',
  'statistics.view': '查看员工消费统计',
  'mall.reimbursements': '查看报销清单',
  'audit.view': '查看操作记录',
};

/** The organisation an action is about; `ancestorIds` (parent first) are given by the caller when the parent rule may apply. */
export interface OrgResource {
  organisationId: string;
  ancestorIds?: readonly string[];
}

const activeMembership = (actor: Actor, organisationId: string): MembershipView | undefined =>
  actor.memberships.find((m) => m.organisationId === organisationId && m.status === 'active');

/** Whether a role of the organisation itself allows the action. */
export const roleAllows = (role: MemberRole, action: Action): boolean => (ROLE_ACTIONS[action] as readonly MemberRole[]).includes(role);

/** Whether a role of an ancestor organisation allows the action over a descendant. */
const parentRoleAllows = (role: MemberRole, action: Action): boolean => (PARENT_ACTIONS[action] ?? []).includes(role);

/**
 * Whether the actor may do `action` for the organisation: by an active membership of it whose role
 * allows it, or of one of its ancestors whose role allows it over descendants. A disabled
 * organisation or membership grants nothing.
 */
export function can(actor: Actor | null | undefined, action: Action, resource: OrgResource): boolean {
  if (!actor) return false;
  const own = activeMembership(actor, resource.organisationId);
  if (own && roleAllows(own.role, action)) return true;
  return (resource.ancestorIds ?? []).some((id) => {
    const m = activeMembership(actor, id);
    return !!m && parentRoleAllows(m.role, action);
  });
}

/** The refusal for an action, in words a member understands. */
export function refusal(actor: Actor | null | undefined, action: Action, organisationId: string): AppError {
  if (!actor) return new AppError('UNAUTHENTICATED', '请先登录');
  const m = actor.memberships.find((x) => x.organisationId === organisationId);
  if (!m) return new AppError('FORBIDDEN', `您不是该组织的成员，无权${ACTION_LABELS[action]}`);
  if (m.status !== 'active') return new AppError('FORBIDDEN', '该组织已停用，请联系平台客服');
  const allowed = ROLE_ACTIONS[action].map((r) => MEMBER_ROLE_LABELS[r]).join('、');
  return new AppError('FORBIDDEN', `您在${m.fullName}的角色是${MEMBER_ROLE_LABELS[m.role]}，无权${ACTION_LABELS[action]}（仅限${allowed}）`);
}

/** `can` or FORBIDDEN (UNAUTHENTICATED without an actor), with a Chinese message naming the roles that may. */
export function authorize(actor: Actor | null | undefined, action: Action, resource: OrgResource): void {
  if (!can(actor, action, resource)) throw refusal(actor, action, resource.organisationId);
}

/**
 * The organisation the actor acts for now (switched in the header), of one of `kinds` when given,
 * with the action authorised. Errors: UNAUTHENTICATED, FORBIDDEN (no organisation, wrong kind, role).
 */
export function authorizeActing(actor: Actor | null | undefined, action: Action, kinds?: OrganisationKind[]): MembershipView {
  if (!actor) throw new AppError('UNAUTHENTICATED', '请先登录');
  const org = actor.organisation;
  if (!org) throw new AppError('FORBIDDEN', '请先选择要代表的组织');
  if (kinds && !kinds.includes(org.kind)) throw new AppError('FORBIDDEN', '当前组织无权进行此操作');
  authorize(actor, action, { organisationId: org.organisationId });
  return org;
}

/** The roles an owner or admin may give a member (the owner stays the owner). */
export const ASSIGNABLE_ROLES = ['admin', 'finance', 'member'] as const satisfies readonly MemberRole[];
