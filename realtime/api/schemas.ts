import { z } from '@hono/zod-openapi';
import { ERROR_STATUS, type ErrorCode } from '../../core/shared/app-error';
import { PageOf } from '../../core/shared/paging';
import { MembershipView, MeView, PublicUserView, SessionView } from '../../core/accounts/accounts.schema';

export const ErrorResponse = z
  .object({
    error: z.object({
      code: z.string().openapi({ example: 'VALIDATION' }),
      message: z.string().openapi({ example: '请检查填写的内容' }),
      fields: z
        .record(z.string(), z.string())
        .optional()
        .openapi({ example: { uscc: '统一社会信用代码校验位不正确，请核对' } }),
      retryAfterSeconds: z.number().int().optional(),
    }),
  })
  .openapi('Error');

/**
 * A route's error answers: statuses (`errorResponses(400, 404)`) and/or the named codes it can
 * answer (`errorResponses(400, 'ROUND_CLOSED')`), each code under its status from the one code table.
 * The document lists an operation's codes in that status's description.
 */
export const errorResponses = (...items: (number | ErrorCode)[]) => {
  const codes = new Map<number, ErrorCode[]>();
  for (const item of items) {
    const status = typeof item === 'number' ? item : ERROR_STATUS[item];
    const list = codes.get(status) ?? [];
    if (typeof item !== 'number') list.push(item);
    codes.set(status, list);
  }
  return Object.fromEntries(
    [...codes].map(([s, named]) => [
      s,
      {
        description: `${STATUS_TEXT[s] ?? 'Error'}${named.length ? `${ERROR_CODES_MARK}${named.join(', ')}` : ''}`,
        content: { 'application/json': { schema: ErrorResponse } },
      },
    ]),
  );
};

/** What precedes the codes in an error answer's description; the document keeps such descriptions. */
export const ERROR_CODES_MARK = '. Codes: ';

const STATUS_TEXT: Record<number, string> = {
  400: 'Invalid input, with a message per field',
  401: 'Not signed in, or wrong credentials',
  403: 'Signed in but not allowed',
  404: 'Not found (or not visible to the caller)',
  409: 'Conflicts with existing data',
  415: 'Body must be application/json',
  429: 'Too many attempts',
};

export const Message = z.object({ message: z.string() }).openapi('Message');

/**
 * A core view schema under its name in the API document. Core builds its schemas with plain zod,
 * often before this module is loaded, and zod 4 gives `.openapi` only to schemas created after
 * @hono/zod-openapi extended it: a clone made here has it (the original may not).
 */
export const named = <T extends z.ZodType>(schema: T, name: string, metadata: { description?: string } = {}) => schema.clone().openapi(name, metadata);

export const PublicUser = named(PublicUserView, 'User');

export const Membership = named(MembershipView, 'Membership');

export const SessionResponse = SessionView.extend({ user: PublicUser }).openapi('Session');

export const Me = MeView.extend({ user: PublicUser, memberships: z.array(Membership), activeOrganisation: Membership.nullable() }).openapi('Me');

export const SiteMessage = z
  .object({
    id: z.uuid(),
    userId: z.uuid().describe('The recipient: the caller'),
    category: z.string(),
    title: z.string(),
    body: z.string(),
    link: z.string().nullable(),
    readAt: z.iso.datetime().nullable(),
    createdAt: z.iso.datetime(),
  })
  .openapi('SiteMessage');

export const page = <T extends z.ZodType>(item: T, name: string) => PageOf(item).openapi(name);

export const PageQuery = z.object({
  q: z.string().optional().openapi({ description: '搜索关键词' }),
  page: z.string().optional().openapi({ example: '1' }),
  pageSize: z.string().optional().openapi({ example: '20' }),
});

/** JSON bodies: documented here, validated by the service's own zod schema (one source of truth). */
export const jsonBody = (schema: z.ZodType, description?: string) => ({
  required: true,
  description,
  content: { 'application/json': { schema } },
});

/** Routes that need a signed-in caller: the session cookie or a bearer token. */
export const authed: Record<string, string[]>[] = [{ cookie: [] }, { bearer: [] }];

/** A JSON response entry for a route's `responses`. */
export const json = (schema: z.ZodType, description: string) => ({ description, content: { 'application/json': { schema } } });
