import { redirect } from '@sveltejs/kit';
import { LARGE_PAYMENT_FEN } from '$core/mall/orders.machine';
import { requireLogin } from '$lib/server/guard';
import { formAction, formValues, orError } from '$lib/server/session';
import { buyerOf } from '../mall.server';
import { settleVisitorCart } from '../visitor-cart.server';
import type { Actions, PageServerLoad } from './$types';

/** 立即购买 comes with ?product=&qty=; otherwise the cart's ticked lines are bought. */
function buyNowOf(url: URL) {
  const product = url.searchParams.get('product');
  if (!product) return null;
  const qty = Math.min(9999, Math.max(1, Math.trunc(Number(url.searchParams.get('qty') ?? 1)) || 1));
  return { productId: product, quantity: qty };
}

export const load: PageServerLoad = async ({ locals, url, cookies }) => {
  // Sign-in is asked here, not at 加入购物车: a visitor's cart waits and joins the buyer's cart on the way back.
  const actor = requireLogin(locals, url);
  await settleVisitorCart(locals, cookies);
  const buyNow = buyNowOf(url);
  const [buyer, addresses] = await Promise.all([buyerOf(locals, actor), locals.services.addresses.list(actor)]);
  // Groups and totals come from the orders service: the page shows what checkout will charge.
  const preview = await orError(() => locals.services.orders.checkoutPreview(actor, buyNow ?? undefined));
  // 政府消费券: an individual's best coupon per merchant group (applied automatically at checkout unless unticked).
  const coupons = Object.fromEntries(await locals.services.orders.couponsFor(actor, preview.groups));
  const chosen = url.searchParams.get('address');
  return {
    buyer,
    buyNow,
    groups: preview.groups,
    totalFen: preview.totalFen,
    quantity: preview.quantity,
    coupons,
    addresses,
    addressId: addresses.find((a) => a.id === chosen)?.id ?? addresses.find((a) => a.isDefault)?.id ?? addresses[0]?.id ?? null,
    largeFen: LARGE_PAYMENT_FEN,
    // The first address is usually the buyer's own: start from their name and mobile.
    addressDefaults: (addresses.length ? {} : { recipient: locals.user?.displayName ?? '', mobile: locals.user?.mobile ?? '' }) as Record<string, string>,
  };
};

export const actions: Actions = {
  address: async ({ request, locals }) => {
    const values = formValues(await request.formData());
    const r = await formAction({ ...values, form: 'address' }, () =>
      locals.services.addresses.create(locals.actor, {
        recipient: values.recipient,
        mobile: values.mobile,
        regionCode: values.regionCode,
        detail: values.detail,
        isDefault: values.isDefault === 'on',
      }),
    );
    if (!r.ok) return r.failure;
    return { form: 'address', addressId: r.data.id };
  },

  place: async ({ request, locals, url }) => {
    const actor = requireLogin(locals, url);
    const values = formValues(await request.formData());
    const buyNow = values.product ? { productId: values.product, quantity: Number(values.qty || 1) } : null;
    const r = await formAction({ ...values, form: 'place' }, () =>
      locals.services.orders.checkout(actor, {
        addressId: values.addressId ?? '',
        items: buyNow ? [buyNow] : undefined,
        bulk: values.bulk === 'on',
        reimbursable: values.reimbursable === 'on',
        note: values.note?.trim() || undefined,
        useCoupon: values.useCoupon === 'on',
      }),
    );
    if (!r.ok) return r.failure;
    redirect(303, `/mall/pay?orders=${r.data.orders.map((o) => o.id).join(',')}${values.bulk === 'on' ? '&placed=bulk' : '&placed=1'}`);
  },
};
