import { fail, redirect } from '@sveltejs/kit';
import { orError, formAction, formValues } from '$lib/server/session';
import { cardItem } from '../../catalog.server';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, params }) => {
  const { product, more } = await orError(() => locals.services.catalog.productPage(locals.actor, params.id));
  // Only what the page shows goes into the page data (serialised into the page and on each client navigation).
  const { imageIds: _ids, featured: _featured, contactPhone: _phone, createdAt: _created, updatedAt: _updated, ...shown } = product;
  return {
    product: shown,
    more: more.map(cardItem),
    signedIn: Boolean(locals.actor),
    mobile: locals.user?.mobile ?? null,
  };
};

const MESSAGE_RULE = { name: 'mall_merchant_message', points: 1, durationSeconds: 60 };

export const actions: Actions = {
  addToCart: async ({ request, locals, params }) => {
    if (!locals.actor) redirect(303, `/login?redirectTo=${encodeURIComponent(`/mall/products/${params.id}`)}&reason=cart`);
    const values = formValues(await request.formData());
    const quantity = Number(values.quantity || 1);
    const r = await formAction(values, () => locals.services.orders.addToCart(locals.actor, { productId: params.id, quantity }));
    if (!r.ok) return r.failure;
    return { added: quantity, cartCount: r.data.count };
  },

  /** 给商家留言: a site message to the merchant's members, at most one a minute per person. */
  message: async ({ request, locals, params }) => {
    const actor = locals.actor;
    if (!actor) redirect(303, `/login?redirectTo=${encodeURIComponent(`/mall/products/${params.id}`)}`);
    const values = formValues(await request.formData());
    const text = (values.message ?? '').trim();
    if (text.length < 2 || text.length > 500) {
      return fail(400, { form: 'message', error: { code: 'VALIDATION', message: '请检查留言', fields: { message: '留言 2–500 字' } }, values });
    }
    const r = await formAction({ ...values, form: 'message' }, async () => {
      const product = await locals.services.catalog.product(actor, params.id);
      await locals.platform.rateLimiter.consume(MESSAGE_RULE, actor.userId, '留言太频繁，请一分钟后再试');
      const who = locals.user?.displayName || actor.username;
      const phone = values.shareMobile === 'on' && locals.user?.mobile ? `\n买家手机：${locals.user.mobile}` : '';
      await locals.services.messages.sendToOrganisation(product.merchant.id, {
        title: `买家留言：${product.name}`,
        body: `${who}（${actor.username}）就「${product.name}」留言：\n${text}${phone}`,
        link: `/mall/products/${product.id}`,
        category: 'mall',
      });
    });
    if (!r.ok) return r.failure;
    return { form: 'message', sent: true };
  },
};
