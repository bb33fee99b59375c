import { requireUnitManager } from '../../quotas.server';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = ({ locals, url }) => {
  const { org } = requireUnitManager(locals, url);
  return { organisationId: org.organisationId, ownName: org.fullName };
};
