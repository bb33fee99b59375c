/** Error codes of requirements, proposals and invitations, each naming a domain state, with its HTTP status. */
export const TENDERS_ERRORS = {
  /** The opening time has passed: proposals are sealed and can no longer be submitted or changed. */
  PROPOSALS_FROZEN: 409,
  /** The requirement's state does not allow this step (the message names the state and the step). */
  WRONG_REQUIREMENT_STATE: 409,
  /** The requirement is not open (招标中) any more, or not yet. */
  REQUIREMENT_NOT_OPEN: 409,
  /** Only drafts and rejected requirements can be edited. */
  REQUIREMENT_NOT_EDITABLE: 409,
  /** Only drafts never published can be deleted. */
  REQUIREMENT_NOT_DELETABLE: 409,
  /** The opening time is too close for the step (approval less than an hour before opening). */
  OPENING_TOO_SOON: 409,
  /** The opening time has passed (withdrawing is no longer possible; abandoning is). */
  OPENING_PASSED: 409,
  /** The opening time has not come yet (abandoning, selecting). */
  OPENING_NOT_REACHED: 409,
  /** An invitation tender: no open bidding, no second round. */
  NOT_COMPETITIVE: 409,
  /** A competitive tender: providers are not invited. */
  NOT_INVITATION_TENDER: 409,
  /** The delivery date has passed: no more invitations. */
  DELIVERY_DATE_PASSED: 409,
  /** The provider has a live proposal already. */
  PROPOSAL_EXISTS: 409,
  /** The provider has been invited already. */
  ALREADY_INVITED: 409,
  /** The invitation was answered, cancelled or decided: it cannot be answered or dropped again. */
  INVITATION_CLOSED: 409,
} as const;
