import { describe, expect, it } from 'vitest';
import { ACTIONS, authorize, authorizeActing, can, MEMBER_ROLES, PARENT_ACTIONS, ROLE_ACTIONS, type Action } from './access';
import type { Actor, MemberRole, MembershipView } from './actor';
import { AppError } from './app-error';

const UNIT = '00000000-0000-4000-8000-000000000001';
const OTHER = '00000000-0000-4000-8000-000000000002';
const PARENT = '00000000-0000-4000-8000-000000000003';

const membership = (organisationId: string, role: MemberRole, status: 'active' | 'disabled' = 'active'): MembershipView => ({
  organisationId,
  kind: 'unit',
  fullName: organisationId === PARENT ? '市财政局' : '重庆财经职业学院',
  uscc: null,
  status,
  role,
});
const actorWith = (...memberships: MembershipView[]): Actor => ({
  userId: 'u',
  username: 'u',
  sessionId: 's',
  memberships,
  organisation: memberships[0],
  isOperator: false,
});

/** The whole table, written out: a change to who may do what shows up here first. */
const EXPECTED: Record<Action, Record<MemberRole, boolean>> = {
  'organisation.view': { owner: true, admin: true, finance: true, member: true, buyer: true },
  'organisation.manage': { owner: true, admin: true, finance: false, member: false, buyer: false },
  'members.view': { owner: true, admin: true, finance: false, member: false, buyer: false },
  'members.approve': { owner: true, admin: true, finance: false, member: false, buyer: false },
  'members.set_role': { owner: true, admin: true, finance: false, member: false, buyer: false },
  'wallet.view': { owner: true, admin: true, finance: true, member: false, buyer: false },
  'wallet.recharge': { owner: true, admin: true, finance: true, member: false, buyer: false },
  'cards.view': { owner: true, admin: true, finance: true, member: false, buyer: false },
  'cards.manage': { owner: true, admin: true, finance: true, member: false, buyer: false },
  'withdrawals.view': { owner: true, admin: true, finance: true, member: false, buyer: false },
  'withdrawals.request': { owner: true, admin: true, finance: true, member: false, buyer: false },
  'payments.make': { owner: true, admin: true, finance: true, member: false, buyer: true },
  'mall.buy_for_unit': { owner: true, admin: true, finance: true, member: false, buyer: true },
  'statistics.view': { owner: true, admin: true, finance: false, member: false, buyer: false },
  'mall.reimbursements': { owner: true, admin: true, finance: true, member: false, buyer: false },
  'audit.view': { owner: true, admin: true, finance: false, member: false, buyer: false },
};

const cases = ACTIONS.flatMap((action) => MEMBER_ROLES.map((role) => ({ action, role, allowed: EXPECTED[action][role] })));

describe('access: roles × actions of the organisation itself', () => {
  it('the expected table covers every action', () => {
    expect(Object.keys(EXPECTED).sort()).toEqual([...ACTIONS].sort());
    expect(Object.keys(ROLE_ACTIONS).length).toBe(ACTIONS.length);
  });

  it.each(cases)('$role → $action: $allowed', ({ action, role, allowed }) => {
    const actor = actorWith(membership(UNIT, role));
    expect(can(actor, action, { organisationId: UNIT })).toBe(allowed);
    if (allowed) {
      expect(() => authorize(actor, action, { organisationId: UNIT })).not.toThrow();
      expect(authorizeActing(actor, action).organisationId).toBe(UNIT);
    } else {
      const err = (() => {
        try {
          authorize(actor, action, { organisationId: UNIT });
        } catch (e) {
          return e as AppError;
        }
      })();
      expect(err).toBeInstanceOf(AppError);
      expect(err!.code).toBe('FORBIDDEN');
      expect(err!.message).toMatch(/无权/);
      expect(() => authorizeActing(actor, action)).toThrow(AppError);
    }
  });

  it.each(cases)('$role of another organisation → $action: never', ({ action, role }) => {
    const actor = actorWith(membership(OTHER, role));
    expect(can(actor, action, { organisationId: UNIT })).toBe(false);
    expect(() => authorize(actor, action, { organisationId: UNIT })).toThrow(/不是该组织的成员/);
  });

  it.each(cases)('$role of a disabled organisation → $action: never', ({ action, role }) => {
    const actor = actorWith(membership(UNIT, role, 'disabled'));
    expect(can(actor, action, { organisationId: UNIT })).toBe(false);
  });

  it.each(ACTIONS)('nobody signed in → %s: UNAUTHENTICATED', (action) => {
    expect(can(null, action, { organisationId: UNIT })).toBe(false);
    expect(() => authorize(null, action, { organisationId: UNIT })).toThrow(expect.objectContaining({ code: 'UNAUTHENTICATED' }));
  });

  it('an actor acting for no organisation, or for the wrong kind, is refused', () => {
    expect(() => authorizeActing({ ...actorWith(), organisation: undefined }, 'wallet.view')).toThrow(/请先选择/);
    expect(() => authorizeActing(actorWith(membership(UNIT, 'owner')), 'wallet.view', ['merchant'])).toThrow(/当前组织无权/);
  });

  it('the refusal names the role and who may', () => {
    expect(() => authorize(actorWith(membership(UNIT, 'member')), 'withdrawals.request', { organisationId: UNIT })).toThrow(
      '您在重庆财经职业学院的角色是成员，无权提现（仅限负责人、管理员、财务人员）',
    );
  });
});

