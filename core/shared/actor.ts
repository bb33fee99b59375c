import { AppError } from './app-error';

export type OrganisationKind = 'enterprise' | 'provider' | 'unit' | 'merchant' | 'government' | 'budget_unit' | 'platform';
/** `buyer`: a budget unit's purchaser (采购人交易账号): buys and pays in the mall for the unit, nothing else. */
export type MemberRole = 'owner' | 'admin' | 'finance' | 'member' | 'buyer';

export interface MembershipView {
  organisationId: string;
  kind: OrganisationKind;
  fullName: string;
  uscc: string | null;
  status: 'active' | 'disabled';
  role: MemberRole;
}

/** Who is calling: resolved from a session by the handlers and passed to every service call. */
export interface Actor {
  userId: string;
  username: string;
  sessionId: string;
  memberships: MembershipView[];
  /** The organisation the user acts for now (switched in the header). */
  organisation?: MembershipView;
  isOperator: boolean;
}

export function requireActor(actor: Actor | null | undefined): Actor {
  if (!actor) throw new AppError('UNAUTHENTICATED', '请先登录');
  return actor;
}

export function requireOperator(actor: Actor | null | undefined): Actor {
  const a = requireActor(actor);
  if (!a.isOperator) throw new AppError('FORBIDDEN', '只有平台运营人员可以进行此操作');
  return a;
}

/** The active organisation, optionally of one of the given kinds. */
export function requireOrganisation(actor: Actor, kinds?: OrganisationKind[]): MembershipView {
  const org = actor.organisation;
  if (!org) throw new AppError('FORBIDDEN', '请先选择要代表的组织');
  if (kinds && !kinds.includes(org.kind)) throw new AppError('FORBIDDEN', '当前组织无权进行此操作');
  return org;
}
