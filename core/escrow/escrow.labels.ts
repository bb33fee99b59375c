/**
 * How payment and release modes are named to people: the one wording shared by the agreement PDF,
 * the drafting form, the agreement page and the project hall (browser-safe, no imports).
 */
export type PaymentMode = 'full_escrow' | 'instalments';
export type ReleaseMode = 'per_milestone' | 'at_completion';

/** 付款方式: how the enterprise pays into escrow (chosen when the requirement is published). */
export const PAYMENT_MODE_LABELS: Record<string, string> = { full_escrow: '全额托管', instalments: '分期付款' } satisfies Record<PaymentMode, string>;
export const PAYMENT_MODE_HINTS: Record<string, string> = {
  full_escrow: '确认协议后一次托管全部合同款',
  instalments: '每个里程碑开始前托管该里程碑的款项',
} satisfies Record<PaymentMode, string>;

/** 支付方式: when escrow is paid out to the provider (chosen in the agreement). */
export const RELEASE_MODE_LABELS: Record<string, string> = { per_milestone: '按里程碑支付', at_completion: '完成后支付' } satisfies Record<ReleaseMode, string>;
export const RELEASE_MODE_HINTS: Record<string, string> = {
  per_milestone: '每个里程碑验收通过后，该里程碑的合同款即支付给服务机构',
  at_completion: '全部里程碑验收通过、项目结束后，合同款一次支付给服务机构',
} satisfies Record<ReleaseMode, string>;

/** A mode with its explanation (an unknown value as is), as the formal agreement prints it: 全额托管（确认协议后一次托管全部合同款）. */
export const paymentModeText = (m: string) => (PAYMENT_MODE_LABELS[m] ? `${PAYMENT_MODE_LABELS[m]}（${PAYMENT_MODE_HINTS[m]}）` : m);
export const releaseModeText = (m: string) => (RELEASE_MODE_LABELS[m] ? `${RELEASE_MODE_LABELS[m]}（${RELEASE_MODE_HINTS[m]}）` : m);
