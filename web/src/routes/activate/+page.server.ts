import { redirect } from '@sveltejs/kit';
import { formAction, formValues, setSessionCookie } from '$lib/server/session';
import type { Actions, PageServerLoad } from './$types';

const keep = (values: Record<string, string>) => Object.fromEntries(Object.entries(values).filter(([k]) => !/password/i.test(k)));

export const load: PageServerLoad = ({ url }) => ({
  // The SMS link may carry the login: /activate?login=…
  login: (url.searchParams.get('login') ?? '').slice(0, 40),
});

export const actions: Actions = {
  default: async ({ request, locals, cookies }) => {
    const values = formValues(await request.formData());
    const r = await formAction(keep(values), () =>
      locals.services.accounts.activate(
        { identifier: values.identifier, code: values.code, newPassword: values.newPassword, confirmPassword: values.confirmPassword },
        { ip: locals.ip, userAgent: request.headers.get('user-agent') ?? undefined },
      ),
    );
    if (!r.ok) return r.failure;
    setSessionCookie(cookies, r.data, locals.platform.config.secureCookies);
    // Budget units and purchasers continue on their pages: confirm the profile, then work.
    redirect(303, r.data.organisationId ? '/quotas?activated=1' : '/account');
  },
};
