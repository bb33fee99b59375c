/** Error codes of accounts and sign-in, each naming a domain state, with its HTTP status. */
export const ACCOUNTS_ERRORS = {
  INVALID_CREDENTIALS: 401,
  ACCOUNT_DISABLED: 403,
  USERNAME_TAKEN: 409,
  MOBILE_TAKEN: 409,
  EMAIL_TAKEN: 409,
  CODE_INVALID: 400,
  /** A generated account signs in only after its activation code set a password. */
  ACCOUNT_NOT_ACTIVATED: 403,
  ACTIVATION_INVALID: 400,
} as const;
