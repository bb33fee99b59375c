import { redirect } from '@sveltejs/kit';
import { SESSION_COOKIE } from '$lib/server/session';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = () => redirect(303, '/');

export const actions: Actions = {
  default: async ({ locals, cookies }) => {
    await locals.services.accounts.logout(locals.token);
    cookies.delete(SESSION_COOKIE, { path: '/' });
    redirect(303, '/');
  },
};
