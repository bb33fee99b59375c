import { requireLogin } from '$lib/server/guard';
import { formAction, formValues } from '$lib/server/session';
import { cartOf } from '../mall.server';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, url }) => {
  const actor = requireLogin(locals, url);
  return { cart: await cartOf(locals, actor) };
};

const orders = (locals: App.Locals) => locals.services.orders;

export const actions: Actions = {
  quantity: async ({ request, locals }) => {
    const values = formValues(await request.formData());
    const r = await formAction(values, () => orders(locals).updateCart(locals.actor, values.productId ?? '', { quantity: Number(values.quantity) }));
    return r.ok ? { ok: true } : r.failure;
  },
  select: async ({ request, locals }) => {
    const values = formValues(await request.formData());
    const r = await formAction(values, () => orders(locals).updateCart(locals.actor, values.productId ?? '', { selected: values.selected === 'true' }));
    return r.ok ? { ok: true } : r.failure;
  },
  /** Ticks or unticks every line, or one merchant's lines. */
  selectMany: async ({ request, locals, url }) => {
    const actor = requireLogin(locals, url);
    const values = formValues(await request.formData());
    const selected = values.selected === 'true';
    const cart = await cartOf(locals, actor);
    const r = await formAction(values, async () => {
      for (const g of cart.groups) {
        if (values.merchantId && g.merchantId !== values.merchantId) continue;
        for (const it of g.items) if (it.selected !== selected) await orders(locals).updateCart(actor, it.productId, { selected });
      }
    });
    return r.ok ? { ok: true } : r.failure;
  },
  remove: async ({ request, locals }) => {
    const values = formValues(await request.formData());
    const r = await formAction(values, () => orders(locals).removeFromCart(locals.actor, values.productId ?? ''));
    return r.ok ? { removed: true } : r.failure;
  },
  removeSelected: async ({ locals, url }) => {
    const actor = requireLogin(locals, url);
    const cart = await cartOf(locals, actor);
    for (const g of cart.groups) for (const it of g.items) if (it.selected) await orders(locals).removeFromCart(actor, it.productId);
    return { removed: true };
  },
};
