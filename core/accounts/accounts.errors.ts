/** Error codes of accounts and sign-in, each naming a domain state, with its HTTP status. */
export const ACCOUNTS_ERRORS = {
  INVALID_CREDENTIALS: 401,
  ACCOUNT_DISABLED: 403,
  USERNAME_TAKEN: 409,
  MOBILE_TAKEN: 409,
  EMAIL_TAKEN: 409,
  CODE_INVALID: 400,
  ACTIVATION_INVALID: 400,
} as const;
