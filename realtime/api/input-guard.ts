import type { OpenAPIHono } from '@hono/zod-openapi';
import { byShape, pathShape } from './route-order';
import { createMiddleware } from 'hono/factory';
import { AppError } from '../../core/shared/app-error';
import { CONTROL_CHARACTER_MESSAGE, isCleanText } from '../../core/shared/validate';
import type { ApiEnv } from './context';
import { requiresSession } from './openapi-document';

/** The largest JSON body any operation takes (a requirement's rich text is at most 50 000 characters). */
const MAX_JSON_BYTES = 1024 * 1024;

const PAYLOAD_TOO_LARGE = '请求体过大（不超过 1 MB）';

type Operation = { method: string; pattern: RegExp; bodyRequired: boolean; signedIn: boolean; shape: string };

/**
 * Finds the operation a request addresses, from the API document's routes (which carry their paths
 * without the app's base path). Built on first use, when every route is registered.
 */
function operationLookup(api: OpenAPIHono<ApiEnv>, basePath: string) {
  let operations: Operation[] | undefined;
  const escape = (text: string) => text.replace(/[.*+?^$()|[\]\\]/g, '\\$&');
  return (method: string, path: string) => {
    operations ??= api.openAPIRegistry.definitions
      .flatMap((d): Operation[] => {
        if (d.type !== 'route') return [];
        const content = (d.route.request?.body?.content ?? {}) as Record<string, unknown>;
        const json = Object.keys(content).some((t) => t.startsWith('application/json'));
        const pattern = new RegExp(`^${escape(basePath)}${escape(d.route.path).replace(/\{[^}]+\}/g, '[^/]+')}/?$`);
        return [
          {
            method: d.route.method.toUpperCase(),
            pattern,
            bodyRequired: json && Boolean(d.route.request?.body?.required),
            signedIn: requiresSession(d.route.security),
            shape: pathShape(d.route.path),
          },
        ];
      })
      // The operation the router picks: a fixed segment wins over a parameter (see route-order.ts), whatever the declaration order.
      .sort(byShape);
    return operations.find((r) => r.method === method && r.pattern.test(path));
  };
}

/**
 * An anonymous caller of an operation that requires a session hears 401 before anything of the
 * request is checked (content type, size, text, an empty PATCH), as the document says: what such a
 * caller sends is never read. Runs right after the session is resolved.
 */
export function refuseAnonymous(api: OpenAPIHono<ApiEnv>, basePath: string) {
  const operationOf = operationLookup(api, basePath);
  return createMiddleware<ApiEnv>(async (c, next) => {
    if (!c.var.actor && operationOf(c.req.method, c.req.path)?.signedIn) throw new AppError('UNAUTHENTICATED', '请先登录');
    await next();
  });
}

/**
 * Refusals every operation shares, before any route reads its input:
 * - a path or query string that is not valid UTF-8, or carries NUL or other control characters or
 *   lone surrogates → 400 with the query field named (such text never reaches the database);
 * - a JSON body over 1 MB → 413, from the Content-Length before it is read, or while it streams;
 * - a JSON body with control characters or lone surrogates in any string → 400 naming the field;
 * - no body where the operation's document says one is required → 400;
 * - a PATCH of `{}` → 400 没有要修改的内容.
 */
