import { AppError, type ErrorCode } from '../shared/app-error';
import { formatFen } from '../shared/money';

/**
 * The rules after selection, with no I/O: agreement and milestone state machines, the agreement's
 * arithmetic, what funding and release are allowed, and how a split of held escrow is shared out
 * over milestones. Money is integer fen throughout.
 */

// ── Agreement ────────────────────────────────────────────────────────────────────────────────────
export type AgreementStatus = 'draft' | 'sent' | 'returned' | 'confirmed' | 'terminated';
export type AgreementEvent = 'send' | 'return' | 'confirm' | 'terminate';

export const AGREEMENT_TRANSITIONS = {
  draft: { send: 'sent' },
  returned: { send: 'sent' },
  sent: { return: 'returned', confirm: 'confirmed' },
  confirmed: { terminate: 'terminated' },
  terminated: {},
} as const satisfies Record<AgreementStatus, Partial<Record<AgreementEvent, AgreementStatus>>>;

export const AGREEMENT_STATUS_LABELS: Record<AgreementStatus, string> = {
  draft: '草稿',
  sent: '待企业确认',
  returned: '已退回修改',
  confirmed: '已生效',
  terminated: '已终止',
};

const AGREEMENT_EVENT_LABELS: Record<AgreementEvent, string> = { send: '发送', return: '退回', confirm: '确认', terminate: '终止' };

/** Why an agreement event is refused: each event needs one state (send: a draft or returned one). */
export const AGREEMENT_REFUSALS = {
  send: 'AGREEMENT_NOT_EDITABLE',
  return: 'AGREEMENT_NOT_SENT',
  confirm: 'AGREEMENT_NOT_SENT',
  terminate: 'AGREEMENT_NOT_CONFIRMED',
} as const satisfies Record<AgreementEvent, ErrorCode>;

export function agreementTransition(status: AgreementStatus, event: AgreementEvent): AgreementStatus {
  const next = (AGREEMENT_TRANSITIONS[status] as Partial<Record<AgreementEvent, AgreementStatus>>)[event];
  if (!next) throw new AppError(AGREEMENT_REFUSALS[event], `协议当前状态为「${AGREEMENT_STATUS_LABELS[status]}」，不能${AGREEMENT_EVENT_LABELS[event]}`);
  return next;
}

export interface MilestoneDraft {
  title: string;
  deliverables: string;
  amountFen: number;
  dueDate: string;
}

/**
 * Checks an agreement's numbers: at least one milestone, amounts positive and summing to the total,
 * the end not before the start, each due date within the agreement's dates. VALIDATION with a
 * message per field (`milestones.<i>.dueDate` …).
 */
export function checkAgreementNumbers(a: { totalFen: number; startDate: string; endDate: string; milestones: MilestoneDraft[] }) {
  const fields: Record<string, string> = {};
  if (a.endDate < a.startDate) fields.endDate = '结束日期不能早于开始日期';
  if (!a.milestones.length) fields.milestones = '至少需要一个里程碑';
  const sum = a.milestones.reduce((s, m) => s + m.amountFen, 0);
  if (a.milestones.length && sum !== a.totalFen) fields.milestones = `里程碑金额合计 ${formatFen(sum)}，须等于合同总价 ${formatFen(a.totalFen)}`;
  a.milestones.forEach((m, i) => {
    if (m.dueDate < a.startDate || m.dueDate > a.endDate) fields[`milestones.${i}.dueDate`] = '里程碑日期须在合同起止日期之内';
    if (i > 0 && m.dueDate < a.milestones[i - 1]!.dueDate) fields[`milestones.${i}.dueDate`] = '里程碑须按时间先后排列';
  });
  if (Object.keys(fields).length) throw new AppError('VALIDATION', Object.values(fields)[0]!, fields);
}

// ── Milestones ───────────────────────────────────────────────────────────────────────────────────
export type MilestoneStatus = 'unfunded' | 'funded' | 'delivered' | 'accepted' | 'released' | 'refunded';
export type MilestoneEvent = 'fund' | 'deliver' | 'return' | 'accept' | 'release' | 'settle';

export const MILESTONE_TRANSITIONS = {
  unfunded: { fund: 'funded', settle: 'refunded' },
  funded: { deliver: 'delivered', settle: 'refunded' },
  delivered: { accept: 'accepted', return: 'funded', settle: 'refunded' },
  accepted: { release: 'released', settle: 'refunded' },
  released: {},
  refunded: {},
} as const satisfies Record<MilestoneStatus, Partial<Record<MilestoneEvent, MilestoneStatus>>>;

export const MILESTONE_STATUS_LABELS: Record<MilestoneStatus, string> = {
  unfunded: '待托管',
  funded: '进行中',
  delivered: '待验收',
  accepted: '已验收',
  released: '已付款',
  refunded: '已结算',
};

