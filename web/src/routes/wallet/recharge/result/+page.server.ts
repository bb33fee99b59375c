import { error } from '@sveltejs/kit';
import { isAppError } from '$core/shared/app-error';
import { BANKS } from '$core/wallet/payment-gateway';
import { requireLogin } from '$lib/server/guard';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, url }) => {
  const actor = requireLogin(locals, url);
  const orderNo = url.searchParams.get('orderNo')?.trim() ?? '';
  if (!orderNo) error(404, '缺少充值单号');
  try {
    const order = await locals.services.recharges.get(actor, orderNo);
    return { order, banks: Object.fromEntries(BANKS.map((b) => [b.code, b.name])) };
  } catch (e) {
    if (isAppError(e)) error(e.status, e.message);
    throw e;
  }
};
