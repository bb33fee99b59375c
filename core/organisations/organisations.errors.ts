/** Error codes of organisations, each naming a domain state, with its HTTP status. */
export const ORGANISATIONS_ERRORS = {
  ORGANISATION_EXISTS: 409,
} as const;
