import { and, asc, eq, ilike, inArray, ne, or, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Db, DbOrTx } from '../../db/client';
import { individualProfiles, memberships, organisations, sessions, unitAttributeGroups, unitProfiles, users } from '../../db/schema';
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

const like = (q: string) => `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
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
    (groupCache ??= db
      .select()
      .from(unitAttributeGroups)
      .orderBy(asc(unitAttributeGroups.sort), asc(unitAttributeGroups.code))
      .then((rows) => rows)
      .catch((e: unknown) => {
        groupCache = undefined;
        throw e;
      }));

  /** An active unit organisation, read in `q` (inside a transaction: the caller's tx). */
  async function activeUnit(q: DbOrTx, id: string) {
    if (!z.uuid().safeParse(id).success) return undefined;
    const [org] = await q
      .select({ id: organisations.id, fullName: organisations.fullName })
      .from(organisations)
      .where(and(eq(organisations.id, id), eq(organisations.kind, 'unit'), eq(organisations.status, 'active')));
    return org;
  }

  async function buyerContext(userId: string, q: DbOrTx = db): Promise<BuyerContext> {
    const [ind] = await q
      .select({ unitId: individualProfiles.unitId, unitName: organisations.fullName })
      .from(individualProfiles)
      .leftJoin(organisations, eq(organisations.id, individualProfiles.unitId))
      .where(eq(individualProfiles.userId, userId));
    if (ind) return { kind: 'individual', unitId: ind.unitId, unitName: ind.unitName };
    const [own] = await q
      .select({ id: organisations.id, fullName: organisations.fullName })
      .from(memberships)
      .innerJoin(organisations, eq(organisations.id, memberships.organisationId))
      .where(and(eq(memberships.userId, userId), eq(organisations.kind, 'unit'), inArray(memberships.role, ['owner', 'admin'])))
      .orderBy(asc(memberships.createdAt))
      .limit(1);
    return own ? { kind: 'unit', unitId: own.id, unitName: own.fullName } : { kind: null, unitId: null, unitName: null };
  }

  /** Tells the unit's owner and admins (inside `tx`); returns the pushes to run after commit. */
  async function notifyUnitAdmins(tx: DbOrTx, unitId: string, msg: { title: string; body: string; link: string }) {
    const admins = await tx
      .select({ userId: memberships.userId })
      .from(memberships)
      .where(and(eq(memberships.organisationId, unitId), inArray(memberships.role, ['owner', 'admin'])));
    const pushes: (() => Promise<void>)[] = [];
    for (const m of admins) pushes.push((await messages.send({ ...msg, userId: m.userId, category: 'mall' }, tx)).push);
    return pushes;
  }

  const runPushes = async (pushes: (() => Promise<void>)[]) => {
    for (const push of pushes) await push().catch((e: unknown) => console.warn(`units: a site message was saved but not pushed: ${(e as Error).message}`));
  };

  const maskMobile = (m: string) => (m.length >= 7 ? `${m.slice(0, 3)}****${m.slice(-4)}` : m);

  async function individualView(userId: string) {
    const [row] = await db
      .select({
        userId: users.id,
        username: users.username,
        mobile: users.mobile,
        realName: individualProfiles.realName,
        regionCode: individualProfiles.regionCode,
        note: individualProfiles.note,
        unitId: individualProfiles.unitId,
        unitName: organisations.fullName,
        unitStatus: individualProfiles.unitStatus,
        unitRejectReason: individualProfiles.unitRejectReason,
        updatedAt: individualProfiles.updatedAt,
      })
      .from(individualProfiles)
      .innerJoin(users, eq(users.id, individualProfiles.userId))
      .leftJoin(organisations, eq(organisations.id, individualProfiles.unitId))
      .where(eq(individualProfiles.userId, userId));
    if (!row) throw new AppError('NOT_FOUND', '个人资料不存在');
    const { unitId, unitName, unitStatus, unitRejectReason, ...rest } = row;
    return {
      ...rest,
      regionName: regionName(row.regionCode),
      unit: unitId
        ? { id: unitId, fullName: unitName ?? '', status: unitStatus, statusLabel: EMPLOYEE_STATUS_LABELS[unitStatus], rejectReason: unitStatus === 'rejected' ? unitRejectReason : null }
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
          const [org] = await db
            .select({ id: organisations.id })
            .from(organisations)
            .where(and(eq(organisations.kind, 'unit'), eq(organisations.uscc, input.uscc)));
          return org ? [{ code: 'ORGANISATION_EXISTS', field: 'uscc', message: '该统一社会信用代码已注册为单位用户；单位职工请注册个人用户并选择本单位' }] : [];
        },
        create: async (tx, user) => {
          const [org] = await tx
            .insert(organisations)
            .values({ kind: 'unit', fullName: input.unitName, uscc: input.uscc, regionCode: input.regionCode })
            .returning({ id: organisations.id });
          await tx.insert(unitProfiles).values({
            organisationId: org!.id,
            attributeKind: input.attributeKind,
            attributeGroupCode: groupCode,
            regionCode: input.regionCode,
            searchVector: searchVector({ a: input.unitName }),
          });
          await tx.insert(memberships).values({ userId: user.id, organisationId: org!.id, role: 'owner' });
          return {
            value: org!.id,
            organisationId: org!.id,
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
      const contains = ilike(organisations.fullName, like(q));
      const matches = tsq ? sql`${unitProfiles.searchVector} @@ to_tsquery('simple', ${tsq})` : undefined;
      const rows = await db
        .select({
          id: organisations.id,
          fullName: organisations.fullName,
          regionCode: organisations.regionCode,
          attributeKind: unitProfiles.attributeKind,
          groupName: unitAttributeGroups.name,
        })
        .from(organisations)
        .leftJoin(unitProfiles, eq(unitProfiles.organisationId, organisations.id))
        .leftJoin(unitAttributeGroups, eq(unitAttributeGroups.code, unitProfiles.attributeGroupCode))
        .where(and(eq(organisations.kind, 'unit'), eq(organisations.status, 'active'), matches ? or(matches, contains) : contains))
        .orderBy(
          sql`(${organisations.fullName} = ${q}) desc`,
          sql`(position(${q} in ${organisations.fullName}) > 0) desc`,
          ...(matches ? [sql`coalesce(ts_rank(${unitProfiles.searchVector}, to_tsquery('simple', ${tsq})), 0) desc`] : []),
          sql`char_length(${organisations.fullName})`,
          asc(organisations.fullName),
        )
        .limit(10);
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
          await tx.update(users).set({ displayName: input.realName }).where(eq(users.id, user.id));
          await tx.insert(individualProfiles).values({
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
    async getUnit(actor: Actor | null) {
      const m = authorizeActing(actor, 'organisation.view', ['unit']);
      const [row] = await db
        .select({
          id: organisations.id,
          fullName: organisations.fullName,
          uscc: organisations.uscc,
          regionCode: organisations.regionCode,
          status: organisations.status,
          createdAt: organisations.createdAt,
          attributeKind: unitProfiles.attributeKind,
          attributeGroupCode: unitProfiles.attributeGroupCode,
          groupName: unitAttributeGroups.name,
          memberCount: sql<number>`(select count(*)::int from ${memberships} mm where mm.organisation_id = ${organisations.id} and mm.role = 'member')`,
        })
        .from(organisations)
        .leftJoin(unitProfiles, eq(unitProfiles.organisationId, organisations.id))
        .leftJoin(unitAttributeGroups, eq(unitAttributeGroups.code, unitProfiles.attributeGroupCode))
        .where(eq(organisations.id, m.organisationId));
      if (!row) throw new AppError('NOT_FOUND', '单位不存在');
      return {
        ...row,
        regionName: regionName(row.regionCode),
        attributeLabel: row.attributeKind ? UNIT_ATTRIBUTE_LABELS[row.attributeKind] : null,
        role: m.role,
      };
    },

    /** The caller's individual profile (个人信息). NOT_FOUND for accounts that are not individuals. */
    async getIndividual(actor: Actor | null) {
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
        const [other] = await db.select({ id: users.id }).from(users).where(sql`lower(${users.username}) = lower(${input.username})`);
        if (other && other.id !== a.userId) throw new AppError('USERNAME_TAKEN', '该用户名已被注册', { username: '该用户名已被注册' });
      }
      const pushes = await db
        .transaction(async (tx) => {
          const [profile] = await tx.select().from(individualProfiles).where(eq(individualProfiles.userId, a.userId)).for('update');
          if (!profile) throw new AppError('NOT_FOUND', '个人资料不存在');
          let unitId = profile.unitId;
          let employment: Partial<typeof individualProfiles.$inferInsert> = {};
          let notices: (() => Promise<void>)[] = [];
          if (input.unitId && input.unitId !== profile.unitId) {
            const unit = await activeUnit(tx, input.unitId);
            if (!unit) throw new AppError('VALIDATION', UNIT_NOT_FOUND, { unitId: UNIT_NOT_FOUND });
            if (profile.unitId) {
              await tx
                .delete(memberships)
                .where(and(eq(memberships.userId, a.userId), eq(memberships.organisationId, profile.unitId), ne(memberships.role, 'owner')));
              // Sessions acting for the old unit act for nobody (the next request picks another membership, if any).
              await tx.update(sessions).set({ activeOrganisationId: null }).where(and(eq(sessions.userId, a.userId), eq(sessions.activeOrganisationId, profile.unitId)));
            }
            employment = { unitStatus: 'pending', unitDecidedBy: null, unitDecidedAt: null, unitRejectReason: null };
            notices = await notifyUnitAdmins(tx, unit.id, {
              title: '新的员工待审核',
              body: `${input.realName ?? profile.realName} 将所在单位改为本单位，请在 交易管理 › 员工审核 中确认是否为本单位员工。`,
              link: '/mall/unit/employees',
            });
            unitId = unit.id;
          }
          await tx
            .update(individualProfiles)
            .set({
              realName: input.realName ?? profile.realName,
              regionCode: input.regionCode ?? profile.regionCode,
              note: input.note === undefined ? profile.note : input.note || null,
              unitId,
              ...employment,
              updatedAt: clock.now(),
            })
            .where(eq(individualProfiles.userId, a.userId));
          if (input.username || input.realName) {
            await tx
              .update(users)
              .set({ ...(input.username ? { username: input.username } : {}), ...(input.realName ? { displayName: input.realName } : {}) })
              .where(eq(users.id, a.userId));
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
    async listEmployees(actor: Actor | null, status: EmployeeStatus = 'pending') {
      const org = authorizeActing(actor, 'members.view', ['unit']);
      if (!(status in EMPLOYEE_STATUS_LABELS)) throw new AppError('VALIDATION', '未知的审核状态', { status: '未知的审核状态' });
      const rows = await db
        .select({
          userId: users.id,
          username: users.username,
          mobile: users.mobile,
          realName: individualProfiles.realName,
          regionCode: individualProfiles.regionCode,
          note: individualProfiles.note,
          status: individualProfiles.unitStatus,
          rejectReason: individualProfiles.unitRejectReason,
          decidedAt: individualProfiles.unitDecidedAt,
          updatedAt: individualProfiles.updatedAt,
        })
        .from(individualProfiles)
        .innerJoin(users, eq(users.id, individualProfiles.userId))
        .where(and(eq(individualProfiles.unitId, org.organisationId), eq(individualProfiles.unitStatus, status)))
        .orderBy(asc(individualProfiles.updatedAt), asc(users.id))
        .limit(500);
      return rows.map(({ mobile, ...r }) => ({ ...r, mobile: maskMobile(mobile), regionName: regionName(r.regionCode), statusLabel: EMPLOYEE_STATUS_LABELS[r.status] }));
    },

    /**
     * Approves (a 'member' membership: the employee may act for the unit as the role allows) or
     * rejects a pending employee of the unit acted for; the employee is told by site message and an
     * audit row is written in the same transaction. The profile is locked, so two admins deciding at
     * once (or the employee changing unit meanwhile) end with one decision and a CONFLICT.
     * Errors: FORBIDDEN (not the unit's owner or admin), NOT_FOUND (not an employee of this unit),
     * CONFLICT (already decided), VALIDATION.
     */
    async decideEmployee(actor: Actor | null, userId: string, raw: unknown, ip?: string) {
      const a = requireActor(actor);
      const org = authorizeActing(a, 'members.approve', ['unit']);
      const input = parseInput(DecideEmployeeInput, raw);
      if (!z.uuid().safeParse(userId).success) throw new AppError('NOT_FOUND', '该员工不存在');
      const push = await db.transaction(async (tx) => {
        const [profile] = await tx.select().from(individualProfiles).where(eq(individualProfiles.userId, userId)).for('update');
        if (!profile || profile.unitId !== org.organisationId) throw new AppError('NOT_FOUND', '该员工不存在或已更换单位');
        if (profile.unitStatus !== 'pending') throw new AppError('CONFLICT', `该员工已审核（${EMPLOYEE_STATUS_LABELS[profile.unitStatus]}）`);
        const approve = input.decision === 'approve';
        const reason = input.decision === 'reject' ? input.reason : null;
        await tx
          .update(individualProfiles)
          .set({ unitStatus: approve ? 'approved' : 'rejected', unitDecidedBy: a.userId, unitDecidedAt: clock.now(), unitRejectReason: reason })
          .where(eq(individualProfiles.userId, userId));
        if (approve) await tx.insert(memberships).values({ userId, organisationId: org.organisationId, role: 'member' }).onConflictDoNothing();
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
    async listMembers(actor: Actor | null) {
      const org = authorizeActing(actor, 'members.view', ['unit', 'enterprise', 'provider', 'merchant', 'government', 'budget_unit']);
      const rows = await db
        .select({ userId: users.id, username: users.username, displayName: users.displayName, role: memberships.role, createdAt: memberships.createdAt })
        .from(memberships)
        .innerJoin(users, eq(users.id, memberships.userId))
        .where(eq(memberships.organisationId, org.organisationId))
        .orderBy(asc(memberships.createdAt), asc(users.id));
      return rows.map((r) => ({ ...r, roleLabel: MEMBER_ROLE_LABELS[r.role] }));
    },

    /**
     * Gives an approved member another role (admin, finance or member). The owner's role and one's
     * own are not changed here; an audit row records the change. Errors: FORBIDDEN, NOT_FOUND, VALIDATION.
     */
    async setMemberRole(actor: Actor | null, userId: string, raw: unknown, ip?: string) {
      const a = requireActor(actor);
      const org = authorizeActing(a, 'members.set_role');
      const input = parseInput(SetMemberRoleInput, raw);
      if (!z.uuid().safeParse(userId).success) throw new AppError('NOT_FOUND', '该成员不存在');
      if (userId === a.userId) throw new AppError('FORBIDDEN', '不能修改自己的角色', { role: '不能修改自己的角色' });
      return db.transaction(async (tx) => {
        const [m] = await tx
          .select()
          .from(memberships)
          .where(and(eq(memberships.userId, userId), eq(memberships.organisationId, org.organisationId)))
          .for('update');
        if (!m) throw new AppError('NOT_FOUND', '该成员不存在');
        if (m.role === 'owner') throw new AppError('FORBIDDEN', '负责人的角色不能修改', { role: '负责人的角色不能修改' });
        if (m.role !== input.role) {
          await tx.update(memberships).set({ role: input.role }).where(and(eq(memberships.userId, userId), eq(memberships.organisationId, org.organisationId)));
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

export type UnitService = ReturnType<typeof createUnitService>;
