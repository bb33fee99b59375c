import { error, redirect } from '@sveltejs/kit';
import { LARGE_PAYMENT_FEN } from '$core/mall/orders.machine';
import { AppError } from '$core/shared/app-error';
import { requireLogin } from '$lib/server/guard';
import { formAction, formValues, orError } from '$lib/server/session';
import type { Actions, PageServerLoad } from './$types';

const idsOf = (raw: string | null | undefined) =>
  [
    ...new Set(
      (raw ?? '')
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    ),
  ].slice(0, 20);

export const load: PageServerLoad = async ({ locals, url }) => {
  const actor = requireLogin(locals, url);
  const ids = idsOf(url.searchParams.get('orders'));
  if (!ids.length) error(404, '缺少要支付的订单');
  const [orders, buyer] = await Promise.all([
    orError(() => Promise.all(ids.map((id) => locals.services.orders.get(actor, id)))),
    locals.services.orders.buyer(actor),
  ]);
  if (orders.some((o) => o.role !== 'buyer')) error(404, '订单不存在');
  const pending = orders.filter((o) => o.status === 'pending_payment');
  // 政府消费券 that can no longer be used (expired, campaign ended): offered 不使用消费券 before paying.
  const couponExpired = await locals.services.orders.expiredCoupons(
    actor,
    pending.map((o) => o.id),
  );
  const single = pending.length === 1 ? pending[0]! : null;
  // A large transfer already under way for this order: its payment (pending, maybe with a receipt), or the last refusal.
  const transfer = single?.payments.find((p) => p.method === 'offline_transfer' && p.status === 'pending') ?? null;
  const rejected = single && !transfer ? (single.payments.find((p) => p.method === 'offline_transfer' && p.status === 'rejected') ?? null) : null;
  const expires =
    pending
      .map((o) => o.expiresAt)
      .filter((d): d is Date => Boolean(d))
      .sort((a, b) => a.getTime() - b.getTime())[0] ?? null;
  return {
    orders: orders.map(({ history, payments, ...o }) => ({ ...o, repriced: history.some((h) => h.type === 'repriced') })),
    pendingIds: pending.map((o) => o.id),
    couponExpired,
    totalFen: pending.reduce((s, o) => s + o.payableFen, 0),
    buyerKind: orders[0]!.buyerKind,
    banks: locals.services.orders.corporateBanks(),
    receiving: locals.services.orders.receivingAccount(),
    largeFen: LARGE_PAYMENT_FEN,
    transfer: transfer
      ? {
          paymentNo: transfer.paymentNo,
          amountFen: transfer.amountFen,
          receiptSubmitted: Boolean(transfer.receiptFileId),
          payerAccountName: transfer.payerAccountName,
        }
      : null,
    rejected: rejected ? { reason: rejected.rejectReason } : null,
    remittance: single?.remittance ?? null,
    expiresAt: expires,
    placed: url.searchParams.get('placed'),
    unitName: buyer.kind === 'unit' ? buyer.unitName : null,
  };
};

export const actions: Actions = {
  /** 不使用消费券: the order's (expired) government voucher is dropped; the page then asks for the full price. */
  dropCoupon: async ({ request, locals, url }) => {
    const actor = requireLogin(locals, url);
    const values = formValues(await request.formData());
    const r = await formAction({ ...values, form: 'dropCoupon' }, () => locals.services.orders.removeCoupon(actor, values.orderId ?? ''));
    if (!r.ok) return r.failure;
    return { form: 'dropCoupon', dropped: r.data.orderNo };
  },

  /** 对公支付 (a unit, with its bank) or 微信支付 (an individual): off to the gateway's page. */
  online: async ({ request, locals, url }) => {
    const actor = requireLogin(locals, url);
    const values = formValues(await request.formData());
    const r = await formAction({ ...values, form: 'online' }, () =>
      locals.services.orders.pay(
        actor,
        {
          orderIds: idsOf(values.orderIds),
          method: values.method === 'personal_online' ? 'personal_online' : 'corporate_online',
          bankCode: values.method === 'personal_online' ? 'WECHAT' : values.bankCode || undefined,
        },
        { origin: url.origin },
      ),
    );
    if (!r.ok) return r.failure;
    redirect(303, r.data.redirectUrl ?? `/mall/pay/result?payment=${r.data.payment.paymentNo}`);
  },

  /**
   * 大额支付: the unit has transferred the money and uploads its receipt. The transfer payment is
   * opened here when the order has none waiting yet.
   */
  receipt: async ({ request, locals, url }) => {
    const actor = requireLogin(locals, url);
    const values = formValues(await request.formData());
    const orderId = values.orderId ?? '';
    const r = await formAction({ ...values, form: 'receipt' }, async () => {
      if (!values.receiptFileId) {
        throw new AppError('VALIDATION', '请上传转账凭证', { receiptFileId: '请上传转账凭证（截图、照片或 PDF）' });
      }
      const order = await locals.services.orders.get(actor, orderId);
      const waiting = order.payments.find((p) => p.method === 'offline_transfer' && p.status === 'pending' && !p.receiptFileId);
      const paymentNo = waiting?.paymentNo ?? (await locals.services.orders.pay(actor, { orderIds: [orderId], method: 'offline_transfer' })).payment.paymentNo;
      return locals.services.orders.submitTransferReceipt(actor, paymentNo, { receiptFileId: values.receiptFileId, payerAccountName: values.payerAccountName });
    });
    if (!r.ok) return r.failure;
    return { form: 'receipt', submitted: true };
  },
};
