import type { DbOrTx, Tx } from '../../db/client';
import { recordAudit } from '../audit/audit';
import { requireActor, requireOperator, type Actor } from '../shared/actor';
import { AppError } from '../shared/app-error';
import { authorize } from '../shared/access';
import { formatFen } from '../shared/money';
import { shanghaiMinute } from '../shared/time';
import { parseInput } from '../shared/validate';
import { AGREEMENT_STATUS_LABELS, milestonesToFund, milestoneTransition } from './escrow.machine';
import type { EscrowKernel, Push } from './escrow.kernel';
import * as repo from './escrow.repo';
import type { MilestoneRow } from './escrow.repo';
import { DeliverInput, ReturnMilestoneInput, type EscrowFundingView, type MilestoneReminderView, type RemindResultView } from './escrow.schema';
import type { Settlement } from './settlement';
import { addWorkingDays } from './working-days';

/** Jobs (key: the milestone id), written in the transaction that sets the deadline. */
export const MILESTONE_REMIND_JOB = 'escrow.milestone-remind';
export const MILESTONE_ACCEPT_JOB = 'escrow.milestone-accept';
/** The review window and the grace after the reminder, in working days (issue defaults). */
export const REVIEW_WORKING_DAYS = 5;
export const GRACE_WORKING_DAYS = 2;

/**
 * Escrow per milestone and the work under it (manual 六–七): funding, deliveries, acceptance or
 * return, the operators' reminders and working-day auto-acceptance, and release through the
 * settlement. Money: escrow_fund (wallet → escrow), keyed by the milestone, so a retry moves nothing twice.
 */
