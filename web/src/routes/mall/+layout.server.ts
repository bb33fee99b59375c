import type { LayoutServerLoad } from './$types';

/** The consoles under /mall (merchant, unit, statistics) bring their own frame and need no cart. */
const CONSOLE = /^\/mall\/(merchant|unit|stats)(\/|$)/;

export const load: LayoutServerLoad = async ({ locals, url }) => {
  const actor = locals.actor;
  const console = CONSOLE.test(url.pathname);
  return {
    mallConsole: console,
    mallCartCount: actor && !console ? (await locals.services.orders.cart(actor)).count : 0,
  };
};
