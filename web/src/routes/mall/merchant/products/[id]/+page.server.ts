import { error, redirect } from '@sveltejs/kit';
import { PRODUCT_UNIT_SUGGESTIONS } from '$core/mall/catalog.schema';
import { consoleAction, publishRefusal, requireMerchantConsole, saveProductForm } from '$lib/server/mall-console';
import { setFlash, takeFlash } from '$lib/server/requirements';
import { orError } from '$lib/server/session';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, url, params, cookies }) => {
  const { actor } = requireMerchantConsole(locals, url);
  const product = await orError(() => locals.services.catalog.product(actor, params.id));
  // Another merchant's listed product is public, but not editable here.
  if (!product.own) error(404, '商品不存在或已下架');
  return { product, categories: await locals.services.catalog.categoryTree(), units: PRODUCT_UNIT_SUGGESTIONS, flash: takeFlash(cookies) };
};

export const actions: Actions = {
  save: async ({ request, locals, url, params, cookies }) => {
    const { actor } = requireMerchantConsole(locals, url);
    const r = await saveProductForm(request, (input) => locals.services.catalog.updateProduct(actor, params.id, input));
    if (!r.ok) return r.failure;
    if (r.values.intent === 'publish') {
      const refused = await publishRefusal(() => locals.services.catalog.publish(actor, params.id));
      if (refused) {
        setFlash(cookies, { error: { code: 'NOT_PUBLISHED', message: `修改已保存，但未能上架：${refused}` } });
        redirect(303, `/mall/merchant/products/${params.id}`);
      }
      setFlash(cookies, { notice: `「${r.data.name}」已保存并上架` });
      redirect(303, '/mall/merchant?status=listed');
    }
    return { done: { action: 'save', id: params.id, message: '修改已保存' } };
  },
  publish: ({ request, locals, params }) =>
    consoleAction(request, 'publish', async () => {
      await locals.services.catalog.publish(locals.actor, params.id);
      return '商品已上架，买家现在可以搜索和购买';
    }),
  unpublish: ({ request, locals, params }) =>
    consoleAction(request, 'unpublish', async () => {
      await locals.services.catalog.unpublish(locals.actor, params.id);
      return '商品已下架';
    }),
};
