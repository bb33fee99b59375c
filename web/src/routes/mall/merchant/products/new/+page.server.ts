import { redirect } from '@sveltejs/kit';
import { PRODUCT_UNIT_SUGGESTIONS } from '$core/mall/catalog.schema';
import { publishRefusal, requireMerchantConsole, saveProductForm } from '$lib/server/mall-console';
import { setFlash } from '$lib/server/requirements';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, url }) => {
  const { actor } = requireMerchantConsole(locals, url);
  const catalog = locals.services.catalog;
  // A new product usually comes from where the last one did, with the same phone.
  const [last] = (await catalog.merchantProducts(actor, { pageSize: 1 })).items;
  const lastDetail = last ? await catalog.product(actor, last.id).catch(() => null) : null;
  return {
    categories: await catalog.categoryTree(),
    units: PRODUCT_UNIT_SUGGESTIONS,
    defaults: { originCode: lastDetail?.origin.code ?? '', contactPhone: lastDetail?.contactPhone ?? '' },
  };
};

export const actions: Actions = {
  default: async ({ request, locals, url, cookies }) => {
    const { actor } = requireMerchantConsole(locals, url);
    const r = await saveProductForm(request, (input) => locals.services.catalog.createProduct(actor, input));
    if (!r.ok) return r.failure;
    const product = r.data;
    if (r.values.intent === 'publish') {
      const refused = await publishRefusal(() => locals.services.catalog.publish(actor, product.id));
      if (refused) {
        setFlash(cookies, { error: { code: 'NOT_PUBLISHED', message: `商品已保存为草稿，但未能上架：${refused}` } });
        redirect(303, `/mall/merchant/products/${product.id}`);
      }
      setFlash(cookies, { notice: `「${product.name}」已保存并上架` });
      redirect(303, '/mall/merchant?status=listed');
    }
    setFlash(cookies, {
      notice: product.imageIds.length ? `「${product.name}」已保存为草稿，可以随时上架` : `「${product.name}」已保存为草稿，上传图片后即可上架`,
    });
    redirect(303, '/mall/merchant?status=draft');
  },
};
