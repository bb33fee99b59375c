import { requireMerchantConsole } from '$lib/server/mall-console';
import type { LayoutServerLoad } from './$types';

export const load: LayoutServerLoad = ({ locals, url }) => {
  const { org } = requireMerchantConsole(locals, url);
  return { merchant: { id: org.organisationId, fullName: org.fullName } };
};
