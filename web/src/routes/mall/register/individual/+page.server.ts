import { redirect } from '@sveltejs/kit';
import { safeRedirect } from '$lib/format';
import { registerWith, sendCode } from '../register.server';
import { ctxOf } from '../../mall.server';
import type { Actions, PageServerLoad } from './$types';

/** `redirectTo` (same-site paths only): where the buyer came from, e.g. the product it wanted to buy. */
export const load: PageServerLoad = ({ locals, url }) => {
  const redirectTo = safeRedirect(url.searchParams.get('redirectTo'), '');
  if (locals.user) redirect(303, redirectTo || '/mall/me');
  return { redirectTo };
};

export const actions: Actions = {
  sendCode,
  register: (event) => registerWith(event, (v) => event.locals.services.units.registerIndividual(v, ctxOf(event.locals, event.request)), '/mall/me?welcome=1'),
};
