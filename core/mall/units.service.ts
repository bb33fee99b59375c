import { and, asc, eq, ilike, inArray, or, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Db, DbOrTx } from '../../db/client';
import { individualProfiles, memberships, organisations, sessions, unitAttributeGroups, unitProfiles, users } from '../../db/schema';
import type { AccountService, RequestContext, SessionResult } from '../accounts/accounts.service';
import { requireActor, requireOrganisation, type Actor } from '../shared/actor';
import { AppError } from '../shared/app-error';
import type { Clock } from '../shared/clock';
import { regionName } from '../shared/regions';
import { searchQuery, searchVector } from '../shared/search-text';
import { parseInput } from '../shared/validate';
import { checkUnitAttribute } from './units.rules';
import {
  RegisterIndividualInput,
  RegisterUnitInput,
  UNIT_ATTRIBUTE_KINDS,
  UNIT_ATTRIBUTE_LABELS,
  UnitSearchQuery,
  UpdateIndividualInput,
  type UnitAttributeKind,
  type UnitAttributeOption,
  type UnitSearchResult,
} from './units.schema';

export interface UnitDeps {
  db: Db;
  clock: Clock;
  accounts: AccountService;
}

/** Who a buyer is for the mall: an individual (with the unit they belong to now) or a unit's own account. */
export interface BuyerContext {
  kind: 'individual' | 'unit' | null;
  unitId: string | null;
}

const like = (q: string) => `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
const UNIT_NOT_FOUND = '所选单位不存在或已停用；查找不到的，请先进行单位注册';

/**
 * 单位用户 and 个人用户 of the consumption-assistance mall (manual 000, 一): units register on the
 * desktop with their attribute (kind + second-level group), USCC and region; employees register on
 * the phone and choose their unit from a lookup, so their purchases count for it. Registration goes
 * through accounts.createAccount (SMS code, password, uniqueness, session).
 */
export function createUnitService({ db, clock, accounts }: UnitDeps) {
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
    const [ind] = await q.select({ unitId: individualProfiles.unitId }).from(individualProfiles).where(eq(individualProfiles.userId, userId));
    if (ind) return { kind: 'individual', unitId: ind.unitId };
    const [own] = await q
      .select({ id: organisations.id })
      .from(memberships)
      .innerJoin(organisations, eq(organisations.id, memberships.organisationId))
      .where(and(eq(memberships.userId, userId), eq(organisations.kind, 'unit'), inArray(memberships.role, ['owner', 'admin'])))
      .orderBy(asc(memberships.createdAt))
      .limit(1);
    return own ? { kind: 'unit', unitId: own.id } : { kind: null, unitId: null };
  }

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
        updatedAt: individualProfiles.updatedAt,
      })
      .from(individualProfiles)
      .innerJoin(users, eq(users.id, individualProfiles.userId))
      .leftJoin(organisations, eq(organisations.id, individualProfiles.unitId))
      .where(eq(individualProfiles.userId, userId));
    if (!row) throw new AppError('NOT_FOUND', '个人资料不存在');
    const { unitId, unitName, ...rest } = row;
    return { ...rest, regionName: regionName(row.regionCode), unit: unitId ? { id: unitId, fullName: unitName ?? '' } : null };
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
     * 个人用户注册 (phone first): the user, the individual profile (real name, region, unit) and a
     * 'member' membership of the chosen unit, then signs in. The unit must be an active unit found by
     * searchUnits; otherwise the unitId field says to register the unit first.
     * Errors: VALIDATION, USERNAME_TAKEN, MOBILE_TAKEN, CODE_INVALID, RATE_LIMITED.
     */
    async registerIndividual(raw: unknown, ctx: RequestContext, kind: 'cookie' | 'bearer' = 'cookie'): Promise<SessionResult> {
      const input = parseInput(RegisterIndividualInput, raw);
      if (!(await activeUnit(db, input.unitId))) throw new AppError('VALIDATION', UNIT_NOT_FOUND, { unitId: UNIT_NOT_FOUND });
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
            note: input.note ?? null,
            updatedAt: clock.now(),
          });
          await tx.insert(memberships).values({ userId: user.id, organisationId: unit.id, role: 'member' });
          return {
            value: null,
            organisationId: unit.id,
            welcome: {
              title: '欢迎加入消费帮扶馆',
              body: `您已注册为 ${unit.fullName} 的个人用户，您的采购将计入本单位的消费帮扶统计。`,
              link: '/account',
            },
          };
        },
      });
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
      const a = requireActor(actor);
      const m = requireOrganisation(a, ['unit']);
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
     * 个人信息修改: username, real name, region, note and unit. Changing the unit leaves the old
     * unit (its 'member' membership) and joins the new one as member, in one transaction; orders made
     * before keep the unit they were attributed to. Errors: NOT_FOUND (not an individual), VALIDATION,
     * USERNAME_TAKEN.
     */
    async updateIndividual(actor: Actor | null, raw: unknown) {
      const a = requireActor(actor);
      const input = parseInput(UpdateIndividualInput, raw);
      if (input.username) {
        const [other] = await db.select({ id: users.id }).from(users).where(sql`lower(${users.username}) = lower(${input.username})`);
        if (other && other.id !== a.userId) throw new AppError('USERNAME_TAKEN', '该用户名已被注册', { username: '该用户名已被注册' });
      }
      await db
        .transaction(async (tx) => {
          const [profile] = await tx.select().from(individualProfiles).where(eq(individualProfiles.userId, a.userId)).for('update');
          if (!profile) throw new AppError('NOT_FOUND', '个人资料不存在');
          let unitId = profile.unitId;
          if (input.unitId && input.unitId !== profile.unitId) {
            const unit = await activeUnit(tx, input.unitId);
            if (!unit) throw new AppError('VALIDATION', UNIT_NOT_FOUND, { unitId: UNIT_NOT_FOUND });
            if (profile.unitId) {
              await tx
                .delete(memberships)
                .where(and(eq(memberships.userId, a.userId), eq(memberships.organisationId, profile.unitId), eq(memberships.role, 'member')));
            }
            await tx.insert(memberships).values({ userId: a.userId, organisationId: unit.id, role: 'member' }).onConflictDoNothing();
            // Sessions acting for the old unit now act for the new one.
            const acting = profile.unitId ? eq(sessions.activeOrganisationId, profile.unitId) : sql`${sessions.activeOrganisationId} is null`;
            await tx.update(sessions).set({ activeOrganisationId: unit.id }).where(and(eq(sessions.userId, a.userId), acting));
            unitId = unit.id;
          }
          await tx
            .update(individualProfiles)
            .set({
              realName: input.realName ?? profile.realName,
              regionCode: input.regionCode ?? profile.regionCode,
              note: input.note === undefined ? profile.note : input.note || null,
              unitId,
              updatedAt: clock.now(),
            })
            .where(eq(individualProfiles.userId, a.userId));
          if (input.username || input.realName) {
            await tx
              .update(users)
              .set({ ...(input.username ? { username: input.username } : {}), ...(input.realName ? { displayName: input.realName } : {}) })
              .where(eq(users.id, a.userId));
          }
        })
        .catch((e: unknown) => {
          const err = e as { code?: string; cause?: { code?: string } };
          if (err?.code === '23505' || err?.cause?.code === '23505') throw new AppError('USERNAME_TAKEN', '该用户名已被注册', { username: '该用户名已被注册' });
          throw e;
        });
      return individualView(a.userId);
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
