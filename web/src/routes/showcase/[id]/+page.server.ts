import { error } from '@sveltejs/kit';
import { isAppError } from '$core/shared/app-error';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, params }) => {
  try {
    return { profile: await locals.services.organisations.getPublicProfile(params.id) };
  } catch (e) {
    if (isAppError(e) && e.code === 'NOT_FOUND') error(404, '该服务机构不存在或已停用');
    throw e;
  }
};
