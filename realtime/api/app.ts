import { OpenAPIHono } from '@hono/zod-openapi';
import type { IncomingMessage } from 'node:http';
import type { Context } from 'hono';
import { getCookie } from 'hono/cookie';
import { csrf } from 'hono/csrf';
import { createMiddleware } from 'hono/factory';
import { HTTPException } from 'hono/http-exception';
import { AppError, toErrorBody } from '../../core/shared/app-error';
import { requireOperator } from '../../core/shared/actor';
import { fieldErrors } from '../../core/shared/validate';
import { resolveClientIp } from '../../core/shared/client-ip';
import type { Platform } from '../../core/platform/platform';
import { SESSION_COOKIE, type ApiEnv } from './context';
import { registerDocs } from './docs';
import { enforceDeclaredSecurity, NON_JSON_BODY_PATHS } from './openapi-document';
import { inputGuard, readLimited, refuseAnonymous } from './input-guard';
import { registerInAnyOrder } from './route-order';
import { logger } from '../../core/shared/logger';
import { EDGE_LIST, type EdgeEntry } from '../contexts';

/** Where every operation lives; the API document's paths are relative to it. */
const API_BASE_PATH = '/api/v1';

/** Paths (under /api/v1) that take non-JSON bodies (uploads, signed third-party notices); the document lists the same. */
const CONTENT_TYPE_EXEMPT = NON_JSON_BODY_PATHS;

export interface ApiAppOptions {
  /** The contexts' edges to register (tests pass them reordered: the answers must not change). */
  contexts?: readonly EdgeEntry[];
}

