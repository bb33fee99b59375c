import type { Db, DbOrTx, Tx } from '../../db/client';
import type { AccountService } from '../accounts/accounts.service';
import { recordAudit } from '../audit/audit';
import type { ImportKind, RowCheck, RowWrite, StagedRow } from '../imports/imports.kinds';
import type { Actor } from '../shared/actor';
import { AppError } from '../shared/app-error';
import type { Clock } from '../shared/clock';
import { pageOffset } from '../shared/paging';
import { parseInput } from '../shared/validate';
import { authorizeUnitManager } from './budget-units.import';
import { checkPurchaserFile, PURCHASER_SHEET, type PurchaserKind, type PurchaserRow } from './purchasers.schema';
import { actingUnit } from './quotas.acting';
import { quotasRepo as repo, type PurchaserRow as PurchaserRecord } from './quotas.repo';
import { GenerateInput, PurchaserListQuery, type PurchaserView } from './quotas.schema';

export interface PurchaserDeps {
  db: Db;
  clock: Clock;
  publicOrigin: (requestOrigin?: string) => string;
  accounts: Pick<AccountService, 'generateAccounts' | 'reissueActivation' | 'activationStates' | 'existingMobiles'>;
}

const tradingSms = (origin: string, unitName: string, purchaser: string) => (a: { login: string; code: string | null }) =>
  a.code
    ? `【帮扶】${unitName}已为${purchaser}开通采购人交易账号。账号：${a.login}，激活码：${a.code}（7天内有效），请登录 ${origin}/activate 激活。`
    : `【帮扶】${unitName}已为${purchaser}开通采购人交易账号，已加入您的账号 ${a.login}，请登录 ${origin} 切换到该单位采购。`;

/** The purchaser sheet as an import kind: the acting unit's purchasers, upserted by code. */
function createPurchaserImport(deps: PurchaserDeps): ImportKind<PurchaserRow> {
  return {
    key: 'quotas.purchasers',
    label: '采购人',
    spec: PURCHASER_SHEET,
    authorize: (actor, organisationId) => authorizeUnitManager(deps.db, actor, organisationId),

    async check(q: DbOrTx, scope, rows): Promise<RowCheck[]> {
      const [mobilesInUse, purchaserUnitByUscc] = await Promise.all([
        deps.accounts.existingMobiles(
          q,
          rows.map((r) => r.value.mobile),
        ),
        repo.purchaserUnitsByUscc(
          q,
          rows.map((r) => r.value.uscc),
        ),
      ]);
      return checkPurchaserFile(rows, { mobilesInUse, purchaserUnitByUscc, unitId: scope.organisationId }).map((v) =>
        v.status === 'error' ? { status: 'error', errors: v.errors } : { status: v.status, errors: [] },
      );
    },

    async write(tx: Tx, scope, rows: readonly StagedRow<PurchaserRow>[]): Promise<RowWrite[]> {
      const written = new Map(
        (
          await repo.upsertPurchasers(
            tx,
            scope.organisationId,
            // In code order: two units' batches lock the same codes in one order (no deadlock).
            rows.map((r) => r.value).sort((a, b) => (a.uscc < b.uscc ? -1 : a.uscc > b.uscc ? 1 : 0)),
          )
        ).map((w) => [w.uscc, w.id]),
      );
      await recordAudit(tx, {
        actorUserId: scope.actorUserId,
        action: 'quotas.purchaser_import',
        targetType: 'budget_unit',
        targetId: scope.organisationId,
        organisationId: scope.organisationId,
        data: { batchId: scope.batchId, rows: written.size },
      });
      // A code that became another unit's purchaser since the preview is left alone.
      return rows.map((r) => {
        const id = written.get(r.value.uscc);
        return id ? { targetId: id } : { errors: [{ column: 'uscc', message: '该统一信用代码已是其他预算单位的采购人' }] };
      });
    },
  };
}

/**
 * Purchasers (采购人): who buys in the mall for the acting budget unit. Imported from the sheet, listed,
 * each given a trading account (role 'buyer', login = the mobile, activation code by SMS), resent.
 */
