import type { Level, RecordStatus } from './monitoring.schema';
import { LEVEL_LABELS, RECORD_STATUS_LABELS } from './monitoring.schema';

/**
 * The review of a purchase record (购销记录), two levels, as an explicit table (manual 002):
 *
 *   draft ──submit──▶ filed (已填报, with the parent market or chain) ──parent approve──▶ submitted (已提交)
 *     │                 └──parent return──▶ returned                                   │
 *     └─(no parent: markets, chains, e-commerce, enterprises)──submit──▶ submitted ─────┤
 *   submitted ──department approve──▶ approved (审核通过: reported to the province, locked)
 *   submitted ──department return──▶ returned (退回修改, with a reason, back to the reporter)
 *   returned ──edit / submit──▶ as draft (a resubmission goes through the parent again when there is one)
 *
 * No I/O: the service loads the record, asks `decideRecord`, writes with a conditional update on the seq.
 */

export type RecordAction = 'edit' | 'submit' | 'approve' | 'return' | 'delete';
export const ACTION_LABELS: Record<RecordAction | 'create', string> = {
  create: '创建',
  edit: '修改',
  submit: '提交',
  approve: '审核通过',
  return: '退回修改',
  delete: '删除',
};

export interface RecordFacts {
  status: RecordStatus;
  /** The record has a first-level reviewer (a wholesaler's market, a store's chain). */
  hasParent: boolean;
  evidenceCount: number;
}

export type Refusal = {
  code: 'MONITORING_RECORD_LOCKED' | 'MONITORING_EVIDENCE_REQUIRED' | 'MONITORING_ROLE_REQUIRED' | 'INVALID_TRANSITION' | 'VALIDATION';
  message: string;
};
export type Decision = { ok: true; to: RecordStatus } | ({ ok: false } & Refusal);

/** What each level may do, from which state, to which state (`submit` depends on hasParent). */
const TABLE: Record<Level, Partial<Record<RecordAction, Partial<Record<RecordStatus, RecordStatus | 'after-submit'>>>>> = {
  reporter: {
    edit: { draft: 'draft', returned: 'returned' },
    submit: { draft: 'after-submit', returned: 'after-submit' },
    delete: { draft: 'draft' },
  },
  parent: {
    approve: { filed: 'submitted' },
    return: { filed: 'returned' },
  },
  department: {
    approve: { submitted: 'approved' },
    return: { submitted: 'returned' },
  },
};

/** The states a level acts on: what its "待审核" (pending) list shows. */
export const PENDING_AT: Record<Level, readonly RecordStatus[]> = { reporter: ['draft', 'returned'], parent: ['filed'], department: ['submitted'] };

const refuse = (code: Refusal['code'], message: string): Decision => ({ ok: false, code, message });

/** Whether `level` may take `action` on a record in this state, and the state it leads to. */
export function decideRecord(facts: RecordFacts, action: RecordAction, level: Level, comment?: string | null): Decision {
  const byState = TABLE[level][action];
  if (!byState) return refuse('MONITORING_ROLE_REQUIRED', `${LEVEL_LABELS[level]}不能${ACTION_LABELS[action]}购销记录`);
  const to = byState[facts.status];
  if (!to) {
    if (action === 'edit' || action === 'delete')
      return refuse('MONITORING_RECORD_LOCKED', `记录${RECORD_STATUS_LABELS[facts.status]}，只有草稿或退回修改的记录可以${ACTION_LABELS[action]}`);
    return refuse('INVALID_TRANSITION', `记录当前为“${RECORD_STATUS_LABELS[facts.status]}”，不能${ACTION_LABELS[action]}`);
  }
  if (action === 'return' && !(comment ?? '').trim()) return refuse('VALIDATION', '请填写退回原因');
  if (action === 'submit' && facts.evidenceCount < 1)
    return refuse('MONITORING_EVIDENCE_REQUIRED', '请至少上传一份采购凭证（发票、合同、运单或其他佐证材料）再提交');
  if (to === 'after-submit') return { ok: true, to: facts.hasParent ? 'filed' : 'submitted' };
  return { ok: true, to };
}

/** Every (level, action, from → to) the table allows, for tests and documentation. */
export function allowedTransitions(): { level: Level; action: RecordAction; from: RecordStatus; to: RecordStatus; hasParent?: boolean }[] {
  const out: { level: Level; action: RecordAction; from: RecordStatus; to: RecordStatus; hasParent?: boolean }[] = [];
  for (const [level, actions] of Object.entries(TABLE) as [Level, (typeof TABLE)[Level]][])
    for (const [action, states] of Object.entries(actions) as [RecordAction, Partial<Record<RecordStatus, RecordStatus | 'after-submit'>>][])
      for (const [from, to] of Object.entries(states) as [RecordStatus, RecordStatus | 'after-submit'][])
        if (to === 'after-submit') for (const hasParent of [true, false]) out.push({ level, action, from, to: hasParent ? 'filed' : 'submitted', hasParent });
        else out.push({ level, action, from, to });
  return out;
}
