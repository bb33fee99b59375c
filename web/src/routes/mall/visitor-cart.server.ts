import type { Cookies } from '@sveltejs/kit';
import type { MergeResult } from '$core/mall/visitor-cart.service';
import type { CartGroup } from './mall-ui';

/**
 * The visitor's cart cookie: an opaque random token (the server keeps the cart under its hash),
 * httpOnly, SameSite=Lax, secure in production, and sent only to the mall's pages (path /mall), so the
 * first signed-in mall request that carries it — whichever way the person signed in (password, SMS,
 * registration) — merges the cart (settleVisitorCart) and drops the cookie.
 */
export const VISITOR_CART_COOKIE = 'bangfu_mall_cart';
const COOKIE_PATH = '/mall';

export const visitorToken = (cookies: Cookies) => cookies.get(VISITOR_CART_COOKIE) ?? null;

export function setVisitorCookie(cookies: Cookies, token: string, expiresAt: Date, secure: boolean) {
  cookies.set(VISITOR_CART_COOKIE, token, { path: COOKIE_PATH, httpOnly: true, sameSite: 'lax', secure, expires: expiresAt });
}

const merges = new WeakMap<App.Locals, Promise<MergeResult | null>>();

/**
 * Once signed in, the visitor cart (if the request carries its cookie) goes into the buyer's cart and
 * the cookie is dropped. Called by the mall layout and by the cart and checkout pages before they read
 * the cart (loads run in parallel): one merge per request, and the service's merge is idempotent across
 * requests (a replay or a second tab merges nothing).
 */
export function settleVisitorCart(locals: App.Locals, cookies: Cookies): Promise<MergeResult | null> {
  const token = visitorToken(cookies);
  if (!locals.actor || !token) return Promise.resolve(null);
  let merged = merges.get(locals);
  if (!merged) {
    merged = locals.services.visitorCarts.mergeVisitorCart(locals.actor, token).then((r) => {
      cookies.delete(VISITOR_CART_COOKIE, { path: COOKIE_PATH });
      return r;
    });
    merges.set(locals, merged);
  }
  return merged;
}

/** The cart of whoever is here: the buyer's once signed in (after merging), the visitor's otherwise. */
export async function currentCart(locals: App.Locals, cookies: Cookies) {
  if (locals.actor) await settleVisitorCart(locals, cookies);
  const cart = locals.actor ? await locals.services.orders.cart(locals.actor) : await locals.services.visitorCarts.visitorCart(visitorToken(cookies));
  return { ...cart, groups: cart.groups as CartGroup[] };
}

/** Changes a cart line of whoever is here. */
export function updateCurrentCart(locals: App.Locals, cookies: Cookies, productId: string, changes: { quantity?: number; selected?: boolean }) {
  return locals.actor
    ? locals.services.orders.updateCart(locals.actor, productId, changes)
    : locals.services.visitorCarts.updateVisitorCart(visitorToken(cookies), productId, changes);
}

export function removeFromCurrentCart(locals: App.Locals, cookies: Cookies, productId: string) {
  return locals.actor
    ? locals.services.orders.removeFromCart(locals.actor, productId)
    : locals.services.visitorCarts.removeFromVisitorCart(visitorToken(cookies), productId);
}
