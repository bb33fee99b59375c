import { randomUUID } from 'node:crypto';
import type { Db, Tx } from '../../db/client';
import type { AccountService } from '../accounts/accounts.service';
import { recordAudit } from '../audit/audit';
import type { JobQueue } from '../jobs/jobs.service';
import type { OrganisationService } from '../organisations/organisations.service';
import { requireOperator, type Actor } from '../shared/actor';
import { AppError } from '../shared/app-error';
import type { Clock } from '../shared/clock';
import { xlsxFile, type ExportFile } from '../shared/export';
import { pageOffset } from '../shared/paging';
import { parseInput } from '../shared/validate';
import { createBudgetUnitImport } from './budget-units.import';
import type { BudgetUnitRow } from './budget-units.schema';
import { actingUnit, targetUnit, type ActingUnit } from './quotas.acting';
import { quotasRepo as repo, type UnitRecord } from './quotas.repo';
import { resetStaysInSubtree } from './quotas.rules';
import { ConfirmProfileInput, FiguresInput, GenerateInput, PresetInput, UnitInput, UnitListQuery, type RunView, type UnitView } from './quotas.schema';
import { reservedFen } from './statistics.machine';

/** The outbox topic of a management-account generation run (one run: one job, keyed by the run id). */
export const GENERATE_TOPIC = 'quotas.generate_accounts';
/** Units per transaction of a generation run. */
const CHUNK = 1_000;
const EXPORT_LIMIT = 50_000;

export interface BudgetUnitDeps {
  db: Db;
  clock: Clock;
  jobs: Pick<JobQueue, 'enqueue' | 'on' | 'find' | 'wake'>;
  publicOrigin: (requestOrigin?: string) => string;
  accounts: Pick<AccountService, 'generateAccounts' | 'reissueActivation' | 'activationStates' | 'usernamesOf'>;
  organisations: Pick<OrganisationService, 'upsertByUscc' | 'membershipsOf'>;
}

interface RunPayload {
  ancestorId: string;
  actorUserId: string;
  unitIds: string[];
}

const HISTORY_LABELS: Record<string, string> = {
  'quotas.unit_import': '导入更新',
  'quotas.unit_add': '手工新增',
  'quotas.unit_edit': '修改信息',
  'quotas.figures': '修改采购额和预留比例',
  'quotas.account_resend': '重发激活短信',
  'quotas.password_reset': '重置密码',
  'quotas.profile_confirmed': '确认单位信息',
  'quotas.preset_created': '创建预置部门',
  'quotas.accounts_generated': '生成管理账号',
};

const managementSms = (origin: string, unitName: string) => (a: { login: string; code: string | null }) =>
  a.code
    ? `【帮扶】${unitName}已开通预算单位管理账号。账号：${a.login}，激活码：${a.code}（7天内有效），请登录 ${origin}/activate 激活。`
    : `【帮扶】${unitName}已开通预算单位管理账号，已加入您的账号 ${a.login}，请登录 ${origin} 切换到该单位。`;

/**
 * Budget units (预算单位): the acting unit's subtree — list, search, export, detail with history, manual add
 * and edit with the sheet's rules, a superior's change of amount and ratio, management accounts
 * (generated as a job in chunks, resent, reset), the unit's own profile confirmation and "my unit".
 * Every call resolves the actor's unit and the target's depth below it in the closure table first.
 */
