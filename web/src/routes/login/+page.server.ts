import { redirect } from '@sveltejs/kit';
import { formValues, setSessionCookie } from '$lib/server/session';
import { runAction } from '$lib/server/form-action';
import { safeRedirect } from '$lib/format';
import type { Actions, PageServerLoad } from './$types';

/**
 * Where to go after signing in: `?redirectTo=` (the site's links) or `?next=` (its alias), on this site
 * only; otherwise the home page, which is the role home of the organisation acted for.
 */
const nextOf = (values: Record<string, string>, url: URL) =>
  safeRedirect(values.redirectTo || url.searchParams.get('redirectTo') || url.searchParams.get('next'), '/');

const requestContext = (locals: App.Locals, request: Request) => ({ ip: locals.ip, userAgent: request.headers.get('user-agent') ?? undefined });

export const load: PageServerLoad = ({ locals, url }) => {
  if (locals.user) redirect(303, nextOf({}, url));
};

export const actions: Actions = {
  /** 密码登录: username, mobile or e-mail and the password. */
  password: async ({ request, locals, cookies, url }) => {
    const values = formValues(await request.formData());
    const r = await runAction(values, () => locals.services.accounts.login(values, requestContext(locals, request)), { form: 'password' });
    if (!r.ok) return r.failure;
    setSessionCookie(cookies, r.data, locals.platform.config.secureCookies);
    redirect(303, nextOf(values, url));
  },

  /** 短信登录, 获取验证码: the same answer whether or not the mobile has an account. */
  code: async ({ request, locals }) => {
    const values = formValues(await request.formData());
    const r = await runAction(values, () => locals.services.accounts.requestLoginCode({ mobile: values.mobile }, requestContext(locals, request)), {
      form: 'sms',
    });
    if (!r.ok) return r.failure;
    return { codeSent: true as const, message: r.data.message, values: { ...values, form: 'sms' } };
  },

  /** 短信登录: the mobile and the code from the SMS. */
  sms: async ({ request, locals, cookies, url }) => {
    const values = formValues(await request.formData());
    const r = await runAction(
      values,
      () => locals.services.accounts.loginWithCode({ mobile: values.mobile, code: values.code }, requestContext(locals, request)),
      { form: 'sms' },
    );
    if (!r.ok) return r.failure;
    setSessionCookie(cookies, r.data, locals.platform.config.secureCookies);
    redirect(303, nextOf(values, url));
  },
};
