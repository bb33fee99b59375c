import { randomBytes } from 'node:crypto';
import type { Db, DbOrTx, Tx } from '../../db/client';
import { recordAudit } from '../audit/audit';
import type { JobQueue } from '../jobs/jobs.service';
import { authorizeActing } from '../shared/access';
import type { Actor } from '../shared/actor';
import { AppError, isAppError } from '../shared/app-error';
import type { Clock } from '../shared/clock';
import { xlsxFile, type ExportFile, type Sheet } from '../shared/export';
import { formatFen } from '../shared/money';
import { pageOffset } from '../shared/paging';
import { regionName } from '../shared/regions';
import { formatDateTime, shanghaiDateCompact } from '../shared/time';
import { parseInput } from '../shared/validate';
import type { Publisher } from '../shared/publisher';
import type { Ledger } from '../wallet/ledger.service';
import {
  CAMPAIGN_STATUS_LABELS,
  categoriesOrDefault,
  categoryErrors,
  fundingWarning,
  ISSUANCE_STATUS_LABELS,
  issuanceEditable,
  issuanceErrors,
  issuanceRefusal,
  issuanceTotalFen,
  issuanceTransition,
  poolIdentity,
  tierLabel,
  tierName,
  unallocatedBudgetFen,
  unissuedStockFen,
  type IssuanceEvent,
} from './campaigns.machine';
import { campaignsRepo as repo, type CampaignRow, type CategoryRow, type FigureAgg, type IssuanceRow, type TierRowDb } from './campaigns.repo';
import {
  CampaignInput,
  CampaignListQuery,
  IssuanceInput,
  type CampaignDetailView,
  type CampaignSummaryView,
  type ConsoleView,
  type FigureRow,
  type IdentityView,
  type IssuanceView,
  type PublicCampaignView,
  type VoucherFiguresPayload,
} from './campaigns.schema';
import { CAMPAIGN_ACCOUNT_KINDS, merchantCategoryName } from './vouchers.constants';

/** The job that starts an issuance at its time (key: issuance id), written in the transaction that creates or moves it. */
export const ISSUANCE_START_JOB = 'vouchers.issuance-start';

export interface CampaignDeps {
  db: Db;
  clock: Clock;
  jobs: JobQueue;
  ledger: Ledger;
  /** Live figures to the owning bureau's console room (after commit). */
  publisher?: Publisher;
  log?: (line: string) => void;
}

/** The owning bureau's console room of a campaign (redemption figures); only its bureau may join. */
export const bureauRoom = (campaignId: string) => `vouchers:bureau:${campaignId}`;
export const FIGURES_EVENT = 'vouchers:figures';

const iso = (d: Date) => d.toISOString();
const isoOrNull = (d: Date | null) => (d ? d.toISOString() : null);

/** The acting bureau: a government department, as owner, admin or finance. */
const bureauOf = (actor: Actor | null) => authorizeActing(actor, 'payments.make', ['government']);

const categoryView = (c: Pick<CategoryRow, 'code' | 'name' | 'merchantCategories'>) => ({
  code: c.code,
  name: c.name,
  merchantCategories: [...c.merchantCategories],
  merchantCategoryNames: c.merchantCategories.map(merchantCategoryName),
});

function issuanceView(row: IssuanceRow, tiers: TierRowDb[], categories: Pick<CategoryRow, 'code' | 'name'>[]): IssuanceView {
  const name = (code: string) => categories.find((c) => c.code === code)?.name ?? code;
  const order = (code: string) => categories.findIndex((c) => c.code === code);
  const mine = tiers.filter((t) => t.issuanceId === row.id).sort((a, b) => order(a.categoryCode) - order(b.categoryCode) || a.tierNo - b.tierNo);
  return {
    id: row.id,
    campaignId: row.campaignId,
    seq: row.seq,
    startsAt: iso(row.startsAt),
    status: row.status,
    statusLabel: ISSUANCE_STATUS_LABELS[row.status],
    totalFen: row.totalFen,
    coupons: mine.reduce((s, t) => s + t.count, 0),
    granted: mine.reduce((s, t) => s + t.granted, 0),
    allocatedAt: isoOrNull(row.allocatedAt),
    stoppedAt: isoOrNull(row.stoppedAt),
    returnedFen: row.returnedFen,
    editable: issuanceEditable(row.status),
    tiers: mine.map((t) => ({
      id: t.id,
      categoryCode: t.categoryCode,
      categoryName: name(t.categoryCode),
      tierNo: t.tierNo,
      tierName: tierName(t.tierNo),
      label: tierLabel(t),
      thresholdFen: t.thresholdFen,
      discountFen: t.discountFen,
      count: t.count,
      granted: t.granted,
      remaining: t.count - t.granted,
      valueFen: t.count * t.discountFen,
      closed: t.closed,
    })),
  };
}

const leverage = (bill: number, discount: number) => (discount > 0 ? Math.round((bill / discount) * 100) / 100 : null);
const figureRow = (a: FigureAgg, label: string): FigureRow => ({ ...a, label, leverage: leverage(a.billFen, a.discountFen) });
const districtLabel = (code: string) => regionName(code).split(' ').slice(-1)[0] || code || '未填写';

