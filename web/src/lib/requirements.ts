/** Requirement labels for the enterprise's and the operators' pages (browser-safe); the hall's labels are reused. */
import { formatFen } from '$core/shared/money';
import { shanghaiLocalInput } from '$core/shared/time';
import { PROJECT_GROUP_LABELS, PROJECT_GROUPS, REQUIREMENT_STATE_LABELS } from '$core/tenders/requirements.machine';

export { MODE_LABELS, PAYMENT_MODE_LABELS, PROPOSAL_TONES, INVITATION_TONES, formatRange, requirementTone } from './hall';

type Tone = 'success' | 'warning' | 'danger' | 'neutral' | 'info';

/** The tabs of 我的项目, in the manual's order, named as core names the groups (竞标 / 邀标 …). */
export const GROUP_TABS = PROJECT_GROUPS.map((group) => ({ group, label: PROJECT_GROUP_LABELS[group] }));

/** The state filter of the operators' list. */
export const STATE_OPTIONS = (
  ['pending_review', 'open', 'rejected', 'draft', 'abandoned', 'withdrawn', 'awarded', 'in_progress', 'completed', 'closed'] as const
).map((value) => ({ value, label: REQUIREMENT_STATE_LABELS[value] }));

export const DEPOSIT_STATUS: Record<string, { label: string; tone: Tone }> = {
  none: { label: '未缴纳', tone: 'neutral' },
  held: { label: '平台托管中', tone: 'info' },
  refunded: { label: '已全额退还', tone: 'success' },
  partly_refunded: { label: '已部分退还', tone: 'warning' },
};

/** A Date as the value of an <input type="datetime-local"> in Beijing time. */
export const toShanghaiLocal = (d: Date | string | null | undefined) => (d ? shanghaiLocalInput(d) : '');

type EventRow = { event: string; detail: unknown };
const fen = (v: unknown) => (typeof v === 'number' ? formatFen(v) : '');

/**
 * One line of a requirement's history. `names` maps organisation ids to names (from the invitations
 * and the proposals already shown); proposals before opening stay anonymous.
 */
export function describeEvent(e: EventRow, names: Record<string, string> = {}): string {
  const d = (e.detail ?? {}) as Record<string, unknown>;
  const who = typeof d.providerId === 'string' ? (names[d.providerId] ?? '服务机构') : '服务机构';
  switch (e.event) {
    case 'submit':
      return `发布需求，缴纳保证金 ${fen(d.depositFen)}`;
    case 'approve':
      return '平台审核通过，项目已在项目大厅公布';
    case 'reject':
      return `平台审核驳回：${String(d.reason ?? '')}${d.refundFen ? `；保证金 ${fen(d.refundFen)} 已退回钱包` : ''}`;
    case 'withdraw':
      return `撤销本项目${typeof d.refundFen === 'number' ? `，退回保证金 ${fen(d.refundFen)}` : ''}${d.forfeitFen ? `，扣除 ${fen(d.forfeitFen)}` : ''}`;
    case 'abandon':
      return `放弃本次招标（投标机构 ${Number(d.bidders ?? 0)} 家${d.free ? '，不足最低数量，免费放弃' : ''}）`;
    case 'retender':
      return '修改开标时间，项目继续招标';
    case 'end':
      return `结束本项目${typeof d.refundFen === 'number' ? `，退回保证金 ${fen(d.refundFen)}` : ''}${d.forfeitFen ? `，扣除 ${fen(d.forfeitFen)}` : ''}`;
    case 'delete':
      return `删除邀标项目${d.refundFen ? `，保证金 ${fen(d.refundFen)} 已退回钱包` : ''}`;
    case 'select':
      return `选中 ${who}`;
    case 'invite':
      return `邀请 ${who}`;
    case 'invitation_accepted':
      return `${who} 接受了邀请`;
    case 'invitation_declined':
      return `${who} 拒绝了邀请`;
    case 'invitation_dropped':
      return `放弃 ${who}`;
    case 'proposal_submit':
      return '有服务机构投标';
    case 'proposal_withdraw':
      return '有服务机构撤回了标书';
    case 'start':
      return '企业托管合同款，项目开始实施';
    case 'complete':
      return '全部里程碑验收完成，项目完成';
    case 'terminate':
      return `协议终止${d.label ? `（${String(d.label)}）` : ''}${typeof d.refundFen === 'number' ? `，退回企业 ${fen(d.refundFen)}，支付服务机构 ${fen(d.payFen)}` : ''}`;
    case 'deposit_refund':
      return `保证金 ${fen(d.refundFen)} 已全额退回钱包`;
    default:
      return e.event;
  }
}
