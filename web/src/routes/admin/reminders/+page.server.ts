import { act } from '$lib/server/agreements';
import { formatMinute } from '$lib/agreements';
import { orError } from '$lib/server/session';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals }) => {
  const queue = await orError(() => locals.services.escrow.reminderQueue(locals.actor));
  return { queue, serverNow: Date.now() };
};

export const actions: Actions = {
  remind: ({ request, locals }) =>
    act(request, 'remind', async (v) => {
      const r = await locals.services.escrow.remind(locals.actor, v.milestoneId ?? '');
      return `已提醒企业（站内信）。${formatMinute(r.autoAcceptAt)} 前仍未验收或退回的，将视为验收通过。`;
    }),
};
