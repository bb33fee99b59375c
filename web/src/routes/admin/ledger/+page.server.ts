import { error } from '@sveltejs/kit';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals }) => {
  if (!locals.actor?.isOperator) error(403, '只有平台运营人员可以核对账本');
  const checkedAt = new Date();
  return { check: await locals.services.ledger.check(), checkedAt };
};