export function createMilestoneService(k: EscrowKernel, settlement: Settlement) {
  const { db, clock, ledger, messages, settings, files, jobs, requirements: requirementService } = k.deps;

  async function scheduleReview(q: DbOrTx, m: Pick<MilestoneRow, 'id' | 'reminderDueAt' | 'autoAcceptAt'>) {
    if (m.reminderDueAt) await jobs.schedule(q, { kind: MILESTONE_REMIND_JOB, key: m.id, runAt: m.reminderDueAt });
    if (m.autoAcceptAt) await jobs.schedule(q, { kind: MILESTONE_ACCEPT_JOB, key: m.id, runAt: m.autoAcceptAt });
  }

  /** The milestone with its agreement locked (lock order everywhere: agreement, then its milestones), for a party. */
  async function milestoneFor(tx: Tx, actor: Actor | null, milestoneId: string) {
    const a = requireActor(actor);
    const m0 = await repo.getMilestone(tx, milestoneId);
    if (!m0) throw new AppError('NOT_FOUND', '里程碑不存在');
    const ag = await repo.getAgreement(tx, m0.agreementId, true);
    const side = k.sideOf(a, ag);
    if (!side) throw new AppError('NOT_FOUND', '里程碑不存在');
    if (ag.status !== 'confirmed') throw new AppError('AGREEMENT_NOT_CONFIRMED', `协议${AGREEMENT_STATUS_LABELS[ag.status]}，不能进行此操作`);
    const m = await repo.getMilestone(tx, milestoneId, true);
    return { a, ag, side, m: m! };
  }

  const service = {
    /**
     * 托管合同款: full escrow pays every milestone at once; instalments pay the next milestone. The
     * first funding starts the project and refunds the requirement's deposit in full. Errors:
     * INSUFFICIENT_FUNDS (nothing moves; the message says how much is missing), AGREEMENT_NOT_IN_PROGRESS,
     * ESCROW_FULLY_FUNDED, PREVIOUS_MILESTONE_OPEN.
     */
    async fund(actor: Actor | null, id: string): Promise<EscrowFundingView> {
      let pushes: Push[] = [];
      const result = await db
        .transaction(async (tx) => {
          const { actor: a, ag, side } = await k.partyOf(actor, id, tx, true);
          k.requireSide(side, 'enterprise');
          // The contract money leaves the enterprise's wallet: only the roles that may pay for it.
          authorize(a, 'payments.make', { organisationId: ag.enterpriseId });
          if (ag.status !== 'confirmed' || ag.completedAt) throw new AppError('AGREEMENT_NOT_IN_PROGRESS', '协议生效后才能托管合同款');
          const ms = await repo.milestonesOf(tx, ag.id, true);
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
            await k.setMilestone(tx, m, milestoneTransition(m.status, 'fund'), { fundedFen: m.amountFen });
            await k.logMilestone(tx, m.id, 'funded', a.userId, `托管 ${formatFen(m.amountFen)}`);
          }
          const r = await requirementService.row(ag.requirementId, tx, 'update');
          let refund = 0;
          if (r.state === 'awarded') {
            await requirementService.advance(tx, r, 'start', a.userId);
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
          pushes = [
            await k.notify(
              tx,
              ag.providerId,
              '合同款已托管',
              `企业已为协议 ${ag.agreementNo} 托管 ${formatFen(amount)}，可以开始实施${due.length > 1 ? '' : `里程碑 ${due[0]!.seq}`}。`,
              k.projectLink(ag),
            ),
          ];
          return { a, ag, amount, refund };
        })
        .catch(async (e: unknown) => {
          if ((e as AppError).code !== 'INSUFFICIENT_FUNDS') throw e;
          const ag = await repo.getAgreement(db, id);
          const ms = await repo.milestonesOf(db, ag.id);
          const need = milestonesToFund(ag.paymentMode as 'full_escrow', ms).reduce((s, m) => s + m.amountFen, 0);
          const { availableFen } = await ledger.walletBalances(db, ag.enterpriseId);
          const msg = `钱包可用余额 ${formatFen(availableFen)}，托管 ${formatFen(need)} 还差 ${formatFen(need - availableFen)}，请先充值`;
          throw new AppError('INSUFFICIENT_FUNDS', msg, { amount: msg });
        });
      await k.runAll(pushes);
      return { agreement: await k.agreementView(result.ag, result.a), fundedFen: result.amount, depositRefundFen: result.refund };
    },

    /** The provider submits a funded milestone's work; the enterprise has 5 working days to answer. */
    async deliver(actor: Actor | null, milestoneId: string, raw: unknown) {
      const input = parseInput(DeliverInput, raw);
      let pushes: Push[] = [];
      const out = await db.transaction(async (tx) => {
        const { a, ag, side, m } = await milestoneFor(tx, actor, milestoneId);
        k.requireSide(side, 'provider');
        const to = milestoneTransition(m.status, 'deliver');
        const cal = await settings.get('calendar', tx);
        const now = clock.now();
        const reminderDueAt = addWorkingDays(now, REVIEW_WORKING_DAYS, cal);
        const autoAcceptAt = addWorkingDays(reminderDueAt, GRACE_WORKING_DAYS, cal);
        const next = await k.setMilestone(tx, m, to, { deliveredAt: now, reminderDueAt, autoAcceptAt, remindedAt: null });
        await scheduleReview(tx, next);
        await repo.insertMilestoneEvent(tx, {
          milestoneId: m.id,
          type: 'delivered',
          actorUserId: a.userId,
          note: input.note,
          attachmentIds: input.attachmentIds,
          createdAt: now,
        });
        await files.attach(tx, { fileIds: input.attachmentIds, organisationId: ag.providerId, purpose: 'milestone', subjectId: m.id });
        pushes = [
          await k.notify(
            tx,
            ag.enterpriseId,
            '里程碑待验收',
            `协议 ${ag.agreementNo} 里程碑 ${m.seq}「${m.title}」已提交交付，请在 ${REVIEW_WORKING_DAYS} 个工作日内验收或退回。`,
            k.projectLink(ag),
          ),
        ];
        return { a, ag: await repo.getAgreement(tx, ag.id), next };
      });
      await k.runAll(pushes);
      return k.agreementView(out.ag, out.a);
    },

    /** The enterprise accepts a delivered milestone; release follows the agreement's mode (held during a case). */
    async accept(actor: Actor | null, milestoneId: string) {
      let pushes: Push[] = [];
      const out = await db.transaction(async (tx) => {
        const { a, ag, side, m } = await milestoneFor(tx, actor, milestoneId);
        k.requireSide(side, 'enterprise');
        await k.setMilestone(tx, m, milestoneTransition(m.status, 'accept'), { acceptedAt: clock.now() });
        await k.logMilestone(tx, m.id, 'accepted', a.userId);
        pushes = [await k.notify(tx, ag.providerId, '里程碑已验收', `协议 ${ag.agreementNo} 里程碑 ${m.seq}「${m.title}」已通过验收。`, k.projectLink(ag))];
        pushes.push(...(await settlement.settleAccepted(tx, ag, a.userId)));
        return { a, ag: await repo.getAgreement(tx, ag.id) };
      });
      await k.runAll(pushes);
      return k.agreementView(out.ag, out.a);
    },

    /** The enterprise sends a delivered milestone back with reasons; the provider delivers again. */
    async returnMilestone(actor: Actor | null, milestoneId: string, raw: unknown) {
      const input = parseInput(ReturnMilestoneInput, raw);
      let pushes: Push[] = [];
      const out = await db.transaction(async (tx) => {
        const { a, ag, side, m } = await milestoneFor(tx, actor, milestoneId);
        k.requireSide(side, 'enterprise');
        await k.setMilestone(tx, m, milestoneTransition(m.status, 'return'), { reminderDueAt: null, autoAcceptAt: null, remindedAt: null });
        await k.logMilestone(tx, m.id, 'returned', a.userId, input.reason);
        pushes = [
          await k.notify(tx, ag.providerId, '里程碑被退回', `协议 ${ag.agreementNo} 里程碑 ${m.seq}「${m.title}」被退回：${input.reason}`, k.projectLink(ag)),
        ];
        return { a, ag };
      });
      await k.runAll(pushes);
      return k.agreementView(out.ag, out.a);
    },

    /** Operators' reminder queue: delivered milestones past their 5 working days, oldest first. */
    async reminderQueue(actor: Actor | null): Promise<MilestoneReminderView[]> {
      requireOperator(actor);
      const ms = await repo.deliveredMilestones(db, { field: 'reminderDueAt', now: clock.now() });
      const ags = new Map((await repo.agreementsByIds(db, [...new Set(ms.map((m) => m.agreementId))])).map((ag) => [ag.id, ag]));
      const [org, titles] = await Promise.all([
        k.deps.organisations.partiesOf([...new Set([...ags.values()].flatMap((ag) => [ag.enterpriseId, ag.providerId]))], db),
        requirementService.titles([...new Set([...ags.values()].map((ag) => ag.requirementId))]),
      ]);
      return ms.map((m) => {
        const ag = ags.get(m.agreementId)!;
        return {
          milestoneId: m.id,
          seq: m.seq,
          title: m.title,
          amountFen: m.amountFen,
          agreementId: ag.id,
          agreementNo: ag.agreementNo,
          requirementTitle: titles.get(ag.requirementId) ?? '',
          enterprise: org.get(ag.enterpriseId)?.fullName ?? '',
          provider: org.get(ag.providerId)?.fullName ?? '',
          deliveredAt: m.deliveredAt,
          reminderDueAt: m.reminderDueAt,
          remindedAt: m.remindedAt,
          autoAcceptAt: m.autoAcceptAt,
        };
      });
    },

    /**
     * An operator reminds the enterprise. The enterprise then has 2 working days from the reminder
     * (never less than from the due date) before the milestone is deemed accepted.
     */
    async remind(actor: Actor | null, milestoneId: string): Promise<RemindResultView> {
      const a = requireOperator(actor);
      if (!/^[0-9a-f-]{36}$/i.test(milestoneId)) throw new AppError('NOT_FOUND', '里程碑不存在');
      let pushes: Push[] = [];
      const next = await db.transaction(async (tx) => {
        const m = await repo.getMilestone(tx, milestoneId, true);
        if (!m) throw new AppError('NOT_FOUND', '里程碑不存在');
        if (m.status !== 'delivered') throw new AppError('MILESTONE_NOT_DELIVERED', '该里程碑不在待验收状态');
        const ag = await repo.getAgreement(tx, m.agreementId);
        const cal = await settings.get('calendar', tx);
        const now = clock.now();
        const fromReminder = addWorkingDays(now, GRACE_WORKING_DAYS, cal);
        const autoAcceptAt = m.autoAcceptAt && m.autoAcceptAt > fromReminder ? m.autoAcceptAt : fromReminder;
        const row = await repo.updateMilestone(tx, m.id, { remindedAt: now, autoAcceptAt });
        await scheduleReview(tx, row);
        await k.logMilestone(tx, m.id, 'reminded', a.userId, `平台客服提醒验收；${shanghaiMinute(autoAcceptAt)}（北京时间）前仍未处理将视为验收通过`);
        pushes = [
          await k.notify(
            tx,
            ag.enterpriseId,
            '请尽快验收里程碑',
            `协议 ${ag.agreementNo} 里程碑 ${m.seq}「${m.title}」已超过 ${REVIEW_WORKING_DAYS} 个工作日未验收。${GRACE_WORKING_DAYS} 个工作日内仍未验收或退回的，将视为验收通过。`,
            k.projectLink(ag),
          ),
        ];
        return row;
      });
      await k.runAll(pushes);
      return { milestoneId: next.id, remindedAt: next.remindedAt, autoAcceptAt: next.autoAcceptAt };
    },

    /**
     * The deadline job: a delivered milestone past its auto-acceptance time is deemed accepted (a
     * conditional update: once, on any node, however often it runs). Returns whether it did.
     */
    async autoAccept(milestoneId: string): Promise<boolean> {
      let pushes: Push[] = [];
      const done = await db.transaction(async (tx) => {
        const m = await repo.autoAcceptIfDue(tx, milestoneId, clock.now());
        if (!m) return false;
        const ag = await repo.getAgreement(tx, m.agreementId, true);
        await k.logMilestone(tx, m.id, 'auto_accepted', null, '企业逾期未验收，视为验收通过');
        pushes = [
          await k.notify(
            tx,
            ag.enterpriseId,
            '里程碑已视为验收',
            `协议 ${ag.agreementNo} 里程碑 ${m.seq}「${m.title}」逾期未验收，已视为验收通过。`,
            k.projectLink(ag),
          ),
          await k.notify(
            tx,
            ag.providerId,
            '里程碑已视为验收',
            `协议 ${ag.agreementNo} 里程碑 ${m.seq}「${m.title}」企业逾期未处理，已视为验收通过。`,
            k.projectLink(ag),
          ),
        ];
        pushes.push(...(await settlement.settleAccepted(tx, ag, null)));
        return true;
      });
      if (!done) {
        const still = await repo.deliveredMilestone(db, milestoneId);
        // Run early (the deadline moved later): the job follows the deadline.
        if (still?.autoAcceptAt) await jobs.schedule(db, { kind: MILESTONE_ACCEPT_JOB, key: still.id, runAt: still.autoAcceptAt });
      }
      await k.runAll(pushes);
      return done;
    },

    /** At the reminder due time the enterprise gets an automatic reminder (operators follow up from the queue). */
    async autoRemind(milestoneId: string) {
      const m = await repo.deliveredMilestone(db, milestoneId);
      if (!m?.reminderDueAt || m.reminderDueAt > clock.now() || m.remindedAt) return false;
      const ag = await repo.getAgreement(db, m.agreementId);
      await messages.sendToOrganisation(ag.enterpriseId, {
        title: '里程碑验收即将到期',
        body: `协议 ${ag.agreementNo} 里程碑 ${m.seq}「${m.title}」已提交 ${REVIEW_WORKING_DAYS} 个工作日，请尽快验收或退回，逾期将视为验收通过。`,
        link: k.projectLink(ag),
        category: 'trade',
      });
      return true;
    },

    /** The safety sweep and the catch-up after a restart: every overdue auto-acceptance, and wake-ups for the rest. */
    async runDueJobs() {
      const due = await repo.deliveredMilestones(db, { field: 'autoAcceptAt', now: clock.now() });
      let n = 0;
      for (const d of due) if (await service.autoAccept(d.id)) n++;
      return n;
    },

    /** At start: what is overdue, and jobs for milestones delivered before their deadlines were jobs. */
    async resumeTimers() {
      await service.runDueJobs();
      const pending = await repo.deliveredMilestones(db);
      for (const m of pending) if (!(await jobs.find(MILESTONE_ACCEPT_JOB, m.id))) await scheduleReview(db, m);
    },
  };

  jobs.on(MILESTONE_REMIND_JOB, async (job) => void (await service.autoRemind(job.key)));
  jobs.on(MILESTONE_ACCEPT_JOB, async (job) => void (await service.autoAccept(job.key)));
  return service;
}
