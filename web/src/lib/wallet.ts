/** Wallet labels shared by the pages (no server imports: safe in the browser bundle). */
type Tone = 'success' | 'warning' | 'danger' | 'neutral' | 'info';
type Badge = { label: string; tone: Tone };

export const RECHARGE_STATUS: Record<string, Badge> = {
  pending: { label: '处理中', tone: 'warning' },
  paid: { label: '充值成功', tone: 'success' },
  failed: { label: '付款失败', tone: 'danger' },
  expired: { label: '已过期', tone: 'neutral' },
  rejected: { label: '已驳回', tone: 'danger' },
};
/** An offline order waits for an operator, not for the bank. */
export const rechargeBadge = (status: string, channel?: string): Badge =>
  status === 'pending' && channel === 'offline' ? { label: '待确认', tone: 'warning' } : (RECHARGE_STATUS[status] ?? { label: status, tone: 'neutral' });

export const WITHDRAWAL_STATUS: Record<string, Badge> = {
  pending: { label: '待审核', tone: 'warning' },
  paid: { label: '已打款', tone: 'success' },
  rejected: { label: '已驳回', tone: 'danger' },
};

export const CARD_STATUS: Record<string, Badge> = {
  pending: { label: '待验证', tone: 'warning' },
  verified: { label: '已认证', tone: 'success' },
  failed: { label: '认证失败', tone: 'danger' },
};

export const ACCOUNT_TYPE_LABEL: Record<string, string> = { corporate: '对公账户', personal: '个人账户' };

/** Field errors and the general message from a failed form action. */
export function formErrors(form: unknown): { fields: Record<string, string>; message?: string } {
  const err =
    form && typeof form === 'object' && 'error' in form ? (form as { error?: { message?: string; fields?: Record<string, string> } }).error : undefined;
  const fields = err?.fields ?? {};
  return { fields, message: err?.message };
}
