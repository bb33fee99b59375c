import type { Cookies } from '@sveltejs/kit';
import { error, fail } from '@sveltejs/kit';
import type { SessionResult } from '$core/accounts/accounts.service';
import { isAppError, toErrorBody } from '$core/shared/app-error';

export const SESSION_COOKIE = 'bangfu_session';

export function setSessionCookie(cookies: Cookies, s: SessionResult, secure: boolean) {
  cookies.set(SESSION_COOKIE, s.token, { path: '/', httpOnly: true, sameSite: 'lax', secure, expires: s.expiresAt });
}

/**
 * Runs a form action's service call; an AppError becomes `fail(status, { error, values })` so the
 * page shows the field-level messages next to the fields and keeps what the person typed.
 */
export async function formAction<T>(values: Record<string, unknown>, run: () => Promise<T>) {
  try {
    return { ok: true as const, data: await run() };
  } catch (e) {
    if (!isAppError(e)) throw e;
    const { status, body } = toErrorBody(e);
    const safe = Object.fromEntries(Object.entries(values).filter(([k]) => !/password/i.test(k)));
    return { ok: false as const, failure: fail(status, { error: body, values: safe }) };
  }
}

export const formValues = (data: FormData) =>
  Object.fromEntries([...data.entries()].filter(([, v]) => typeof v === 'string')) as Record<string, string>;

/** For load functions: an AppError becomes the error page with its status (403 「无权访问」, 404 …). */
export async function orError<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (e) {
    if (isAppError(e)) error(e.status, e.message);
    throw e;
  }
}
