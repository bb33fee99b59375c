import { error } from '@sveltejs/kit';
import { BANKS, PHONE_PAY } from '$core/wallet/payment-gateway';
import { requireLogin } from '$lib/server/guard';
import { safeRedirect } from '$lib/format';
import { orError } from '$lib/server/session';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, url, depends }) => {
  depends('wallet:recharge');
  const actor = requireLogin(locals, url);
  const orderNo = url.searchParams.get('orderNo')?.trim() ?? '';
  if (!orderNo) error(404, '缺少充值单号');
  const order = await orError(() => locals.services.recharges.get(actor, orderNo));
  return {
    order,
    banks: Object.fromEntries([...PHONE_PAY, ...BANKS].map((b) => [b.code, b.name])),
    returnTo: safeRedirect(url.searchParams.get('returnTo'), '') || null,
  };
};
