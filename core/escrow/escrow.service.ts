import { and, asc, count, desc, eq, inArray, isNotNull, lte, or, sql } from 'drizzle-orm';
import type { Db, DbOrTx } from '../../db/client';
import {
  afterSalesCases,
  agreements,
  agreementVersions,
  caseEvents,
  milestoneEvents,
  milestones,
  organisations,
  requirements,
  reviews,
  storefronts,
  terminations,
  type AgreementRow,
  type CaseRow,
  type MilestoneRow,
} from '../../db/schema';
import { toFileView, type FileService } from '../files/files.service';
import type { MessageService } from '../notifications/messages.service';
import type { SettingsService } from '../settings/settings.service';
import { recordAudit } from '../audit/audit';
import { requireActor, requireOperator, type Actor } from '../shared/actor';
import { AppError } from '../shared/app-error';
import { authorize } from '../shared/access';
import type { Clock } from '../shared/clock';
import type { DeadlineTimer } from '../shared/deadline-timer';
import { formatFen } from '../shared/money';
import { parseInput } from '../shared/validate';
import { transition } from '../tenders/requirements.machine';
import { getRequirement, setState } from '../tenders/tenders.repo';
import type { RequirementService } from '../tenders/requirements.service';
import type { Ledger } from '../wallet/ledger.service';
import { makeOrderNo } from '../wallet/recharge.machine';
import { contentSha256, renderAgreementPdf, TERMS_VERSION, type AgreementContent } from './agreement-document';
import {
  agreementTransition,
  allocateSplit,
  AGREEMENT_STATUS_LABELS,
  CASE_STATUS_LABELS,
  caseTransition,
  checkAgreementNumbers,
  checkCanOpenCase,
  feeOf,
  heldFen,
  MILESTONE_STATUS_LABELS,
  amountDueFen,
  milestonesToFund,
  milestonesToRelease,
  milestoneTransition,
  type CaseStatus,
  type MilestoneStatus,
} from './escrow.machine';
import {
  AgreementInput,
  AgreementListQuery,
  AnswerTerminationInput,
  CaseMessageInput,
  CaseNoteInput,
  DecideCaseInput,
  DeliverInput,
  OpenCaseInput,
  ProposeTerminationInput,
  ReplyInput,
  ReturnAgreementInput,
  ReturnMilestoneInput,
  ReviewInput,
} from './escrow.schema';
import { addWorkingDays, shanghaiDay } from './working-days';

export interface EscrowDeps {
  db: Db;
  clock: Clock;
  ledger: Ledger;
  messages: MessageService;
  settings: SettingsService;
  files: FileService;
  timer: DeadlineTimer;
  requirements: RequirementService;
  winningPriceFen: (requirementId: string, providerId: string) => Promise<number | null>;
}

type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];
type Push = () => Promise<void>;
type Side = 'enterprise' | 'provider';

const REMIND_TIMER = 'milestone-remind';
const ACCEPT_TIMER = 'milestone-accept';
/** The review window and the grace after the reminder, in working days (issue defaults). */
export const REVIEW_WORKING_DAYS = 5;
export const GRACE_WORKING_DAYS = 2;

/**
 * After selection (manual 五–八): the agreement the provider drafts and the enterprise confirms, the
 * escrow it pays per milestone, deliveries and acceptance with working-day auto-acceptance,
 * after-sales cases that hold unreleased escrow, early termination and reviews.
 *
 * Money: escrow_fund (wallet → escrow), escrow_release (escrow → provider, less platform_fee →
 * revenue), escrow_refund (escrow → wallet); each keyed by the milestone and the step, so a retry
 * moves nothing twice. Invariant: the escrow account holds exactly Σ (funded − released − refunded)
 * over all milestones (`check()`).
 */
