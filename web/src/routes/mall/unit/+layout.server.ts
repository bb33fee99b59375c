import { requireUnitAdmin } from '$lib/server/mall-console';
import type { LayoutServerLoad } from './$types';

export const load: LayoutServerLoad = ({ locals, url }) => {
  const { org } = requireUnitAdmin(locals, url);
  return { unit: { id: org.organisationId, fullName: org.fullName } };
};