/**
 * The commerce bureau's campaigns (manual 001): create, issuances (发券批次) and their start at the
 * set time, funding from the bureau's wallet into the campaign pool, pause / resume / stop, the pool
 * identity, the console's figures and their export, and the public read residents and the grab use.
 */
export function createCampaignService({ db, clock, jobs, ledger, publisher, log = () => {} }: CampaignDeps) {
  /** The campaign of the acting bureau (locked when `lock`); another organisation's is NOT_FOUND. */
  async function campaignFor(q: DbOrTx, actor: Actor | null, id: string, lock = false) {
    const org = bureauOf(actor);
    const c = await repo.findCampaign(q, id, lock);
    if (!c || c.bureauId !== org.organisationId) throw new AppError('NOT_FOUND', '活动不存在');
    return { org, c, a: actor! };
  }

  const assertOpen = (c: CampaignRow) => {
    if (c.status === 'settled' || c.status === 'cancelled') throw new AppError('VOUCHER_CAMPAIGN_CLOSED', `活动${CAMPAIGN_STATUS_LABELS[c.status]}，不能修改`);
    if (c.validUntil.getTime() <= clock.now().getTime()) throw new AppError('VOUCHER_CAMPAIGN_CLOSED', '活动有效期已结束，不能修改');
  };

  /** The issuance and its campaign, both locked (order everywhere: campaign, issuance, tiers), for the acting bureau. */
  async function issuanceFor(tx: Tx, actor: Actor | null, issuanceId: string) {
    const pre = await repo.findIssuance(tx, issuanceId);
    if (!pre) throw new AppError('NOT_FOUND', '发券批次不存在');
    const { c, a, org } = await campaignFor(tx, actor, pre.campaignId, true);
    const i = (await repo.findIssuance(tx, issuanceId, true))!;
    return { c, i, a, org };
  }

  const accountsOf = (q: DbOrTx, c: Pick<CampaignRow, 'id' | 'bureauId'>) => ledger.ensureSubjectAccounts(q, c.bureauId, c.id, CAMPAIGN_ACCOUNT_KINDS);

  async function summaries(q: DbOrTx, rows: CampaignRow[]): Promise<CampaignSummaryView[]> {
    const ids = rows.map((r) => r.id);
    const [issuances, names] = await Promise.all([repo.issuancesOf(q, ids), repo.bureauNames(q, [...new Set(rows.map((r) => r.bureauId))])]);
    return rows.map((c) => {
      const mine = issuances.filter((i) => i.campaignId === c.id && i.status !== 'stopped');
      const first = mine.length ? new Date(Math.min(...mine.map((i) => i.startsAt.getTime()))) : null;
      const w = fundingWarning({ status: c.status, firstStartsAt: first }, clock.now());
      return {
        id: c.id,
        bureauId: c.bureauId,
        bureauName: names.get(c.bureauId) ?? '',
        name: c.name,
        documentNo: c.documentNo,
        budgetFen: c.budgetFen,
        validUntil: iso(c.validUntil),
        status: c.status,
        statusLabel: CAMPAIGN_STATUS_LABELS[c.status],
        fundedAt: isoOrNull(c.fundedAt),
        createdAt: iso(c.createdAt),
        issuances: issuances.filter((i) => i.campaignId === c.id).length,
        firstStartsAt: isoOrNull(first),
        fundingDeadline: isoOrNull(w.deadline),
        fundingLate: w.late,
      };
    });
  }

  async function detail(q: DbOrTx, c: CampaignRow): Promise<CampaignDetailView> {
    const [summary] = await summaries(q, [c]);
    const [categories, issuances] = await Promise.all([repo.categoriesOf(q, [c.id]), repo.issuancesOf(q, [c.id])]);
    const tiers = await repo.tiersOf(
      q,
      issuances.map((i) => i.id),
    );
    const wallet = await ledger.walletBalances(q, c.bureauId);
    return {
      ...summary!,
      regionCodes: c.regionCodes,
      regionNames: (c.regionCodes ?? []).map((r) => regionName(r) || r),
      perIssuanceCap: c.perIssuanceCap,
      categories: categories.map(categoryView),
      issuanceList: issuances.map((i) => issuanceView(i, tiers, categories)),
      unallocatedFen: unallocatedBudgetFen(c.budgetFen, issuances),
      walletAvailableFen: wallet.availableFen,
    };
  }

  /** Refuses with field messages: the row checks first (VALIDATION), then the budget (VOUCHER_BUDGET_EXCEEDED). */
  function checkIssuance(input: ReturnType<typeof IssuanceInput.parse>, c: CampaignRow, categories: CategoryRow[], others: IssuanceRow[]) {
    const base = { rows: input.rows, startsAt: input.startsAt, now: clock.now(), validUntil: c.validUntil, categories };
    const shape = issuanceErrors({ ...base, unallocatedFen: Number.MAX_SAFE_INTEGER });
    if (Object.keys(shape).length) throw new AppError('VALIDATION', '请检查发券批次的填写', shape);
    const unallocatedFen = unallocatedBudgetFen(c.budgetFen, others);
    const budget = issuanceErrors({ ...base, unallocatedFen });
    if (Object.keys(budget).length)
      throw new AppError(
        'VOUCHER_BUDGET_EXCEEDED',
        `本批次合计 ${formatFen(issuanceTotalFen(input.rows))} 超出未分配预算 ${formatFen(unallocatedFen)}`,
        budget,
      );
  }

  async function ensureStartedIn(tx: Tx, issuanceId: string): Promise<{ status: IssuanceRow['status']; started: boolean }> {
    const pre = await repo.findIssuance(tx, issuanceId);
    if (!pre) throw new AppError('NOT_FOUND', '发券批次不存在');
    const now = clock.now();
    if (pre.status !== 'scheduled' || pre.startsAt.getTime() > now.getTime()) return { status: pre.status, started: false };
    const c = (await repo.findCampaign(tx, pre.campaignId, true))!;
    const i = (await repo.findIssuance(tx, issuanceId, true))!;
    if (i.status !== 'scheduled' || i.startsAt.getTime() > now.getTime()) return { status: i.status, started: false };
    if (c.status !== 'funded' || c.validUntil.getTime() <= now.getTime()) return { status: i.status, started: false };
    const acc = await accountsOf(tx, c);
    await ledger.transfer(tx, {
      debitAccountId: acc.voucher_pool,
      creditAccountId: acc.voucher_issued,
      amountFen: i.totalFen,
      kind: 'voucher_allocate',
      reference: `${c.name} 第${i.seq}次发券`,
      idempotencyKey: `voucher-allocate:${i.id}`,
      metadata: { campaignId: c.id, issuanceId: i.id },
    });
    const next = await repo.updateIssuance(tx, i.id, { status: 'running', allocatedAt: now });
    await recordAudit(tx, {
      actorUserId: null,
      action: 'vouchers.issuance_started',
      targetType: 'voucher_issuance',
      targetId: i.id,
      organisationId: c.bureauId,
      before: { status: i.status },
      after: { status: next.status, allocatedFen: i.totalFen },
    });
    return { status: next.status, started: true };
  }

  /** The campaign's figures from its tables and ledger accounts, and the identity over them. */
  async function identityOf(q: DbOrTx, c: CampaignRow): Promise<IdentityView> {
    const acc = await accountsOf(q, c);
    const [coupons, redemptions, allocation, pool, issued, payable, fund, settleOut, payableRefunds, poolRefunds, remainder] = await Promise.all([
      repo.couponsByStatus(q, c.id),
      repo.redemptionsByStatus(q, c.id),
      repo.allocation(q, c.id),
      ledger.balanceOf(q, acc.voucher_pool),
      ledger.balanceOf(q, acc.voucher_issued),
      ledger.balanceOf(q, acc.voucher_payable),
      ledger.netOfKinds(q, acc.voucher_pool, ['voucher_fund']),
      ledger.netOfKinds(q, acc.voucher_payable, ['voucher_settle']),
      ledger.netOfKinds(q, acc.voucher_payable, ['voucher_refund']),
      ledger.netOfKinds(q, acc.voucher_pool, ['voucher_refund']),
      ledger.netOfKinds(q, acc.voucher_pool, ['voucher_remainder']),
    ]);
    // Refunds after settlement come back from the merchant's wallet, not from payable: they undo part of what was settled.
    const refundsFromMerchantsFen = poolRefunds + payableRefunds;
    const settledFen = -settleOut - refundsFromMerchantsFen;
    const figures = {
      budgetFen: c.budgetFen,
      fundedFen: fund,
      allocatedFen: allocation.allocatedFen,
      stopReturnedFen: allocation.returnedFen,
      grantedFen: coupons.unused.fen + coupons.used.fen + coupons.expired.fen,
      unusedFen: coupons.unused.fen,
      redeemedFen: redemptions.paidFen,
      refundedFen: redemptions.refundedFen,
      expiredFen: coupons.expired.fen,
      poolFen: pool,
      issuedFen: issued,
      payableFen: payable,
      settledFen,
      remainderFen: -remainder,
    };
    const id = poolIdentity(figures);
    return {
      campaignId: c.id,
      ok: id.ok,
      checkedAt: iso(clock.now()),
      terms: id.terms,
      ledger: {
        fundedFen: figures.fundedFen,
        poolFen: figures.poolFen,
        issuedFen: figures.issuedFen,
        payableFen: figures.payableFen,
        settledFen: figures.settledFen,
        remainderFen: figures.remainderFen,
      },
      checks: id.checks,
    };
  }

  async function move(actor: Actor | null, issuanceId: string, event: Extract<IssuanceEvent, 'pause' | 'resume' | 'stop'>) {
    // An issuance whose time has come but whose start job has not run yet starts first.
    const pre = await repo.findIssuance(db, issuanceId);
    if (pre?.status === 'scheduled') await service.ensureStarted(issuanceId);
    return db.transaction(async (tx) => {
      const { c, i, a } = await issuanceFor(tx, actor, issuanceId);
      const next = issuanceTransition(i.status, event);
      if (!next) throw new AppError(i.status === 'scheduled' ? 'VOUCHER_NOT_STARTED' : 'INVALID_TRANSITION', issuanceRefusal(i.status, event));
      const tiers = await repo.lockTiers(tx, i.id);
      let returnedFen = 0;
      if (event === 'stop') {
        returnedFen = unissuedStockFen(tiers);
        if (returnedFen > 0) {
          const acc = await accountsOf(tx, c);
          await ledger.transfer(tx, {
            debitAccountId: acc.voucher_issued,
            creditAccountId: acc.voucher_pool,
            amountFen: returnedFen,
            kind: 'voucher_return',
            reference: `${c.name} 第${i.seq}次发券停止`,
            idempotencyKey: `voucher-return:${i.id}`,
            metadata: { campaignId: c.id, issuanceId: i.id },
          });
        }
      }
      await repo.setTiersClosed(tx, i.id, event !== 'resume');
      const row = await repo.updateIssuance(tx, i.id, event === 'stop' ? { status: next, stoppedAt: clock.now(), returnedFen } : { status: next });
      await recordAudit(tx, {
        actorUserId: a.userId,
        action: `vouchers.issuance_${event === 'stop' ? 'stopped' : event === 'pause' ? 'paused' : 'resumed'}`,
        targetType: 'voucher_issuance',
        targetId: i.id,
        organisationId: c.bureauId,
        before: { status: i.status },
        after: { status: row.status, returnedFen },
      });
      const categories = await repo.categoriesOf(tx, [c.id]);
      return issuanceView(row, await repo.tiersOf(tx, [i.id]), categories);
    });
  }

  /** Redemptions, discount, order totals, leverage and coupons by status: what the console pushes live. */
  async function liveFigures(campaignId: string): Promise<VoucherFiguresPayload> {
    const [coupons, total] = await Promise.all([repo.couponsByStatus(db, campaignId), repo.paidFigures(db, campaignId, 'total')]);
    return {
      campaignId,
      generatedAt: iso(clock.now()),
      totals: figureRow(total[0] ?? { key: 'total', redemptions: 0, discountFen: 0, billFen: 0 }, '合计'),
      coupons: {
        granted: coupons.unused.count + coupons.used.count + coupons.expired.count,
        unused: coupons.unused.count,
        used: coupons.used.count,
        expired: coupons.expired.count,
      },
    };
  }

  const service = {
    /** The console's live figures, for the owning bureau only (the socket join is authorised here). */
    async watchConsole(actor: Actor | null, campaignId: string): Promise<VoucherFiguresPayload> {
      const { c } = await campaignFor(db, actor, campaignId);
      return liveFigures(c.id);
    },

    /** After a redemption is paid or refunded (committed): the owning bureau's console gets the new figures. */
    async publishFigures(campaignId: string) {
      if (!publisher) return;
      try {
        await publisher.publish(bureauRoom(campaignId), FIGURES_EVENT, await liveFigures(campaignId));
      } catch (e) {
        log(`[vouchers] figures of ${campaignId}: ${(e as Error).message}`);
      }
    },

    /** 新建活动: the acting government department's; categories default to 通用券 / 餐饮券. */
    async create(actor: Actor | null, raw: unknown): Promise<CampaignDetailView> {
      const org = bureauOf(actor);
      const input = parseInput(CampaignInput, raw);
      const categories = categoriesOrDefault(input.categories);
      const errors = categoryErrors(categories);
      if (input.validUntil.getTime() <= clock.now().getTime()) errors.validUntil = '有效期截止时间须晚于当前时间';
      if (Object.keys(errors).length) throw new AppError('VALIDATION', '请检查填写的内容', errors);
      return db.transaction(async (tx) => {
        const c = await repo.insertCampaign(tx, {
          bureauId: org.organisationId,
          name: input.name,
          documentNo: input.documentNo,
          budgetFen: input.budgetFen,
          validUntil: input.validUntil,
          regionCodes: input.regionCodes,
          perIssuanceCap: input.perIssuanceCap,
          createdBy: actor!.userId,
          createdAt: clock.now(),
        });
        await repo.replaceCategories(tx, c.id, categories);
        await accountsOf(tx, c);
        await recordAudit(tx, {
          actorUserId: actor!.userId,
          action: 'vouchers.campaign_created',
          targetType: 'voucher_campaign',
          targetId: c.id,
          organisationId: org.organisationId,
          after: { name: c.name, documentNo: c.documentNo, budgetFen: c.budgetFen, validUntil: c.validUntil },
        });
        return detail(tx, c);
      });
    },

    /** 修改活动: the budget only before funding (and not below the planned issuances); categories until the first issuance starts (a used one stays). */
    async update(actor: Actor | null, id: string, raw: unknown): Promise<CampaignDetailView> {
      const input = parseInput(CampaignInput, raw);
      return db.transaction(async (tx) => {
        const { c, a } = await campaignFor(tx, actor, id, true);
        assertOpen(c);
        const issuances = await repo.issuancesOf(tx, [c.id]);
        const current = await repo.categoriesOf(tx, [c.id]);
        const errors: Record<string, string> = {};
        if (input.budgetFen !== c.budgetFen) {
          if (c.status !== 'draft') errors.budgetFen = '资金已划拨，不能修改资金总额';
          else {
            const planned = c.budgetFen - unallocatedBudgetFen(c.budgetFen, issuances);
            if (input.budgetFen < planned) errors.budgetFen = `资金总额不能低于已安排的发券批次合计 ${formatFen(planned)}`;
          }
        }
        if (input.validUntil.getTime() <= clock.now().getTime()) errors.validUntil = '有效期截止时间须晚于当前时间';
        const lastStart = Math.max(0, ...issuances.filter((i) => i.status !== 'stopped').map((i) => i.startsAt.getTime()));
        if (lastStart && input.validUntil.getTime() <= lastStart) errors.validUntil ??= '有效期截止时间须晚于最后一次发券时间';
        const categories = input.categories
          ? categoriesOrDefault(input.categories)
          : current.map((k) => ({ code: k.code, name: k.name, merchantCategories: k.merchantCategories }));
        Object.assign(errors, categoryErrors(categories));
        const changed =
          JSON.stringify(categories) !== JSON.stringify(current.map((k) => ({ code: k.code, name: k.name, merchantCategories: k.merchantCategories })));
        if (changed) {
          // Frozen once the first issuance has started; before, a category a planned issuance uses stays.
          if (issuances.some((i) => i.status !== 'scheduled')) errors.categories = '首次发券已开始，券类别已冻结，不能修改';
          else {
            const used = new Set(
              (
                await repo.tiersOf(
                  tx,
                  issuances.map((i) => i.id),
                )
              ).map((t) => t.categoryCode),
            );
            const dropped = current.filter((k) => used.has(k.code) && !categories.some((n) => n.code === k.code));
            if (dropped.length) errors.categories = `发券批次已使用${dropped.map((k) => `「${k.name}」`).join('、')}，不能删除（可先删除或修改发券批次）`;
          }
        }
        if (Object.keys(errors).length) throw new AppError('VALIDATION', '请检查填写的内容', errors);
        const row = await repo.updateCampaign(tx, c.id, {
          name: input.name,
          documentNo: input.documentNo,
          budgetFen: input.budgetFen,
          validUntil: input.validUntil,
          regionCodes: input.regionCodes,
          perIssuanceCap: input.perIssuanceCap,
        });
        if (changed) await repo.replaceCategories(tx, c.id, categories);
        await recordAudit(tx, {
          actorUserId: a.userId,
          action: 'vouchers.campaign_updated',
          targetType: 'voucher_campaign',
          targetId: c.id,
          organisationId: c.bureauId,
          before: {
            name: c.name,
            documentNo: c.documentNo,
            budgetFen: c.budgetFen,
            validUntil: c.validUntil,
            regionCodes: c.regionCodes,
            perIssuanceCap: c.perIssuanceCap,
          },
          after: {
            name: row.name,
            documentNo: row.documentNo,
            budgetFen: row.budgetFen,
            validUntil: row.validUntil,
            regionCodes: row.regionCodes,
            perIssuanceCap: row.perIssuanceCap,
          },
        });
        return detail(tx, row);
      });
    },

    /** The acting bureau's campaigns, newest first. */
    async list(actor: Actor | null, raw: unknown = {}) {
      const org = bureauOf(actor);
      const query = parseInput(CampaignListQuery, raw);
      const { items, total } = await repo.pageOfBureau(db, org.organisationId, { limit: query.pageSize, offset: pageOffset(query) });
      return { items: await summaries(db, items), total, page: query.page, pageSize: query.pageSize };
    },

    async get(actor: Actor | null, id: string): Promise<CampaignDetailView> {
      const { c } = await campaignFor(db, actor, id);
      return detail(db, c);
    },

    /** 新增发券批次: rows of category × tier; the job that starts it is written with it. */
    async addIssuance(actor: Actor | null, campaignId: string, raw: unknown): Promise<IssuanceView> {
      const input = parseInput(IssuanceInput, raw);
      return db.transaction(async (tx) => {
        const { c, a } = await campaignFor(tx, actor, campaignId, true);
        assertOpen(c);
        const [categories, others] = await Promise.all([repo.categoriesOf(tx, [c.id]), repo.issuancesOf(tx, [c.id])]);
        checkIssuance(input, c, categories, others);
        const i = await repo.insertIssuance(tx, {
          campaignId: c.id,
          seq: await repo.nextSeq(tx, c.id),
          startsAt: input.startsAt,
          totalFen: issuanceTotalFen(input.rows),
          logSalt: randomBytes(16).toString('hex'),
          createdAt: clock.now(),
        });
        await repo.replaceTiers(tx, i.id, c.id, input.rows);
        await jobs.schedule(tx, { kind: ISSUANCE_START_JOB, key: i.id, runAt: i.startsAt });
        await recordAudit(tx, {
          actorUserId: a.userId,
          action: 'vouchers.issuance_created',
          targetType: 'voucher_issuance',
          targetId: i.id,
          organisationId: c.bureauId,
          after: { campaignId: c.id, seq: i.seq, startsAt: i.startsAt, totalFen: i.totalFen, rows: input.rows },
        });
        return issuanceView(i, await repo.tiersOf(tx, [i.id]), categories);
      });
    },

    /** 修改发券批次: only while scheduled (rows are frozen once it starts); the start job moves with it. */
    async updateIssuance(actor: Actor | null, issuanceId: string, raw: unknown): Promise<IssuanceView> {
      const input = parseInput(IssuanceInput, raw);
      return db.transaction(async (tx) => {
        const { c, i, a } = await issuanceFor(tx, actor, issuanceId);
        assertOpen(c);
        if (!issuanceEditable(i.status)) throw new AppError('VOUCHER_ISSUANCE_FROZEN', issuanceRefusal(i.status, 'edit'));
        if (i.startsAt.getTime() <= clock.now().getTime()) throw new AppError('VOUCHER_ISSUANCE_FROZEN', '该批次的发放时间已到，券面设置已锁定');
        const [categories, all] = await Promise.all([repo.categoriesOf(tx, [c.id]), repo.issuancesOf(tx, [c.id])]);
        checkIssuance(
          input,
          c,
          categories,
          all.filter((o) => o.id !== i.id),
        );
        const before = await repo.tiersOf(tx, [i.id]);
        const row = await repo.updateIssuance(tx, i.id, { startsAt: input.startsAt, totalFen: issuanceTotalFen(input.rows) });
        await repo.replaceTiers(tx, i.id, c.id, input.rows);
        await jobs.schedule(tx, { kind: ISSUANCE_START_JOB, key: i.id, runAt: row.startsAt });
        await recordAudit(tx, {
          actorUserId: a.userId,
          action: 'vouchers.issuance_updated',
          targetType: 'voucher_issuance',
          targetId: i.id,
          organisationId: c.bureauId,
          before: {
            startsAt: i.startsAt,
            totalFen: i.totalFen,
            rows: before.map((t) => ({
              categoryCode: t.categoryCode,
              tierNo: t.tierNo,
              thresholdFen: t.thresholdFen,
              discountFen: t.discountFen,
              count: t.count,
            })),
          },
          after: { startsAt: row.startsAt, totalFen: row.totalFen, rows: input.rows },
        });
        return issuanceView(row, await repo.tiersOf(tx, [i.id]), categories);
      });
    },

    /** 删除发券批次: only while scheduled and before its time. */
    async deleteIssuance(actor: Actor | null, issuanceId: string): Promise<{ id: string; deleted: true }> {
      return db.transaction(async (tx) => {
        const { c, i, a } = await issuanceFor(tx, actor, issuanceId);
        if (!issuanceEditable(i.status) || i.startsAt.getTime() <= clock.now().getTime())
          throw new AppError(
            'VOUCHER_ISSUANCE_FROZEN',
            i.status === 'scheduled' ? '该批次的发放时间已到，不能删除' : `该批次${ISSUANCE_STATUS_LABELS[i.status]}，不能删除`,
          );
        await repo.deleteIssuance(tx, i.id);
        await jobs.cancel(tx, ISSUANCE_START_JOB, i.id);
        await recordAudit(tx, {
          actorUserId: a.userId,
          action: 'vouchers.issuance_deleted',
          targetType: 'voucher_issuance',
          targetId: i.id,
          organisationId: c.bureauId,
          before: { seq: i.seq, startsAt: i.startsAt, totalFen: i.totalFen },
        });
        return { id: i.id, deleted: true as const };
      });
    },

    /**
     * 资金划拨: the whole budget from the bureau's wallet into the campaign pool (idempotent: a second
     * call moves nothing). Issuances whose time has already come start in the same transaction.
     * Errors: INSUFFICIENT_FUNDS (nothing moves; says how much is missing), VOUCHER_CAMPAIGN_CLOSED.
     */
    async fund(actor: Actor | null, campaignId: string) {
      return db.transaction(async (tx) => {
        const { c, a } = await campaignFor(tx, actor, campaignId, true);
        const acc = await accountsOf(tx, c);
        const wallet = await ledger.ensureWallet(tx, c.bureauId);
        if (c.status !== 'draft') {
          if (c.status !== 'funded') throw new AppError('VOUCHER_CAMPAIGN_CLOSED', `活动${CAMPAIGN_STATUS_LABELS[c.status]}，不能划拨资金`);
        } else if (c.validUntil.getTime() <= clock.now().getTime()) throw new AppError('VOUCHER_CAMPAIGN_CLOSED', '活动有效期已结束，不能划拨资金');
        if (c.status === 'draft') {
          const { availableFen } = await ledger.walletBalances(tx, c.bureauId);
          if (availableFen < c.budgetFen)
            throw new AppError(
              'INSUFFICIENT_FUNDS',
              `可用余额 ${formatFen(availableFen)}，不足以划拨活动资金 ${formatFen(c.budgetFen)}，还差 ${formatFen(c.budgetFen - availableFen)}`,
            );
        }
        let result;
        try {
          result = await ledger.transfer(tx, {
            debitAccountId: wallet.availableId,
            creditAccountId: acc.voucher_pool,
            amountFen: c.budgetFen,
            kind: 'voucher_fund',
            reference: `${c.name}（${c.documentNo}）`,
            idempotencyKey: `voucher-fund:${c.id}`,
            metadata: { campaignId: c.id },
          });
        } catch (e) {
          // Spent concurrently between the check and the transfer: nothing moved.
          if (isAppError(e) && e.code === 'INSUFFICIENT_FUNDS')
            throw new AppError('INSUFFICIENT_FUNDS', `可用余额不足以划拨活动资金 ${formatFen(c.budgetFen)}`);
          throw e;
        }
        let row = c;
        if (c.status === 'draft') {
          row = await repo.updateCampaign(tx, c.id, { status: 'funded', fundedAt: clock.now() });
          await recordAudit(tx, {
            actorUserId: a.userId,
            action: 'vouchers.campaign_funded',
            targetType: 'voucher_campaign',
            targetId: c.id,
            organisationId: c.bureauId,
            before: { status: c.status },
            after: { status: row.status, amountFen: c.budgetFen, transferId: result.transfer.id },
          });
          for (const due of await repo.dueIssuances(tx, clock.now())) {
            const i = await repo.findIssuance(tx, due.id);
            if (i?.campaignId === c.id) await ensureStartedIn(tx, due.id);
          }
        }
        const balances = await ledger.walletBalances(tx, c.bureauId);
        return {
          campaignId: c.id,
          status: row.status,
          fundedAt: iso(row.fundedAt ?? clock.now()),
          amountFen: c.budgetFen,
          transferId: result.transfer.id,
          replayed: result.replayed,
          walletAvailableFen: balances.availableFen,
        };
      });
    },

    /**
     * Starts the issuance if its time has come and it has not started: pool → issued (its total,
     * keyed by the issuance), status running. Idempotent and safe to call concurrently (the campaign
     * row is locked); the start job runs it, and the grab may call it when a grab arrives first.
     * Does nothing while the campaign is not funded or after its validity end.
     */
    async ensureStarted(issuanceId: string): Promise<{ status: IssuanceRow['status']; started: boolean }> {
      const pre = await repo.findIssuance(db, issuanceId);
      if (!pre) throw new AppError('NOT_FOUND', '发券批次不存在');
      if (pre.status !== 'scheduled' || pre.startsAt.getTime() > clock.now().getTime()) return { status: pre.status, started: false };
      return db.transaction((tx) => ensureStartedIn(tx, issuanceId));
    },

    /** 暂停 / 恢复 / 停止 (a stop returns Σ (count − granted) × discount to the pool; tiers are locked, so concurrent grants stay exact). */
    pause: (actor: Actor | null, issuanceId: string) => move(actor, issuanceId, 'pause'),
    resume: (actor: Actor | null, issuanceId: string) => move(actor, issuanceId, 'resume'),
    stop: (actor: Actor | null, issuanceId: string) => move(actor, issuanceId, 'stop'),

    /** The pool identity of one campaign, for its bureau. */
    async identity(actor: Actor | null, campaignId: string): Promise<IdentityView> {
      const { c } = await campaignFor(db, actor, campaignId);
      return identityOf(db, c);
    },

    /** The identity without a caller (tests, jobs, the benchmark's final check). */
    async identityById(campaignId: string): Promise<IdentityView> {
      const c = await repo.findCampaign(db, campaignId);
      if (!c) throw new AppError('NOT_FOUND', '活动不存在');
      return identityOf(db, c);
    },

    /** 数据看板: per issuance and tier granted / remaining; redemptions by day, category, district and merchant; the identity. */
    async console(actor: Actor | null, campaignId: string): Promise<ConsoleView> {
      const { c } = await campaignFor(db, actor, campaignId);
      const [categories, issuances, coupons, total, byDay, byCategory, byDistrict, byMerchant, identity, [summary]] = await Promise.all([
        repo.categoriesOf(db, [c.id]),
        repo.issuancesOf(db, [c.id]),
        repo.couponsByStatus(db, c.id),
        repo.paidFigures(db, c.id, 'total'),
        repo.paidFigures(db, c.id, 'day'),
        repo.paidFigures(db, c.id, 'category'),
        repo.paidFigures(db, c.id, 'district'),
        repo.paidFigures(db, c.id, 'merchant'),
        identityOf(db, c),
        summaries(db, [c]),
      ]);
      const tiers = await repo.tiersOf(
        db,
        issuances.map((i) => i.id),
      );
      const catName = (code: string) => categories.find((k) => k.code === code)?.name ?? code;
      return {
        campaignId: c.id,
        generatedAt: iso(clock.now()),
        issuances: issuances.map((i) => issuanceView(i, tiers, categories)),
        coupons: {
          granted: coupons.unused.count + coupons.used.count + coupons.expired.count,
          unused: coupons.unused.count,
          used: coupons.used.count,
          expired: coupons.expired.count,
        },
        totals: figureRow(total[0] ?? { key: 'total', redemptions: 0, discountFen: 0, billFen: 0 }, '合计'),
        byDay: byDay.map((r) => figureRow(r, r.key)),
        byCategory: byCategory.map((r) => figureRow(r, catName(r.key))),
        byDistrict: byDistrict.map((r) => figureRow(r, districtLabel(r.key))),
        byMerchant: byMerchant.map((r) => figureRow(r, r.name ?? r.key)),
        identity,
        fundingLate: summary!.fundingLate,
        fundingDeadline: summary!.fundingDeadline,
      };
    },

    /** The console's figures as an XLSX workbook (one sheet per view). */
    async exportConsole(actor: Actor | null, campaignId: string): Promise<ExportFile> {
      const { c } = await campaignFor(db, actor, campaignId);
      const v = await service.console(actor, campaignId);
      const yuan = (fen: number) => fen / 100;
      const figureSheet = (name: string, first: string, rows: FigureRow[]): Sheet => ({
        name,
        columns: [first, '核销笔数', '核销金额（元）', '订单金额（元）', '拉动消费（倍）'],
        rows: [...rows, v.totals].map((r, i) => [i === rows.length ? '合计' : r.label, r.redemptions, yuan(r.discountFen), yuan(r.billFen), r.leverage]),
        textColumns: [0],
      });
      const sheets: Sheet[] = [
        {
          name: '发券批次',
          columns: ['批次', '发放时间', '状态', '券类别', '档次', '券面', '发放张数', '已领取', '剩余', '金额（元）'],
          rows: v.issuances.flatMap((i) =>
            i.tiers.map((t) => [
              `第${i.seq}次`,
              formatDateTime(i.startsAt),
              i.statusLabel,
              t.categoryName,
              t.tierName,
              t.label,
              t.count,
              t.granted,
              t.remaining,
              yuan(t.valueFen),
            ]),
          ),
          textColumns: [0, 1],
        },
        figureSheet('按日', '日期', v.byDay),
        figureSheet('按券类别', '券类别', v.byCategory),
        figureSheet('按街镇', '街镇', v.byDistrict),
        figureSheet('按商户', '商户', v.byMerchant),
        {
          name: '资金恒等式',
          columns: ['检查项', '左边（元）', '右边（元）', '结果'],
          rows: v.identity.checks.map((k) => [k.label, yuan(k.leftFen), yuan(k.rightFen), k.ok ? '一致' : '不一致']),
          widths: [60, 16, 16, 10],
        },
      ];
      return xlsxFile(`${c.name}-数据看板-${shanghaiDateCompact(clock.now())}.xlsx`, sheets);
    },

    /** Campaigns residents may see: funded and still valid, with their issuances' times and tiers. */
    async listPublic(): Promise<PublicCampaignView[]> {
      const rows = await repo.listOpen(db, clock.now());
      return publicViews(rows);
    },

    /** One campaign as residents see it (NOT_FOUND before funding or for an unknown id). */
    async getPublic(campaignId: string): Promise<PublicCampaignView> {
      const c = await repo.findCampaign(db, campaignId);
      if (!c || c.status === 'draft' || c.status === 'cancelled') throw new AppError('NOT_FOUND', '活动不存在');
      return (await publicViews([c]))[0]!;
    },

    /** After a restart: start what is due, and put back the start job of every scheduled issuance. */
    async resumeTimers() {
      let started = 0;
      for (const due of await repo.dueIssuances(db, clock.now())) {
        try {
          if ((await service.ensureStarted(due.id)).started) started++;
        } catch (e) {
          log(`voucher issuance ${due.id} did not start: ${(e as Error).message}`);
        }
      }
      for (const s of await repo.scheduledIssuances(db))
        if (s.startsAt.getTime() > clock.now().getTime()) await jobs.schedule(db, { kind: ISSUANCE_START_JOB, key: s.id, runAt: s.startsAt });
      return started;
    },
  };

  async function publicViews(rows: CampaignRow[]): Promise<PublicCampaignView[]> {
    const ids = rows.map((r) => r.id);
    const [categories, issuances, names] = await Promise.all([
      repo.categoriesOf(db, ids),
      repo.issuancesOf(db, ids),
      repo.bureauNames(db, [...new Set(rows.map((r) => r.bureauId))]),
    ]);
    const tiers = await repo.tiersOf(
      db,
      issuances.map((i) => i.id),
    );
    return rows.map((c) => {
      const cats = categories.filter((k) => k.campaignId === c.id);
      return {
        id: c.id,
        name: c.name,
        documentNo: c.documentNo,
        bureauName: names.get(c.bureauId) ?? '',
        validUntil: iso(c.validUntil),
        regionNames: (c.regionCodes ?? []).map((r) => regionName(r) || r),
        perIssuanceCap: c.perIssuanceCap,
        categories: cats.map(categoryView),
        issuances: issuances
          .filter((i) => i.campaignId === c.id)
          .map((i) => {
            const v = issuanceView(i, tiers, cats);
            return {
              id: v.id,
              seq: v.seq,
              startsAt: v.startsAt,
              status: v.status,
              statusLabel: v.statusLabel,
              tiers: v.tiers.map(({ closed: _c, valueFen: _v, ...t }) => t),
            };
          }),
      };
    });
  }

  jobs.on(ISSUANCE_START_JOB, async (job) => void (await service.ensureStarted(job.key)));

  return service;
}

export type CampaignService = ReturnType<typeof createCampaignService>;
