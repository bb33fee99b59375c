/** Error codes of agreements, escrow, after-sales and reviews, each naming a domain state, with its HTTP status. */
export const ESCROW_ERRORS = {
  /** The requirement is not awarded (待实施): no agreement can be drafted for it. */
  REQUIREMENT_NOT_AWARDED: 409,
  /** The agreement was sent or confirmed: only a draft or a returned agreement changes or is sent. */
  AGREEMENT_NOT_EDITABLE: 409,
  /** The agreement is not waiting for the enterprise (returning and confirming need a sent version). */
  AGREEMENT_NOT_SENT: 409,
  /** The agreement is not in force (confirmed): no milestone work, cases or termination yet (or any more). */
  AGREEMENT_NOT_CONFIRMED: 409,
  /** The agreement is completed or not in force: nothing to fund, and it cannot be terminated. */
  AGREEMENT_NOT_IN_PROGRESS: 409,
  /** The project is not completed yet: reviews come after completion. */
  AGREEMENT_NOT_COMPLETED: 409,
  /** Every milestone is funded already. */
  ESCROW_FULLY_FUNDED: 409,
  /** Instalments: the previous milestone is still under way, its successor is funded after its acceptance. */
  PREVIOUS_MILESTONE_OPEN: 409,
  /** The milestone is funded already. */
  MILESTONE_ALREADY_FUNDED: 409,
  /** The milestone is not funded yet: no work is delivered before its money is in escrow. */
  MILESTONE_NOT_FUNDED: 409,
  /** The milestone is delivered, accepted or settled: nothing more to deliver. */
  MILESTONE_NOT_IN_PROGRESS: 409,
  /** The milestone is not delivered (待验收): nothing to accept, return or remind about. */
  MILESTONE_NOT_DELIVERED: 409,
  /** The milestone is not accepted: nothing to release. */
  MILESTONE_NOT_ACCEPTED: 409,
  /** The milestone is paid or settled already. */
  MILESTONE_SETTLED: 409,
  /** The milestone changed meanwhile (another request moved it first): reload and retry. */
  MILESTONE_CHANGED: 409,
  /** An after-sales case of this agreement is being handled: add to it, or wait for it to end. */
  AFTER_SALES_OPEN: 409,
  /** The case was decided or withdrawn: nothing more happens in it. */
  AFTER_SALES_CLOSED: 409,
  /** The case is with the platform: the parties no longer respond or escalate. */
  AFTER_SALES_ESCALATED: 409,
  /** The case is not escalated: the platform decides escalated cases only. */
  AFTER_SALES_NOT_ESCALATED: 409,
  /** More than 30 days since completion: after-sales can no longer be opened. */
  AFTER_SALES_PERIOD_OVER: 409,
  /** A termination proposal waits for the other side's answer. */
  TERMINATION_PENDING: 409,
  /** This organisation has reviewed the project already. */
  ALREADY_REVIEWED: 409,
  /** The review has its reply already. */
  ALREADY_REPLIED: 409,
} as const;
