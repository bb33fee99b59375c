import { redirect } from '@sveltejs/kit';
import { registerWith, sendCode } from '../register.server';
import { ctxOf } from '../../mall.server';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = ({ locals }) => {
  if (locals.user) redirect(303, '/mall/me');
};

export const actions: Actions = {
  sendCode,
  register: (event) => registerWith(event, (v) => event.locals.services.units.registerIndividual(v, ctxOf(event.locals, event.request)), '/mall/me?welcome=1'),
};
