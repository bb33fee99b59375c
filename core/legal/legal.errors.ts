/** Error codes of the legal context (用户协议, 隐私政策), each naming a domain state, with its HTTP status. */
export const LEGAL_ERRORS = {
  /** `?version=N` names a version that was never published. */
  LEGAL_VERSION_NOT_FOUND: 404,
} as const;