export function createApiApp(platform: Platform, opts: ApiAppOptions = {}) {
  const api = new OpenAPIHono<ApiEnv>({
    defaultHook: (result) => {
      if (!result.success) throw new AppError('VALIDATION', '请检查填写的内容', fieldErrors(result.error as never));
    },
  }).basePath(API_BASE_PATH);
  // Signed-in operations refuse anonymous callers before reading their input, as the document says.
  enforceDeclaredSecurity(api);

  api.use('*', async (c, next) => {
    c.set('platform', platform);
    c.set('services', platform.services);
    c.set('requestId', c.req.header('x-request-id') ?? crypto.randomUUID());
    c.set('log', logger.child({ requestId: c.get('requestId') }));
    const incoming = (c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming;
    c.set('ip', resolveClientIp(platform.config, incoming?.socket?.remoteAddress, c.req.header('x-forwarded-for')));
    c.header('x-request-id', c.get('requestId'));
    await next();
  });

  // Browsers' cross-site form posts are refused; JSON bodies must say they are JSON. A bearer token
  // is never sent by a browser on its own, so only cookie-authenticated calls need the origin check.
  const csrfCheck = csrf({ origin: (origin, c) => new URL(c.req.url).origin === origin || origin === platform.config.ORIGIN });
  // Without a session cookie there is no ambient authority to abuse (and bodies must be JSON anyway).
  api.use('*', (c, next) => (/^bearer /i.test(c.req.header('authorization') ?? '') || !getCookie(c, SESSION_COOKIE) ? next() : csrfCheck(c, next)));
  const hotRoutes = new Map(
    (opts.contexts ?? EDGE_LIST).flatMap(([, edge]) =>
      Object.entries(edge.hotRoutes ?? {}).map(([r, hot]) => [r.replace(' ', ` ${API_BASE_PATH}`), hot] as const),
    ),
  );
  api.use('*', async (c, next) => {
    const auth = c.req.header('authorization');
    const token = auth?.toLowerCase().startsWith('bearer ') ? auth.slice(7).trim() : (getCookie(c, SESSION_COOKIE) ?? null);
    const hot = hotRoutes.get(`${c.req.method} ${c.req.path}`);
    if (hot?.early && token) await answerEarly(c, platform, hot.early);
    const recentMs = hot ? platform.config.HOT_SESSION_MS : 0;
    const resolved = token ? await platform.services.accounts.validateSessionToken(token, { recentMs }) : null;
    c.set('actor', resolved?.actor ?? null);
    c.set('token', resolved ? token : null);
    await next();
  });
  // An anonymous caller of a signed-in operation hears 401 before its content type, size or text is judged.
  api.use('*', refuseAnonymous(api, API_BASE_PATH));

  api.use(
    '*',
    createMiddleware<ApiEnv>(async (c, next) => {
      const m = c.req.method;
      if ((m === 'POST' || m === 'PUT' || m === 'PATCH') && !CONTENT_TYPE_EXEMPT.some((r) => r.test(c.req.path))) {
        const type = c.req.header('content-type') ?? '';
        const hasBody = Number(c.req.header('content-length') ?? '0') > 0 || c.req.header('transfer-encoding');
        if (hasBody && !type.toLowerCase().startsWith('application/json')) {
          throw new AppError('UNSUPPORTED_MEDIA_TYPE', '请求体必须是 application/json');
        }
      }
      await next();
    }),
  );

  // Every operator route is refused at the boundary: 401 without a session, 403 for non-operators,
  // before any body is read or validated.
  api.use('/admin/*', async (c, next) => {
    requireOperator(c.var.actor);
    await next();
  });

  api.use('*', inputGuard(api, API_BASE_PATH));

  api.onError((err, c) => {
    const { status, body } = toErrorBody(err instanceof HTTPException ? fromHttpException(err) : err);
    if (status >= 500 && !(err instanceof HTTPException && err.status < 500))
      (c.var.log ?? logger).error({ err, method: c.req.method, path: c.req.path }, 'request failed');
    if (body.retryAfterSeconds) c.header('retry-after', String(body.retryAfterSeconds));
    return c.json({ error: body }, status as 400);
  });
  api.notFound((c) => c.json({ error: { code: 'NOT_FOUND', message: '接口不存在' } }, 404));

  // Every context's routes (realtime/contexts.ts), in any order: a fixed path segment wins over a parameter.
  registerInAnyOrder(api, () => {
    for (const [, edge] of opts.contexts ?? EDGE_LIST) for (const register of edge.routes) register(api);
  });
  registerDocs(api);
  return api;
}

/** Largest body a hot route answers from memory (a grab's body is about 50 bytes). */
const EARLY_BODY_BYTES = 1024;

/**
 * A hot route's answer from memory, before the session is read: only for a small JSON body; the body is
 * put back for the input guard and the route when there is no early answer.
 */
async function answerEarly(c: Context<ApiEnv>, platform: Platform, early: (platform: Platform, body: unknown) => Error | null) {
  const length = Number(c.req.header('content-length') ?? NaN);
  if (!(length > 0 && length <= EARLY_BODY_BYTES) || !/^application\/json/i.test(c.req.header('content-type') ?? '')) return;
  const text = await readSmallBody(c, EARLY_BODY_BYTES);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  const answer = body === undefined ? null : early(platform, body);
  if (answer) throw answer;
  c.req.raw = new Request(c.req.raw, { body: text });
}

/**
 * A small body straight from Node's request when the server is Node's (no web stream in between: under
 * a crowd that conversion costs more than the answer), else through the web Request.
 */
async function readSmallBody(c: Context<ApiEnv>, limit: number): Promise<string> {
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  if (!incoming || incoming.readableDidRead || typeof incoming.read !== 'function') return readLimited(c.req.raw, limit);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of incoming as AsyncIterable<Buffer>) {
    size += chunk.byteLength;
    if (size > limit) throw new AppError('PAYLOAD_TOO_LARGE', '请求体过大');
    chunks.push(chunk);
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks));
  } catch {
    throw new AppError('VALIDATION', '请求体不是有效的 UTF-8 文本');
  }
}

/** Hono's own refusals (CSRF, body limits) in our error shape. */
function fromHttpException(e: HTTPException): AppError {
  if (e.status === 403) return new AppError('FORBIDDEN', '跨站请求被拒绝');
  if (e.status === 413) return new AppError('VALIDATION', '请求体过大');
  if (e.status === 415) return new AppError('UNSUPPORTED_MEDIA_TYPE', '请求体必须是 application/json');
  if (e.status === 400) return new AppError('VALIDATION', '请求格式不正确（JSON 无法解析）');
  return new AppError('INTERNAL', '服务器开小差了，请稍后再试');
}
