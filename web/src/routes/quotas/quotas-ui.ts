/** Labels and tones shared by the quotas pages (no rules: those live in core/quotas). */

type AccountStateKey = 'none' | 'pending' | 'active' | 'expired';

export const ACCOUNT_STATE_UI: Record<AccountStateKey, { label: string; tone: 'neutral' | 'warning' | 'success' | 'danger' }> = {
  none: { label: '未生成账号', tone: 'neutral' },
  pending: { label: '待激活', tone: 'warning' },
  active: { label: '已激活', tone: 'success' },
  expired: { label: '激活码已过期', tone: 'danger' },
};

/** Basis points as a percent: 3550 → "35.5%". */
export const formatRatio = (bp: number) => `${(bp / 100).toFixed(2).replace(/\.?0+$/, '')}%`;

/** Basis points as the form's percent input: 3550 → "35.5". */
export const ratioInput = (bp: number) => (bp / 100).toFixed(2).replace(/\.?0+$/, '');

export const ROLE_LABELS = { central_dept: '中央部门', finance_dept: '财政部门', unit: '预算单位' } as const;