const MILESTONE_EVENT_LABELS: Record<MilestoneEvent, string> = {
  fund: '托管',
  deliver: '提交交付',
  return: '退回',
  accept: '验收',
  release: '付款',
  settle: '结算',
};

/** Why a milestone event is refused, named by the state the milestone is (not) in. */
export function milestoneRefusal(status: MilestoneStatus, event: MilestoneEvent): ErrorCode {
  if (status === 'released' || status === 'refunded') return 'MILESTONE_SETTLED';
  switch (event) {
    case 'fund':
      return 'MILESTONE_ALREADY_FUNDED';
    case 'deliver':
      return status === 'unfunded' ? 'MILESTONE_NOT_FUNDED' : 'MILESTONE_NOT_IN_PROGRESS';
    case 'accept':
    case 'return':
      return 'MILESTONE_NOT_DELIVERED';
    case 'release':
    case 'settle':
      return 'MILESTONE_NOT_ACCEPTED';
  }
}

export function milestoneTransition(status: MilestoneStatus, event: MilestoneEvent): MilestoneStatus {
  const next = (MILESTONE_TRANSITIONS[status] as Partial<Record<MilestoneEvent, MilestoneStatus>>)[event];
  if (!next)
    throw new AppError(milestoneRefusal(status, event), `里程碑当前状态为「${MILESTONE_STATUS_LABELS[status]}」，不能${MILESTONE_EVENT_LABELS[event]}`);
  return next;
}

export interface MilestoneMoney {
  id: string;
  seq: number;
  status: MilestoneStatus;
  amountFen: number;
  fundedFen: number;
  releasedFen: number;
  refundedFen: number;
}

/** Money of a milestone still in escrow. */
export const heldFen = (m: Pick<MilestoneMoney, 'fundedFen' | 'releasedFen' | 'refundedFen'>) => m.fundedFen - m.releasedFen - m.refundedFen;

/**
 * Which milestones the enterprise pays into escrow now. Full escrow: every unfunded milestone at once
 * (the whole contract). Instalments: the next unfunded one, before it starts — that is, once every
 * earlier milestone has been accepted (paid or settled). Errors: ESCROW_FULLY_FUNDED (nothing to fund),
 * or the previous milestone is still under way).
 */
export function milestonesToFund<T extends MilestoneMoney>(paymentMode: 'full_escrow' | 'instalments', ms: T[]): T[] {
  const sorted = [...ms].sort((a, b) => a.seq - b.seq);
  const unfunded = sorted.filter((m) => m.status === 'unfunded');
  if (!unfunded.length) throw new AppError('ESCROW_FULLY_FUNDED', '合同款已全部托管');
  if (paymentMode === 'full_escrow') return unfunded;
  const next = unfunded[0]!;
  const before = sorted.filter((m) => m.seq < next.seq);
  if (before.some((m) => m.status !== 'accepted' && m.status !== 'released' && m.status !== 'refunded')) {
    throw new AppError('PREVIOUS_MILESTONE_OPEN', `里程碑 ${next.seq - 1} 验收后再托管下一期合同款`);
  }
  return [next];
}

/** What the enterprise could pay into escrow right now (0 when nothing is due). */
export function amountDueFen(paymentMode: 'full_escrow' | 'instalments', ms: MilestoneMoney[]): number {
  try {
    return milestonesToFund(paymentMode, ms).reduce((s, m) => s + m.amountFen, 0);
  } catch {
    return 0;
  }
}

/**
 * What is paid out after a milestone is accepted. Per-milestone release pays each accepted milestone
 * at once; release at completion (the manual's default) pays every accepted milestone when the last
 * one is accepted. Nothing is released while an after-sales case holds the project.
 */
export function milestonesToRelease<T extends MilestoneMoney>(mode: 'per_milestone' | 'at_completion', ms: T[], held: boolean): T[] {
  if (held) return [];
  const accepted = ms.filter((m) => m.status === 'accepted');
  if (mode === 'per_milestone') return accepted;
  const allDone = ms.every((m) => m.status === 'accepted' || m.status === 'released' || m.status === 'refunded');
  return allDone ? accepted : [];
}

/** Fee on a released amount (basis points, rounded down: the provider is never short-changed by rounding). */
export const feeOf = (amountFen: number, feeBp: number) => Math.floor((amountFen * feeBp) / 10_000);

export interface SplitShare {
  id: string;
  payFen: number;
  refundFen: number;
}

/**
 * Shares out a decided split of the held escrow over the milestones that hold it, earliest first:
 * the provider's part first (work is done in order), the enterprise's refund from the rest.
 * VALIDATION when the two parts do not add up to what is held.
 */
