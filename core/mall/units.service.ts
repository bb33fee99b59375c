import { z } from 'zod';
import type { Db, DbOrTx } from '../../db/client';
import type { AccountService, RequestContext, SessionResult } from '../accounts/accounts.service';
import { recordAudit } from '../audit/audit';
import type { MessageService } from '../notifications/messages.service';
import { authorizeActing, MEMBER_ROLE_LABELS } from '../shared/access';
import { requireActor, type Actor } from '../shared/actor';
import { AppError } from '../shared/app-error';
import type { Clock } from '../shared/clock';
import { regionName } from '../shared/regions';
import { searchQuery, searchVector } from '../shared/search-text';
import { parseInput } from '../shared/validate';
import { logger } from '../shared/logger';
import { unitsRepo, type IndividualPatch } from './units.repo';
import { checkUnitAttribute } from './units.rules';
import {
  DecideEmployeeInput,
  EMPLOYEE_STATUS_LABELS,
  RegisterIndividualInput,
  SetMemberRoleInput,
  RegisterUnitInput,
  UNIT_ATTRIBUTE_KINDS,
  UNIT_ATTRIBUTE_LABELS,
  UnitSearchQuery,
  UpdateIndividualInput,
  type EmployeeStatus,
  type UnitAttributeKind,
  type UnitAttributeOption,
  type UnitSearchResult,
  type IndividualProfileView,
  type MemberRoleChangeView,
  type OrganisationMemberView,
  type UnitEmployeeView,
  type UnitView,
} from './units.schema';

export interface UnitDeps {
  db: Db;
  clock: Clock;
  accounts: AccountService;
  messages: MessageService;
}

/** Who a buyer is for the mall: an individual (with the unit they belong to now) or a unit's own account. */
export interface BuyerContext {
  kind: 'individual' | 'unit' | null;
  unitId: string | null;
  /** The unit's full name (an individual need not be a member of it to see it). */
  unitName: string | null;
}

const UNIT_NOT_FOUND = '所选单位不存在或已停用；查找不到的，请先进行单位注册';

/**
 * 单位用户 and 个人用户 of the consumption-assistance mall (manual 000, 一): units register on the
 * desktop with their attribute (kind + second-level group), USCC and region; employees register on
 * the phone and choose their unit from a lookup, so their purchases count for it. Registration goes
 * through accounts.createAccount (SMS code, password, uniqueness, session).
 */
