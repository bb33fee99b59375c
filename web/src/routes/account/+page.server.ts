import { formAction, formValues } from '$lib/server/session';
import { maskMobile } from '$lib/format';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals }) => {
  const u = await locals.services.accounts.getUser(locals.actor);
  return {
    profile: { username: u.username, mobile: maskMobile(u.mobile), email: u.email, displayName: u.displayName, createdAt: u.createdAt },
  };
};

export const actions: Actions = {
  profile: async ({ request, locals }) => {
    const values = formValues(await request.formData());
    const r = await formAction(values, () =>
      locals.services.accounts.updateProfile(locals.actor, { displayName: values.displayName ?? '', email: values.email ?? '' }),
    );
    if (!r.ok) return r.failure;
    return { saved: true as const };
  },
};
