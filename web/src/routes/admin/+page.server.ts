import { adminWaiting } from '$lib/server/admin';
import type { PageServerLoad } from './$types';

/** The console home: how much waits in each queue (adminWaiting). */
export const load: PageServerLoad = async ({ locals }) => ({ waiting: await adminWaiting(locals) });
