import { pageFromQuery } from '$core/shared/paging';
import { orError } from '$lib/server/session';
import type { PageServerLoad } from './$types';

/** 参与商户 (public): approved merchants of a campaign, by name, township and category. */
export const load: PageServerLoad = async ({ locals, url, params }) => {
  const s = locals.services.voucherMerchants;
  const q = {
    keyword: url.searchParams.get('keyword')?.trim().slice(0, 40) ?? '',
    regionCode: url.searchParams.get('regionCode') ?? '',
    category: url.searchParams.get('category') ?? '',
  };
  const options = s.options();
  const clean = {
    keyword: q.keyword,
    regionCode: options.townships.some((t) => t.code === q.regionCode) ? q.regionCode : '',
    category: options.categories.some((c) => c.code === q.category) ? q.category : '',
  };
  const list = await orError(() => s.listPublic(params.campaignId, { ...clean, page: pageFromQuery(url.searchParams), pageSize: 20 }));
  return { list, q: clean, options, campaignId: params.campaignId };
};
