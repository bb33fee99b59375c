import { ACCOUNTS_ERRORS } from '../accounts/accounts.errors';
import { ESCROW_ERRORS } from '../escrow/escrow.errors';
import { IMPORTS_ERRORS } from '../imports/imports.errors';
import { JOBS_ERRORS } from '../jobs/jobs.errors';
import { LEGAL_ERRORS } from '../legal/legal.errors';
import { MALL_ERRORS } from '../mall/mall.errors';
import { ORGANISATIONS_ERRORS } from '../organisations/organisations.errors';
import { MONITORING_ERRORS } from '../monitoring/monitoring.errors';
import { QUOTAS_ERRORS } from '../quotas/quotas.errors';
import { ROOMS_ERRORS } from '../rooms/rooms.errors';
import { TENDERS_ERRORS } from '../tenders/tenders.errors';
import { VOUCHERS_ERRORS } from '../vouchers/vouchers.errors';
import { WALLET_ERRORS } from '../wallet/wallet.errors';

/**
 * Codes any context may use: input, sessions and permission, existence, generic conflicts, and what
 * the transport and the server refuse. A refusal that names a state of one context belongs in that
 * context's `<ctx>.errors.ts` instead, so clients can tell the states apart.
 */
export const SHARED_ERRORS = {
  VALIDATION: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  INVALID_TRANSITION: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  RATE_LIMITED: 429,
  INTERNAL: 500,
  STORAGE_FULL: 503,
} as const;

/**
 * Every context's codes. A new context adds its `<CTX>_ERRORS` here; a code declared by two
 * contexts is refused when this module loads (and by app-error.test.ts), since the second would
 * silently take over the first one's status.
 */
export const CONTEXT_ERRORS = {
  accounts: ACCOUNTS_ERRORS,
  organisations: ORGANISATIONS_ERRORS,
  wallet: WALLET_ERRORS,
  tenders: TENDERS_ERRORS,
  rooms: ROOMS_ERRORS,
  mall: MALL_ERRORS,
  escrow: ESCROW_ERRORS,
  jobs: JOBS_ERRORS,
  vouchers: VOUCHERS_ERRORS,
  imports: IMPORTS_ERRORS,
  quotas: QUOTAS_ERRORS,
  monitoring: MONITORING_ERRORS,
  legal: LEGAL_ERRORS,
} as const;

type UnionToIntersection<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void ? I : never;
type ContextCodes = UnionToIntersection<(typeof CONTEXT_ERRORS)[keyof typeof CONTEXT_ERRORS]>;

/** Stable error codes. Each names a domain state; ERROR_STATUS maps it to an HTTP status. */
export const ERROR_STATUS = mergeErrorTables(SHARED_ERRORS, CONTEXT_ERRORS) as typeof SHARED_ERRORS & ContextCodes;

export type ErrorCode = keyof typeof ERROR_STATUS;

/** The codes of all tables in one, refusing a code declared twice (exported for the test). */
export function mergeErrorTables(shared: Record<string, number>, contexts: Record<string, Record<string, number>>): Record<string, number> {
  const owner = new Map<string, string>(Object.keys(shared).map((code) => [code, 'shared']));
  const merged: Record<string, number> = { ...shared };
  for (const [context, table] of Object.entries(contexts)) {
    for (const [code, status] of Object.entries(table)) {
      const previous = owner.get(code);
      if (previous) throw new Error(`Error code ${code} is declared by both ${previous} and ${context}`);
      owner.set(code, context);
      merged[code] = status;
    }
  }
  return merged;
}

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
