import { AppError } from '../shared/app-error';

/**
 * The life of a requirement (需求 / 项目). One table of allowed transitions; every service call that
 * changes a requirement's state asks `transition` first, inside the transaction that writes it.
 */
export const REQUIREMENT_STATES = [
  'draft',
  'pending_review',
  'rejected',
  'open',
  'abandoned',
  'withdrawn',
  'awarded',
  'in_progress',
  'completed',
  'closed',
] as const;
export type RequirementState = (typeof REQUIREMENT_STATES)[number];
export type TenderMode = 'competitive' | 'invitation';

export type RequirementEvent =
  | 'submit' // pay the deposit and ask for review
  | 'approve'
  | 'reject'
  | 'withdraw' // competitive, before opening
  | 'abandon' // competitive, at or after opening
  | 'retender' // after an abandon: a new opening time
  | 'end' // after an abandon: end the project
  | 'delete' // invitation: delete the project
  | 'select' // a provider is chosen: to be implemented
  | 'start' // escrow funded (agreements issue)
  | 'complete'
  | 'terminate';

export const REQUIREMENT_TRANSITIONS = {
  draft: { submit: 'pending_review' },
  rejected: { submit: 'pending_review' },
  pending_review: { approve: 'open', reject: 'rejected' },
  open: { withdraw: 'withdrawn', abandon: 'abandoned', delete: 'closed', select: 'awarded' },
  abandoned: { retender: 'open', end: 'closed' },
  awarded: { start: 'in_progress', terminate: 'closed' },
  in_progress: { complete: 'completed', terminate: 'closed' },
  withdrawn: {},
  completed: {},
  closed: {},
} as const satisfies Record<RequirementState, Partial<Record<RequirementEvent, RequirementState>>>;

/** Events that only one tender mode allows. */
const MODE_ONLY: Partial<Record<RequirementEvent, TenderMode>> = {
  withdraw: 'competitive',
  abandon: 'competitive',
  retender: 'competitive',
  end: 'competitive',
  delete: 'invitation',
};

export const REQUIREMENT_STATE_LABELS: Record<RequirementState, string> = {
  draft: '草稿',
  pending_review: '待审核',
  rejected: '审核未通过',
  open: '招标中',
  abandoned: '已放弃本次招标',
  withdrawn: '已撤销',
  awarded: '待实施',
  in_progress: '实施中',
  completed: '已完成',
  closed: '已关闭',
};

const EVENT_LABELS: Record<RequirementEvent, string> = {
  submit: '发布',
  approve: '审核通过',
  reject: '审核驳回',
  withdraw: '撤销',
  abandon: '放弃本次招标',
  retender: '重新招标',
  end: '结束项目',
  delete: '删除项目',
  select: '选中服务机构',
  start: '开始实施',
  complete: '完成',
  terminate: '终止',
};

/** Whether `event` may happen to a requirement in `state` with this tender mode. */
export function canTransition(state: RequirementState, event: RequirementEvent, mode: TenderMode): boolean {
  const only = MODE_ONLY[event];
  if (only && only !== mode) return false;
  return event in REQUIREMENT_TRANSITIONS[state];
}

/** The next state, or WRONG_REQUIREMENT_STATE naming what was tried and where the requirement stands. */
export function transition(state: RequirementState, event: RequirementEvent, mode: TenderMode): RequirementState {
  if (!canTransition(state, event, mode)) {
    throw new AppError('WRONG_REQUIREMENT_STATE', `项目当前状态为「${REQUIREMENT_STATE_LABELS[state]}」，不能${EVENT_LABELS[event]}`);
  }
  return (REQUIREMENT_TRANSITIONS[state] as Partial<Record<RequirementEvent, RequirementState>>)[event]!;
}

/** The user centre's "my projects" groups (manual: 我的项目 › 待招标 / 竞标 / 邀标 / 待实施 / 实施中 …). */
export const PROJECT_GROUPS = ['draft', 'pending_review', 'bidding', 'invitation', 'awarded', 'in_progress', 'completed', 'closed'] as const;
export type ProjectGroup = (typeof PROJECT_GROUPS)[number];

export const PROJECT_GROUP_LABELS: Record<ProjectGroup, string> = {
  draft: '草稿',
  pending_review: '待审核',
  bidding: '竞标',
  invitation: '邀标',
  awarded: '待实施',
  in_progress: '实施中',
  completed: '已完成',
  closed: '已关闭',
};

export function projectGroupOf(state: RequirementState, mode: TenderMode): ProjectGroup {
  switch (state) {
    case 'draft':
    case 'rejected':
      return 'draft';
    case 'pending_review':
      return 'pending_review';
    case 'open':
    case 'abandoned':
      return mode === 'competitive' ? 'bidding' : 'invitation';
    case 'awarded':
      return 'awarded';
    case 'in_progress':
      return 'in_progress';
    case 'completed':
      return 'completed';
    case 'withdrawn':
    case 'closed':
      return 'closed';
  }
}

/** The states each group holds (for filtering "my projects" in SQL). */
export function statesOfGroup(group: ProjectGroup): { states: RequirementState[]; mode?: TenderMode } {
  switch (group) {
    case 'draft':
      return { states: ['draft', 'rejected'] };
    case 'pending_review':
      return { states: ['pending_review'] };
    case 'bidding':
      return { states: ['open', 'abandoned'], mode: 'competitive' };
    case 'invitation':
      return { states: ['open', 'abandoned'], mode: 'invitation' };
    case 'awarded':
      return { states: ['awarded'] };
    case 'in_progress':
      return { states: ['in_progress'] };
    case 'completed':
      return { states: ['completed'] };
    case 'closed':
      return { states: ['withdrawn', 'closed'] };
  }
}

