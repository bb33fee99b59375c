import type { Cookies } from '@sveltejs/kit';
import { error } from '@sveltejs/kit';
import type { SessionResult } from '$core/accounts/accounts.service';
import { isAppError } from '$core/shared/app-error';
import { formValues, runAction } from './form-action';

export const SESSION_COOKIE = 'bangfu_session';

export function setSessionCookie(cookies: Cookies, s: SessionResult, secure: boolean) {
  cookies.set(SESSION_COOKIE, s.token, { path: '/', httpOnly: true, sameSite: 'lax', secure, expires: s.expiresAt });
}

/**
 * Runs a form action's service call; an AppError becomes `fail(status, { error, values })` so the
 * page shows the field-level messages next to the fields and keeps what the person typed.
 */
export const formAction = <T>(values: Record<string, unknown>, run: () => Promise<T>) => runAction(values, run);

export { formValues };

/** For load functions: an AppError becomes the error page with its status (403 「无权访问」, 404 …). */
export async function orError<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (e) {
    if (isAppError(e)) error(e.status, e.message);
    throw e;
  }
}
