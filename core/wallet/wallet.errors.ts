/**
 * Error codes of the wallet (ledger, recharges, cards, withdrawals), each naming a domain state, with
 * its HTTP status. The statuses are those the generic codes these replaced answered with, so clients
 * that only look at the status see no change.
 */
export const WALLET_ERRORS = {
  INSUFFICIENT_FUNDS: 409,
  IDEMPOTENCY_CONFLICT: 409,
  /** An offline recharge already confirmed or rejected. */
  RECHARGE_NOT_PENDING: 409,
  /** A withdrawal already paid out or rejected. */
  WITHDRAWAL_NOT_PENDING: 409,
  /** The organisation already has a card with that account number. */
  CARD_ALREADY_ADDED: 409,
  /** A withdrawal to a card whose micro-deposit was not confirmed. */
  CARD_NOT_VERIFIED: 400,
  /** The micro-deposit amount entered is wrong; tries are left. */
  CARD_AMOUNT_WRONG: 400,
  /** Three wrong amounts: the card cannot be verified any more (remove it and add it again). */
  CARD_VERIFICATION_FAILED: 400,
  /** A withdrawal before any security password was set. */
  SECURITY_PASSWORD_NOT_SET: 403,
  /** A wrong security password, with tries left. */
  SECURITY_PASSWORD_WRONG: 401,
  /** Five wrong security passwords: withdrawals are locked for 30 minutes (retryAfterSeconds). */
  SECURITY_PASSWORD_LOCKED: 429,
  /** A payment notice whose signature does not verify. */
  NOTICE_SIGNATURE_INVALID: 403,
  /** A genuine payment notice signed too long ago (or ahead): a replay. */
  NOTICE_STALE: 403,
  /** A payment notice whose amount or channel does not match the order. */
  NOTICE_MISMATCH: 400,
} as const;
