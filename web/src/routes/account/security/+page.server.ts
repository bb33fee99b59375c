import { formAction, formValues } from '$lib/server/session';
import type { Actions } from './$types';

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
