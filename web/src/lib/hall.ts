/** Labels and formatting for the project hall, proposals, invitations and storefronts (browser-safe). */
import { formatFen } from '$core/shared/money';
import type { RequirementState } from '$core/tenders/requirements.machine';

type Tone = 'success' | 'warning' | 'danger' | 'neutral' | 'info';

export const MODE_LABELS: Record<string, string> = { competitive: '竞标', invitation: '邀标' };
export { PAYMENT_MODE_LABELS } from '$core/escrow/escrow.labels';

export const PROPOSAL_TONES: Record<string, Tone> = { active: 'info', withdrawn: 'neutral', selected: 'success', not_selected: 'neutral' };
export const INVITATION_TONES: Record<string, Tone> = {
  pending: 'warning',
  accepted: 'success',
  declined: 'neutral',
  selected: 'success',
  dropped: 'neutral',
  cancelled: 'neutral',
};
/** How every page colours a requirement's state (the hall, 我的项目, 我的投标, the operators' review). */
const REQUIREMENT_TONES: Record<RequirementState, Tone> = {
  draft: 'neutral',
  pending_review: 'warning',
  rejected: 'danger',
  open: 'info',
  abandoned: 'warning',
  withdrawn: 'neutral',
  awarded: 'success',
  in_progress: 'info',
  completed: 'success',
  closed: 'neutral',
};
/** The tone of a state as the API sends it (a string): neutral for one this page does not know. */
export const requirementTone = (state: string): Tone => REQUIREMENT_TONES[state as RequirementState] ?? 'neutral';

/** ¥8,000, ¥1.5万, ¥120万 — short amounts for cards; exact amounts stay with formatFen. */
export function formatFenShort(fen: number): string {
  const yuan = fen / 100;
  if (yuan >= 10_000) return `¥${Number((yuan / 10_000).toFixed(2))}万`;
  return `¥${Number(yuan.toFixed(2)).toLocaleString('en-US')}`;
}

/** A budget or price range for people: one amount when both ends are equal. */
export function formatRange(minFen: number, maxFen: number, short = false): string {
  const f = short ? formatFenShort : formatFen;
  if (minFen === maxFen) return f(minFen);
  if (minFen === 0) return `${f(maxFen)} 以内`;
  return `${f(minFen)} – ${f(maxFen)}`;
}

/** Milliseconds left → "2 天 03:15:20" / "03:15:20". */
export function formatRemaining(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const days = Math.floor(s / 86_400);
  const hh = String(Math.floor((s % 86_400) / 3600)).padStart(2, '0');
  const mm = String(Math.floor((s % 3600) / 60)).padStart(2, '0');
  const ss = String(s % 60).padStart(2, '0');
  return `${days > 0 ? `${days} 天 ` : ''}${hh}:${mm}:${ss}`;
}

/** fen → the yuan string a form field shows ("1500.5" → "1500.50"). */
export const fenToYuanInput = (fen: number | null | undefined) => (fen === null || fen === undefined ? '' : (fen / 100).toFixed(2));

/** How a requirement stands for people browsing the hall: 报名中 / 已开标 / 邀标中, else its state. */
export function hallStatus(r: { state: string; stateLabel: string; mode: string; opened: boolean }): { label: string; tone: Tone } {
  if (r.state === 'open') {
    if (r.mode === 'invitation') return { label: '邀请中', tone: 'info' };
    return r.opened ? { label: '已开标', tone: 'warning' } : { label: '报名中', tone: 'success' };
  }
  return { label: r.stateLabel, tone: requirementTone(r.state) };
}
