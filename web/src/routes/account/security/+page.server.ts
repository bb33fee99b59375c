import { formAction, formValues } from '$lib/server/session';
import type { Actions, PageServerLoad } from './$types';

/** The 用户协议 / 隐私政策 versions this account agreed to at registration (null when opened by an operator or import). */
export const load: PageServerLoad = ({ locals }) => {
  const u = locals.user;
  return {
    agreement: u ? { termsVersion: u.termsVersion, privacyVersion: u.privacyVersion, agreedAt: u.agreedAt ? new Date(u.agreedAt).toISOString() : null } : null,
  };
};

export const actions: Actions = {
  default: async ({ request, locals }) => {
    const values = formValues(await request.formData());
    const r = await formAction(values, () =>
      locals.services.accounts.changePassword(locals.actor, values, { ip: locals.ip, userAgent: request.headers.get('user-agent') ?? undefined }),
    );
    if (!r.ok) return r.failure;
    return { message: r.data.message };
  },
};
