import { redirect } from '@sveltejs/kit';
import type { PageServerLoad } from './$types';

/** The demo's welcome message links here: the unit's own page is the quotas home. */
export const load: PageServerLoad = () => redirect(308, '/quotas');
