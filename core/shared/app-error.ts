/** Stable error codes. Each names a domain state; ERROR_STATUS maps it to an HTTP status. */
export const ERROR_STATUS = {
  VALIDATION: 400,
  UNAUTHENTICATED: 401,
  INVALID_CREDENTIALS: 401,
  FORBIDDEN: 403,
  ACCOUNT_DISABLED: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  USERNAME_TAKEN: 409,
  MOBILE_TAKEN: 409,
  EMAIL_TAKEN: 409,
  ORGANISATION_EXISTS: 409,
  CODE_INVALID: 400,
  INSUFFICIENT_FUNDS: 409,
  IDEMPOTENCY_CONFLICT: 409,
  INVALID_TRANSITION: 409,
  PROPOSALS_FROZEN: 409,
  ROUND_CLOSED: 409,
  ORDER_NOT_REPRICEABLE: 409,
  OUT_OF_STOCK: 409,
  PAYLOAD_TOO_LARGE: 413,
  RATE_LIMITED: 429,
  UNSUPPORTED_MEDIA_TYPE: 415,
  INTERNAL: 500,
  STORAGE_FULL: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export interface ErrorBody {
  code: ErrorCode;
  message: string;
  fields?: Record<string, string>;
  retryAfterSeconds?: number;
}

/** The one error type of the platform. Messages are for people (zh-CN); codes are for programs. */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly fields?: Record<string, string>,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'AppError';
  }

  get status(): number {
    return ERROR_STATUS[this.code];
  }

  toBody(): ErrorBody {
    return {
      code: this.code,
      message: this.message,
      ...(this.fields ? { fields: this.fields } : {}),
      ...(this.retryAfterSeconds ? { retryAfterSeconds: this.retryAfterSeconds } : {}),
    };
  }
}

/**
 * Duck-typed as well as instanceof: the pages' build bundles its own copy of this module while the
 * server runs core from source, so an AppError thrown by a service is not an instance of the
 * pages' AppError class.
 */
export const isAppError = (e: unknown): e is AppError =>
  e instanceof AppError ||
  (e instanceof Error && e.name === 'AppError' && typeof (e as AppError).code === 'string' && typeof (e as AppError).toBody === 'function');

/** Turns anything thrown into a body safe for a client: unknown errors never leak their message. */
export function toErrorBody(e: unknown): { status: number; body: ErrorBody } {
  if (isAppError(e)) return { status: e.status, body: e.toBody() };
  if (isStorageFull(e)) return { status: 503, body: { code: 'STORAGE_FULL', message: '服务器存储空间已满，暂时无法保存，请联系平台管理员' } };
  return { status: 500, body: { code: 'INTERNAL', message: '服务器开小差了，请稍后再试' } };
}

/** A write refused because the database's disk is full (PostgreSQL 53100, or the file system's ENOSPC), wrapped or not. */
export function isStorageFull(e: unknown): boolean {
  for (let c = e, depth = 0; c && depth < 5; c = (c as { cause?: unknown }).cause, depth++) {
    const { code, message } = c as { code?: unknown; message?: unknown };
    if (code === '53100' || code === 'ENOSPC') return true;
    if (typeof message === 'string' && /No space left on device|ENOSPC/.test(message)) return true;
  }
  return false;
}
