import { redirect } from '@sveltejs/kit';
import { formAction, formValues, setSessionCookie } from '$lib/server/session';
import { safeRedirect } from '$lib/format';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = ({ locals, url }) => {
  if (locals.user) redirect(303, safeRedirect(url.searchParams.get('redirectTo'), '/account'));
};

export const actions: Actions = {
  default: async ({ request, locals, cookies, url }) => {
    const values = formValues(await request.formData());
    const r = await formAction(values, () =>
      locals.services.accounts.login(values, { ip: locals.ip, userAgent: request.headers.get('user-agent') ?? undefined }),
    );
    if (!r.ok) return r.failure;
    setSessionCookie(cookies, r.data, locals.platform.config.secureCookies);
    redirect(303, safeRedirect(values.redirectTo ?? url.searchParams.get('redirectTo'), '/account'));
  },
};
