import { error } from '@sveltejs/kit';
import { requireLogin } from '$lib/server/guard';
import { orError } from '$lib/server/session';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, url, depends }) => {
  depends('mall:payment');
  const actor = requireLogin(locals, url);
  const paymentNo = url.searchParams.get('payment')?.trim() ?? '';
  if (!paymentNo) error(404, '缺少支付单号');
  const payment = await orError(() => locals.services.orders.payment(actor, paymentNo));
  const bank = payment.bankCode
    ? (locals.services.orders.corporateBanks().find((b) => b.code === payment.bankCode)?.name ??
      (payment.bankCode === 'WECHAT' ? '微信支付' : payment.bankCode))
    : null;
  return { payment, bank };
};
