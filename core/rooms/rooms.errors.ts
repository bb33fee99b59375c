/** Error codes of the bidding rooms, each naming a domain state, with its HTTP status. */
export const ROOMS_ERRORS = {
  /** No open second round, or its deadline has passed on the server clock. */
  ROUND_CLOSED: 409,
  /** A second round is open: the step waits until it closes. */
  ROUND_IN_PROGRESS: 409,
  /** The room is not in the bidding phase (before opening, or the tender has ended). */
  ROOM_NOT_BIDDING: 409,
  /** A revised price not lower than the previous one by at least the minimum decrease (with a field message). */
  PRICE_NOT_LOWER: 400,
  /** The room's rules are fixed since the first proposal arrived (bidders proposed under them). */
  ROOM_RULES_FROZEN: 409,
} as const;
