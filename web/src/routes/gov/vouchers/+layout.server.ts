import { error } from '@sveltejs/kit';
import { requireLogin } from '$lib/server/guard';
import type { LayoutServerLoad } from './$types';

/** 消费券活动: the commerce bureau's pages, for a government department acting now. */
export const load: LayoutServerLoad = async ({ locals, url }) => {
  const actor = requireLogin(locals, url);
  const org = actor.organisation;
  if (org?.kind !== 'government') error(403, '消费券活动仅供政府部门使用：请在页面顶部切换到您的部门');
  if (org.status !== 'active') error(403, '部门账号已停用，请联系平台客服');
  return { bureau: { name: org.fullName } };
};
