import { redirect } from '@sveltejs/kit';
import { safeRedirect } from '$lib/format';
import type { PageServerLoad } from './$types';

/** 免费注册 starts by asking who registers; `redirectTo` (same-site paths only) is carried to the chosen form. */
export const load: PageServerLoad = ({ locals, url }) => {
  const redirectTo = safeRedirect(url.searchParams.get('redirectTo'), '');
  if (locals.user) redirect(303, redirectTo || '/account');
  return { redirectTo };
};
