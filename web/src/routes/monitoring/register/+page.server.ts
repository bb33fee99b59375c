import { redirect } from '@sveltejs/kit';
import { guangdongCities } from '$core/monitoring/accounts.schema';
import { runAction } from '$lib/server/form-action';
import { formValues, setSessionCookie } from '$lib/server/session';
import type { Actions, PageServerLoad } from './$types';

/**
 * 企业注册 (public): a visitor registers a new enterprise with its mobile and the registration SMS code and is
 * signed in; a signed-in owner or administrator of an organisation not yet in monitoring registers it in one
 * click (登记本单位). Someone who already has a monitoring account goes to /monitoring.
 */
export const load: PageServerLoad = async ({ locals, parent }) => {
  const { me } = await parent();
  if (me) redirect(303, '/monitoring');
  const org = locals.actor?.organisation;
  const eligible = !!org && org.status === 'active' && (org.role === 'owner' || org.role === 'admin') && org.kind !== 'platform' && org.kind !== 'government';
  return {
    cities: guangdongCities(),
    view: !locals.actor ? ('visitor' as const) : eligible ? ('existing' as const) : ('signedIn' as const),
    orgName: eligible ? org.fullName : null,
  };
};

const ctx = (locals: App.Locals, request: Request) => ({ ip: locals.ip, userAgent: request.headers.get('user-agent') ?? undefined });

export const actions: Actions = {
  /** 获取验证码: the registration code, as /register sends it (rate limits and the 60 s wait are the service's). */
  sendCode: async ({ request, locals }) => {
    const values = formValues(await request.formData());
    const r = await runAction(values, () => locals.services.accounts.sendRegisterCode({ mobile: values.mobile }, ctx(locals, request)));
    if (!r.ok) return r.failure;
    return { codeSent: true as const, message: r.data.message, values };
  },
  /** 注册: the enterprise, its account and monitoring unit; signed in, then the monitoring home. */
  register: async ({ request, locals, cookies }) => {
    const values = formValues(await request.formData());
    const r = await runAction(values, () => locals.services.monitoringAccounts.registerEnterprise(values, ctx(locals, request)));
    if (!r.ok) return r.failure;
    setSessionCookie(cookies, r.data.session, locals.platform.config.secureCookies);
    redirect(303, '/monitoring');
  },
  /** 登记本单位: the organisation the person acts for becomes a reporting enterprise. */
  existing: async ({ request, locals }) => {
    const values = formValues(await request.formData());
    const r = await runAction(values, () => locals.services.monitoringAccounts.registerExistingOrganisation(locals.actor, values), { form: 'existing' });
    if (!r.ok) return r.failure;
    redirect(303, '/monitoring');
  },
};