// ── Deposit rules ──────────────────────────────────────────────────────────────────────────────

export interface DepositSettings {
  /** 保证金 paid when publishing. */
  depositFen: number;
  /** Forfeited when withdrawing with bidders ≥ 24 h before opening. */
  forfeitEarlyFen: number;
  /** Forfeited when withdrawing with bidders < 24 h before opening (or ending after a full round). */
  forfeitLateFen: number;
}

export const DEFAULT_DEPOSIT_SETTINGS: DepositSettings = { depositFen: 20_000, forfeitEarlyFen: 5_000, forfeitLateFen: 10_000 };

export const HOUR_MS = 3_600_000;
/** The opening time must be at least this far ahead when publishing or re-tendering. */
export const MIN_OPENING_LEAD_MS = 24 * HOUR_MS;
/** Withdrawing at least this long before opening forfeits the smaller amount. */
export const EARLY_WITHDRAWAL_MS = 24 * HOUR_MS;

export interface DepositSplit {
  refundFen: number;
  forfeitFen: number;
}

const split = (depositFen: number, forfeit: number): DepositSplit => {
  const forfeitFen = Math.min(Math.max(0, forfeit), depositFen);
  return { forfeitFen, refundFen: depositFen - forfeitFen };
};

/**
 * Withdrawing a competitive requirement before opening (manual 四(一)): no bidders → all back; with
 * bidders, ≥ 24 h before opening (inclusive) forfeits `forfeitEarlyFen`, later `forfeitLateFen`.
 * Never forfeits more than the deposit held.
 */
export function decideWithdrawal(p: { depositFen: number; bidders: number; openingAt: Date; now: Date; settings: DepositSettings }): DepositSplit {
  if (p.now.getTime() >= p.openingAt.getTime()) {
    throw new AppError('OPENING_PASSED', '已到开标时间，不能撤销；可以放弃本次招标');
  }
  if (p.bidders === 0) return split(p.depositFen, 0);
  const lead = p.openingAt.getTime() - p.now.getTime();
  return split(p.depositFen, lead >= EARLY_WITHDRAWAL_MS ? p.settings.forfeitEarlyFen : p.settings.forfeitLateFen);
}

/**
 * Abandoning at opening (放弃本次招标): allowed only once the opening time has come. It is free when
 * fewer providers bid than the minimum; otherwise the deposit stays held and ending the project later
 * forfeits like a late withdrawal.
 */
export function decideAbandon(p: { bidders: number; minBidders: number; openingAt: Date; now: Date }): { free: boolean } {
  if (p.now.getTime() < p.openingAt.getTime()) {
    throw new AppError('OPENING_NOT_REACHED', '尚未到开标时间，不能放弃本次招标；可以撤销项目');
  }
  return { free: p.bidders < p.minBidders };
}

/** Ending a project after an abandoned round (结束本项目). */
export function decideEnd(p: { depositFen: number; abandonedFree: boolean; bidders: number; settings: DepositSettings }): DepositSplit {
  if (p.abandonedFree || p.bidders === 0) return split(p.depositFen, 0);
  return split(p.depositFen, p.settings.forfeitLateFen);
}

/** An opening time for publishing or re-tendering: at least 24 h ahead, within a year. */
export function checkOpeningTime(openingAt: Date, now: Date): void {
  const lead = openingAt.getTime() - now.getTime();
  if (lead < MIN_OPENING_LEAD_MS) {
    throw new AppError('VALIDATION', '开标时间须至少在 24 小时之后', { openingAt: '开标时间须至少在 24 小时之后' });
  }
  if (lead > 365 * 24 * HOUR_MS) throw new AppError('VALIDATION', '开标时间不能超过一年', { openingAt: '开标时间不能超过一年' });
}

/** Proposals may be submitted, revised or withdrawn only while the requirement is open and before opening. */
export function checkProposalWindow(p: { state: RequirementState; mode: TenderMode; openingAt: Date | null; now: Date }): void {
  if (p.mode !== 'competitive') throw new AppError('NOT_COMPETITIVE', '邀标项目不接受报名投标');
  if (p.state !== 'open') throw new AppError('REQUIREMENT_NOT_OPEN', `项目当前状态为「${REQUIREMENT_STATE_LABELS[p.state]}」，不接受投标`);
  if (!p.openingAt || p.now.getTime() >= p.openingAt.getTime()) throw new AppError('PROPOSALS_FROZEN', '已到开标时间，标书已封存');
}

/** Invitations may be sent while an invitation requirement is open, until its delivery date (inclusive, Shanghai). */
export function checkInvitationWindow(p: { state: RequirementState; mode: TenderMode; deliveryDate: string; today: string }): void {
  if (p.mode !== 'invitation') throw new AppError('NOT_INVITATION_TENDER', '只有邀标项目可以邀请服务机构');
  if (p.state !== 'open') throw new AppError('REQUIREMENT_NOT_OPEN', `项目当前状态为「${REQUIREMENT_STATE_LABELS[p.state]}」，不能邀标`);
  if (p.today > p.deliveryDate) throw new AppError('DELIVERY_DATE_PASSED', '已过交付时间，不能再邀标');
}
