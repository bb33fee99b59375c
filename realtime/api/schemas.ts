import { z } from '@hono/zod-openapi';

export const ErrorResponse = z
  .object({
    error: z.object({
      code: z.string().openapi({ example: 'VALIDATION' }),
      message: z.string().openapi({ example: '请检查填写的内容' }),
      fields: z.record(z.string(), z.string()).optional().openapi({ example: { uscc: '统一社会信用代码校验位不正确，请核对' } }),
      retryAfterSeconds: z.number().int().optional(),
    }),
  })
  .openapi('Error');

export const errorResponses = (...statuses: number[]) =>
  Object.fromEntries(
    statuses.map((s) => [s, { description: STATUS_TEXT[s] ?? 'Error', content: { 'application/json': { schema: ErrorResponse } } }]),
  );

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

export const PublicUser = z
  .object({
    id: z.uuid(),
    username: z.string(),
    mobile: z.string(),
    email: z.string().nullable(),
    displayName: z.string().nullable(),
    locale: z.string(),
    status: z.enum(['active', 'disabled']),
    createdAt: z.iso.datetime(),
  })
  .openapi('User');

export const Membership = z
  .object({
    organisationId: z.uuid(),
    kind: z.string(),
    fullName: z.string(),
    uscc: z.string().nullable(),
    status: z.string(),
    role: z.enum(['owner', 'admin', 'finance', 'member']),
  })
  .openapi('Membership');

export const SessionResponse = z
  .object({ token: z.string().describe('Bearer token for API clients; browsers use the cookie'), expiresAt: z.iso.datetime(), user: PublicUser })
  .openapi('Session');

export const Me = z
  .object({ user: PublicUser, memberships: z.array(Membership), activeOrganisation: Membership.nullable(), isOperator: z.boolean() })
  .openapi('Me');

export const SiteMessage = z
  .object({
    id: z.uuid(),
    category: z.string(),
    title: z.string(),
    body: z.string(),
    link: z.string().nullable(),
    readAt: z.iso.datetime().nullable(),
    createdAt: z.iso.datetime(),
  })
  .openapi('SiteMessage');

export const page = <T extends z.ZodType>(item: T, name: string) =>
  z.object({ items: z.array(item), total: z.number().int(), page: z.number().int(), pageSize: z.number().int() }).openapi(name);

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
