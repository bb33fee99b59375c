import { formAction, formValues, orError } from '$lib/server/session';
import { runAction } from '$lib/server/form-action';
import { listWithFilters, requireUnitManager } from '../quotas.server';
import type { Actions, PageServerLoad } from './$types';

/** 采购人: the acting unit's purchasers, searched and paged, with their trading accounts. */
export const load: PageServerLoad = async ({ locals, url }) => {
  const { actor, org } = requireUnitManager(locals, url);
  const p = url.searchParams;
  const raw = { keyword: p.get('keyword') ?? '', accountState: p.get('accountState') ?? '', page: p.get('page') ?? '1' };
  const { list, query, filterError } = await orError(() => listWithFilters(raw, (q) => locals.services.quotaPurchasers.list(actor, { ...q, pageSize: 20 })));
  const withoutAccount = await orError(async () => (await locals.services.quotaPurchasers.list(actor, { accountState: 'none', pageSize: 1 })).total);
  return { list, query, filterError, withoutAccount, unitName: org.fullName };
};

export const actions: Actions = {
  /** 生成交易账号 for every purchaser without one (role buyer, login = the mobile, code by SMS). */
  generate: async ({ request, locals }) => {
    const values = formValues(await request.formData());
    const r = await formAction(values, () => locals.services.quotaPurchasers.generateAccounts(locals.actor, {}));
    if (!r.ok) return r.failure;
    const { generated, joined } = r.data;
    const sms = generated + joined;
    return {
      done: {
        action: 'generate',
        message: `已开通 ${generated} 个交易账号${joined ? `，${joined} 个手机号已有账号并加入本单位` : ''}，共发送 ${sms} 条短信。`,
      },
    };
  },
  resend: async ({ request, locals }) => {
    const values = formValues(await request.formData());
    const r = await runAction(values, () => locals.services.quotaPurchasers.resendActivation(locals.actor, values.id ?? ''), { action: 'resend' });
    if (!r.ok) return r.failure;
    return { done: { action: 'resend', id: values.id, message: r.data.message } };
  },
};