export function inputGuard(api: OpenAPIHono<ApiEnv>, basePath: string) {
  const routeOf = operationLookup(api, basePath);

  return createMiddleware<ApiEnv>(async (c, next) => {
    const url = new URL(c.req.url);
    let path: string;
    try {
      path = decodeURIComponent(url.pathname);
    } catch {
      throw new AppError('VALIDATION', '地址中有无法识别的字符');
    }
    if (!isCleanText(path)) throw new AppError('VALIDATION', `地址${CONTROL_CHARACTER_MESSAGE}`);
    const fields: Record<string, string> = {};
    for (const part of url.search.slice(1).split('&')) {
      if (!part) continue;
      const [rawKey = '', rawValue = ''] = part.split(/=(.*)/s);
      let key: string;
      let value: string;
      try {
        key = decodeURIComponent(rawKey.replace(/\+/g, ' '));
        value = decodeURIComponent(rawValue.replace(/\+/g, ' '));
      } catch {
        fields[rawKey.slice(0, 40) || '_'] = '有无法识别的字符';
        continue;
      }
      if (!isCleanText(key) || !isCleanText(value)) fields[isCleanText(key) ? key : '_'] = CONTROL_CHARACTER_MESSAGE;
    }
    if (Object.keys(fields).length) throw new AppError('VALIDATION', '请检查填写的内容', fields);

    const method = c.req.method;
    if (method === 'POST' || method === 'PUT' || method === 'PATCH') {
      const type = (c.req.header('content-type') ?? '').toLowerCase();
      const length = c.req.header('content-length');
      const json = type.startsWith('application/json');
      if (json && Number(length ?? 0) > MAX_JSON_BYTES) throw new AppError('PAYLOAD_TOO_LARGE', PAYLOAD_TOO_LARGE);
      const route = routeOf(method, c.req.path);
      const text = json ? await readLimited(c.req.raw, MAX_JSON_BYTES) : undefined;
      // The routes (and middleware such as bodyLimit) read the body again from a fresh request.
      if (text !== undefined) c.req.raw = new Request(c.req.raw, { body: text });
      const empty = text === undefined ? !c.req.header('transfer-encoding') && Number(length ?? 0) === 0 : !text.trim();
      if (empty && (route?.bodyRequired || method === 'PATCH')) {
        if (method === 'PATCH') throw new AppError('VALIDATION', '没有要修改的内容');
        // A body announced as something other than JSON is the wrong type, whatever its length says.
        if (!json && type) throw new AppError('UNSUPPORTED_MEDIA_TYPE', '请求体必须是 application/json');
        throw new AppError('VALIDATION', json ? '请求体不能为空（JSON）' : '请求体必须是 application/json');
      }
      if (text?.trim()) {
        let body: unknown;
        try {
          body = JSON.parse(text);
        } catch {
          throw new AppError('VALIDATION', '请求格式不正确（JSON 无法解析）');
        }
        const bad = findUncleanStrings(body);
        if (Object.keys(bad).length) throw new AppError('VALIDATION', '请检查填写的内容', bad);
        if (method === 'PATCH' && body && typeof body === 'object' && !Array.isArray(body) && Object.keys(body).length === 0) {
          throw new AppError('VALIDATION', '没有要修改的内容');
        }
      }
    }
    await next();
  });
}

/** Reads a body as UTF-8 text, refusing it with 413 as soon as it passes `limit` bytes. */
export async function readLimited(req: Request, limit: number): Promise<string> {
  if (!req.body) return '';
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => {});
      throw new AppError('PAYLOAD_TOO_LARGE', PAYLOAD_TOO_LARGE);
    }
    chunks.push(value);
  }
  const all = new Uint8Array(size);
  let at = 0;
  for (const ch of chunks) {
    all.set(ch, at);
    at += ch.byteLength;
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(all);
  } catch {
    throw new AppError('VALIDATION', '请求体不是有效的 UTF-8 文本');
  }
}

/** Every string (and key) in a JSON value that carries control characters or lone surrogates, by its path. */
function findUncleanStrings(value: unknown, path: string[] = [], out: Record<string, string> = {}, depth = 0): Record<string, string> {
  if (depth > 32) {
    out[path.join('.') || '_'] = '层级过深';
    return out;
  }
  if (typeof value === 'string') {
    if (!isCleanText(value, { multiline: true })) out[path.join('.') || '_'] = CONTROL_CHARACTER_MESSAGE;
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => findUncleanStrings(v, [...path, String(i)], out, depth + 1));
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (!isCleanText(k)) out[[...path, '_'].join('.')] = CONTROL_CHARACTER_MESSAGE;
      else findUncleanStrings(v, [...path, k], out, depth + 1);
    }
  }
  return out;
}