export function createPurchaserService(deps: PurchaserDeps) {
  const { db, clock, accounts } = deps;

  async function views(rows: PurchaserRecord[]): Promise<PurchaserView[]> {
    const ids = rows.map((r) => r.userId).filter((x): x is string => !!x);
    const states = ids.length ? await accounts.activationStates(ids) : new Map<string, 'active' | 'pending' | 'expired'>();
    return rows.map((r) => ({
      id: r.id,
      name: r.name,
      uscc: r.uscc,
      kind: r.kind as PurchaserKind,
      contactName: r.contactName,
      mobile: r.mobile,
      accountState: r.userId ? (states.get(r.userId) ?? 'pending') : 'none',
      accountAt: r.accountAt?.toISOString() ?? null,
    }));
  }

  return {
    /** The import kind registered with the import engine (core/imports). */
    purchaserImportKind: createPurchaserImport(deps),

    /** The acting unit's purchasers, searched by name, code or mobile and account state; paged. */
    async list(actor: Actor | null, raw: unknown) {
      const acting = await actingUnit(db, actor, { manage: true });
      const q = parseInput(PurchaserListQuery, raw);
      const { items, total } = await repo.listPurchasers(db, acting.unit.id, q, { limit: q.pageSize, offset: pageOffset(q) });
      return { items: await views(items), total, page: q.page, pageSize: q.pageSize };
    },

    /**
     * Trading accounts for the acting unit's purchasers that have none (all, or the given ids): role
     * 'buyer', login the mobile, an activation code by SMS (a mobile with an account joins the unit).
     */
    async generateAccounts(actor: Actor | null, raw: unknown) {
      const acting = await actingUnit(db, actor, { manage: true });
      const input = parseInput(GenerateInput, raw ?? {});
      const origin = deps.publicOrigin();
      return db.transaction(async (tx) => {
        const rows = await repo.lockPurchasersWithoutAccount(tx, acting.unit.id, input.ids);
        if (!rows.length) throw new AppError('QUOTA_NO_ACCOUNT', '没有需要开通账号的采购人');
        const answers = await accounts.generateAccounts(
          tx,
          rows.map((r) => ({
            organisationId: acting.unit.id,
            role: 'buyer' as const,
            mobile: r.mobile,
            displayName: r.contactName,
            sms: tradingSms(origin, acting.unit.fullName, r.name),
          })),
        );
        const now = clock.now();
        for (const [i, r] of rows.entries()) await repo.setPurchaserAccount(tx, r.id, answers[i]!.userId, now);
        await recordAudit(tx, {
          actorUserId: acting.actor.userId,
          action: 'quotas.purchaser_accounts',
          targetType: 'budget_unit',
          targetId: acting.unit.id,
          organisationId: acting.unit.id,
          data: { purchasers: rows.length },
        });
        return { generated: answers.filter((a) => a.created).length, joined: answers.filter((a) => !a.created).length };
      });
    },

    /** A new activation code by SMS for one of the acting unit's purchasers. */
    async resendActivation(actor: Actor | null, purchaserId: string) {
      const acting = await actingUnit(db, actor, { manage: true });
      const row = /^[0-9a-f-]{36}$/i.test(purchaserId) ? await repo.findPurchaser(db, purchaserId) : undefined;
      if (!row || row.budgetUnitId !== acting.unit.id) throw new AppError('NOT_FOUND', '采购人不存在');
      if (!row.userId) throw new AppError('QUOTA_NO_ACCOUNT', '该采购人还没有开通账号');
      await db.transaction(async (tx) => {
        await accounts.reissueActivation(tx, row.userId!, acting.unit.id, (a) => tradingSms(deps.publicOrigin(), acting.unit.fullName, row.name)(a), {
          resetPassword: false,
        });
        await recordAudit(tx, {
          actorUserId: acting.actor.userId,
          action: 'quotas.purchaser_resend',
          targetType: 'quota_purchaser',
          targetId: row.id,
          organisationId: acting.unit.id,
        });
      });
      return { message: '激活短信已重新发送' };
    },
  };
}

export type PurchaserService = ReturnType<typeof createPurchaserService>;