export function createUnitService({ db, clock, accounts, messages }: UnitDeps) {
  let groupCache: Promise<{ code: string; kind: UnitAttributeKind; name: string; sort: number }[]> | undefined;
  const groups = () =>
    (groupCache ??= unitsRepo
      .listAttributeGroups(db)
      .then((rows) => rows)
      .catch((e: unknown) => {
        groupCache = undefined;
        throw e;
      }));

  /** An active unit organisation, read in `q` (inside a transaction: the caller's tx). */
  async function activeUnit(q: DbOrTx, id: string) {
    if (!z.uuid().safeParse(id).success) return undefined;
    return unitsRepo.findActiveUnit(q, id);
  }

  async function buyerContext(userId: string, q: DbOrTx = db): Promise<BuyerContext> {
    const ind = await unitsRepo.individualUnit(q, userId);
    if (ind) return { kind: 'individual', unitId: ind.unitId, unitName: ind.unitName };
    const own = await unitsRepo.firstAdministeredUnit(q, userId);
    return own ? { kind: 'unit', unitId: own.id, unitName: own.fullName } : { kind: null, unitId: null, unitName: null };
  }

  /** Tells the unit's owner and admins (inside `tx`); returns the pushes to run after commit. */
  async function notifyUnitAdmins(tx: DbOrTx, unitId: string, msg: { title: string; body: string; link: string }) {
    const admins = await unitsRepo.adminsOf(tx, unitId);
    const pushes: (() => Promise<void>)[] = [];
    for (const m of admins) pushes.push((await messages.send({ ...msg, userId: m.userId, category: 'mall' }, tx)).push);
    return pushes;
  }

  const runPushes = async (pushes: (() => Promise<void>)[]) => {
    for (const push of pushes) await push().catch((e: unknown) => logger.warn({ err: e, component: 'units' }, 'a site message was saved but not pushed'));
  };

  const maskMobile = (m: string) => (m.length >= 7 ? `${m.slice(0, 3)}****${m.slice(-4)}` : m);

  async function individualView(userId: string) {
    const row = await unitsRepo.individualWithUser(db, userId);
    if (!row) throw new AppError('NOT_FOUND', '个人资料不存在');
    const { unitId, unitName, unitStatus, unitRejectReason, ...rest } = row;
    return {
      ...rest,
      regionName: regionName(row.regionCode),
      unit: unitId
        ? {
            id: unitId,
            fullName: unitName ?? '',
            status: unitStatus,
            statusLabel: EMPLOYEE_STATUS_LABELS[unitStatus],
            rejectReason: unitStatus === 'rejected' ? unitRejectReason : null,
          }
        : null,
    };
  }

  return {
    /** 单位属性 for the registration form: the four kinds, each with its second-level groups (none for 其他帮扶单位). */
    async attributeOptions(): Promise<UnitAttributeOption[]> {
      const all = await groups();
      return UNIT_ATTRIBUTE_KINDS.map((kind) => ({
        kind,
        label: UNIT_ATTRIBUTE_LABELS[kind],
        groups: all.filter((g) => g.kind === kind).map((g) => ({ code: g.code, name: g.name })),
      }));
    },

    /**
     * 单位注册: creates the user, the organisation (kind 'unit', region), its unit profile (attribute
     * and a bigram search document over the full name) and the owner membership, then signs in.
     * Errors: VALIDATION (per field, incl. an attribute group missing, of another kind, or given for
     * 其他帮扶单位), USERNAME_TAKEN, MOBILE_TAKEN, EMAIL_TAKEN, ORGANISATION_EXISTS (USCC), CODE_INVALID, RATE_LIMITED.
     */
    async registerUnit(raw: unknown, ctx: RequestContext, kind: 'cookie' | 'bearer' = 'cookie'): Promise<SessionResult & { unitId: string }> {
      const input = parseInput(RegisterUnitInput, raw);
      const problem = checkUnitAttribute(input.attributeKind, input.attributeGroupCode, await groups());
      if (problem) throw new AppError('VALIDATION', problem, { attributeGroupCode: problem });
      const groupCode = input.attributeKind === 'other' ? null : input.attributeGroupCode!;
      const { session, value } = await accounts.createAccount(input, ctx, {
        sessionKind: kind,
        auditData: { accountType: 'unit', attributeKind: input.attributeKind, attributeGroupCode: groupCode },
        conflicts: async () => {
          const org = await unitsRepo.findUnitByUscc(db, input.uscc);
          return org ? [{ code: 'ORGANISATION_EXISTS', field: 'uscc', message: '该统一社会信用代码已注册为单位用户；单位职工请注册个人用户并选择本单位' }] : [];
        },
        create: async (tx, user) => {
          const orgId = await unitsRepo.insertUnit(tx, {
            fullName: input.unitName,
            uscc: input.uscc,
            regionCode: input.regionCode,
            attributeKind: input.attributeKind,
            attributeGroupCode: groupCode,
            searchVector: searchVector({ a: input.unitName }),
            ownerUserId: user.id,
          });
          return {
            value: orgId,
            organisationId: orgId,
            welcome: {
              title: '欢迎加入消费帮扶馆',
              body: `${input.unitName} 的单位账号已开通。单位职工注册个人用户时，输入单位全称或关键字即可找到本单位，其采购将计入本单位统计。`,
              link: '/account',
            },
          };
        },
      });
      return { ...session, unitId: value };
    },

    /**
     * 单位查找 for individuals: active units whose full name matches the words (bigram full text) or
     * contains the text; one character is a substring match. At most 10, closest first.
     */
    async searchUnits(raw: unknown): Promise<UnitSearchResult[]> {
      const { q: typed } = parseInput(UnitSearchQuery, typeof raw === 'string' ? { q: raw } : raw);
      const q = typed.replace(/\s+/g, ' ');
      if (!q) return [];
      const tsq = [...q.replace(/\s/g, '')].length > 1 ? searchQuery(q) : undefined;
      const rows = await unitsRepo.searchActiveUnits(db, q, tsq);
      return rows.map((r) => ({
        id: r.id,
        fullName: r.fullName,
        regionCode: r.regionCode,
        regionName: regionName(r.regionCode),
        attributeKind: r.attributeKind,
        attributeLabel: r.attributeKind ? UNIT_ATTRIBUTE_LABELS[r.attributeKind] : null,
        groupName: r.groupName,
      }));
    },

    /**
     * 个人用户注册 (phone first): the user and the individual profile (real name, region, unit), then
     * signs in. Purchases count for the chosen unit at once; acting for it does not: the employee is
     * pending until the unit's owner or an admin approves (decideEmployee), and has no membership
     * until then. The unit must be an active unit found by searchUnits; otherwise the unitId field
     * says to register the unit first. Errors: VALIDATION, USERNAME_TAKEN, MOBILE_TAKEN, CODE_INVALID, RATE_LIMITED.
     */
    async registerIndividual(raw: unknown, ctx: RequestContext, kind: 'cookie' | 'bearer' = 'cookie'): Promise<SessionResult> {
      const input = parseInput(RegisterIndividualInput, raw);
      if (!(await activeUnit(db, input.unitId))) throw new AppError('VALIDATION', UNIT_NOT_FOUND, { unitId: UNIT_NOT_FOUND });
      let pushes: (() => Promise<void>)[] = [];
      const { session } = await accounts.createAccount(input, ctx, {
        sessionKind: kind,
        auditData: { accountType: 'individual', unitId: input.unitId },
        create: async (tx, user) => {
          // Checked again here: the unit may have been disabled since the form was filled in.
          const unit = await activeUnit(tx, input.unitId);
          if (!unit) throw new AppError('VALIDATION', UNIT_NOT_FOUND, { unitId: UNIT_NOT_FOUND });
          await unitsRepo.updateUser(tx, user.id, { displayName: input.realName });
          await unitsRepo.insertIndividual(tx, {
            userId: user.id,
            realName: input.realName,
            regionCode: input.regionCode,
            unitId: unit.id,
            unitStatus: 'pending',
            note: input.note ?? null,
            updatedAt: clock.now(),
          });
          pushes = await notifyUnitAdmins(tx, unit.id, {
            title: '新的员工待审核',
            body: `${input.realName} 注册为本单位的个人用户，请在 交易管理 › 员工审核 中确认是否为本单位员工。`,
            link: '/mall/unit/employees',
          });
          return {
            value: null,
            organisationId: unit.id,
            welcome: {
              title: '欢迎加入消费帮扶馆',
              body: `您已注册为 ${unit.fullName} 的个人用户，您的采购将计入本单位的消费帮扶统计。单位管理员确认您的员工身份后，您会收到站内信。`,
              link: '/account',
            },
          };
        },
      });
      await runPushes(pushes);
      return session;
    },

    /**
     * 商家注册: the accounts registration with account type 'merchant' (供货商家 in assisted areas)
     * and its district or township. Same errors as accounts.register.
     */
    async registerMerchant(raw: unknown, ctx: RequestContext, kind: 'cookie' | 'bearer' = 'cookie') {
      return accounts.register({ ...(raw && typeof raw === 'object' ? raw : {}), accountType: 'merchant' }, ctx, kind);
    },

    /** The unit the actor acts for (会员中心 › 单位信息): attribute, region, member count. */
    async getUnit(actor: Actor | null): Promise<UnitView> {
      const m = authorizeActing(actor, 'organisation.view', ['unit']);
      const row = await unitsRepo.unitWithProfile(db, m.organisationId);
      if (!row) throw new AppError('NOT_FOUND', '单位不存在');
      return {
        ...row,
        regionName: regionName(row.regionCode),
        attributeLabel: row.attributeKind ? UNIT_ATTRIBUTE_LABELS[row.attributeKind] : null,
        role: m.role,
      };
    },

    /** The caller's individual profile (个人信息). NOT_FOUND for accounts that are not individuals. */
    async getIndividual(actor: Actor | null): Promise<IndividualProfileView> {
      return individualView(requireActor(actor).userId);
    },

    /**
     * 个人信息修改: username, real name, region, note and unit. Changing the unit, in one transaction:
     * every power at the old unit ends (its membership, whatever role, except an owner's), sessions
     * acting for it act for nobody, and the individual becomes a pending employee of the new unit
     * (its admins are told); orders made before keep the unit they were attributed to.
     * Errors: NOT_FOUND (not an individual), VALIDATION, USERNAME_TAKEN.
     */
    async updateIndividual(actor: Actor | null, raw: unknown) {
      const a = requireActor(actor);
      const input = parseInput(UpdateIndividualInput, raw);
      if (input.username) {
        const other = await unitsRepo.findUserIdByUsername(db, input.username);
        if (other && other.id !== a.userId) throw new AppError('USERNAME_TAKEN', '该用户名已被注册', { username: '该用户名已被注册' });
      }
      const pushes = await db
        .transaction(async (tx) => {
          const profile = await unitsRepo.lockIndividual(tx, a.userId);
          if (!profile) throw new AppError('NOT_FOUND', '个人资料不存在');
          let unitId = profile.unitId;
          let employment: IndividualPatch = {};
          let notices: (() => Promise<void>)[] = [];
          if (input.unitId && input.unitId !== profile.unitId) {
            const unit = await activeUnit(tx, input.unitId);
            if (!unit) throw new AppError('VALIDATION', UNIT_NOT_FOUND, { unitId: UNIT_NOT_FOUND });
            // Powers at the old unit end; sessions acting for it act for nobody (the next request picks another membership, if any).
            if (profile.unitId) await unitsRepo.leaveUnit(tx, a.userId, profile.unitId);
            employment = { unitStatus: 'pending', unitDecidedBy: null, unitDecidedAt: null, unitRejectReason: null };
            notices = await notifyUnitAdmins(tx, unit.id, {
              title: '新的员工待审核',
              body: `${input.realName ?? profile.realName} 将所在单位改为本单位，请在 交易管理 › 员工审核 中确认是否为本单位员工。`,
              link: '/mall/unit/employees',
            });
            unitId = unit.id;
          }
          await unitsRepo.updateIndividual(tx, a.userId, {
            realName: input.realName ?? profile.realName,
            regionCode: input.regionCode ?? profile.regionCode,
            note: input.note === undefined ? profile.note : input.note || null,
            unitId,
            ...employment,
            updatedAt: clock.now(),
          });
          if (input.username || input.realName) {
            await unitsRepo.updateUser(tx, a.userId, {
              ...(input.username ? { username: input.username } : {}),
              ...(input.realName ? { displayName: input.realName } : {}),
            });
          }
          return notices;
        })
        .catch((e: unknown) => {
          const err = e as { code?: string; cause?: { code?: string } };
          if (err?.code === '23505' || err?.cause?.code === '23505') throw new AppError('USERNAME_TAKEN', '该用户名已被注册', { username: '该用户名已被注册' });
          throw e;
        });
      await runPushes(pushes);
      return individualView(a.userId);
    },

    /**
     * 员工审核: the individuals who named the unit acted for, by status (pending first come first),
     * for its owner and admins. The mobile is masked; nothing else about the person is shown.
     */
    async listEmployees(actor: Actor | null, status: EmployeeStatus = 'pending'): Promise<UnitEmployeeView[]> {
      const org = authorizeActing(actor, 'members.view', ['unit']);
      if (!(status in EMPLOYEE_STATUS_LABELS)) throw new AppError('VALIDATION', '未知的审核状态', { status: '未知的审核状态' });
      const rows = await unitsRepo.employeesOf(db, org.organisationId, status);
      return rows.map(({ mobile, ...r }) => ({
        ...r,
        mobile: maskMobile(mobile),
        regionName: regionName(r.regionCode),
        statusLabel: EMPLOYEE_STATUS_LABELS[r.status],
      }));
    },

    /**
     * Approves (a 'member' membership: the employee may act for the unit as the role allows) or
     * rejects a pending employee of the unit acted for; the employee is told by site message and an
     * audit row is written in the same transaction. The profile is locked, so two admins deciding at
     * once (or the employee changing unit meanwhile) end with one decision and an EMPLOYEE_ALREADY_REVIEWED.
     * Errors: FORBIDDEN (not the unit's owner or admin), NOT_FOUND (not an employee of this unit),
     * EMPLOYEE_ALREADY_REVIEWED (already decided), VALIDATION.
     */
    async decideEmployee(actor: Actor | null, userId: string, raw: unknown, ip?: string): Promise<UnitEmployeeView> {
      const a = requireActor(actor);
      const org = authorizeActing(a, 'members.approve', ['unit']);
      const input = parseInput(DecideEmployeeInput, raw);
      if (!z.uuid().safeParse(userId).success) throw new AppError('NOT_FOUND', '该员工不存在');
      const push = await db.transaction(async (tx) => {
        const profile = await unitsRepo.lockIndividual(tx, userId);
        if (!profile || profile.unitId !== org.organisationId) throw new AppError('NOT_FOUND', '该员工不存在或已更换单位');
        if (profile.unitStatus !== 'pending') throw new AppError('EMPLOYEE_ALREADY_REVIEWED', `该员工已审核（${EMPLOYEE_STATUS_LABELS[profile.unitStatus]}）`);
        const approve = input.decision === 'approve';
        const reason = input.decision === 'reject' ? input.reason : null;
        await unitsRepo.updateIndividual(tx, userId, {
          unitStatus: approve ? 'approved' : 'rejected',
          unitDecidedBy: a.userId,
          unitDecidedAt: clock.now(),
          unitRejectReason: reason,
        });
        if (approve) await unitsRepo.addMember(tx, userId, org.organisationId);
        await recordAudit(tx, {
          actorUserId: a.userId,
          action: approve ? 'organisation.member_approved' : 'organisation.member_rejected',
          targetType: 'user',
          targetId: userId,
          organisationId: org.organisationId,
          before: { unitStatus: 'pending' },
          after: approve ? { unitStatus: 'approved', role: 'member' } : { unitStatus: 'rejected' },
          reason,
          ip,
        });
        const sent = await messages.send(
          approve
            ? { userId, title: '单位已确认您的员工身份', body: `${org.fullName} 已确认您为本单位员工。`, link: '/account', category: 'mall' }
            : {
                userId,
                title: '单位未确认您的员工身份',
                body: `${org.fullName} 未确认您为本单位员工：${reason}。如所在单位填写有误，请在 个人信息 中修改。`,
                link: '/account',
                category: 'mall',
              },
          tx,
        );
        return sent.push;
      });
      await runPushes([push]);
      const [view] = (await this.listEmployees(a, input.decision === 'approve' ? 'approved' : 'rejected')).filter((e) => e.userId === userId);
      return view!;
    },

    /** 成员: the people who may act for the unit acted for, with their roles (owner and admins). */
    async listMembers(actor: Actor | null): Promise<OrganisationMemberView[]> {
      const org = authorizeActing(actor, 'members.view', ['unit', 'enterprise', 'provider', 'merchant', 'government', 'budget_unit']);
      const rows = await unitsRepo.membersOf(db, org.organisationId);
      return rows.map((r) => ({ ...r, roleLabel: MEMBER_ROLE_LABELS[r.role] }));
    },

    /**
     * Gives an approved member another role (admin, finance or member). The owner's role and one's
     * own are not changed here; an audit row records the change. Errors: FORBIDDEN, NOT_FOUND, VALIDATION.
     */
    async setMemberRole(actor: Actor | null, userId: string, raw: unknown, ip?: string): Promise<MemberRoleChangeView> {
      const a = requireActor(actor);
      const org = authorizeActing(a, 'members.set_role');
      const input = parseInput(SetMemberRoleInput, raw);
      if (!z.uuid().safeParse(userId).success) throw new AppError('NOT_FOUND', '该成员不存在');
      if (userId === a.userId) throw new AppError('FORBIDDEN', '不能修改自己的角色', { role: '不能修改自己的角色' });
      return db.transaction(async (tx) => {
        const m = await unitsRepo.lockMembership(tx, userId, org.organisationId);
        if (!m) throw new AppError('NOT_FOUND', '该成员不存在');
        if (m.role === 'owner') throw new AppError('FORBIDDEN', '负责人的角色不能修改', { role: '负责人的角色不能修改' });
        if (m.role !== input.role) {
          await unitsRepo.setMemberRole(tx, userId, org.organisationId, input.role);
          await recordAudit(tx, {
            actorUserId: a.userId,
            action: 'organisation.member_role_changed',
            targetType: 'user',
            targetId: userId,
            organisationId: org.organisationId,
            before: { role: m.role },
            after: { role: input.role },
            ip,
          });
        }
        return { userId, role: input.role, roleLabel: MEMBER_ROLE_LABELS[input.role] };
      });
    },

    buyerContext,

    /**
     * The unit a user's purchase counts for right now: an individual's current unit, or the unit a
     * unit account administers; null when neither. The orders code calls it (with its transaction)
     * when an order is created and stores the answer on the order, so a later change of unit leaves
     * past orders where they were.
     */
    async currentUnitOf(userId: string, q: DbOrTx = db): Promise<string | null> {
      return (await buyerContext(userId, q)).unitId;
    },
  };
}
