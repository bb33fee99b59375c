/** Error codes of the vouchers context, each naming a domain state, with its HTTP status (CONTEXT_ERRORS in core/shared/app-error.ts). */
export const VOUCHERS_ERRORS = {
  /** The issuance total is above the campaign's unallocated budget. */
  VOUCHER_BUDGET_EXCEEDED: 422,
  /** The campaign is not funded yet (its pool holds less than the budget). */
  VOUCHER_CAMPAIGN_NOT_FUNDED: 409,
  /** The campaign's state does not allow this (settled, cancelled, validity over). */
  VOUCHER_CAMPAIGN_CLOSED: 409,
  /** An issuance that has started keeps its rows; only pause, resume and stop remain. */
  VOUCHER_ISSUANCE_FROZEN: 409,
  /** Grab answers. */
  VOUCHER_NOT_STARTED: 409,
  VOUCHER_SOLD_OUT: 409,
  VOUCHER_ALREADY_CLAIMED: 409,
  VOUCHER_NOT_ELIGIBLE: 403,
  VOUCHER_ISSUANCE_PAUSED: 409,
  /** The issuance was stopped or is over. */
  VOUCHER_ISSUANCE_CLOSED: 409,
  /** The campaign's per-issuance cap per user is reached. */
  VOUCHER_CAP_REACHED: 409,
  /** Redemption answers. */
  VOUCHER_CODE_INVALID: 422,
  VOUCHER_CODE_EXPIRED: 410,
  VOUCHER_CODE_USED: 409,
  VOUCHER_NONE_APPLICABLE: 422,
  VOUCHER_ALREADY_USED: 409,
  VOUCHER_EXPIRED: 410,
  VOUCHER_MERCHANT_NOT_APPROVED: 403,
  VOUCHER_MERCHANT_ALREADY_ENROLLED: 409,
  VOUCHER_REDEMPTION_STATE: 409,
  /** Settlement before the validity end, or twice. */
  VOUCHER_SETTLEMENT_NOT_DUE: 409,
} as const;
