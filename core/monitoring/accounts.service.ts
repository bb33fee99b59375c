import { randomBytes } from 'node:crypto';
import type { Tx } from '../../db/client';
import { recordAudit } from '../audit/audit';
import { maskMobile, type RequestContext } from '../accounts/accounts.service';
import type { MemberRole } from '../shared/actor';
import { requireActor, requireOperator, type Actor } from '../shared/actor';
import { AppError } from '../shared/app-error';
import { pageOffset } from '../shared/paging';
import { parseInput } from '../shared/validate';
import {
  CreateAccountBody,
  CreateChannelInput,
  CreateCityInput,
  CreateDepartmentInput,
  CreatePersonInput,
  CreateSubAccountInput,
  guangdongCityName,
  ListAccountsQuery,
  RegisterEnterpriseInput,
  RegisterExistingInput,
  type MonitoringAccountRow,
  type MonitoringMe,
} from './accounts.schema';
import { accountsRepo as repo } from './accounts.repo';
import { actingMonitor, isDepartment, isParentChannel, type ActingMonitor } from './monitoring.acting';
import type { MonitoringDeps } from './monitoring.deps';
import { MONITORING_ROLE_LABELS, SUB_ACCOUNT_KIND, UNIT_KIND_LABELS, type MonitoringRole, type MonitoringUnitKind } from './monitoring.schema';

const MOBILE_TAKEN = '该手机号已开通监测账号';
const mobileTaken = () => new AppError('MONITORING_MOBILE_TAKEN', MOBILE_TAKEN, { mobile: MOBILE_TAKEN });
/** The organisations-context role that goes with a monitoring part. */
const MEMBERSHIP_ROLE: Record<MonitoringRole, MemberRole> = { admin: 'admin', auditor: 'member', reporter: 'owner' };

/** A mobile taken by a concurrent opening (the users' or the members' unique index) is the same refusal as one taken before. */
function mapTaken(e: unknown): unknown {
  if (e instanceof AppError) return e.code === 'MOBILE_TAKEN' ? mobileTaken() : e;
  const err = e as { code?: string; cause?: { code?: string } };
  const code = err?.code ?? err?.cause?.code;
  return code === '23505' ? mobileTaken() : e;
}

/**
 * Monitoring accounts (账号管理): departments, their administrators and auditors, the reporting channels
 * a city opens (markets, chains, e-commerce platforms), the sub-accounts a market or chain opens
 * (wholesalers, stores), and enterprises that register themselves. One mobile, one account.
 */
