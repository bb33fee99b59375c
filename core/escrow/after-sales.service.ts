import { recordAudit } from '../audit/audit';
import { toFileView } from '../files/files.service';
import { requireActor, requireOperator, type Actor } from '../shared/actor';
import { AppError } from '../shared/app-error';
import { formatFen } from '../shared/money';
import { parseInput } from '../shared/validate';
import { makeOrderNo } from '../wallet/recharge.machine';
import { allocateSplit, CASE_STATUS_LABELS, caseTransition, checkCanOpenCase, checkCanProposeTermination, heldFen, type CaseStatus } from './escrow.machine';
import type { EscrowKernel, Push } from './escrow.kernel';
import * as repo from './escrow.repo';
import {
  AnswerTerminationInput,
  CaseMessageInput,
  CaseNoteInput,
  DecideCaseInput,
  OpenCaseInput,
  ProposeTerminationInput,
  type AfterSalesCaseView,
  type AfterSalesQueueItemView,
  type AgreementView,
} from './escrow.schema';
import type { Settlement } from './settlement';

/**
 * After-sales cases (售后, manual 八) that hold unreleased escrow until withdrawn or decided by an
 * operator, and early termination agreed by both sides; both end in a split through the settlement.
 */
export function createAfterSalesService(k: EscrowKernel, settlement: Settlement) {
  const { db, clock, files } = k.deps;

  const service = {
    /** 售后: the enterprise opens a case during the work or within 30 days of completion; escrow not yet paid is held. */
    async openCase(actor: Actor | null, agreementId: string, raw: unknown): Promise<AfterSalesCaseView> {
      const input = parseInput(OpenCaseInput, raw);
      let pushes: Push[] = [];
      const out = await db.transaction(async (tx) => {
        const { actor: a, ag, side } = await k.partyOf(actor, agreementId, tx, true);
        k.requireSide(side, 'enterprise');
        checkCanOpenCase({ agreementStatus: ag.status, completedAt: ag.completedAt, now: clock.now() });
        if (await repo.openCaseOf(tx, ag.id)) throw new AppError('AFTER_SALES_OPEN', '已有处理中的售后，请在原售后中补充');
        const now = clock.now();
        const c = await repo.insertCase(tx, {
          caseNo: makeOrderNo('SH', now),
          agreementId: ag.id,
          openedBy: a.userId,
          reason: input.reason,
          createdAt: now,
          updatedAt: now,
        });
        await repo.insertCaseEvent(tx, {
          caseId: c.id,
          type: 'opened',
          side: 'enterprise',
          actorUserId: a.userId,
          body: input.reason,
          attachmentIds: input.attachmentIds,
          createdAt: now,
        });
        await files.attach(tx, { fileIds: input.attachmentIds, organisationId: ag.enterpriseId, purpose: 'after_sales', subjectId: c.id });
        pushes = [
          await k.notify(
            tx,
            ag.providerId,
            '企业申请售后',
            `协议 ${ag.agreementNo} 的企业申请了售后：${input.reason.slice(0, 80)}。未支付的托管款在售后处理期间暂停支付。`,
            `/account/after-sales/${c.id}`,
          ),
        ];
        return { a, c };
      });
      await k.runAll(pushes);
      return service.getCase(out.a, out.c.id);
    },

    async getCase(actor: Actor | null, caseId: string): Promise<AfterSalesCaseView> {
      const a = requireActor(actor);
      const c = await repo.getCase(db, caseId);
      const ag = await repo.getAgreement(db, c.agreementId);
      const side = k.sideOf(a, ag);
      if (!side && !a.isOperator) throw new AppError('NOT_FOUND', '售后不存在');
      const evs = await repo.caseEventsOf(db, c.id);
      const atts = await files.listAttached(db, 'after_sales', [c.id]);
      const ms = await repo.milestonesOf(db, ag.id);
      return {
        ...c,
        statusLabel: CASE_STATUS_LABELS[c.status],
        side: side ?? ('operator' as const),
        agreement: { id: ag.id, agreementNo: ag.agreementNo, enterpriseId: ag.enterpriseId, providerId: ag.providerId },
        heldFen: ms.reduce((s, m) => s + heldFen(m), 0),
        timeline: evs.map((e) => ({
          ...e,
          side: e.side as AfterSalesCaseView['timeline'][number]['side'],
          attachments: atts.filter((f) => e.attachmentIds.includes(f.id)).map(toFileView),
        })),
      };
    },

    /** Either side adds to the case (the provider's first answer marks it responded); either may escalate. */
    async caseMessage(actor: Actor | null, caseId: string, raw: unknown, event: 'respond' | 'comment' | 'escalate' | 'withdraw'): Promise<AfterSalesCaseView> {
      const input = parseInput(event === 'withdraw' || event === 'escalate' ? CaseNoteInput : CaseMessageInput, raw ?? {});
      let pushes: Push[] = [];
      const out = await db.transaction(async (tx) => {
        const a = requireActor(actor);
        const c = await repo.getCase(tx, caseId, true);
        const ag = await repo.getAgreement(tx, c.agreementId, true);
        const side = k.sideOf(a, ag);
        if (!side) throw new AppError('NOT_FOUND', '售后不存在');
        if (event === 'respond' && side !== 'provider') throw new AppError('FORBIDDEN', '只有服务机构可以回应售后');
        if (event === 'withdraw' && side !== 'enterprise') throw new AppError('FORBIDDEN', '只有企业可以撤回售后');
        const to: CaseStatus = caseTransition(c.status, event);
        const now = clock.now();
        await repo.updateCase(tx, c.id, { status: to, updatedAt: now });
        const { body, attachmentIds } = input;
        await repo.insertCaseEvent(tx, { caseId: c.id, type: event, side, actorUserId: a.userId, body, attachmentIds, createdAt: now });
        if (attachmentIds.length)
          await files.attach(tx, { fileIds: attachmentIds, organisationId: a.organisation!.organisationId, purpose: 'after_sales', subjectId: c.id });
        const other = side === 'enterprise' ? ag.providerId : ag.enterpriseId;
        const what = { respond: '服务机构回应了售后', comment: '售后有新的留言', escalate: '售后已提交平台处理', withdraw: '企业撤回了售后' }[event];
        pushes = [
          await k.notify(tx, other, what, `售后 ${c.caseNo}（协议 ${ag.agreementNo}）${body ? `：${body.slice(0, 80)}` : ''}`, `/account/after-sales/${c.id}`),
        ];
        // A withdrawn case holds nothing any more: pay what acceptance already allowed.
        if (to === 'withdrawn') pushes.push(...(await settlement.settleAccepted(tx, ag, a.userId)));
        return a;
      });
      await k.runAll(pushes);
      return service.getCase(out, caseId);
    },

    /**
     * An operator decides an escalated case: the held escrow split between refund and payment (their
     * sum must equal what is held) with a written reason, and whether the project goes on or ends.
     */
    async decideCase(actor: Actor | null, caseId: string, raw: unknown): Promise<AfterSalesCaseView> {
      const a = requireOperator(actor);
      const input = parseInput(DecideCaseInput, raw);
      let pushes: Push[] = [];
      await db.transaction(async (tx) => {
        const c = await repo.getCase(tx, caseId, true);
        const ag = await repo.getAgreement(tx, c.agreementId, true);
        caseTransition(c.status, 'decide');
        const now = clock.now();
        await repo.updateCase(tx, c.id, {
          status: 'decided',
          refundFen: input.refundFen,
          payFen: input.payFen,
          decisionReason: input.reason,
          decidedBy: a.userId,
          decidedAt: now,
          updatedAt: now,
        });
        await repo.insertCaseEvent(tx, {
          caseId: c.id,
          type: 'decided',
          side: 'operator',
          actorUserId: a.userId,
          body: `${input.reason}（退回企业 ${formatFen(input.refundFen)}，支付服务机构 ${formatFen(input.payFen)}${input.outcome === 'terminate' ? '，协议终止' : ''}）`,
          createdAt: now,
        });
        pushes = await settlement.executeSplit(tx, ag, input, `售后 ${c.caseNo} 处理`, input.outcome === 'terminate', a.userId);
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
          pushes.push(
            await k.notify(
              tx,
              org,
              '平台已处理售后',
              `售后 ${c.caseNo}：${input.reason}。退回企业 ${formatFen(input.refundFen)}，支付服务机构 ${formatFen(input.payFen)}。`,
              `/account/after-sales/${c.id}`,
            ),
          );
        }
      });
      await k.runAll(pushes);
      return service.getCase(a, caseId);
    },

    /** Operators' queue of cases waiting for them (escalated first) and every open case. */
    async caseQueue(actor: Actor | null): Promise<AfterSalesQueueItemView[]> {
      requireOperator(actor);
      const rows = await repo.openCasesQueue(db);
      return rows.map(({ c, agreementNo }) => ({ ...c, agreementNo, statusLabel: CASE_STATUS_LABELS[c.status] }));
    },

    // ── termination ──────────────────────────────────────────────────────────────────────────
    /** One side proposes ending the project with a split of the held escrow; the other accepts or declines. */
    async proposeTermination(actor: Actor | null, agreementId: string, raw: unknown): Promise<AgreementView> {
      const input = parseInput(ProposeTerminationInput, raw);
      let pushes: Push[] = [];
      const a = await db.transaction(async (tx) => {
        const { actor: a, ag, side } = await k.partyOf(actor, agreementId, tx, true);
        if (!side) throw new AppError('FORBIDDEN', '只有协议双方可以提出终止');
        checkCanProposeTermination({ agreementStatus: ag.status, completedAt: ag.completedAt });
        allocateSplit(await repo.milestonesOf(tx, ag.id), input); // the numbers must add up now
        if (await repo.proposedTermination(tx, ag.id)) throw new AppError('TERMINATION_PENDING', '已有待对方答复的终止申请');
        await repo.insertTermination(tx, {
          agreementId: ag.id,
          proposedBySide: side,
          proposedBy: a.userId,
          refundFen: input.refundFen,
          payFen: input.payFen,
          reason: input.reason,
          createdAt: clock.now(),
        });
        const other = side === 'enterprise' ? ag.providerId : ag.enterpriseId;
        pushes = [
          await k.notify(
            tx,
            other,
            '对方提出终止协议',
            `协议 ${ag.agreementNo}：${input.reason}。退回企业 ${formatFen(input.refundFen)}，支付服务机构 ${formatFen(input.payFen)}，请确认。`,
            k.projectLink(ag),
          ),
        ];
        return a;
      });
      await k.runAll(pushes);
      return k.getAgreementView(a, agreementId);
    },

    async answerTermination(actor: Actor | null, agreementId: string, raw: unknown): Promise<AgreementView> {
      const input = parseInput(AnswerTerminationInput, raw);
      let pushes: Push[] = [];
      const a = await db.transaction(async (tx) => {
        const { actor: a, ag, side } = await k.partyOf(actor, agreementId, tx, true);
        const t = await repo.proposedTermination(tx, ag.id, true);
        if (!t) throw new AppError('NOT_FOUND', '没有待答复的终止申请');
        if (!side || side === t.proposedBySide) throw new AppError('FORBIDDEN', '终止申请须由对方确认');
        await repo.answerTermination(tx, t.id, {
          status: input.decision === 'accept' ? 'accepted' : 'declined',
          answeredBy: a.userId,
          answeredAt: clock.now(),
        });
        if (input.decision === 'accept') {
          if (await repo.openCaseOf(tx, ag.id)) throw new AppError('AFTER_SALES_OPEN', '售后处理中，请先撤回售后或等待平台处理');
          pushes = await settlement.executeSplit(tx, ag, t, '协商终止', true, a.userId);
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
        pushes.push(await k.notify(tx, other, input.decision === 'accept' ? '协议已协商终止' : '对方不同意终止', `协议 ${ag.agreementNo}`, k.projectLink(ag)));
        return a;
      });
      await k.runAll(pushes);
      return k.getAgreementView(a, agreementId);
    },
  };
  return service;
}
