/** Error codes of the monitoring context, each naming a domain state, with its HTTP status (CONTEXT_ERRORS in core/shared/app-error.ts). */
export const MONITORING_ERRORS = {
  /** The active organisation takes no part in monitoring, or the person has no monitoring account there. */
  MONITORING_NOT_A_MEMBER: 403,
  /** The action needs another part (an administrator, an auditor, a market or chain account). */
  MONITORING_ROLE_REQUIRED: 403,
  /** The mobile already has a monitoring account (one mobile, one account). */
  MONITORING_MOBILE_TAKEN: 409,
  /** The record changed since the caller saw it (another decision or edit came first): reload and decide again. */
  MONITORING_RECORD_CHANGED: 409,
  /** The record's state does not allow the action (e.g. editing an approved record). */
  MONITORING_RECORD_LOCKED: 409,
  /** A record needs at least one piece of evidence before it is submitted. */
  MONITORING_EVIDENCE_REQUIRED: 409,
  /** The mall order is not the organisation's, not completed, has no assisted-area product, or is a record already. */
  MONITORING_ORDER_NOT_ELIGIBLE: 409,
  /** The filing period is closed or does not match the filing type. */
  MONITORING_PERIOD_CLOSED: 409,
} as const;