export function createMonitoringAccountService(deps: MonitoringDeps) {
  const { db, accounts, organisations } = deps;
  const roleLabel = (kind: MonitoringUnitKind, role: MonitoringRole) => (role === 'reporter' ? UNIT_KIND_LABELS[kind] : MONITORING_ROLE_LABELS[role]);
  const sms = (unitName: string, identity: string) => () =>
    `【帮扶】您已开通消费扶贫监测账号（${unitName}，${identity}），请用本手机号和短信验证码登录：${deps.publicOrigin()}/login?mode=sms`;

  /** Opens (or joins) the person's platform account in the organisation and makes it their one monitoring account. */
  async function addPerson(
    tx: Tx,
    by: string | null,
    at: { organisationId: string; unitName: string; kind: MonitoringUnitKind },
    role: MonitoringRole,
    person: { contactName: string; mobile: string },
  ) {
    const [answer] = await accounts.generateAccounts(tx, [
      {
        organisationId: at.organisationId,
        role: MEMBERSHIP_ROLE[role],
        mobile: person.mobile,
        displayName: person.contactName,
        sms: sms(at.unitName, roleLabel(at.kind, role)),
      },
    ]);
    const added = await repo.insertMember(tx, {
      userId: answer!.userId,
      organisationId: at.organisationId,
      role,
      contactName: person.contactName,
      createdBy: by,
    });
    if (!added.length) throw mobileTaken();
    return answer!.userId;
  }

  /** A new organisation, its monitoring unit and its first account, audited. */
  async function openUnit(
    tx: Tx,
    by: string,
    unit: {
      kind: MonitoringUnitKind;
      name: string;
      parentId: string | null;
      departmentId: string | null;
      cityCode: string | null;
      contactName: string;
      mobile: string;
      role: MonitoringRole;
    },
  ) {
    const org = await organisations.create(tx, {
      kind: unit.kind === 'province' || unit.kind === 'city' ? 'government' : 'enterprise',
      fullName: unit.name,
      uscc: null,
      regionCode: unit.cityCode,
    });
    await repo.insertUnit(tx, {
      organisationId: org.id,
      kind: unit.kind,
      parentId: unit.parentId,
      departmentId: unit.departmentId,
      cityCode: unit.cityCode,
      contactName: unit.contactName,
      contactMobile: unit.mobile,
      createdBy: by,
    });
    const userId = await addPerson(tx, by, { organisationId: org.id, unitName: unit.name, kind: unit.kind }, unit.role, unit);
    await recordAudit(tx, {
      actorUserId: by,
      action: 'monitoring.unit_opened',
      targetType: 'monitoring_unit',
      targetId: org.id,
      organisationId: unit.parentId ?? org.id,
      after: { kind: unit.kind, name: unit.name, cityCode: unit.cityCode, contactName: unit.contactName, mobile: maskMobile(unit.mobile), userId },
    });
    return { organisationId: org.id, userId, name: unit.name, kind: unit.kind };
  }

  const inTx = <T>(fn: (tx: Tx) => Promise<T>) =>
    db.transaction(fn).catch((e: unknown) => {
      throw mapTaken(e);
    });

  /** The acting department administrator (province or city). */
  async function departmentAdmin(actor: Actor | null) {
    const m = await actingMonitor(db, actor, ['admin']);
    if (!isDepartment(m)) throw new AppError('MONITORING_ROLE_REQUIRED', '只有扶贫部门的管理员可以进行此操作');
    return m;
  }

  const service = {
    /**
     * Who the signed-in person is in monitoring and what they may do; null when not signed in or without a
     * monitoring account. `switchTo` names the unit when the active organisation is another one.
     */
    async me(actor: Actor | null): Promise<MonitoringMe | null> {
      if (!actor) return null;
      const row = await repo.findMe(db, actor.userId);
      if (!row) return null;
      const department = row.kind === 'province' || row.kind === 'city';
      const channel = row.kind === 'market' || row.kind === 'chain';
      const staff = department && (row.role === 'admin' || row.role === 'auditor');
      const switchTo = actor.organisation?.organisationId === row.organisationId ? null : row.unitName;
      return {
        userId: row.userId,
        organisationId: row.organisationId,
        unitName: row.unitName,
        kind: row.kind,
        kindLabel: UNIT_KIND_LABELS[row.kind],
        role: row.role,
        roleLabel: department ? MONITORING_ROLE_LABELS[row.role] : '填报账号',
        cityCode: row.cityCode,
        cityName: guangdongCityName(row.cityCode),
        departmentId: row.departmentId,
        departmentName: row.departmentName,
        parentName: row.parentName,
        switchTo,
        can: {
          manageAccounts: (department && row.role === 'admin') || (channel && row.role === 'reporter'),
          review: staff || (channel && row.role === 'reporter'),
          report: !department && row.role === 'reporter',
          rollup: staff || (channel && row.role === 'reporter'),
          settings: row.kind === 'province' && row.role === 'admin',
        },
      };
    },

    /** Operators open the province's department and its first administrator (one province). */
    async createDepartment(actor: Actor | null, raw: unknown) {
      const op = requireOperator(actor);
      const input = parseInput(CreateDepartmentInput, raw);
      return inTx(async (tx) => {
        await repo.lockDepartments(tx);
        if ((await repo.findUnitsOfKind(tx, 'province')).length)
          throw new AppError('CONFLICT', '省级扶贫部门已开通', { name: '省级扶贫部门已开通，请由其管理员开通各市' });
        return openUnit(tx, op.userId, { ...input, kind: 'province', parentId: null, departmentId: null, cityCode: null, role: 'admin' });
      });
    },

    /** The province's administrator opens a prefecture city's department (one per city) and its administrator. */
    async createCity(actor: Actor | null, raw: unknown) {
      const m = await departmentAdmin(actor);
      if (m.unit.kind !== 'province') throw new AppError('MONITORING_ROLE_REQUIRED', '只有省级扶贫部门的管理员可以开通地级市');
      const input = parseInput(CreateCityInput, raw);
      return inTx(async (tx) => {
        await repo.lockDepartments(tx);
        if ((await repo.findUnitsOfKind(tx, 'city', input.cityCode)).length)
          throw new AppError('CONFLICT', '该市扶贫部门已开通', { cityCode: `${guangdongCityName(input.cityCode)}扶贫部门已开通` });
        const provinceId = m.unit.organisationId;
        return openUnit(tx, m.actor.userId, {
          kind: 'city',
          name: input.name,
          contactName: input.contactName,
          mobile: input.mobile,
          parentId: provinceId,
          departmentId: provinceId,
          cityCode: input.cityCode,
          role: 'admin',
        });
      });
    },

    /** A department's administrator adds an auditor (审核员) or another administrator to the department. */
    async createAuditor(actor: Actor | null, raw: unknown, role: 'auditor' | 'admin' = 'auditor') {
      const m = await departmentAdmin(actor);
      const input = parseInput(CreatePersonInput, raw);
      return inTx(async (tx) => {
        const at = { organisationId: m.unit.organisationId, unitName: m.unit.fullName, kind: m.unit.kind };
        const userId = await addPerson(tx, m.actor.userId, at, role, input);
        await recordAudit(tx, {
          actorUserId: m.actor.userId,
          action: role === 'admin' ? 'monitoring.admin_added' : 'monitoring.auditor_added',
          targetType: 'user',
          targetId: userId,
          organisationId: m.unit.organisationId,
          after: { contactName: input.contactName, mobile: maskMobile(input.mobile), role },
        });
        return { userId, organisationId: m.unit.organisationId, role };
      });
    },

    createAdmin: (actor: Actor | null, raw: unknown) => service.createAuditor(actor, raw, 'admin'),

    /**
     * A city's administrator opens a market, chain or e-commerce platform in its city; the province's
     * administrator opens one listed directly under the province (单列: no city, the province reviews).
     */
    async createChannel(actor: Actor | null, raw: unknown) {
      const m = await departmentAdmin(actor);
      const input = parseInput(CreateChannelInput, raw);
      const dept = m.unit.organisationId;
      return inTx((tx) =>
        openUnit(tx, m.actor.userId, {
          ...input,
          parentId: dept,
          departmentId: dept,
          cityCode: m.unit.kind === 'city' ? m.unit.cityCode : null,
          role: 'reporter',
        }),
      );
    },

    /** A market opens a wholesaler (批发商), a chain a store (门店): reviewed first by it, then by its department. */
    async createSubAccount(actor: Actor | null, raw: unknown) {
      const m = await actingMonitor(db, actor, ['reporter']);
      if (!isParentChannel(m)) throw new AppError('MONITORING_ROLE_REQUIRED', '只有批发市场或连锁商超的账号可以开通批发商、门店');
      const input = parseInput(CreateSubAccountInput, raw);
      const kind = SUB_ACCOUNT_KIND[m.unit.kind as 'market' | 'chain'];
      return inTx((tx) =>
        openUnit(tx, m.actor.userId, {
          ...input,
          kind,
          parentId: m.unit.organisationId,
          departmentId: m.unit.departmentId,
          cityCode: m.unit.cityCode,
          role: 'reporter',
        }),
      );
    },

    /** POST /monitoring/accounts: one body, the kind of account to open in `type`. */
    async createAccount(actor: Actor | null, raw: unknown) {
      const body = parseInput(CreateAccountBody, raw);
      const { type, ...rest } = body;
      if (type === 'auditor') return service.createAuditor(actor, rest);
      if (type === 'admin') return service.createAdmin(actor, rest);
      if (type === 'channel') return service.createChannel(actor, rest);
      return service.createSubAccount(actor, rest);
    },

    /**
     * 企业自行注册: a new enterprise and its account, attributed to the department of the city it is
     * registered in (按注册地归口); the mobile is proven by the registration SMS code (POST /auth/register-code)
     * and the person is signed in. A mobile already on the platform signs in and registers its organisation
     * (registerExistingOrganisation) instead.
     */
    async registerEnterprise(raw: unknown, ctx: RequestContext, kind: 'cookie' | 'bearer' = 'cookie') {
      const input = parseInput(RegisterEnterpriseInput, raw);
      const [city] = await repo.findUnitsOfKind(db, 'city', input.cityCode);
      if (!city)
        throw new AppError('VALIDATION', '该市尚未开通消费扶贫监测', {
          cityCode: `${guangdongCityName(input.cityCode)}尚未开通消费扶贫监测，请联系市扶贫部门`,
        });
      try {
        const { session, value } = await accounts.createAccount(
          {
            username: `jc${input.mobile}`,
            mobile: input.mobile,
            code: input.code,
            password: randomBytes(24).toString('base64url'),
            agreeTerms: input.agreeTerms,
          },
          ctx,
          {
            sessionKind: kind,
            auditData: { monitoring: 'enterprise', cityCode: input.cityCode },
            create: async (tx, user) => {
              const org = await organisations.createWithOwner(
                tx,
                { kind: 'enterprise', fullName: input.name, uscc: null, regionCode: input.cityCode },
                user.id,
              );
              await repo.insertUnit(tx, {
                organisationId: org.id,
                kind: 'enterprise',
                parentId: city.organisationId,
                departmentId: city.organisationId,
                cityCode: input.cityCode,
                contactName: input.contactName,
                contactMobile: input.mobile,
                createdBy: user.id,
              });
              if (
                !(
                  await repo.insertMember(tx, { userId: user.id, organisationId: org.id, role: 'reporter', contactName: input.contactName, createdBy: user.id })
                ).length
              )
                throw mobileTaken();
              await recordAudit(tx, {
                actorUserId: user.id,
                action: 'monitoring.enterprise_registered',
                targetType: 'monitoring_unit',
                targetId: org.id,
                organisationId: city.organisationId,
                after: { name: input.name, cityCode: input.cityCode, contactName: input.contactName },
              });
              return {
                value: { organisationId: org.id, userId: user.id },
                organisationId: org.id,
                welcome: {
                  title: '消费扶贫监测账号已开通',
                  body: `${input.name} 的监测账号已开通，可以登记购销信息。以后请用本手机号和短信验证码登录。`,
                  link: '/monitoring',
                },
              };
            },
          },
        );
        return { session, ...value };
      } catch (e) {
        if (e instanceof AppError && e.code === 'MOBILE_TAKEN')
          throw new AppError('MOBILE_TAKEN', '该手机号已注册平台账号', { mobile: '该手机号已注册平台账号：请先登录，再在本页登记本单位' });
        throw mapTaken(e);
      }
    },

    /** A signed-in owner or administrator registers its organisation (already on the platform) as a reporting enterprise. */
    async registerExistingOrganisation(actor: Actor | null, raw: unknown) {
      const a = requireActor(actor);
      const org = a.organisation;
      if (!org || org.status !== 'active' || (org.role !== 'owner' && org.role !== 'admin') || org.kind === 'platform' || org.kind === 'government')
        throw new AppError('FORBIDDEN', '请以企业或单位的负责人、管理员身份登记');
      const input = parseInput(RegisterExistingInput, raw);
      const [city] = await repo.findUnitsOfKind(db, 'city', input.cityCode);
      if (!city)
        throw new AppError('VALIDATION', '该市尚未开通消费扶贫监测', {
          cityCode: `${guangdongCityName(input.cityCode)}尚未开通消费扶贫监测，请联系市扶贫部门`,
        });
      return inTx(async (tx) => {
        if (await repo.findUnit(tx, org.organisationId)) throw new AppError('CONFLICT', '本单位已登记为监测单位');
        const mobile = await repo.userMobile(tx, a.userId);
        await repo.insertUnit(tx, {
          organisationId: org.organisationId,
          kind: 'enterprise',
          parentId: city.organisationId,
          departmentId: city.organisationId,
          cityCode: input.cityCode,
          contactName: a.username,
          contactMobile: mobile ?? '',
          createdBy: a.userId,
        });
        if (
          !(
            await repo.insertMember(tx, {
              userId: a.userId,
              organisationId: org.organisationId,
              role: 'reporter',
              contactName: a.username,
              createdBy: a.userId,
            })
          ).length
        )
          throw new AppError('MONITORING_MOBILE_TAKEN', '您的手机号已开通监测账号（在其他单位）');
        await recordAudit(tx, {
          actorUserId: a.userId,
          action: 'monitoring.enterprise_registered',
          targetType: 'monitoring_unit',
          targetId: org.organisationId,
          organisationId: city.organisationId,
          after: { name: org.fullName, cityCode: input.cityCode, existing: true },
        });
        return { organisationId: org.organisationId, userId: a.userId };
      });
    },

    /**
     * 账号管理: what the actor manages — a department its administrators and auditors and the units it
     * reviews (the province: cities and units listed under it; a city: its channels, sub-accounts and
     * enterprises); a market or chain its sub-accounts. Auditors see the list with masked mobiles.
     */
    async listAccounts(actor: Actor | null, raw: unknown) {
      const m = await actingMonitor(db, actor);
      const query = parseInput(ListAccountsQuery, raw);
      let scope: { departmentId?: string; parentId?: string };
      if (isDepartment(m) && (m.role === 'admin' || m.role === 'auditor')) scope = { departmentId: m.unit.organisationId };
      else if (isParentChannel(m) && m.role === 'reporter') scope = { parentId: m.unit.organisationId };
      else throw new AppError('MONITORING_ROLE_REQUIRED', '您的账号不能管理账号');
      const manager = m.role !== 'auditor';
      const show = (mobile: string) => (manager ? mobile : maskMobile(mobile));
      const personKind = query.kind === 'admin' || query.kind === 'auditor';
      const people =
        isDepartment(m) && (!query.kind || personKind)
          ? await repo.listMembers(db, m.unit.organisationId, { role: personKind ? (query.kind as MonitoringRole) : undefined, q: query.q })
          : [];
      const offset = pageOffset(query);
      const pagePeople = people.slice(offset, offset + query.pageSize);
      const unitOffset = Math.max(0, offset - people.length);
      const units = await repo.listUnits(
        db,
        { ...scope, kinds: personKind ? [] : query.kind ? [query.kind as MonitoringUnitKind] : undefined },
        { q: query.q },
        { limit: personKind ? 0 : query.pageSize - pagePeople.length, offset: unitOffset },
      );
      const items: MonitoringAccountRow[] = [
        ...pagePeople.map((p) => ({
          type: 'member' as const,
          id: p.userId,
          name: m.unit.fullName,
          kind: null,
          kindLabel: MONITORING_ROLE_LABELS[p.role],
          role: p.role,
          roleLabel: MONITORING_ROLE_LABELS[p.role],
          cityName: guangdongCityName(m.unit.cityCode),
          contactName: p.contactName,
          mobile: show(p.mobile),
          createdAt: p.createdAt.toISOString(),
          records: 0,
        })),
        ...units.rows.map((u) => ({
          type: 'unit' as const,
          id: u.organisationId,
          name: u.name,
          kind: u.kind,
          kindLabel: UNIT_KIND_LABELS[u.kind],
          role: u.kind === 'city' ? ('admin' as const) : ('reporter' as const),
          roleLabel: u.kind === 'city' ? MONITORING_ROLE_LABELS.admin : '填报账号',
          cityName: guangdongCityName(u.cityCode),
          contactName: u.contactName,
          mobile: show(u.contactMobile),
          createdAt: u.createdAt.toISOString(),
          records: Number(u.records),
        })),
      ];
      return { items, total: people.length + (personKind ? 0 : units.total), page: query.page, pageSize: query.pageSize, manager };
    },

    /** What the acting person may open in 账号管理 (the page's 新建 form). */
    async creatable(actor: Actor | null) {
      const m: ActingMonitor = await actingMonitor(db, actor);
      if (isDepartment(m) && m.role === 'admin')
        return { auditor: true, admin: true, channel: true, sub: false, city: m.unit.kind === 'province', province: m.unit.kind === 'province' };
      if (isParentChannel(m) && m.role === 'reporter') return { auditor: false, admin: false, channel: false, sub: true, city: false, province: false };
      return { auditor: false, admin: false, channel: false, sub: false, city: false, province: false };
    },

    /** Operators' list of departments (province and cities) for /admin/monitoring. */
    async listDepartments(actor: Actor | null) {
      requireOperator(actor);
      const [province, cities] = await Promise.all([repo.findUnitsOfKind(db, 'province'), repo.findUnitsOfKind(db, 'city')]);
      return [...province, ...cities].map((u) => ({
        organisationId: u.organisationId,
        name: u.fullName,
        cityCode: u.cityCode,
        cityName: guangdongCityName(u.cityCode),
      }));
    },
  };
  return service;
}
export type MonitoringAccountService = ReturnType<typeof createMonitoringAccountService>;
