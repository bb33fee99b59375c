import { formAction, formValues } from '$lib/server/session';
import { VISITOR_CART_LIMITS } from '$core/mall/visitor-cart.rules';
import { currentCart, removeFromCurrentCart, updateCurrentCart } from '../visitor-cart.server';
import type { Actions, PageServerLoad } from './$types';

/** The cart: a visitor's (kept for them until checkout asks them to sign in) or the buyer's. */
export const load: PageServerLoad = async ({ locals, cookies }) => ({
  cart: await currentCart(locals, cookies),
  visitor: !locals.actor,
  visitorDays: Math.round(VISITOR_CART_LIMITS.ttlMs / 86_400_000),
  visitorMaxQuantity: VISITOR_CART_LIMITS.maxQuantity,
});

export const actions: Actions = {
  quantity: async ({ request, locals, cookies }) => {
    const values = formValues(await request.formData());
    const r = await formAction(values, () => updateCurrentCart(locals, cookies, values.productId ?? '', { quantity: Number(values.quantity) }));
    return r.ok ? { ok: true } : r.failure;
  },
  select: async ({ request, locals, cookies }) => {
    const values = formValues(await request.formData());
    const r = await formAction(values, () => updateCurrentCart(locals, cookies, values.productId ?? '', { selected: values.selected === 'true' }));
    return r.ok ? { ok: true } : r.failure;
  },
  /** Ticks or unticks every line, or one merchant's lines. */
  selectMany: async ({ request, locals, cookies }) => {
    const values = formValues(await request.formData());
    const selected = values.selected === 'true';
    const cart = await currentCart(locals, cookies);
    const r = await formAction(values, async () => {
      for (const g of cart.groups) {
        if (values.merchantId && g.merchantId !== values.merchantId) continue;
        for (const it of g.items) if (it.selected !== selected) await updateCurrentCart(locals, cookies, it.productId, { selected });
      }
    });
    return r.ok ? { ok: true } : r.failure;
  },
  remove: async ({ request, locals, cookies }) => {
    const values = formValues(await request.formData());
    const r = await formAction(values, () => removeFromCurrentCart(locals, cookies, values.productId ?? ''));
    return r.ok ? { removed: true } : r.failure;
  },
  removeSelected: async ({ locals, cookies }) => {
    const cart = await currentCart(locals, cookies);
    for (const g of cart.groups) for (const it of g.items) if (it.selected) await removeFromCurrentCart(locals, cookies, it.productId);
    return { removed: true };
  },
};