export function createEscrowService(deps: EscrowDeps) {
  const { db, clock, ledger, messages, settings, files, timer, requirements: requirementService, winningPriceFen } = deps;

  // ── helpers ──────────────────────────────────────────────────────────────────────────────────
  const sideOf = (actor: Actor, a: Pick<AgreementRow, 'enterpriseId' | 'providerId'>): Side | undefined => {
    const org = actor.organisation?.organisationId;
    return org === a.enterpriseId ? 'enterprise' : org === a.providerId ? 'provider' : undefined;
  };

  async function loadAgreement(q: DbOrTx, id: string, lock = false) {
    if (!/^[0-9a-f-]{36}$/i.test(id)) throw new AppError('NOT_FOUND', '协议不存在');
    const query = q.select().from(agreements).where(eq(agreements.id, id));
    const [a] = await (lock ? query.for('update') : query);
    if (!a) throw new AppError('NOT_FOUND', '协议不存在');
    return a;
  }

  /** The agreement if the actor is one of its parties (or an operator reading); NOT_FOUND otherwise. */
  async function partyOf(actor: Actor | null, id: string, q: DbOrTx = db, lock = false) {
    const a = requireActor(actor);
    const ag = await loadAgreement(q, id, lock);
    const side = sideOf(a, ag);
    if (!side && !a.isOperator) throw new AppError('NOT_FOUND', '协议不存在');
    return { actor: a, ag, side };
  }

  function requireSide(side: Side | undefined, want: Side) {
    if (side === want) return;
    throw new AppError('FORBIDDEN', want === 'enterprise' ? '只有发布企业可以进行此操作' : '只有服务机构可以进行此操作');
  }

  const milestonesOf = (q: DbOrTx, agreementId: string, lock = false) => {
    const query = q.select().from(milestones).where(eq(milestones.agreementId, agreementId)).orderBy(asc(milestones.seq));
    return lock ? query.for('update') : query;
  };

  async function openCase(q: DbOrTx, agreementId: string) {
    const [c] = await q
      .select()
      .from(afterSalesCases)
      .where(and(eq(afterSalesCases.agreementId, agreementId), inArray(afterSalesCases.status, ['open', 'responded', 'escalated'])));
    return c;
  }

  async function notify(tx: Tx, orgId: string, title: string, body: string, link: string): Promise<Push> {
    return (await messages.sendToOrganisation(orgId, { title, body, link, category: 'trade' }, tx)).push;
  }
  const runAll = async (pushes: Push[]) => {
    for (const p of pushes) await p().catch(() => undefined);
  };

  const projectLink = (a: Pick<AgreementRow, 'id'>) => `/account/agreements/${a.id}`;
  /** 2026-12-10 10:00 in Asia/Shanghai, for notes people read. */
  const shanghaiMinute = (d: Date) => new Date(d.getTime() + 8 * 3_600_000).toISOString().slice(0, 16).replace('T', ' ');

  async function logMilestone(tx: Tx, milestoneId: string, type: string, actorUserId: string | null, note?: string, attachmentIds: string[] = []) {
    await tx.insert(milestoneEvents).values({ milestoneId, type, actorUserId, note: note ?? null, attachmentIds, createdAt: clock.now() });
  }

  async function setMilestone(tx: Tx, m: MilestoneRow, to: MilestoneStatus, patch: Partial<typeof milestones.$inferInsert> = {}) {
    const [row] = await tx
      .update(milestones)
      .set({ ...patch, status: to })
      .where(and(eq(milestones.id, m.id), eq(milestones.status, m.status)))
      .returning();
    if (!row) throw new AppError('CONFLICT', '里程碑状态已变化，请刷新后重试');
    return row;
  }

  /** Pays accepted milestones out of escrow (less the fee), inside `tx`. */
  async function release(tx: Tx, ag: AgreementRow, due: MilestoneRow[], actorUserId: string | null) {
    if (!due.length) return 0;
    const provider = await ledger.ensureWallet(tx, ag.providerId);
    const escrow = await ledger.platformAccount('escrow');
    let total = 0;
    for (const m of due) {
      const amount = heldFen(m);
      const fee = feeOf(amount, ag.feeBp);
      if (amount - fee > 0) {
        await ledger.transfer(tx, {
          debitAccountId: escrow,
          creditAccountId: provider.availableId,
          amountFen: amount - fee,
          kind: 'escrow_release',
          reference: `协议 ${ag.agreementNo} 里程碑 ${m.seq}`,
          idempotencyKey: `escrow:release:${m.id}`,
          metadata: { agreementId: ag.id, milestoneId: m.id },
        });
      }
      if (fee > 0) {
        await ledger.transfer(tx, {
          debitAccountId: escrow,
          creditAccountId: await ledger.platformAccount('revenue'),
          amountFen: fee,
          kind: 'platform_fee',
          reference: `协议 ${ag.agreementNo} 里程碑 ${m.seq}`,
          idempotencyKey: `escrow:fee:${m.id}`,
          metadata: { agreementId: ag.id, milestoneId: m.id },
        });
      }
      await setMilestone(tx, m, milestoneTransition(m.status, 'release'), { releasedFen: m.releasedFen + amount, releasedAt: clock.now() });
      await logMilestone(tx, m.id, 'released', actorUserId, `支付 ${formatFen(amount - fee)}${fee ? `，平台服务费 ${formatFen(fee)}` : ''}`);
      total += amount - fee;
    }
    await recordAudit(tx, {
      actorUserId,
      action: 'escrow.released',
      targetType: 'agreement',
      targetId: ag.agreementNo,
      organisationId: ag.enterpriseId,
      before: { milestones: due.map((m) => ({ seq: m.seq, status: m.status })) },
      after: { paidFen: total, feeBp: ag.feeBp, providerId: ag.providerId },
    });
    return total;
  }

  /** When every milestone is paid or settled: the agreement and the requirement are completed. */
  async function completeIfDone(tx: Tx, ag: AgreementRow, actorUserId: string | null): Promise<Push[]> {
    const ms = await milestonesOf(tx, ag.id);
    if (!ms.every((m) => m.status === 'released' || m.status === 'refunded') || ag.completedAt) return [];
    await tx.update(agreements).set({ completedAt: clock.now(), updatedAt: clock.now() }).where(eq(agreements.id, ag.id));
    const r = await getRequirement(tx, ag.requirementId, 'update');
    if (r.state === 'in_progress') await setState(tx, r, transition(r.state, 'complete', r.mode), 'complete', actorUserId);
    return [
      await notify(tx, ag.enterpriseId, '项目已完成', `协议 ${ag.agreementNo} 的全部里程碑已完成并付款，欢迎对服务机构进行评价。`, projectLink(ag)),
      await notify(tx, ag.providerId, '项目已完成', `协议 ${ag.agreementNo} 的合同款已全部支付至钱包，欢迎对企业进行评价。`, projectLink(ag)),
    ];
  }

  /** Releases what the mode allows now (not while a case holds the project), then completes if done. */
  async function settleAccepted(tx: Tx, ag: AgreementRow, actorUserId: string | null): Promise<Push[]> {
    const ms = await milestonesOf(tx, ag.id, true);
    const held = Boolean(await openCase(tx, ag.id));
    const due = milestonesToRelease(ag.releaseMode, ms, held);
    const paid = await release(tx, ag, due, actorUserId);
    const pushes: Push[] = [];
    if (paid > 0) pushes.push(await notify(tx, ag.providerId, '合同款已到账', `协议 ${ag.agreementNo} 已支付 ${formatFen(paid)} 至贵机构钱包。`, projectLink(ag)));
    pushes.push(...(await completeIfDone(tx, ag, actorUserId)));
    return pushes;
  }

  /** Executes a split of everything held (case decision, agreed termination). */
  async function executeSplit(tx: Tx, ag: AgreementRow, split: { payFen: number; refundFen: number }, label: string, terminate: boolean, actorUserId: string | null) {
    const ms = await milestonesOf(tx, ag.id, true);
    const shares = allocateSplit(ms, split);
    const escrow = await ledger.platformAccount('escrow');
    const enterprise = await ledger.ensureWallet(tx, ag.enterpriseId);
    const provider = await ledger.ensureWallet(tx, ag.providerId);
    for (const s of shares) {
      const m = ms.find((x) => x.id === s.id)!;
      const fee = feeOf(s.payFen, ag.feeBp);
      if (s.payFen - fee > 0) {
        await ledger.transfer(tx, {
          debitAccountId: escrow,
          creditAccountId: provider.availableId,
          amountFen: s.payFen - fee,
          kind: 'escrow_release',
          reference: `协议 ${ag.agreementNo} ${label}`,
          idempotencyKey: `escrow:split-pay:${m.id}:${m.releasedFen + m.refundedFen}`,
          metadata: { agreementId: ag.id, milestoneId: m.id },
        });
      }
      if (fee > 0) {
        await ledger.transfer(tx, {
          debitAccountId: escrow,
          creditAccountId: await ledger.platformAccount('revenue'),
          amountFen: fee,
          kind: 'platform_fee',
          reference: `协议 ${ag.agreementNo} ${label}`,
          idempotencyKey: `escrow:split-fee:${m.id}:${m.releasedFen + m.refundedFen}`,
          metadata: { agreementId: ag.id, milestoneId: m.id },
        });
      }
      if (s.refundFen > 0) {
        await ledger.transfer(tx, {
          debitAccountId: escrow,
          creditAccountId: enterprise.availableId,
          amountFen: s.refundFen,
          kind: 'escrow_refund',
          reference: `协议 ${ag.agreementNo} ${label}`,
          idempotencyKey: `escrow:split-refund:${m.id}:${m.releasedFen + m.refundedFen}`,
          metadata: { agreementId: ag.id, milestoneId: m.id },
        });
      }
      const to = s.refundFen > 0 ? 'refunded' : m.status === 'accepted' ? 'released' : 'refunded';
      await tx
        .update(milestones)
        .set({ status: to, releasedFen: m.releasedFen + s.payFen, refundedFen: m.refundedFen + s.refundFen, releasedAt: s.payFen ? clock.now() : m.releasedAt })
        .where(eq(milestones.id, m.id));
      await logMilestone(tx, m.id, 'settled', actorUserId, `${label}：支付服务机构 ${formatFen(s.payFen)}，退回企业 ${formatFen(s.refundFen)}`);
    }
    if (terminate) {
      // Milestones never funded end here too.
      await tx
        .update(milestones)
        .set({ status: 'refunded' })
        .where(and(eq(milestones.agreementId, ag.id), eq(milestones.status, 'unfunded')));
      await tx.update(agreements).set({ status: agreementTransition(ag.status, 'terminate'), terminatedAt: clock.now(), updatedAt: clock.now() }).where(eq(agreements.id, ag.id));
      const r = await getRequirement(tx, ag.requirementId, 'update');
      if (r.state === 'awarded' || r.state === 'in_progress') await setState(tx, r, transition(r.state, 'terminate', r.mode), 'terminate', actorUserId, { closedAt: clock.now() }, { ...split, label });
      // A deposit still held (nothing was ever funded) goes back in full.
      await requirementService.refundDepositInFull(tx, ag.requirementId);
      return [];
    }
    return completeIfDone(tx, { ...ag }, actorUserId);
  }

  async function names(q: DbOrTx, ids: string[]) {
    const rows = ids.length ? await q.select({ id: organisations.id, fullName: organisations.fullName, uscc: organisations.uscc }).from(organisations).where(inArray(organisations.id, ids)) : [];
    return new Map(rows.map((r) => [r.id, r]));
  }

  async function view(ag: AgreementRow, actor: Actor) {
    const [ms, versions, org, r, cases, term, myReviews] = await Promise.all([
      milestonesOf(db, ag.id),
      db.select().from(agreementVersions).where(eq(agreementVersions.agreementId, ag.id)).orderBy(asc(agreementVersions.version)),
      names(db, [ag.enterpriseId, ag.providerId]),
      getRequirement(db, ag.requirementId),
      db.select().from(afterSalesCases).where(eq(afterSalesCases.agreementId, ag.id)).orderBy(desc(afterSalesCases.createdAt)),
      db.select().from(terminations).where(eq(terminations.agreementId, ag.id)).orderBy(desc(terminations.createdAt)).limit(1),
      db.select().from(reviews).where(eq(reviews.agreementId, ag.id)),
    ]);
    const side = sideOf(actor, ag);
    const evs = ms.length ? await db.select().from(milestoneEvents).where(inArray(milestoneEvents.milestoneId, ms.map((m) => m.id))).orderBy(asc(milestoneEvents.createdAt)) : [];
    const attachments = ms.length ? await files.listAttached(db, 'milestone', ms.map((m) => m.id)) : [];
    const openC = cases.find((c) => ['open', 'responded', 'escalated'].includes(c.status));
    const inEscrow = ms.reduce((s, m) => s + heldFen(m), 0);
    return {
      id: ag.id,
      agreementNo: ag.agreementNo,
      requirement: { id: r.id, requirementNo: r.requirementNo, title: r.title, state: r.state, depositStatus: r.depositStatus },
      enterprise: org.get(ag.enterpriseId) ?? { id: ag.enterpriseId, fullName: '', uscc: null },
      provider: org.get(ag.providerId) ?? { id: ag.providerId, fullName: '', uscc: null },
      side: side ?? ('operator' as const),
      status: ag.status,
      statusLabel: AGREEMENT_STATUS_LABELS[ag.status],
      version: ag.version,
      scope: ag.scope,
      totalFen: ag.totalFen,
      startDate: ag.startDate,
      endDate: ag.endDate,
      paymentMode: ag.paymentMode as 'full_escrow' | 'instalments',
      releaseMode: ag.releaseMode,
      feeBp: ag.feeBp,
      returnComment: ag.returnComment,
      confirmedAt: ag.confirmedAt,
      contentSha256: ag.contentSha256,
      pdfUrl: ag.confirmedAt ? `/api/v1/agreements/${ag.id}/pdf` : null,
      completedAt: ag.completedAt,
      terminatedAt: ag.terminatedAt,
      escrow: {
        inEscrowFen: inEscrow,
        fundedFen: ms.reduce((s, m) => s + m.fundedFen, 0),
        releasedFen: ms.reduce((s, m) => s + m.releasedFen, 0),
        refundedFen: ms.reduce((s, m) => s + m.refundedFen, 0),
        held: Boolean(openC),
        nextToFundFen: ag.status === 'confirmed' && !ag.completedAt ? amountDueFen(ag.paymentMode as 'full_escrow' | 'instalments', ms) : 0,
      },
      milestones: ms.map((m) => ({
        id: m.id,
        seq: m.seq,
        title: m.title,
        deliverables: m.deliverables,
        amountFen: m.amountFen,
        dueDate: m.dueDate,
        status: m.status,
        statusLabel: MILESTONE_STATUS_LABELS[m.status],
        fundedFen: m.fundedFen,
        releasedFen: m.releasedFen,
        refundedFen: m.refundedFen,
        deliveredAt: m.deliveredAt,
        reminderDueAt: m.reminderDueAt,
        remindedAt: m.remindedAt,
        autoAcceptAt: m.autoAcceptAt,
        acceptedAt: m.acceptedAt,
        autoAccepted: m.autoAccepted === 1,
        releasedAt: m.releasedAt,
        timeline: evs
          .filter((e) => e.milestoneId === m.id)
          .map((e) => ({ type: e.type, note: e.note, at: e.createdAt, attachments: attachments.filter((f) => e.attachmentIds.includes(f.id)).map(toFileView) })),
      })),
      versions: versions.map((v) => ({ version: v.version, sentAt: v.sentAt, returnComment: v.returnComment, returnedAt: v.returnedAt, content: v.content })),
      cases: cases.map((c) => ({ id: c.id, caseNo: c.caseNo, status: c.status, statusLabel: CASE_STATUS_LABELS[c.status], reason: c.reason, createdAt: c.createdAt })),
      openCaseId: openC?.id ?? null,
      termination: term[0] ? { ...term[0] } : null,
      reviews: myReviews.map((x) => ({ ...x, byMe: x.reviewerOrgId === actor.organisation?.organisationId })),
      canReview: Boolean(ag.completedAt) && side !== undefined && !myReviews.some((x) => x.reviewerOrgId === actor.organisation?.organisationId),
    };
  }

  async function writeMilestones(tx: Tx, agreementId: string, input: ReturnType<typeof AgreementInput.parse>) {
    await tx.delete(milestones).where(eq(milestones.agreementId, agreementId));
    await tx.insert(milestones).values(input.milestones.map((m, i) => ({ agreementId, seq: i + 1, title: m.title, deliverables: m.deliverables, amountFen: m.amountFen, dueDate: m.dueDate })));
  }

  const contentOf = (ag: AgreementRow, ms: MilestoneRow[], r: { requirementNo: string; title: string }, org: Map<string, { fullName: string; uscc: string | null }>, confirmedOn: string): AgreementContent => ({
    agreementNo: ag.agreementNo,
    requirement: { requirementNo: r.requirementNo, title: r.title },
    enterprise: { fullName: org.get(ag.enterpriseId)?.fullName ?? '', uscc: org.get(ag.enterpriseId)?.uscc ?? null },
    provider: { fullName: org.get(ag.providerId)?.fullName ?? '', uscc: org.get(ag.providerId)?.uscc ?? null },
    scope: ag.scope,
    totalFen: ag.totalFen,
    startDate: ag.startDate,
    endDate: ag.endDate,
    paymentMode: ag.paymentMode as 'full_escrow' | 'instalments',
    releaseMode: ag.releaseMode,
    feeBp: ag.feeBp,
    milestones: ms.map((m) => ({ seq: m.seq, title: m.title, deliverables: m.deliverables, amountFen: m.amountFen, dueDate: m.dueDate })),
    confirmedOn,
    termsVersion: TERMS_VERSION,
  });

  async function scheduleReview(m: Pick<MilestoneRow, 'id' | 'reminderDueAt' | 'autoAcceptAt'>) {
    if (m.reminderDueAt) await timer.schedule(`${REMIND_TIMER}:${m.id}`, m.reminderDueAt);
    if (m.autoAcceptAt) await timer.schedule(`${ACCEPT_TIMER}:${m.id}`, m.autoAcceptAt);
  }

  const service = {
    // ── agreement ────────────────────────────────────────────────────────────────────────────
    /**
     * What the selected provider starts from: the requirement, the winning price (its last revised
     * price, or its proposal price), the payment mode and any agreement already drafted.
     */
    async draftBasis(actor: Actor | null, requirementId: string) {
      const a = requireActor(actor);
      const r = await getRequirement(db, requirementId);
      const org = a.organisation?.organisationId;
      if (!r.selectedProviderId || (org !== r.selectedProviderId && org !== r.organisationId)) throw new AppError('NOT_FOUND', '项目不存在');
      const [existing] = await db.select().from(agreements).where(and(eq(agreements.requirementId, r.id), sql`${agreements.status} <> 'terminated'`));
      return {
        requirement: { id: r.id, requirementNo: r.requirementNo, title: r.title, paymentMode: r.paymentMode, deliveryDate: r.deliveryDate, state: r.state },
        winningPriceFen: await winningPriceFen(r.id, r.selectedProviderId),
        agreementId: existing?.id ?? null,
      };
    },

    /**
     * 交易提醒 before any agreement exists: the organisation's awarded requirements that have no live
     * agreement yet (the provider is to draft one; the enterprise waits for it), newest first.
     */
    async awaitingAgreement(actor: Actor | null) {
      const a = requireActor(actor);
      const org = a.organisation?.organisationId;
      if (!org) return [];
      const rows = await db
        .select({ id: requirements.id, requirementNo: requirements.requirementNo, title: requirements.title, enterpriseId: requirements.organisationId, providerId: requirements.selectedProviderId, deliveryDate: requirements.deliveryDate, updatedAt: requirements.updatedAt })
        .from(requirements)
        .where(
          and(
            eq(requirements.state, 'awarded'),
            or(eq(requirements.organisationId, org), eq(requirements.selectedProviderId, org)),
            sql`not exists (select 1 from ${agreements} where ${agreements.requirementId} = ${requirements.id} and ${agreements.status} <> 'terminated')`,
          ),
        )
        .orderBy(desc(requirements.updatedAt))
        .limit(50);
      const org2 = await names(db, [...new Set(rows.flatMap((r) => [r.enterpriseId, r.providerId!]))]);
      return rows.map((r) => {
        const side: Side = r.enterpriseId === org ? 'enterprise' : 'provider';
        return {
          requirementId: r.id,
          requirementNo: r.requirementNo,
          title: r.title,
          side,
          counterparty: org2.get(side === 'enterprise' ? r.providerId! : r.enterpriseId)?.fullName ?? '',
          deliveryDate: r.deliveryDate,
          todo: side === 'provider' ? '待起草协议' : '待服务机构起草协议',
          updatedAt: r.updatedAt,
        };
      });
    },

    /**
     * The selected provider saves the agreement draft (creating it the first time); while it is a
     * draft or returned it may change. Errors: FORBIDDEN (not the selected provider), INVALID_TRANSITION
     * (already sent or confirmed), VALIDATION (numbers; see checkAgreementNumbers).
     */
    async saveDraft(actor: Actor | null, requirementId: string, raw: unknown) {
      const a = requireActor(actor);
      const input = parseInput(AgreementInput, raw);
      checkAgreementNumbers(input);
      const row = await db.transaction(async (tx) => {
        const r = await getRequirement(tx, requirementId, 'update');
        if (a.organisation?.organisationId !== r.selectedProviderId) {
          if (a.organisation?.organisationId === r.organisationId) throw new AppError('FORBIDDEN', '协议由选中的服务机构起草');
          throw new AppError('NOT_FOUND', '项目不存在');
        }
        if (r.state !== 'awarded') throw new AppError('INVALID_TRANSITION', '项目不在待实施阶段，不能起草协议');
        const [existing] = await tx
          .select()
          .from(agreements)
          .where(and(eq(agreements.requirementId, r.id), sql`${agreements.status} <> 'terminated'`))
          .for('update');
        const values = { scope: input.scope, totalFen: input.totalFen, startDate: input.startDate, endDate: input.endDate, releaseMode: input.releaseMode, updatedAt: clock.now() };
        let ag: AgreementRow;
        if (existing) {
          if (existing.status !== 'draft' && existing.status !== 'returned') throw new AppError('INVALID_TRANSITION', `协议${AGREEMENT_STATUS_LABELS[existing.status]}，不能修改`);
          [ag] = (await tx.update(agreements).set(values).where(eq(agreements.id, existing.id)).returning()) as [AgreementRow];
        } else {
          [ag] = (await tx
            .insert(agreements)
            .values({ ...values, agreementNo: makeOrderNo('HT', clock.now()), requirementId: r.id, enterpriseId: r.organisationId, providerId: r.selectedProviderId!, paymentMode: r.paymentMode, version: 0 })
            .returning()) as [AgreementRow];
        }
        await writeMilestones(tx, ag.id, input);
        return ag;
      });
      return view(row, a);
    },

    /** The provider sends the draft (a new version) to the enterprise, which is told. */
    async send(actor: Actor | null, id: string) {
      let pushes: Push[] = [];
      const { actor: a, ag } = await db.transaction(async (tx) => {
        const { actor: a, ag, side } = await partyOf(actor, id, tx, true);
        requireSide(side, 'provider');
        const to = agreementTransition(ag.status, 'send');
        const ms = await milestonesOf(tx, ag.id);
        checkAgreementNumbers({ ...ag, milestones: ms });
        const version = ag.version + 1;
        await tx.insert(agreementVersions).values({
          agreementId: ag.id,
          version,
          content: { scope: ag.scope, totalFen: ag.totalFen, startDate: ag.startDate, endDate: ag.endDate, releaseMode: ag.releaseMode, milestones: ms.map((m) => ({ seq: m.seq, title: m.title, deliverables: m.deliverables, amountFen: m.amountFen, dueDate: m.dueDate })) },
          sentBy: a.userId,
          sentAt: clock.now(),
        });
        const [next] = await tx.update(agreements).set({ status: to, version, returnComment: null, updatedAt: clock.now() }).where(eq(agreements.id, ag.id)).returning();
        pushes = [await notify(tx, ag.enterpriseId, '服务机构发来协议', `协议 ${ag.agreementNo}（第 ${version} 版）待您查看确认。`, projectLink(ag))];
        return { actor: a, ag: next! };
      });
      await runAll(pushes);
      return view(ag, a);
    },

    /** The enterprise returns the sent version with comments; the provider revises (versions are kept). */
    async returnAgreement(actor: Actor | null, id: string, raw: unknown) {
      const input = parseInput(ReturnAgreementInput, raw);
      let pushes: Push[] = [];
      const { actor: a, ag } = await db.transaction(async (tx) => {
        const { actor: a, ag, side } = await partyOf(actor, id, tx, true);
        requireSide(side, 'enterprise');
        const to = agreementTransition(ag.status, 'return');
        await tx
          .update(agreementVersions)
          .set({ returnComment: input.comment, returnedAt: clock.now() })
          .where(and(eq(agreementVersions.agreementId, ag.id), eq(agreementVersions.version, ag.version)));
        const [next] = await tx.update(agreements).set({ status: to, returnComment: input.comment, updatedAt: clock.now() }).where(eq(agreements.id, ag.id)).returning();
        pushes = [await notify(tx, ag.providerId, '协议被退回修改', `协议 ${ag.agreementNo}：${input.comment}`, projectLink(ag))];
        return { actor: a, ag: next! };
      });
      await runAll(pushes);
      return view(ag, a);
    },

    /**
     * 生成正式协议书: the enterprise confirms the sent version. The content, its SHA-256 and the
     * platform fee are fixed; the PDF is made from them (now, or on first download if this machine
     * lacks a Chinese font) and never changes.
     */
    async confirm(actor: Actor | null, id: string) {
      const { feeBp } = await settings.get('escrow.fee');
      let pushes: Push[] = [];
      const { actor: a, ag, content } = await db.transaction(async (tx) => {
        const { actor: a, ag, side } = await partyOf(actor, id, tx, true);
        requireSide(side, 'enterprise');
        const to = agreementTransition(ag.status, 'confirm');
        const ms = await milestonesOf(tx, ag.id);
        const r = await getRequirement(tx, ag.requirementId);
        const now = clock.now();
        const content = contentOf({ ...ag, feeBp }, ms, r, await names(tx, [ag.enterpriseId, ag.providerId]), shanghaiDay(now));
        const [next] = await tx
          .update(agreements)
          .set({ status: to, feeBp, confirmedAt: now, confirmedBy: a.userId, contentSha256: contentSha256(content), updatedAt: now })
          .where(eq(agreements.id, ag.id))
          .returning();
        pushes = [
          await notify(tx, ag.providerId, '协议已生效', `企业已确认协议 ${ag.agreementNo}，正式协议书可在“交易提醒”中下载。企业托管合同款后即可开始实施。`, projectLink(ag)),
          await notify(tx, ag.enterpriseId, '正式协议书已生成', `协议 ${ag.agreementNo} 已生效，请托管合同款后开始实施。`, projectLink(ag)),
        ];
        return { actor: a, ag: next!, content };
      });
      await runAll(pushes);
      // Best effort now; a missing font only delays the PDF until it can be made.
      await renderAgreementPdf(content)
        .then((pdf) => db.update(agreements).set({ pdf }).where(and(eq(agreements.id, ag.id), sql`${agreements.pdf} is null`)))
        .catch(() => undefined);
      return view(ag, a);
    },

    /** The formal PDF for a party (or an operator). Made from the stored content if not made yet. */
    async pdf(actor: Actor | null, id: string) {
      const { ag } = await partyOf(actor, id);
      if (!ag.confirmedAt) throw new AppError('NOT_FOUND', '协议尚未生效，还没有正式协议书');
      if (ag.pdf) return { filename: `${ag.agreementNo}.pdf`, bytes: ag.pdf };
      const ms = await milestonesOf(db, ag.id);
      const r = await getRequirement(db, ag.requirementId);
      const content = contentOf(ag, ms, r, await names(db, [ag.enterpriseId, ag.providerId]), shanghaiDay(ag.confirmedAt));
      if (contentSha256(content) !== ag.contentSha256) throw new AppError('INTERNAL', '协议内容与存档摘要不一致，请联系平台');
      const pdf = await renderAgreementPdf(content);
      await db.update(agreements).set({ pdf }).where(and(eq(agreements.id, ag.id), sql`${agreements.pdf} is null`));
      const [stored] = await db.select({ pdf: agreements.pdf }).from(agreements).where(eq(agreements.id, ag.id));
      return { filename: `${ag.agreementNo}.pdf`, bytes: stored!.pdf! };
    },

    async get(actor: Actor | null, id: string) {
      const { actor: a, ag } = await partyOf(actor, id);
      return view(ag, a);
    },

    /** 交易提醒: the organisation's agreements, newest activity first, with what waits for it. */
    async listMine(actor: Actor | null, raw: unknown) {
      const a = requireActor(actor);
      const org = a.organisation?.organisationId;
      if (!org) throw new AppError('FORBIDDEN', '请先选择要代表的组织');
      const q = parseInput(AgreementListQuery, raw);
      const where = or(eq(agreements.enterpriseId, org), eq(agreements.providerId, org));
      const [rows, [total]] = await Promise.all([
        db
          .select({ ag: agreements, title: requirements.title })
          .from(agreements)
          .innerJoin(requirements, eq(requirements.id, agreements.requirementId))
          .where(where)
          .orderBy(desc(agreements.updatedAt), desc(agreements.id))
          .limit(q.pageSize)
          .offset((q.page - 1) * q.pageSize),
        db.select({ n: count() }).from(agreements).where(where),
      ]);
      const org2 = await names(db, [...new Set(rows.flatMap((r) => [r.ag.enterpriseId, r.ag.providerId]))]);
      const ids = rows.map((r) => r.ag.id);
      const ms = ids.length ? await db.select().from(milestones).where(inArray(milestones.agreementId, ids)) : [];
      return {
        items: rows.map(({ ag, title }) => {
          const side = ag.enterpriseId === org ? 'enterprise' : 'provider';
          const mine = ms.filter((m) => m.agreementId === ag.id);
          const todo =
            side === 'enterprise'
              ? ag.status === 'sent'
                ? '待确认协议'
                : ag.status === 'confirmed' && mine.some((m) => m.status === 'delivered')
                  ? '待验收里程碑'
                  : ag.status === 'confirmed' && !ag.completedAt && amountDueFen(ag.paymentMode as 'full_escrow' | 'instalments', mine) > 0
                    ? '待托管合同款'
                    : null
              : ag.status === 'draft' || ag.status === 'returned'
                ? '待发送协议'
                : ag.status === 'confirmed' && mine.some((m) => m.status === 'funded')
                  ? '待提交交付'
                  : null;
          return {
            id: ag.id,
            agreementNo: ag.agreementNo,
            title,
            side,
            counterparty: org2.get(side === 'enterprise' ? ag.providerId : ag.enterpriseId)?.fullName ?? '',
            status: ag.status,
            statusLabel: ag.completedAt ? '已完成' : AGREEMENT_STATUS_LABELS[ag.status],
            totalFen: ag.totalFen,
            confirmedAt: ag.confirmedAt,
            pdfUrl: ag.confirmedAt ? `/api/v1/agreements/${ag.id}/pdf` : null,
            todo,
            updatedAt: ag.updatedAt,
          };
        }),
        total: Number(total?.n ?? 0),
        page: q.page,
        pageSize: q.pageSize,
      };
    },

    // ── escrow ───────────────────────────────────────────────────────────────────────────────
    /**
     * 托管合同款: full escrow pays every milestone at once; instalments pay the next milestone. The
     * first funding starts the project and refunds the requirement's deposit in full. Errors:
     * INSUFFICIENT_FUNDS (nothing moves; the message says how much is missing), INVALID_TRANSITION.
     */
    async fund(actor: Actor | null, id: string) {
      let pushes: Push[] = [];
      const result = await db
        .transaction(async (tx) => {
          const { actor: a, ag, side } = await partyOf(actor, id, tx, true);
          requireSide(side, 'enterprise');
          // The contract money leaves the enterprise's wallet: only the roles that may pay for it.
          authorize(a, 'payments.make', { organisationId: ag.enterpriseId });
          if (ag.status !== 'confirmed' || ag.completedAt) throw new AppError('INVALID_TRANSITION', '协议生效后才能托管合同款');
          const ms = await milestonesOf(tx, ag.id, true);
          const due = milestonesToFund(ag.paymentMode as 'full_escrow' | 'instalments', ms);
          const wallet = await ledger.ensureWallet(tx, ag.enterpriseId);
          const escrow = await ledger.platformAccount('escrow');
          for (const m of due) {
            await ledger.transfer(tx, {
              debitAccountId: wallet.availableId,
              creditAccountId: escrow,
              amountFen: m.amountFen,
              kind: 'escrow_fund',
              reference: `协议 ${ag.agreementNo} 里程碑 ${m.seq}`,
              idempotencyKey: `escrow:fund:${m.id}`,
              metadata: { agreementId: ag.id, milestoneId: m.id },
            });
            await setMilestone(tx, m as MilestoneRow, milestoneTransition(m.status, 'fund'), { fundedFen: m.amountFen });
            await logMilestone(tx, m.id, 'funded', a.userId, `托管 ${formatFen(m.amountFen)}`);
          }
          const r = await getRequirement(tx, ag.requirementId, 'update');
          let refund = 0;
          if (r.state === 'awarded') {
            await setState(tx, r, transition(r.state, 'start', r.mode), 'start', a.userId);
            refund = await requirementService.refundDepositInFull(tx, r.id);
          }
          const amount = due.reduce((s, m) => s + m.amountFen, 0);
          if (due.length) {
            await recordAudit(tx, {
              actorUserId: a.userId,
              action: 'escrow.funded',
              targetType: 'agreement',
              targetId: ag.agreementNo,
              organisationId: ag.enterpriseId,
              before: { milestones: due.map((m) => ({ seq: m.seq, status: m.status })) },
              after: { fundedFen: amount, depositRefundFen: refund },
            });
          }
          pushes = [await notify(tx, ag.providerId, '合同款已托管', `企业已为协议 ${ag.agreementNo} 托管 ${formatFen(amount)}，可以开始实施${due.length > 1 ? '' : `里程碑 ${due[0]!.seq}`}。`, projectLink(ag))];
          return { a, ag, amount, refund };
        })
        .catch(async (e: unknown) => {
          if ((e as AppError).code !== 'INSUFFICIENT_FUNDS') throw e;
          const ag = await loadAgreement(db, id);
          const ms = await milestonesOf(db, ag.id);
          const need = milestonesToFund(ag.paymentMode as 'full_escrow', ms).reduce((s, m) => s + m.amountFen, 0);
          const { availableFen } = await ledger.walletBalances(db, ag.enterpriseId);
          const msg = `钱包可用余额 ${formatFen(availableFen)}，托管 ${formatFen(need)} 还差 ${formatFen(need - availableFen)}，请先充值`;
          throw new AppError('INSUFFICIENT_FUNDS', msg, { amount: msg });
        });
      await runAll(pushes);
      return { agreement: await view(result.ag, result.a), fundedFen: result.amount, depositRefundFen: result.refund };
    },

    // ── milestones ───────────────────────────────────────────────────────────────────────────
    /** The provider submits a funded milestone's work; the enterprise has 5 working days to answer. */
    async deliver(actor: Actor | null, milestoneId: string, raw: unknown) {
      const input = parseInput(DeliverInput, raw);
      let pushes: Push[] = [];
      const out = await db.transaction(async (tx) => {
        const { a, ag, side, m } = await milestoneFor(tx, actor, milestoneId);
        requireSide(side, 'provider');
        const to = milestoneTransition(m.status, 'deliver');
        const cal = await settings.get('calendar', tx);
        const now = clock.now();
        const reminderDueAt = addWorkingDays(now, REVIEW_WORKING_DAYS, cal);
        const autoAcceptAt = addWorkingDays(reminderDueAt, GRACE_WORKING_DAYS, cal);
        const next = await setMilestone(tx, m, to, { deliveredAt: now, reminderDueAt, autoAcceptAt, remindedAt: null });
        const [ev] = await tx.insert(milestoneEvents).values({ milestoneId: m.id, type: 'delivered', actorUserId: a.userId, note: input.note, attachmentIds: input.attachmentIds, createdAt: now }).returning();
        await files.attach(tx, { fileIds: input.attachmentIds, organisationId: ag.providerId, purpose: 'milestone', subjectId: m.id });
        pushes = [await notify(tx, ag.enterpriseId, '里程碑待验收', `协议 ${ag.agreementNo} 里程碑 ${m.seq}「${m.title}」已提交交付，请在 ${REVIEW_WORKING_DAYS} 个工作日内验收或退回。`, projectLink(ag))];
        void ev;
        return { a, ag: await loadAgreement(tx, ag.id), next };
      });
      await scheduleReview(out.next);
      await runAll(pushes);
      return view(out.ag, out.a);
    },

    /** The enterprise accepts a delivered milestone; release follows the agreement's mode (held during a case). */
    async accept(actor: Actor | null, milestoneId: string) {
      let pushes: Push[] = [];
      const out = await db.transaction(async (tx) => {
        const { a, ag, side, m } = await milestoneFor(tx, actor, milestoneId);
        requireSide(side, 'enterprise');
        await setMilestone(tx, m, milestoneTransition(m.status, 'accept'), { acceptedAt: clock.now() });
        await logMilestone(tx, m.id, 'accepted', a.userId);
        pushes = [await notify(tx, ag.providerId, '里程碑已验收', `协议 ${ag.agreementNo} 里程碑 ${m.seq}「${m.title}」已通过验收。`, projectLink(ag))];
        pushes.push(...(await settleAccepted(tx, ag, a.userId)));
        return { a, ag: await loadAgreement(tx, ag.id) };
      });
      await runAll(pushes);
      return view(out.ag, out.a);
    },

    /** The enterprise sends a delivered milestone back with reasons; the provider delivers again. */
    async returnMilestone(actor: Actor | null, milestoneId: string, raw: unknown) {
      const input = parseInput(ReturnMilestoneInput, raw);
      let pushes: Push[] = [];
      const out = await db.transaction(async (tx) => {
        const { a, ag, side, m } = await milestoneFor(tx, actor, milestoneId);
        requireSide(side, 'enterprise');
        await setMilestone(tx, m, milestoneTransition(m.status, 'return'), { reminderDueAt: null, autoAcceptAt: null, remindedAt: null });
        await logMilestone(tx, m.id, 'returned', a.userId, input.reason);
        pushes = [await notify(tx, ag.providerId, '里程碑被退回', `协议 ${ag.agreementNo} 里程碑 ${m.seq}「${m.title}」被退回：${input.reason}`, projectLink(ag))];
        return { a, ag };
      });
      await runAll(pushes);
      return view(out.ag, out.a);
    },

    /** Operators' reminder queue: delivered milestones past their 5 working days, oldest first. */
    async reminderQueue(actor: Actor | null) {
      requireOperator(actor);
      const rows = await db
        .select({ m: milestones, ag: agreements, title: requirements.title })
        .from(milestones)
        .innerJoin(agreements, eq(agreements.id, milestones.agreementId))
        .innerJoin(requirements, eq(requirements.id, agreements.requirementId))
        .where(and(eq(milestones.status, 'delivered'), lte(milestones.reminderDueAt, clock.now())))
        .orderBy(asc(milestones.reminderDueAt));
      const org = await names(db, [...new Set(rows.flatMap((r) => [r.ag.enterpriseId, r.ag.providerId]))]);
      return rows.map(({ m, ag, title }) => ({
        milestoneId: m.id,
        seq: m.seq,
        title: m.title,
        amountFen: m.amountFen,
        agreementId: ag.id,
        agreementNo: ag.agreementNo,
        requirementTitle: title,
        enterprise: org.get(ag.enterpriseId)?.fullName ?? '',
        provider: org.get(ag.providerId)?.fullName ?? '',
        deliveredAt: m.deliveredAt,
        reminderDueAt: m.reminderDueAt,
        remindedAt: m.remindedAt,
        autoAcceptAt: m.autoAcceptAt,
      }));
    },

    /**
     * An operator reminds the enterprise. The enterprise then has 2 working days from the reminder
     * (never less than from the due date) before the milestone is deemed accepted.
     */
    async remind(actor: Actor | null, milestoneId: string) {
      const a = requireOperator(actor);
      if (!/^[0-9a-f-]{36}$/i.test(milestoneId)) throw new AppError('NOT_FOUND', '里程碑不存在');
      let pushes: Push[] = [];
      const next = await db.transaction(async (tx) => {
        const [m] = await tx.select().from(milestones).where(eq(milestones.id, milestoneId)).for('update');
        if (!m) throw new AppError('NOT_FOUND', '里程碑不存在');
        if (m.status !== 'delivered') throw new AppError('INVALID_TRANSITION', '该里程碑不在待验收状态');
        const ag = await loadAgreement(tx, m.agreementId);
        const cal = await settings.get('calendar', tx);
        const now = clock.now();
        const fromReminder = addWorkingDays(now, GRACE_WORKING_DAYS, cal);
        const autoAcceptAt = m.autoAcceptAt && m.autoAcceptAt > fromReminder ? m.autoAcceptAt : fromReminder;
        const [row] = await tx.update(milestones).set({ remindedAt: now, autoAcceptAt }).where(eq(milestones.id, m.id)).returning();
        await logMilestone(tx, m.id, 'reminded', a.userId, `平台客服提醒验收；${shanghaiMinute(autoAcceptAt)}（北京时间）前仍未处理将视为验收通过`);
        pushes = [
          await notify(tx, ag.enterpriseId, '请尽快验收里程碑', `协议 ${ag.agreementNo} 里程碑 ${m.seq}「${m.title}」已超过 ${REVIEW_WORKING_DAYS} 个工作日未验收。${GRACE_WORKING_DAYS} 个工作日内仍未验收或退回的，将视为验收通过。`, projectLink(ag)),
        ];
        return row!;
      });
      await scheduleReview(next);
      await runAll(pushes);
      return { milestoneId: next.id, remindedAt: next.remindedAt, autoAcceptAt: next.autoAcceptAt };
    },

    /**
     * The deadline job: a delivered milestone past its auto-acceptance time is deemed accepted (a
     * conditional update: once, on any node, however often it runs). Returns whether it did.
     */
    async autoAccept(milestoneId: string): Promise<boolean> {
      let pushes: Push[] = [];
      const done = await db.transaction(async (tx) => {
        const [m] = await tx
          .update(milestones)
          .set({ status: 'accepted', acceptedAt: clock.now(), autoAccepted: 1 })
          .where(and(eq(milestones.id, milestoneId), eq(milestones.status, 'delivered'), isNotNull(milestones.autoAcceptAt), lte(milestones.autoAcceptAt, clock.now())))
          .returning();
        if (!m) return false;
        const ag = await loadAgreement(tx, m.agreementId, true);
        await logMilestone(tx, m.id, 'auto_accepted', null, '企业逾期未验收，视为验收通过');
        pushes = [
          await notify(tx, ag.enterpriseId, '里程碑已视为验收', `协议 ${ag.agreementNo} 里程碑 ${m.seq}「${m.title}」逾期未验收，已视为验收通过。`, projectLink(ag)),
          await notify(tx, ag.providerId, '里程碑已视为验收', `协议 ${ag.agreementNo} 里程碑 ${m.seq}「${m.title}」企业逾期未处理，已视为验收通过。`, projectLink(ag)),
        ];
        pushes.push(...(await settleAccepted(tx, ag, null)));
        return true;
      });
      if (!done) {
        const [still] = await db.select().from(milestones).where(and(eq(milestones.id, milestoneId), eq(milestones.status, 'delivered')));
        if (still?.autoAcceptAt) await timer.schedule(`${ACCEPT_TIMER}:${still.id}`, still.autoAcceptAt);
      }
      await runAll(pushes);
      return done;
    },

    /** At the reminder due time the enterprise gets an automatic reminder (operators follow up from the queue). */
    async autoRemind(milestoneId: string) {
      const [m] = await db.select().from(milestones).where(and(eq(milestones.id, milestoneId), eq(milestones.status, 'delivered')));
      if (!m?.reminderDueAt || m.reminderDueAt > clock.now() || m.remindedAt) return false;
      const ag = await loadAgreement(db, m.agreementId);
      await messages.sendToOrganisation(ag.enterpriseId, {
        title: '里程碑验收即将到期',
        body: `协议 ${ag.agreementNo} 里程碑 ${m.seq}「${m.title}」已提交 ${REVIEW_WORKING_DAYS} 个工作日，请尽快验收或退回，逾期将视为验收通过。`,
        link: projectLink(ag),
        category: 'trade',
      });
      return true;
    },

    /** The safety sweep and the catch-up after a restart: every overdue auto-acceptance, and wake-ups for the rest. */
    async runDueJobs() {
      const due = await db
        .select({ id: milestones.id })
        .from(milestones)
        .where(and(eq(milestones.status, 'delivered'), lte(milestones.autoAcceptAt, clock.now())));
      let n = 0;
      for (const d of due) if (await service.autoAccept(d.id)) n++;
      return n;
    },

    async resumeTimers() {
      await service.runDueJobs();
      const pending = await db.select().from(milestones).where(eq(milestones.status, 'delivered'));
      for (const m of pending) await scheduleReview(m);
    },

    // ── after-sales ──────────────────────────────────────────────────────────────────────────
    /** 售后: the enterprise opens a case during the work or within 30 days of completion; escrow not yet paid is held. */
    async openCase(actor: Actor | null, agreementId: string, raw: unknown) {
      const input = parseInput(OpenCaseInput, raw);
      let pushes: Push[] = [];
      const out = await db.transaction(async (tx) => {
        const { actor: a, ag, side } = await partyOf(actor, agreementId, tx, true);
        requireSide(side, 'enterprise');
        checkCanOpenCase({ agreementStatus: ag.status, completedAt: ag.completedAt, now: clock.now() });
        if (await openCase(tx, ag.id)) throw new AppError('CONFLICT', '已有处理中的售后，请在原售后中补充');
        const now = clock.now();
        const [c] = await tx
          .insert(afterSalesCases)
          .values({ caseNo: makeOrderNo('SH', now), agreementId: ag.id, openedBy: a.userId, reason: input.reason, createdAt: now, updatedAt: now })
          .returning();
        await tx.insert(caseEvents).values({ caseId: c!.id, type: 'opened', side: 'enterprise', actorUserId: a.userId, body: input.reason, attachmentIds: input.attachmentIds, createdAt: now });
        await files.attach(tx, { fileIds: input.attachmentIds, organisationId: ag.enterpriseId, purpose: 'after_sales', subjectId: c!.id });
        pushes = [await notify(tx, ag.providerId, '企业申请售后', `协议 ${ag.agreementNo} 的企业申请了售后：${input.reason.slice(0, 80)}。未支付的托管款在售后处理期间暂停支付。`, `/account/after-sales/${c!.id}`)];
        return { a, c: c! };
      });
      await runAll(pushes);
      return service.getCase(out.a, out.c.id);
    },

    async getCase(actor: Actor | null, caseId: string) {
      const a = requireActor(actor);
      const c = await loadCase(db, caseId);
      const ag = await loadAgreement(db, c.agreementId);
      const side = sideOf(a, ag);
      if (!side && !a.isOperator) throw new AppError('NOT_FOUND', '售后不存在');
      const evs = await db.select().from(caseEvents).where(eq(caseEvents.caseId, c.id)).orderBy(asc(caseEvents.createdAt));
      const atts = await files.listAttached(db, 'after_sales', [c.id]);
      const ms = await milestonesOf(db, ag.id);
      return {
        ...c,
        statusLabel: CASE_STATUS_LABELS[c.status],
        side: side ?? ('operator' as const),
        agreement: { id: ag.id, agreementNo: ag.agreementNo, enterpriseId: ag.enterpriseId, providerId: ag.providerId },
        heldFen: ms.reduce((s, m) => s + heldFen(m), 0),
        timeline: evs.map((e) => ({ ...e, attachments: atts.filter((f) => e.attachmentIds.includes(f.id)).map(toFileView) })),
      };
    },

    /** Either side adds to the case (the provider's first answer marks it responded); either may escalate. */
    async caseMessage(actor: Actor | null, caseId: string, raw: unknown, event: 'respond' | 'comment' | 'escalate' | 'withdraw') {
      const input = parseInput(event === 'withdraw' || event === 'escalate' ? CaseNoteInput : CaseMessageInput, raw ?? {});
      let pushes: Push[] = [];
      const out = await db.transaction(async (tx) => {
        const a = requireActor(actor);
        const c = await loadCase(tx, caseId, true);
        const ag = await loadAgreement(tx, c.agreementId, true);
        const side = sideOf(a, ag);
        if (!side) throw new AppError('NOT_FOUND', '售后不存在');
        if (event === 'respond' && side !== 'provider') throw new AppError('FORBIDDEN', '只有服务机构可以回应售后');
        if (event === 'withdraw' && side !== 'enterprise') throw new AppError('FORBIDDEN', '只有企业可以撤回售后');
        const to: CaseStatus = caseTransition(c.status, event);
        const now = clock.now();
        await tx.update(afterSalesCases).set({ status: to, updatedAt: now }).where(eq(afterSalesCases.id, c.id));
        const { body, attachmentIds } = input;
        await tx.insert(caseEvents).values({ caseId: c.id, type: event, side, actorUserId: a.userId, body, attachmentIds, createdAt: now });
        if (attachmentIds.length) await files.attach(tx, { fileIds: attachmentIds, organisationId: a.organisation!.organisationId, purpose: 'after_sales', subjectId: c.id });
        const other = side === 'enterprise' ? ag.providerId : ag.enterpriseId;
        const what = { respond: '服务机构回应了售后', comment: '售后有新的留言', escalate: '售后已提交平台处理', withdraw: '企业撤回了售后' }[event];
        pushes = [await notify(tx, other, what, `售后 ${c.caseNo}（协议 ${ag.agreementNo}）${body ? `：${body.slice(0, 80)}` : ''}`, `/account/after-sales/${c.id}`)];
        // A withdrawn case holds nothing any more: pay what acceptance already allowed.
        if (to === 'withdrawn') pushes.push(...(await settleAccepted(tx, ag, a.userId)));
        return a;
      });
      await runAll(pushes);
      return service.getCase(out, caseId);
    },

    /**
     * An operator decides an escalated case: the held escrow split between refund and payment (their
     * sum must equal what is held) with a written reason, and whether the project goes on or ends.
     */
    async decideCase(actor: Actor | null, caseId: string, raw: unknown) {
      const a = requireOperator(actor);
      const input = parseInput(DecideCaseInput, raw);
      let pushes: Push[] = [];
      await db.transaction(async (tx) => {
        const c = await loadCase(tx, caseId, true);
        const ag = await loadAgreement(tx, c.agreementId, true);
        caseTransition(c.status, 'decide');
        const now = clock.now();
        await tx
          .update(afterSalesCases)
          .set({ status: 'decided', refundFen: input.refundFen, payFen: input.payFen, decisionReason: input.reason, decidedBy: a.userId, decidedAt: now, updatedAt: now })
          .where(eq(afterSalesCases.id, c.id));
        await tx.insert(caseEvents).values({
          caseId: c.id,
          type: 'decided',
          side: 'operator',
          actorUserId: a.userId,
          body: `${input.reason}（退回企业 ${formatFen(input.refundFen)}，支付服务机构 ${formatFen(input.payFen)}${input.outcome === 'terminate' ? '，协议终止' : ''}）`,
          createdAt: now,
        });
        pushes = await executeSplit(tx, ag, input, `售后 ${c.caseNo} 处理`, input.outcome === 'terminate', a.userId);
        await recordAudit(tx, {
          actorUserId: a.userId,
          action: 'escrow.after_sales_split',
          targetType: 'after_sales_case',
          targetId: c.caseNo,
          organisationId: ag.enterpriseId,
          before: { status: c.status },
          after: { status: 'decided', refundFen: input.refundFen, payFen: input.payFen, outcome: input.outcome, agreementNo: ag.agreementNo },
          reason: input.reason,
        });
        for (const org of [ag.enterpriseId, ag.providerId]) {
          pushes.push(await notify(tx, org, '平台已处理售后', `售后 ${c.caseNo}：${input.reason}。退回企业 ${formatFen(input.refundFen)}，支付服务机构 ${formatFen(input.payFen)}。`, `/account/after-sales/${c.id}`));
        }
      });
      await runAll(pushes);
      return service.getCase(a, caseId);
    },

    /** Operators' queue of cases waiting for them (escalated first) and every open case. */
    async caseQueue(actor: Actor | null) {
      requireOperator(actor);
      const rows = await db
        .select({ c: afterSalesCases, agreementNo: agreements.agreementNo })
        .from(afterSalesCases)
        .innerJoin(agreements, eq(agreements.id, afterSalesCases.agreementId))
        .where(inArray(afterSalesCases.status, ['open', 'responded', 'escalated']))
        .orderBy(sql`case when ${afterSalesCases.status} = 'escalated' then 0 else 1 end`, asc(afterSalesCases.createdAt));
      return rows.map(({ c, agreementNo }) => ({ ...c, agreementNo, statusLabel: CASE_STATUS_LABELS[c.status] }));
    },

    // ── termination ──────────────────────────────────────────────────────────────────────────
    /** One side proposes ending the project with a split of the held escrow; the other accepts or declines. */
    async proposeTermination(actor: Actor | null, agreementId: string, raw: unknown) {
      const input = parseInput(ProposeTerminationInput, raw);
      let pushes: Push[] = [];
      const a = await db.transaction(async (tx) => {
        const { actor: a, ag, side } = await partyOf(actor, agreementId, tx, true);
        if (!side) throw new AppError('FORBIDDEN', '只有协议双方可以提出终止');
        if (ag.status !== 'confirmed' || ag.completedAt) throw new AppError('INVALID_TRANSITION', '只有实施中的协议可以提出终止');
        allocateSplit(await milestonesOf(tx, ag.id), input); // the numbers must add up now
        const [open] = await tx.select().from(terminations).where(and(eq(terminations.agreementId, ag.id), eq(terminations.status, 'proposed')));
        if (open) throw new AppError('CONFLICT', '已有待对方答复的终止申请');
        await tx.insert(terminations).values({ agreementId: ag.id, proposedBySide: side, proposedBy: a.userId, refundFen: input.refundFen, payFen: input.payFen, reason: input.reason, createdAt: clock.now() });
        const other = side === 'enterprise' ? ag.providerId : ag.enterpriseId;
        pushes = [await notify(tx, other, '对方提出终止协议', `协议 ${ag.agreementNo}：${input.reason}。退回企业 ${formatFen(input.refundFen)}，支付服务机构 ${formatFen(input.payFen)}，请确认。`, projectLink(ag))];
        return a;
      });
      await runAll(pushes);
      return service.get(a, agreementId);
    },

    async answerTermination(actor: Actor | null, agreementId: string, raw: unknown) {
      const input = parseInput(AnswerTerminationInput, raw);
      let pushes: Push[] = [];
      const a = await db.transaction(async (tx) => {
        const { actor: a, ag, side } = await partyOf(actor, agreementId, tx, true);
        const [t] = await tx.select().from(terminations).where(and(eq(terminations.agreementId, ag.id), eq(terminations.status, 'proposed'))).for('update');
        if (!t) throw new AppError('NOT_FOUND', '没有待答复的终止申请');
        if (!side || side === t.proposedBySide) throw new AppError('FORBIDDEN', '终止申请须由对方确认');
        await tx.update(terminations).set({ status: input.decision === 'accept' ? 'accepted' : 'declined', answeredBy: a.userId, answeredAt: clock.now() }).where(eq(terminations.id, t.id));
        if (input.decision === 'accept') {
          if (await openCase(tx, ag.id)) throw new AppError('INVALID_TRANSITION', '售后处理中，请先撤回售后或等待平台处理');
          pushes = await executeSplit(tx, ag, t, '协商终止', true, a.userId);
          await recordAudit(tx, {
            actorUserId: a.userId,
            action: 'escrow.terminated_split',
            targetType: 'agreement',
            targetId: ag.agreementNo,
            organisationId: ag.enterpriseId,
            before: { status: ag.status },
            after: { refundFen: t.refundFen, payFen: t.payFen },
            reason: t.reason ?? null,
          });
        }
        const other = side === 'enterprise' ? ag.providerId : ag.enterpriseId;
        pushes.push(await notify(tx, other, input.decision === 'accept' ? '协议已协商终止' : '对方不同意终止', `协议 ${ag.agreementNo}`, projectLink(ag)));
        return a;
      });
      await runAll(pushes);
      return service.get(a, agreementId);
    },

    // ── reviews ──────────────────────────────────────────────────────────────────────────────
    /** After completion each side rates the other once (1–5 for quality, timeliness, communication). */
    async review(actor: Actor | null, agreementId: string, raw: unknown) {
      const input = parseInput(ReviewInput, raw);
      const a = await db.transaction(async (tx) => {
        const { actor: a, ag, side } = await partyOf(actor, agreementId, tx, true);
        if (!side) throw new AppError('FORBIDDEN', '只有协议双方可以评价');
        if (!ag.completedAt) throw new AppError('INVALID_TRANSITION', '项目完成后才能评价');
        const reviewee = side === 'enterprise' ? ag.providerId : ag.enterpriseId;
        const [row] = await tx
          .insert(reviews)
          .values({ agreementId: ag.id, reviewerOrgId: a.organisation!.organisationId, revieweeOrgId: reviewee, reviewerUserId: a.userId, ...input, createdAt: clock.now() })
          .onConflictDoNothing()
          .returning();
        if (!row) throw new AppError('CONFLICT', '您已评价过该项目');
        if (side === 'enterprise') await refreshStorefrontRating(tx, reviewee);
        return a;
      });
      return service.get(a, agreementId);
    },

    /** The rated side replies once to a review of it. */
    async reply(actor: Actor | null, reviewId: string, raw: unknown) {
      const a = requireActor(actor);
      const input = parseInput(ReplyInput, raw);
      if (!/^[0-9a-f-]{36}$/i.test(reviewId)) throw new AppError('NOT_FOUND', '评价不存在');
      const [r] = await db.select().from(reviews).where(eq(reviews.id, reviewId));
      if (!r || r.revieweeOrgId !== a.organisation?.organisationId) throw new AppError('NOT_FOUND', '评价不存在');
      const [row] = await db
        .update(reviews)
        .set({ reply: input.reply, repliedAt: clock.now() })
        .where(and(eq(reviews.id, r.id), sql`${reviews.reply} is null`))
        .returning();
      if (!row) throw new AppError('CONFLICT', '每条评价只能回复一次');
      return row;
    },

    /** Reviews of an organisation with averages (storefronts; enterprises' ratings for providers considering an invitation). */
    async reviewsOf(organisationId: string, opts: { limit?: number } = {}) {
      if (!/^[0-9a-f-]{36}$/i.test(organisationId)) throw new AppError('NOT_FOUND', '组织不存在');
      const [agg] = await db
        .select({
          n: count(),
          quality: sql<number>`coalesce(avg(${reviews.quality}), 0)::float`,
          timeliness: sql<number>`coalesce(avg(${reviews.timeliness}), 0)::float`,
          communication: sql<number>`coalesce(avg(${reviews.communication}), 0)::float`,
        })
        .from(reviews)
        .where(eq(reviews.revieweeOrgId, organisationId));
      const items = await db
        .select({ r: reviews, reviewer: organisations.fullName })
        .from(reviews)
        .innerJoin(organisations, eq(organisations.id, reviews.reviewerOrgId))
        .where(eq(reviews.revieweeOrgId, organisationId))
        .orderBy(desc(reviews.createdAt))
        .limit(opts.limit ?? 20);
      const n = Number(agg?.n ?? 0);
      const avg = (x: number) => (n ? Math.round(x * 10) / 10 : null);
      return {
        count: n,
        average: n ? avg((agg!.quality + agg!.timeliness + agg!.communication) / 3) : null,
        quality: avg(agg?.quality ?? 0),
        timeliness: avg(agg?.timeliness ?? 0),
        communication: avg(agg?.communication ?? 0),
        items: items.map(({ r, reviewer }) => ({ id: r.id, reviewer, quality: r.quality, timeliness: r.timeliness, communication: r.communication, body: r.body, reply: r.reply, repliedAt: r.repliedAt, createdAt: r.createdAt })),
      };
    },

    // ── checks ───────────────────────────────────────────────────────────────────────────────
    /**
     * The escrow account holds exactly what funded, unpaid, unrefunded milestones add up to. Mall
     * payments have their own account (mall_clearing); money of mall orders paid into escrow before
     * that account existed is counted from its own transfers until it settles or is refunded.
     */
    async check() {
      const [sum] = await db.select({ held: sql<string>`coalesce(sum(${milestones.fundedFen} - ${milestones.releasedFen} - ${milestones.refundedFen}), 0)` }).from(milestones);
      const escrowId = await ledger.platformAccount('escrow');
      const escrowFen = await ledger.balanceOf(db, escrowId);
      const earlierMallFen = await ledger.netOfKinds(db, escrowId, ['mall_payment', 'mall_refund', 'mall_settlement']);
      const heldFen = Number(sum?.held ?? 0);
      return { ok: heldFen + earlierMallFen === escrowFen, escrowFen, heldFen };
    },

    /** Who may read a delivery or after-sales attachment: the agreement's parties and operators. */
    async canReadAttachment(actor: Actor | null, purpose: 'milestone' | 'after_sales', subjectId: string) {
      if (!actor) return false;
      if (actor.isOperator) return true;
      const agreementId =
        purpose === 'milestone'
          ? (await db.select({ id: milestones.agreementId }).from(milestones).where(eq(milestones.id, subjectId)))[0]?.id
          : (await db.select({ id: afterSalesCases.agreementId }).from(afterSalesCases).where(eq(afterSalesCases.id, subjectId)))[0]?.id;
      if (!agreementId) return false;
      const ag = await loadAgreement(db, agreementId);
      return Boolean(sideOf(actor, ag));
    },
  };

  async function milestoneFor(tx: Tx, actor: Actor | null, milestoneId: string) {
    const a = requireActor(actor);
    if (!/^[0-9a-f-]{36}$/i.test(milestoneId)) throw new AppError('NOT_FOUND', '里程碑不存在');
    const [m0] = await tx.select({ agreementId: milestones.agreementId }).from(milestones).where(eq(milestones.id, milestoneId));
    if (!m0) throw new AppError('NOT_FOUND', '里程碑不存在');
    // Lock order everywhere: agreement, then its milestones.
    const ag = await loadAgreement(tx, m0.agreementId, true);
    const side = sideOf(a, ag);
    if (!side) throw new AppError('NOT_FOUND', '里程碑不存在');
    if (ag.status !== 'confirmed') throw new AppError('INVALID_TRANSITION', `协议${AGREEMENT_STATUS_LABELS[ag.status]}，不能进行此操作`);
    const [m] = await tx.select().from(milestones).where(eq(milestones.id, milestoneId)).for('update');
    return { a, ag, side, m: m! };
  }

  async function loadCase(q: DbOrTx, id: string, lock = false): Promise<CaseRow> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) throw new AppError('NOT_FOUND', '售后不存在');
    const query = q.select().from(afterSalesCases).where(eq(afterSalesCases.id, id));
    const [c] = await (lock ? query.for('update') : query);
    if (!c) throw new AppError('NOT_FOUND', '售后不存在');
    return c;
  }

  async function refreshStorefrontRating(tx: Tx, providerId: string) {
    const [agg] = await tx
      .select({ n: count(), avg: sql<number>`avg((${reviews.quality} + ${reviews.timeliness} + ${reviews.communication}) / 3.0)::float` })
      .from(reviews)
      .where(eq(reviews.revieweeOrgId, providerId));
    const values = { ratingAvg: agg?.avg ?? null, ratingCount: Number(agg?.n ?? 0), updatedAt: clock.now() };
    await tx
      .insert(storefronts)
      .values({ organisationId: providerId, ...values })
      .onConflictDoUpdate({ target: storefronts.organisationId, set: values });
  }

  timer.on(REMIND_TIMER, async (id) => void (await service.autoRemind(id)));
  timer.on(ACCEPT_TIMER, async (id) => void (await service.autoAccept(id)));
  return service;
}

export type EscrowService = ReturnType<typeof createEscrowService>;
export type AgreementView = Awaited<ReturnType<EscrowService['get']>>;
