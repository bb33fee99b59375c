import type { LayoutServerLoad } from './$types';
import { currentCart, settleVisitorCart } from './visitor-cart.server';

/** The consoles under /mall (merchant, unit, statistics) bring their own frame and need no cart. */
const CONSOLE = /^\/mall\/(merchant|unit|stats)(\/|$)/;

export const load: LayoutServerLoad = async ({ locals, url, cookies }) => {
  const console = CONSOLE.test(url.pathname);
  // A visitor who just signed in: their cart joins the buyer's here, on the first mall page they open.
  const merged = await settleVisitorCart(locals, cookies);
  return {
    mallConsole: console,
    mallCartCount: console ? 0 : (await currentCart(locals, cookies)).count,
    /** What the visitor cart brought at sign-in (this request only). */
    mallCartMerged: merged && merged.added + merged.capped > 0 ? merged : null,
  };
};