export function allocateSplit(ms: MilestoneMoney[], split: { payFen: number; refundFen: number }): SplitShare[] {
  const holding = [...ms].filter((m) => heldFen(m) > 0).sort((a, b) => a.seq - b.seq);
  const total = holding.reduce((s, m) => s + heldFen(m), 0);
  if (!Number.isSafeInteger(split.payFen) || !Number.isSafeInteger(split.refundFen) || split.payFen < 0 || split.refundFen < 0) {
    throw new AppError('VALIDATION', '金额须为不小于 0 的整数分', { payFen: '金额须为不小于 0 的整数分' });
  }
  if (split.payFen + split.refundFen !== total) {
    const msg = `支付与退回之和须等于托管中的 ${formatFen(total)}`;
    throw new AppError('VALIDATION', msg, { payFen: msg, refundFen: msg });
  }
  let pay = split.payFen;
  return holding.map((m) => {
    const h = heldFen(m);
    const p = Math.min(pay, h);
    pay -= p;
    return { id: m.id, payFen: p, refundFen: h - p };
  });
}

// ── After-sales ──────────────────────────────────────────────────────────────────────────────────
export type CaseStatus = 'open' | 'responded' | 'escalated' | 'decided' | 'withdrawn';
export type CaseEvent = 'respond' | 'escalate' | 'decide' | 'withdraw' | 'comment';

export const CASE_TRANSITIONS = {
  open: { respond: 'responded', escalate: 'escalated', withdraw: 'withdrawn', comment: 'open' },
  responded: { respond: 'responded', escalate: 'escalated', withdraw: 'withdrawn', comment: 'responded' },
  escalated: { decide: 'decided', withdraw: 'withdrawn', comment: 'escalated' },
  decided: {},
  withdrawn: {},
} as const satisfies Record<CaseStatus, Partial<Record<CaseEvent, CaseStatus>>>;

export const CASE_STATUS_LABELS: Record<CaseStatus, string> = {
  open: '待服务机构回应',
  responded: '服务机构已回应',
  escalated: '平台处理中',
  decided: '平台已裁决',
  withdrawn: '已撤回',
};

/** Why a case event is refused: the case ended, it is with the platform, or it is not (for a decision). */
export const caseRefusal = (status: CaseStatus): ErrorCode =>
  status === 'decided' || status === 'withdrawn' ? 'AFTER_SALES_CLOSED' : status === 'escalated' ? 'AFTER_SALES_ESCALATED' : 'AFTER_SALES_NOT_ESCALATED';

export function caseTransition(status: CaseStatus, event: CaseEvent): CaseStatus {
  const next = (CASE_TRANSITIONS[status] as Partial<Record<CaseEvent, CaseStatus>>)[event];
  if (!next) throw new AppError(caseRefusal(status), `售后当前状态为「${CASE_STATUS_LABELS[status]}」，不能进行此操作`);
  return next;
}

/** After-sales may be opened during the work or within this many days of completion. */
export const AFTER_SALES_DAYS = 30;

export function checkCanOpenCase(p: { agreementStatus: AgreementStatus; completedAt: Date | null; now: Date }) {
  if (p.agreementStatus !== 'confirmed') throw new AppError('AGREEMENT_NOT_CONFIRMED', '协议生效后才能申请售后');
  if (p.completedAt && p.now.getTime() - p.completedAt.getTime() > AFTER_SALES_DAYS * 86_400_000) {
    throw new AppError('AFTER_SALES_PERIOD_OVER', `项目完成已超过 ${AFTER_SALES_DAYS} 天，不能再申请售后`);
  }
}

/** Termination is proposed only while the work is under way: confirmed and not yet completed. */
export function checkCanProposeTermination(p: { agreementStatus: AgreementStatus; completedAt: Date | null }) {
  if (p.agreementStatus !== 'confirmed' || p.completedAt) throw new AppError('AGREEMENT_NOT_IN_PROGRESS', '只有实施中的协议可以提出终止');
}

const passes = (check: () => void) => {
  try {
    check();
    return true;
  } catch {
    return false;
  }
};

/**
 * What one side may do on an agreement now, by the same checks the services run, so that pages
 * show an action exactly when the service would accept it (operators and outsiders: nothing).
 */
export function allowedActions(p: {
  side: 'enterprise' | 'provider' | undefined;
  agreementStatus: AgreementStatus;
  completedAt: Date | null;
  now: Date;
  caseOpen: boolean;
  pendingTerminationBy: 'enterprise' | 'provider' | null;
}) {
  const { side } = p;
  return {
    openCase: side === 'enterprise' && !p.caseOpen && passes(() => checkCanOpenCase(p)),
    proposeTermination: side !== undefined && !p.pendingTerminationBy && passes(() => checkCanProposeTermination(p)),
    answerTermination: side !== undefined && p.pendingTerminationBy !== null && p.pendingTerminationBy !== side,
  };
}
