import { error } from '@sveltejs/kit';
import { requireLogin } from '$lib/server/guard';
import type { LayoutServerLoad } from './$types';

export const load: LayoutServerLoad = ({ locals, url }) => {
  const actor = requireLogin(locals, url);
  if (!actor.isOperator) error(403, '只有平台运营人员可以进入运营后台');
};
