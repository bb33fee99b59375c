import { redirect } from '@sveltejs/kit';
import { safeRedirect } from '$lib/format';
import { formAction, formValues, setSessionCookie } from '$lib/server/session';
import type { Actions, PageServerLoad } from './$types';

/** 企业 / 服务机构 registration (`?type=provider` preselects the provider); `redirectTo` is where to go after. */
export const load: PageServerLoad = ({ locals, url }) => {
  if (locals.user) redirect(303, safeRedirect(url.searchParams.get('redirectTo'), '/account'));
  return {
    accountType: url.searchParams.get('type') === 'provider' ? 'provider' : 'enterprise',
    redirectTo: safeRedirect(url.searchParams.get('redirectTo'), ''),
  };
};

const ctx = (locals: App.Locals, request: Request) => ({ ip: locals.ip, userAgent: request.headers.get('user-agent') ?? undefined });
const keep = (values: Record<string, string>) => Object.fromEntries(Object.entries(values).filter(([k]) => !/password/i.test(k)));

export const actions: Actions = {
  sendCode: async ({ request, locals }) => {
    const values = formValues(await request.formData());
    const r = await formAction(values, () => locals.services.accounts.sendRegisterCode({ mobile: values.mobile }, ctx(locals, request)));
    if (!r.ok) return r.failure;
    return { codeSent: true as const, message: r.data.message, values: keep(values) };
  },
  register: async ({ request, locals, cookies }) => {
    const values = formValues(await request.formData());
    const r = await formAction(values, () => locals.services.accounts.register(values, ctx(locals, request)));
    if (!r.ok) return r.failure;
    setSessionCookie(cookies, r.data, locals.platform.config.secureCookies);
    redirect(303, safeRedirect(values.redirectTo, '/account?welcome=1'));
  },
};
