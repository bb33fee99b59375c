/** Labels, tones and formatting for agreements, milestones, after-sales cases and reviews (browser-safe). */
import { fenToYuanInput } from '$core/shared/money';
import { formatDateTime, shanghaiDate } from '$core/shared/time';

type Tone = 'success' | 'warning' | 'danger' | 'neutral' | 'info';

export const AGREEMENT_TONES: Record<string, Tone> = {
  draft: 'neutral',
  sent: 'warning',
  returned: 'danger',
  confirmed: 'success',
  terminated: 'neutral',
};

export const MILESTONE_TONES: Record<string, Tone> = {
  unfunded: 'neutral',
  funded: 'info',
  delivered: 'warning',
  accepted: 'success',
  released: 'success',
  refunded: 'neutral',
};

export const CASE_TONES: Record<string, Tone> = {
  open: 'warning',
  responded: 'info',
  escalated: 'danger',
  decided: 'success',
  withdrawn: 'neutral',
};

/** Payment and release modes are worded once, in core (the PDF prints the same words). */
export {
  PAYMENT_MODE_HINTS,
  PAYMENT_MODE_LABELS,
  PAYMENT_MODE_TERM,
  PAYMENT_MODE_TERM_HINT,
  paymentModeText,
  RELEASE_MODE_HINTS,
  RELEASE_MODE_LABELS,
  RELEASE_MODE_TERM,
  RELEASE_MODE_TERM_HINT,
} from '$core/escrow/escrow.labels';

/** What happened on a milestone, by event type (the service's milestone_events.type). */
export const MILESTONE_EVENT_LABELS: Record<string, string> = {
  funded: '企业托管合同款',
  delivered: '服务机构提交交付',
  returned: '企业退回交付',
  accepted: '企业验收通过',
  auto_accepted: '逾期未验收，视为验收通过',
  reminded: '平台提醒企业验收',
  released: '平台放款给服务机构',
  settled: '托管款结算',
};

/** What happened in an after-sales case, by event type. */
export const CASE_EVENT_LABELS: Record<string, string> = {
  opened: '企业申请售后',
  respond: '服务机构回应',
  comment: '留言',
  escalate: '提交平台处理',
  withdraw: '企业撤回售后',
  decided: '平台处理结果',
};

export const SIDE_LABELS: Record<string, string> = { enterprise: '企业', provider: '服务机构', operator: '平台' };

/** 2026-12-10 10:00 in Asia/Shanghai, whatever the browser's zone (the platform's one format). */
export const formatMinute = formatDateTime;

/** Today's date in Shanghai, YYYY-MM-DD. */
export const shanghaiToday = (now: number | Date = Date.now()) => shanghaiDate(now);

/** Fen as the value of a yuan input: 3000000 → "30000", 123450 → "1234.5". */
export { fenToYuanInput };

/** Basis points → "2.5%". */
export const formatBp = (bp: number) => `${Number((bp / 100).toFixed(2))}%`;

export const STAR_LABELS = ['', '很差', '较差', '一般', '满意', '非常满意'];
export const REVIEW_ASPECTS = [
  { key: 'quality', label: '服务质量' },
  { key: 'timeliness', label: '及时性' },
  { key: 'communication', label: '沟通' },
] as const;

/** The drafting form as typed (yuan as strings), kept to refill the form after a refusal. */
export interface DraftValues {
  scope: string;
  total: string;
  startDate: string;
  endDate: string;
  releaseMode: string;
  milestones: { title: string; deliverables: string; amount: string; dueDate: string }[];
}

type Failure = {
  error?: { code: string; message: string; fields?: Record<string, string> };
  values?: Record<string, string>;
  done?: { action: string; message: string };
};

/**
 * Reads a page's `form` for one action: `field()` for the message under an input, `dialog()` for the
 * message shown in the action's dialog (left out when every message already sits under an input shown
 * there). `item` narrows to the row the action was posted for (["milestoneId", id]).
 */
export function actionErrors(form: unknown) {
  const f = form as Failure | null;
  const of = (action: string, item?: [string, string]) => (f?.values?.action === action && (!item || f.values?.[item[0]] === item[1]) ? f.error : undefined);
  return {
    code: (action: string, item?: [string, string]) => of(action, item)?.code,
    field: (action: string, key: string, item?: [string, string]) => of(action, item)?.fields?.[key],
    dialog(action: string, opts: { item?: [string, string]; shown?: string[] } = {}) {
      const e = of(action, opts.item);
      if (!e) return undefined;
      const rest = Object.entries(e.fields ?? {}).filter(([k]) => !(opts.shown ?? []).includes(k));
      if (rest.length) return rest[0]![1];
      return Object.keys(e.fields ?? {}).length ? undefined : e.message;
    },
    value: (action: string, key: string) => (f?.values?.action === action ? f.values?.[key] : undefined),
    done: f?.done,
  };
}

/** An agreement's terms as sent (a version's content) or as they stand. A type, not an interface, so a version's stored content (a record) can be read as one. */
export type TermsView = {
  scope: string;
  totalFen: number;
  startDate: string;
  endDate: string;
  releaseMode: string;
  milestones: { seq: number; title: string; deliverables: string; amountFen: number; dueDate: string }[];
};
