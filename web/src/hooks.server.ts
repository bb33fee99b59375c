import type { Handle, HandleServerError } from '@sveltejs/kit';
import { sequence } from '@sveltejs/kit/hooks';
import { getPlatform } from '$core/platform/registry';
import { resolveClientIp } from '$core/shared/client-ip';
import { hasUncleanInput } from '$core/shared/clean-request';
import { logger } from '$core/shared/logger';
import { SESSION_COOKIE } from '$lib/server/session';

const session: Handle = async ({ event, resolve }) => {
  const platform = await getPlatform();
  event.locals.platform = platform;
  event.locals.services = platform.services;
  event.locals.ip = resolveClientIp(platform.config, safeClientAddress(event), event.request.headers.get('x-forwarded-for'));
  const token = event.cookies.get(SESSION_COOKIE) ?? null;
  const resolved = token ? await platform.services.accounts.validateSessionToken(token) : null;
  if (token && !resolved) event.cookies.delete(SESSION_COOKIE, { path: '/' });
  event.locals.actor = resolved?.actor ?? null;
  event.locals.user = resolved?.user ?? null;
  event.locals.token = resolved ? token : null;
  return resolve(event);
};

/**
 * Addresses and form posts carrying NUL or other control characters, lone surrogates or broken
 * percent-encoding are refused with 400 before a page reads them (such text never reaches the
 * database). The API applies the same rule in its own input guard.
 */
const cleanInput: Handle = async ({ event, resolve }) => {
  if (event.url.pathname.startsWith('/api/') || !(await hasUncleanInput(event.request, event.url))) return resolve(event);
  return new Response('请求中有无法识别的字符，请检查地址或填写的内容。', { status: 400, headers: { 'content-type': 'text/plain; charset=utf-8' } });
};

export const handle = sequence(cleanInput, session);

function safeClientAddress(event: Parameters<Handle>[0]['event']) {
  try {
    return event.getClientAddress();
  } catch {
    return undefined;
  }
}

/** Unknown errors reach people as a generic message with an id they can quote; details stay in the log. */
export const handleError: HandleServerError = ({ error, event, status }) => {
  const id = crypto.randomUUID().slice(0, 8);
  if (status !== 404) logger.error({ err: error, errorId: id, method: event.request.method, path: event.url.pathname }, 'page failed');
  return { message: status === 404 ? '页面不存在' : `服务器开小差了，请稍后再试（编号 ${id}）`, code: status === 404 ? 'NOT_FOUND' : 'INTERNAL' };
};
