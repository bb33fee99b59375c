import { redirect, type Cookies } from '@sveltejs/kit';
import type { SessionResult } from '$core/accounts/accounts.service';
import { safeRedirect } from '$lib/format';
import { formAction, formValues, setSessionCookie } from '$lib/server/session';
import { ctxOf } from '../mall.server';

const keep = (values: Record<string, string>) => Object.fromEntries(Object.entries(values).filter(([k]) => !/password/i.test(k)));

/** 获取验证码, as /register sends it. */
export async function sendCode({ request, locals }: { request: Request; locals: App.Locals }) {
  const values = formValues(await request.formData());
  const r = await formAction(values, () => locals.services.accounts.sendRegisterCode({ mobile: values.mobile }, ctxOf(locals, request)));
  if (!r.ok) return r.failure;
  return { codeSent: true as const, message: r.data.message, values: keep(values) };
}

/** Registers, signs in (the session cookie) and goes on. */
export async function registerWith(
  { request, locals, cookies, url }: { request: Request; locals: App.Locals; cookies: Cookies; url: URL },
  run: (values: Record<string, string>) => Promise<SessionResult>,
  next: string,
) {
  const values = formValues(await request.formData());
  const r = await formAction(values, () => run(values));
  if (!r.ok) return r.failure;
  setSessionCookie(cookies, r.data, locals.platform.config.secureCookies);
  // The forms carry where the visitor came from (e.g. a product) in a hidden field.
  redirect(303, safeRedirect(values.redirectTo || url.searchParams.get('redirectTo'), next));
}
