import { redirect } from '@sveltejs/kit';
import { z } from 'zod';
import { invitableFor, inviteAction } from '$lib/server/hall';
import { formValues, orError } from '$lib/server/session';
import { runAction } from '$lib/server/form-action';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, params }) => {
  const [storefront, invitable] = await orError(() => Promise.all([locals.services.storefronts.get(locals.actor, params.id), invitableFor(locals)]));
  // 咨询: signed-in enterprises open the conversation; visitors sign in first and come back here.
  const consult = !locals.actor ? ('login' as const) : locals.actor.organisation?.kind === 'enterprise' ? ('open' as const) : null;
  return { storefront, invitable, consult };
};

export const actions: Actions = {
  invite: ({ locals, request }) => inviteAction(locals, request),
  /** 咨询 (from the storefront or one of its service items): opens or reopens the conversation and goes there. */
  consult: async ({ locals, request, params, url }) => {
    if (!locals.actor) redirect(303, `/login?redirectTo=${encodeURIComponent(url.pathname)}`);
    const values = formValues(await request.formData());
    const r = await runAction(values, () => locals.services.consultations.open(locals.actor, { providerId: params.id }), { form: 'consult' });
    if (!r.ok) return r.failure;
    const item = z.uuid().safeParse(values.itemId).success ? `?item=${values.itemId}` : '';
    redirect(303, `/account/consultations/${r.data.id}${item}`);
  },
};
