import { redirect } from '@sveltejs/kit';
import { requireLogin } from '$lib/server/guard';
import { formAction, formValues } from '$lib/server/session';
import { safeRedirect } from '$lib/format';
import type { Actions, PageServerLoad } from './$types';
import { pageFromQuery } from '$core/shared/paging';

export const load: PageServerLoad = async ({ locals, url }) => {
  const actor = requireLogin(locals, url);
  const page = pageFromQuery(url.searchParams);
  const list = await locals.services.messages.list(actor.userId, { page, pageSize: 20 });
  return { list };
};

export const actions: Actions = {
  read: async ({ request, locals, url }) => {
    const actor = requireLogin(locals, url);
    const values = formValues(await request.formData());
    const r = await formAction(values, () => locals.services.messages.markRead(actor.userId, values.id ?? ''));
    if (!r.ok) return r.failure;
    if (values.link) redirect(303, safeRedirect(values.link, '/messages'));
    return { read: values.id };
  },
  readAll: async ({ locals, url }) => {
    const actor = requireLogin(locals, url);
    await locals.services.messages.markAllRead(actor.userId);
    return { readAll: true as const };
  },
};
