/**
 * How payment and release modes are named to people: the one wording shared by the agreement PDF,
 * the drafting form, the agreement page and the project hall (browser-safe, no imports). See
 * docs/words.md: 付款方式 is how the enterprise puts the contract money into escrow (the manual's
 * 全额托管 / 分期付款); 放款方式 is when the platform pays it out to the provider. 支付方式 is kept for
 * how money is paid in (微信支付, 支付宝, 网银, 线下转账).
 */
export type PaymentMode = 'full_escrow' | 'instalments';
export type ReleaseMode = 'per_milestone' | 'at_completion';

/** 付款方式: how the enterprise pays into escrow (chosen when the requirement is published). */
export const PAYMENT_MODE_TERM = '付款方式';
export const PAYMENT_MODE_TERM_HINT = '企业怎样把合同款存入平台托管';
export const PAYMENT_MODE_LABELS: Record<string, string> = { full_escrow: '全额托管', instalments: '分期付款' } satisfies Record<PaymentMode, string>;
export const PAYMENT_MODE_HINTS: Record<string, string> = {
  full_escrow: '确认协议后，一次存入全部合同款',
  instalments: '每个里程碑开始前，存入这个里程碑的款项',
} satisfies Record<PaymentMode, string>;

/** 放款方式: when escrow is paid out to the provider (chosen in the agreement). */
export const RELEASE_MODE_TERM = '放款方式';
export const RELEASE_MODE_TERM_HINT = '平台什么时候把托管的合同款付给服务机构';
export const RELEASE_MODE_LABELS: Record<string, string> = { per_milestone: '按里程碑放款', at_completion: '完成后一次放款' } satisfies Record<
  ReleaseMode,
  string
>;
export const RELEASE_MODE_HINTS: Record<string, string> = {
  per_milestone: '每个里程碑验收通过后，平台把这个里程碑的款项付给服务机构',
  at_completion: '全部里程碑验收通过后，平台把合同款一次付给服务机构',
} satisfies Record<ReleaseMode, string>;

/** A mode with its explanation (an unknown value as is), as the formal agreement prints it: 全额托管（确认协议后，一次存入全部合同款）. */
export const paymentModeText = (m: string) => (PAYMENT_MODE_LABELS[m] ? `${PAYMENT_MODE_LABELS[m]}（${PAYMENT_MODE_HINTS[m]}）` : m);
export const releaseModeText = (m: string) => (RELEASE_MODE_LABELS[m] ? `${RELEASE_MODE_LABELS[m]}（${RELEASE_MODE_HINTS[m]}）` : m);

/**
 * The agreement's status as people read it: 售后处理中 while an after-sales case is being handled (the
 * agreement is in force, but what matters now is the case), 已完成 once every milestone is settled,
 * otherwise the machine's label (已生效, 待企业确认, …).
 */
export function agreementStatusText(machineLabel: string, a: { status: string; completed: boolean; openCase: boolean }): string {
  if (a.status === 'confirmed' && a.openCase) return '售后处理中';
  if (a.completed) return '已完成';
  return machineLabel;
}