/** A parent organisation over its descendants: look (by role), never move money or manage people. */
const EXPECTED_PARENT: Record<Action, Record<MemberRole, boolean>> = {
  'organisation.view': { owner: true, admin: true, finance: true, member: true, buyer: false },
  'organisation.manage': { owner: false, admin: false, finance: false, member: false, buyer: false },
  'members.view': { owner: true, admin: true, finance: false, member: false, buyer: false },
  'members.approve': { owner: false, admin: false, finance: false, member: false, buyer: false },
  'members.set_role': { owner: false, admin: false, finance: false, member: false, buyer: false },
  'wallet.view': { owner: true, admin: true, finance: true, member: false, buyer: false },
  'wallet.recharge': { owner: false, admin: false, finance: false, member: false, buyer: false },
  'cards.view': { owner: false, admin: false, finance: false, member: false, buyer: false },
  'cards.manage': { owner: false, admin: false, finance: false, member: false, buyer: false },
  'withdrawals.view': { owner: false, admin: false, finance: false, member: false, buyer: false },
  'withdrawals.request': { owner: false, admin: false, finance: false, member: false, buyer: false },
  'payments.make': { owner: false, admin: false, finance: false, member: false, buyer: false },
  'mall.buy_for_unit': { owner: false, admin: false, finance: false, member: false, buyer: false },
  'statistics.view': { owner: true, admin: true, finance: false, member: false, buyer: false },
  'mall.reimbursements': { owner: false, admin: false, finance: false, member: false, buyer: false },
  'audit.view': { owner: true, admin: true, finance: false, member: false, buyer: false },
};

const parentCases = ACTIONS.flatMap((action) => MEMBER_ROLES.map((role) => ({ action, role, allowed: EXPECTED_PARENT[action][role] })));

describe('access: a parent organisation over its descendants', () => {
  it('the expected table agrees with PARENT_ACTIONS', () => {
    for (const action of ACTIONS) for (const role of MEMBER_ROLES) expect((PARENT_ACTIONS[action] ?? []).includes(role)).toBe(EXPECTED_PARENT[action][role]);
  });

  it.each(parentCases)('$role of the parent → $action over a child: $allowed', ({ action, role, allowed }) => {
    const actor = actorWith(membership(PARENT, role));
    expect(can(actor, action, { organisationId: UNIT, ancestorIds: [PARENT] })).toBe(allowed);
    // Further up the tree too (a city department over a district's reporters).
    expect(can(actor, action, { organisationId: UNIT, ancestorIds: [OTHER, PARENT] })).toBe(allowed);
  });

  it.each(parentCases)('$role of the parent → $action with no ancestry given: refused', ({ action, role }) => {
    expect(can(actorWith(membership(PARENT, role)), action, { organisationId: UNIT })).toBe(false);
  });

  it('a parent role never lowers what the own role allows', () => {
    const actor = actorWith(membership(UNIT, 'finance'), membership(PARENT, 'member'));
    expect(can(actor, 'withdrawals.request', { organisationId: UNIT, ancestorIds: [PARENT] })).toBe(true);
  });

  it('a disabled parent grants nothing', () => {
    expect(can(actorWith(membership(PARENT, 'owner', 'disabled')), 'organisation.view', { organisationId: UNIT, ancestorIds: [PARENT] })).toBe(false);
  });
});