export function createBudgetUnitService(deps: BudgetUnitDeps) {
  const { db, clock, jobs, accounts, organisations } = deps;
  const importKind = createBudgetUnitImport({ db, organisations });

  async function views(units: UnitRecord[]): Promise<UnitView[]> {
    const userIds = units.map((u) => u.accountUserId).filter((x): x is string => !!x);
    const states = userIds.length ? await accounts.activationStates(userIds) : new Map<string, 'active' | 'pending' | 'expired'>();
    return units.map((u) => ({
      id: u.id,
      fullName: u.fullName,
      uscc: u.uscc,
      role: u.role,
      superiorId: u.superiorId,
      superiorName: u.superiorName,
      contactName: u.contactName,
      contactMobile: u.contactMobile,
      budgetLevel: u.budgetLevel,
      adminLevel: u.adminLevel,
      annualFen: u.annualFen,
      ratioBp: u.ratioBp,
      reservedFen: reservedFen(u.annualFen, u.ratioBp),
      accountState: u.accountUserId ? (states.get(u.accountUserId) ?? 'pending') : 'none',
      accountAt: u.accountAt?.toISOString() ?? null,
      confirmedAt: u.confirmedAt?.toISOString() ?? null,
    }));
  }
  const view = async (u: UnitRecord) => (await views([u]))[0]!;

  /** The sheet's rules for one row typed by hand: column checks (UnitInput), then the checks across rows. */
  async function checkOne(acting: ActingUnit, raw: unknown) {
    const input = parseInput(UnitInput, raw);
    const row: BudgetUnitRow = {
      fullName: input.fullName,
      superiorName: input.superiorName,
      uscc: input.uscc,
      contactName: input.contactName,
      mobile: input.mobile,
      budgetLevel: input.budgetLevel,
      adminLevel: input.adminLevel,
      annualFen: input.annualYuan,
      ratioBp: input.ratioPercent,
    } as BudgetUnitRow;
    const scope = { organisationId: acting.unit.id, actorUserId: acting.actor.userId, batchId: randomUUID() };
    const [verdict] = await importKind.check(db, scope, [{ row: 1, value: row }]);
    if (verdict!.status === 'error') {
      const fields = Object.fromEntries(
        verdict!.errors.map((e) => [e.column === 'annualFen' ? 'annualYuan' : e.column === 'ratioBp' ? 'ratioPercent' : e.column, e.message]),
      );
      throw new AppError('VALIDATION', verdict!.errors[0]!.message, fields);
    }
    return { row, status: verdict!.status, scope };
  }

  async function writeOne(scope: { organisationId: string; actorUserId: string; batchId: string }, row: BudgetUnitRow, action: string) {
    return db.transaction(async (tx) => {
      const written = (await importKind.write(tx, scope, [{ row: 1, value: row }]))[0]!;
      if ('errors' in written)
        throw new AppError('QUOTA_UNIT_CONFLICT', written.errors[0]!.message, Object.fromEntries(written.errors.map((e) => [e.column, e.message])));
      await recordAudit(tx, {
        actorUserId: scope.actorUserId,
        action,
        targetType: 'budget_unit',
        targetId: written.targetId,
        organisationId: scope.organisationId,
        after: row,
      });
      return written.targetId;
    });
  }

  /** One chunk of a generation run: the units still without an account, under lock, get theirs. */
  async function generateChunk(tx: Tx, payload: RunPayload, unitIds: string[]) {
    const units = await repo.lockUnitsWithoutAccount(tx, payload.ancestorId, unitIds);
    if (!units.length) return 0;
    const origin = deps.publicOrigin();
    const answers = await accounts.generateAccounts(
      tx,
      units.map((u) => ({
        organisationId: u.id,
        role: 'owner' as const,
        mobile: u.mobile,
        displayName: u.contactName,
        username: u.uscc ?? undefined,
        sms: managementSms(origin, u.fullName),
      })),
    );
    await repo.setAccounts(
      tx,
      units.map((u, i) => ({ id: u.id, userId: answers[i]!.userId })),
      clock.now(),
    );
    await recordAudit(tx, {
      actorUserId: payload.actorUserId,
      action: 'quotas.accounts_generated',
      targetType: 'budget_unit_tree',
      targetId: payload.ancestorId,
      organisationId: payload.ancestorId,
      data: { units: units.length, created: answers.filter((a) => a.created).length },
    });
    return units.length;
  }

  // A generation run: chunks of CHUNK units per transaction; at least once (a chunk already done finds no unit left).
  jobs.on(`outbox:${GENERATE_TOPIC}`, async (job) => {
    const payload = job.payload as RunPayload;
    for (let i = 0; i < payload.unitIds.length; i += CHUNK) {
      await db.transaction((tx) => generateChunk(tx, payload, payload.unitIds.slice(i, i + CHUNK)));
    }
  });

  async function runView(runId: string, ancestorId: string): Promise<RunView> {
    const job = await jobs.find(`outbox:${GENERATE_TOPIC}`, runId);
    const payload = job?.payload as RunPayload | undefined;
    if (!job || payload?.ancestorId !== ancestorId) throw new AppError('QUOTA_RUN_NOT_FOUND', '找不到该次账号生成任务');
    return {
      id: runId,
      state: job.status,
      total: payload.unitIds.length,
      done: await repo.countWithAccount(db, payload.unitIds),
      error: job.status === 'failed' ? '生成失败，请稍后重试或联系平台运营' : null,
    };
  }

  return {
    /** The import kind registered with the import engine (core/imports). */
    budgetUnitImportKind: importKind,

    /** Units strictly below the actor's unit: search by name or code, budget level, superior and account state; paged. */
    async list(actor: Actor | null, raw: unknown) {
      const acting = await actingUnit(db, actor, { manage: true });
      const q = parseInput(UnitListQuery, raw);
      const { items, total } = await repo.listUnits(db, acting.unit.id, q, { limit: q.pageSize, offset: pageOffset(q) });
      return { items: await views(items), total, page: q.page, pageSize: q.pageSize };
    },

    /** The list's filter as XLSX (at most 50,000 rows). */
    async exportXlsx(actor: Actor | null, raw: unknown): Promise<ExportFile> {
      const acting = await actingUnit(db, actor, { manage: true });
      const q = parseInput(UnitListQuery, raw);
      const rows = await views(await repo.listAllUnits(db, acting.unit.id, q, EXPORT_LIMIT));
      const label = { none: '未生成账号', pending: '待激活', active: '已激活', expired: '激活码已过期' } as const;
      return xlsxFile(`预算单位_${acting.unit.fullName}.xlsx`, [
        {
          name: '预算单位',
          columns: [
            '预算单位名称',
            '上级预算单位名称',
            '统一信用代码',
            '联系人',
            '联系人手机号',
            '预算级次',
            '行政级次',
            '年度农副产品采购额（元）',
            '拟预留比例（%）',
            '预留金额（元）',
            '账号状态',
          ],
          rows: rows.map((u) => [
            u.fullName,
            u.superiorName ?? '',
            u.uscc ?? '',
            u.contactName,
            u.contactMobile,
            u.budgetLevel,
            u.adminLevel ?? '',
            u.annualFen / 100,
            u.ratioBp / 100,
            u.reservedFen / 100,
            label[u.accountState],
          ]),
          textColumns: [2, 4],
        },
      ]);
    },

    /** One unit of the subtree (or the actor's own) with its change history. */
    async get(actor: Actor | null, unitId: string) {
      const acting = await actingUnit(db, actor, { manage: true });
      const { unit, depth } = await targetUnit(db, acting, unitId, 'view');
      const history = await repo.history(db, unit.id);
      const names = await accounts.usernamesOf(history.map((h) => h.actorUserId).filter((id): id is string => Boolean(id)));
      return {
        ...(await view(unit)),
        depth,
        history: history.map((h) => ({
          action: h.action,
          label: HISTORY_LABELS[h.action] ?? h.action,
          actorName: h.actorUserId ? (names.get(h.actorUserId) ?? null) : null,
          before: h.before,
          after: h.after,
          createdAt: h.createdAt.toISOString(),
        })),
      };
    },

    /** The actor's own unit: superior, levels, amount, ratio, reserved amount, account state. Any member may look. */
    async myUnit(actor: Actor | null) {
      const acting = await actingUnit(db, actor, { manage: false });
      return view(acting.unit);
    },

    /** Adds a unit by hand with the sheet's rules; a code already in the subtree is refused (edit it instead). */
    async add(actor: Actor | null, raw: unknown) {
      const acting = await actingUnit(db, actor, { manage: true });
      const { row, status, scope } = await checkOne(acting, raw);
      if (status === 'update') throw new AppError('QUOTA_UNIT_CONFLICT', '该统一信用代码的单位已在您的管辖范围内，请在列表中修改', { uscc: '该单位已存在' });
      const id = await writeOne(scope, row, 'quotas.unit_add');
      return view((await repo.findUnit(db, id))!);
    },

    /**
     * Edits a unit of the subtree (a superior's action) with the sheet's rules; its code is its key and stays.
     * A superior named moves the unit (with its subtree); none keeps its current superior.
     */
    async edit(actor: Actor | null, unitId: string, raw: unknown) {
      const acting = await actingUnit(db, actor, { manage: true });
      const { unit } = await targetUnit(db, acting, unitId, 'edit');
      // Without a superior named, the unit stays where it is (an edit never moves it by omission).
      const given = (raw ?? {}) as { superiorName?: unknown };
      const superiorName = typeof given.superiorName === 'string' && given.superiorName.trim() ? given.superiorName : (unit.superiorName ?? undefined);
      const { row, scope } = await checkOne(acting, { ...given, superiorName, uscc: unit.uscc });
      await writeOne(scope, row, 'quotas.unit_edit');
      return view((await repo.findUnit(db, unit.id))!);
    },

    /**
     * A superior sets a unit's annual amount and ratio (a unit cannot change its own: QUOTA_SUPERIOR_ONLY,
     * 请联系上级预算单位修改). Audit row with before and after.
     */
    async setFigures(actor: Actor | null, unitId: string, raw: unknown) {
      const acting = await actingUnit(db, actor, { manage: true });
      const input = parseInput(FiguresInput, raw);
      await targetUnit(db, acting, unitId, 'edit_figures');
      await db.transaction(async (tx) => {
        const before = (await repo.lockUnit(tx, unitId))!;
        await repo.updateUnit(tx, unitId, input);
        await recordAudit(tx, {
          actorUserId: acting.actor.userId,
          action: 'quotas.figures',
          targetType: 'budget_unit',
          targetId: unitId,
          organisationId: acting.unit.id,
          before: { annualFen: before.annualFen, ratioBp: before.ratioBp },
          after: input,
        });
      });
      return view((await repo.findUnit(db, unitId))!);
    },

    /**
     * Starts generating management accounts for the units strictly below the actor's unit that have none
     * (all, or the given ids among them): a job that works in chunks of 1,000 units per transaction.
     * Returns the run to poll with `run`.
     */
    async generateAccounts(actor: Actor | null, raw: unknown): Promise<RunView> {
      const acting = await actingUnit(db, actor, { manage: true });
      const input = parseInput(GenerateInput, raw ?? {});
      const units = await repo.unitsWithoutAccount(db, acting.unit.id, input.ids);
      if (!units.length) throw new AppError('QUOTA_NO_ACCOUNT', input.ids ? '所选单位都已生成账号，或不在您的管辖范围内' : '没有需要生成账号的单位');
      const runId = randomUUID();
      const payload: RunPayload = { ancestorId: acting.unit.id, actorUserId: acting.actor.userId, unitIds: units.map((u) => u.id) };
      await db.transaction((tx) => jobs.enqueue(tx, GENERATE_TOPIC, payload, runId));
      jobs.wake();
      return { id: runId, state: 'pending', total: units.length, done: 0, error: null };
    },

    /** A generation run's progress (the page polls it). */
    async run(actor: Actor | null, runId: string): Promise<RunView> {
      const acting = await actingUnit(db, actor, { manage: true });
      return runView(runId, acting.unit.id);
    },

    /** A new activation code by SMS for a unit's management account (a superior's action). */
    async resendActivation(actor: Actor | null, unitId: string) {
      const acting = await actingUnit(db, actor, { manage: true });
      const { unit } = await targetUnit(db, acting, unitId, 'account');
      if (!unit.accountUserId) throw new AppError('QUOTA_NO_ACCOUNT', '该单位还没有生成管理账号');
      await db.transaction(async (tx) => {
        await accounts.reissueActivation(tx, unit.accountUserId!, unit.id, (a) => managementSms(deps.publicOrigin(), unit.fullName)(a), {
          resetPassword: false,
        });
        await recordAudit(tx, {
          actorUserId: acting.actor.userId,
          action: 'quotas.account_resend',
          targetType: 'budget_unit',
          targetId: unit.id,
          organisationId: acting.unit.id,
        });
      });
      return { message: '激活短信已重新发送' };
    },

    /**
     * Resets a unit's management password (strict ancestors only): the password stops working, sessions
     * end, a new activation code goes by SMS. Refused (QUOTA_ACCOUNT_SHARED) when the account also belongs
     * to organisations outside the actor's subtree.
     */
    async resetPassword(actor: Actor | null, unitId: string) {
      const acting = await actingUnit(db, actor, { manage: true });
      const { unit } = await targetUnit(db, acting, unitId, 'reset_password');
      if (!unit.accountUserId) throw new AppError('QUOTA_NO_ACCOUNT', '该单位还没有生成管理账号');
      const orgIds = (await organisations.membershipsOf(unit.accountUserId)).map((m) => m.organisationId);
      if (!resetStaysInSubtree(orgIds, await repo.inSubtree(db, acting.unit.id, orgIds)))
        throw new AppError('QUOTA_ACCOUNT_SHARED', '该账号还属于您管辖范围以外的单位，不能由您重置密码，请联系平台运营');
      await db.transaction(async (tx) => {
        await accounts.reissueActivation(tx, unit.accountUserId!, unit.id, (a) => managementSms(deps.publicOrigin(), unit.fullName)(a), {
          resetPassword: true,
        });
        await recordAudit(tx, {
          actorUserId: acting.actor.userId,
          action: 'quotas.password_reset',
          targetType: 'budget_unit',
          targetId: unit.id,
          organisationId: acting.unit.id,
        });
      });
      return { message: '密码已重置，新的激活码已通过短信发送' };
    },

    /** The unit confirms its budget and administrative levels at first sign-in (owner or admin). */
    async confirmProfile(actor: Actor | null, raw: unknown) {
      const acting = await actingUnit(db, actor, { manage: true });
      const input = parseInput(ConfirmProfileInput, raw);
      await db.transaction(async (tx) => {
        const before = (await repo.lockUnit(tx, acting.unit.id))!;
        await repo.updateUnit(tx, acting.unit.id, { ...input, confirmedAt: clock.now() });
        await recordAudit(tx, {
          actorUserId: acting.actor.userId,
          action: 'quotas.profile_confirmed',
          targetType: 'budget_unit',
          targetId: acting.unit.id,
          organisationId: acting.unit.id,
          before: { budgetLevel: before.budgetLevel, adminLevel: before.adminLevel },
          after: input,
        });
      });
      return view((await repo.findUnit(db, acting.unit.id))!);
    },

    /**
     * An operator creates a preset department (财政部, a finance bureau) at the top of a tree or under
     * another preset department, with its management account (login = its code, activation code by SMS).
     */
    async createPreset(actor: Actor | null, raw: unknown) {
      const operator = requireOperator(actor);
      const input = parseInput(PresetInput, raw);
      const id = await db.transaction(async (tx) => {
        if (input.superiorId) {
          const sup = await repo.lockUnit(tx, input.superiorId);
          if (!sup || sup.role === 'unit') throw new AppError('VALIDATION', '上级须是预置的财政部门或中央部门', { superiorId: '上级须是预置部门' });
        }
        const ids = await organisations.upsertByUscc(tx, 'budget_unit', [{ fullName: input.fullName, uscc: input.uscc }]);
        const orgId = ids.get(input.uscc)!;
        if (await repo.lockUnit(tx, orgId)) throw new AppError('QUOTA_UNIT_CONFLICT', '该统一信用代码的预算单位已存在', { uscc: '已存在' });
        await repo.insertUnits(tx, [
          {
            organisationId: orgId,
            role: input.role,
            superiorId: input.superiorId ?? null,
            contactName: input.contactName,
            contactMobile: input.mobile,
            budgetLevel: input.budgetLevel,
          },
        ]);
        await repo.attach(tx, orgId, input.superiorId ?? null);
        const [answer] = await accounts.generateAccounts(tx, [
          {
            organisationId: orgId,
            role: 'owner',
            mobile: input.mobile,
            displayName: input.contactName,
            username: input.uscc,
            sms: managementSms(deps.publicOrigin(), input.fullName),
          },
        ]);
        await repo.setAccounts(tx, [{ id: orgId, userId: answer!.userId }], clock.now());
        await recordAudit(tx, {
          actorUserId: operator.userId,
          action: 'quotas.preset_created',
          targetType: 'budget_unit',
          targetId: orgId,
          organisationId: orgId,
          after: input,
        });
        return orgId;
      });
      return view((await repo.findUnit(db, id))!);
    },
  };
}

export type BudgetUnitService = ReturnType<typeof createBudgetUnitService>;
