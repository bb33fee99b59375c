import { fail, redirect } from '@sveltejs/kit';
import { orError, formAction, formValues } from '$lib/server/session';
import { ratedCards } from '../../catalog.server';
import { setVisitorCookie, visitorToken } from '../../visitor-cart.server';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, params, url }) => {
  const { product, more } = await orError(() => locals.services.catalog.productPage(locals.actor, params.id));
  // 商品评价: the summary and one page (?page=, ?stars= to filter).
  const reviews = await locals.services.reviews.productReviews(product.id, {
    page: url.searchParams.get('page') ?? 1,
    stars: url.searchParams.get('stars') ?? undefined,
  });
  // Only what the page shows goes into the page data (serialised into the page and on each client navigation).
  const { imageIds: _ids, featured: _featured, contactPhone: _phone, createdAt: _created, updatedAt: _updated, ...shown } = product;
  return {
    product: shown,
    more: await ratedCards(locals, more),
    reviews,
    signedIn: Boolean(locals.actor),
    mobile: locals.user?.mobile ?? null,
  };
};

const MESSAGE_RULE = { name: 'mall_merchant_message', points: 1, durationSeconds: 60 };

export const actions: Actions = {
  /** Signed in: into the buyer's cart; a visitor: into a visitor cart (a cookie), sign-in comes at checkout. */
  addToCart: async ({ request, locals, params, cookies }) => {
    const values = formValues(await request.formData());
    const quantity = Number(values.quantity || 1);
    const actor = locals.actor;
    if (actor) {
      const r = await formAction(values, () => locals.services.orders.addToCart(actor, { productId: params.id, quantity }));
      if (!r.ok) return r.failure;
      return { added: quantity, cartCount: r.data.count };
    }
    const r = await formAction(values, () =>
      locals.services.visitorCarts.addToVisitorCart(visitorToken(cookies), { productId: params.id, quantity }, { ip: locals.ip }),
    );
    if (!r.ok) return r.failure;
    setVisitorCookie(cookies, r.data.token, r.data.expiresAt, locals.platform.config.secureCookies);
    return { added: quantity, cartCount: r.data.cart.count };
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
