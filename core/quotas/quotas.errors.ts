/** Error codes of the quotas context, each naming a domain state, with its HTTP status (CONTEXT_ERRORS in core/shared/app-error.ts). */
export const QUOTAS_ERRORS = {
  /** The active organisation is not a budget unit (or a preset department) on the platform. */
  QUOTA_NOT_A_BUDGET_UNIT: 403,
  /** The unit is not in the actor's subtree (or, for ancestor-only actions, is the actor's own unit). */
  QUOTA_OUTSIDE_SUBTREE: 403,
  /** The change needs a superior: a unit cannot change its own amount or ratio, nor reset its own password. */
  QUOTA_SUPERIOR_ONLY: 403,
  /** The unit or purchaser has no generated account yet. */
  QUOTA_NO_ACCOUNT: 409,
  /** The account also belongs to organisations outside the actor's subtree: the actor may not reset its password. */
  QUOTA_ACCOUNT_SHARED: 409,
  /** A unit with this code or name exists already (manual add), or the row breaks a tree rule. */
  QUOTA_UNIT_CONFLICT: 409,
  /** The account-generation run is not known. */
  QUOTA_RUN_NOT_FOUND: 404,
} as const;
