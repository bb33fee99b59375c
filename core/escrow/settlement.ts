import type { Tx } from '../../db/client';
import { recordAudit } from '../audit/audit';
import { formatFen } from '../shared/money';
import { agreementTransition, allocateSplit, feeOf, heldFen, milestonesToRelease, milestoneTransition } from './escrow.machine';
import type { EscrowKernel, Push } from './escrow.kernel';
import * as repo from './escrow.repo';
import type { AgreementRow, MilestoneRow } from './escrow.repo';
import type { EscrowCheckView } from './escrow.schema';

/**
 * The money movement that release, termination and after-sales share. escrow_release (escrow →
 * provider, less platform_fee → revenue) and escrow_refund (escrow → wallet), each keyed by the
 * milestone and the step, so a retry moves nothing twice. Everything runs inside the caller's
 * transaction, after the agreement and its milestones are locked.
 */
export function createSettlement(k: EscrowKernel) {
  const { clock, ledger, requirements: requirementService, db } = k.deps;

  /** Pays accepted milestones out of escrow (less the fee). */
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
      await k.setMilestone(tx, m, milestoneTransition(m.status, 'release'), { releasedFen: m.releasedFen + amount, releasedAt: clock.now() });
      await k.logMilestone(tx, m.id, 'released', actorUserId, `支付 ${formatFen(amount - fee)}${fee ? `，平台服务费 ${formatFen(fee)}` : ''}`);
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
    const ms = await repo.milestonesOf(tx, ag.id);
    if (!ms.every((m) => m.status === 'released' || m.status === 'refunded') || ag.completedAt) return [];
    await repo.updateAgreement(tx, ag.id, { completedAt: clock.now(), updatedAt: clock.now() });
    const r = await requirementService.row(ag.requirementId, tx, 'update');
    if (r.state === 'in_progress') await requirementService.advance(tx, r, 'complete', actorUserId);
    return [
      await k.notify(tx, ag.enterpriseId, '项目已完成', `协议 ${ag.agreementNo} 的全部里程碑已完成并付款，欢迎对服务机构进行评价。`, k.projectLink(ag)),
      await k.notify(tx, ag.providerId, '项目已完成', `协议 ${ag.agreementNo} 的合同款已全部支付至钱包，欢迎对企业进行评价。`, k.projectLink(ag)),
    ];
  }

  /** Releases what the mode allows now (not while a case holds the project), then completes if done. */
  async function settleAccepted(tx: Tx, ag: AgreementRow, actorUserId: string | null): Promise<Push[]> {
    const ms = await repo.milestonesOf(tx, ag.id, true);
    const held = Boolean(await repo.openCaseOf(tx, ag.id));
    const due = milestonesToRelease(ag.releaseMode, ms, held);
    const paid = await release(tx, ag, due, actorUserId);
    const pushes: Push[] = [];
    if (paid > 0)
      pushes.push(await k.notify(tx, ag.providerId, '合同款已到账', `协议 ${ag.agreementNo} 已支付 ${formatFen(paid)} 至贵机构钱包。`, k.projectLink(ag)));
    pushes.push(...(await completeIfDone(tx, ag, actorUserId)));
    return pushes;
  }

  /** Executes a split of everything held (case decision, agreed termination). */
  async function executeSplit(
    tx: Tx,
    ag: AgreementRow,
    split: { payFen: number; refundFen: number },
    label: string,
    terminate: boolean,
    actorUserId: string | null,
  ) {
    const ms = await repo.milestonesOf(tx, ag.id, true);
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
      await repo.updateMilestone(tx, m.id, {
        status: to,
        releasedFen: m.releasedFen + s.payFen,
        refundedFen: m.refundedFen + s.refundFen,
        releasedAt: s.payFen ? clock.now() : m.releasedAt,
      });
      await k.logMilestone(tx, m.id, 'settled', actorUserId, `${label}：支付服务机构 ${formatFen(s.payFen)}，退回企业 ${formatFen(s.refundFen)}`);
    }
    if (terminate) {
      // Milestones never funded end here too.
      await repo.settleUnfunded(tx, ag.id);
      await repo.updateAgreement(tx, ag.id, { status: agreementTransition(ag.status, 'terminate'), terminatedAt: clock.now(), updatedAt: clock.now() });
      const r = await requirementService.row(ag.requirementId, tx, 'update');
      if (r.state === 'awarded' || r.state === 'in_progress')
        await requirementService.advance(tx, r, 'terminate', actorUserId, { closedAt: clock.now() }, { ...split, label });
      // A deposit still held (nothing was ever funded) goes back in full.
      await requirementService.refundDepositInFull(tx, ag.requirementId);
      return [];
    }
    return completeIfDone(tx, { ...ag }, actorUserId);
  }

  /**
   * The escrow account holds exactly what funded, unpaid, unrefunded milestones add up to. Mall
   * payments have their own account (mall_clearing); money of mall orders paid into escrow before
   * that account existed is counted from its own transfers until it settles or is refunded.
   */
  async function check(): Promise<EscrowCheckView> {
    const heldFen = await repo.heldInEscrowFen(db);
    const escrowId = await ledger.platformAccount('escrow');
    const escrowFen = await ledger.balanceOf(db, escrowId);
    const earlierMallFen = await ledger.netOfKinds(db, escrowId, ['mall_payment', 'mall_refund', 'mall_settlement']);
    return { ok: heldFen + earlierMallFen === escrowFen, escrowFen, heldFen };
  }

  return { release, completeIfDone, settleAccepted, executeSplit, check };
}

export type Settlement = ReturnType<typeof createSettlement>;
