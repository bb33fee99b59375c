import { orError } from '$lib/server/session';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals }) => {
  const queue = await orError(() => locals.services.escrow.caseQueue(locals.actor));
  return { queue };
};
