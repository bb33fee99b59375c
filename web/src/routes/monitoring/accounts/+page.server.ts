import { guangdongCities } from '$core/monitoring/accounts.schema';
import { runAction } from '$lib/server/form-action';
import { formValues, orError } from '$lib/server/session';
import { listWithFilters, requireMonitor } from '../monitoring.server';
import type { Actions, PageServerLoad } from './$types';

/**
 * 账号管理: what the acting person manages (a department its administrators, auditors and units; a market or
 * chain its wholesalers or stores), searched, filtered by kind and paged, and the 新建 form offering exactly
 * what the accounts service allows (`creatable`).
 */
export const load: PageServerLoad = async ({ locals, url, parent }) => {
  const { actor, me } = await requireMonitor(locals, url, parent);
  const p = url.searchParams;
  const raw = { kind: p.get('kind') || undefined, q: p.get('q') ?? '', page: p.get('page') ?? '1' };
  const accounts = locals.services.monitoringAccounts;
  const [{ list, query, filterError }, creatable] = await Promise.all([
    orError(() => listWithFilters(raw, (q) => accounts.listAccounts(actor, { ...q, pageSize: 20 }))),
    orError(() => accounts.creatable(actor)),
  ]);
  return {
    list,
    query: { kind: query.kind ?? '', q: query.q ?? '' },
    filterError,
    creatable,
    me,
    cities: creatable.city ? guangdongCities() : [],
    openNew: p.has('new'),
  };
};

const TYPE_LABELS: Record<string, string> = { auditor: '审核员', admin: '管理员', channel: '单位', sub: '账号', city: '地级市扶贫部门' };

export const actions: Actions = {
  /** 新建: a city (province admin) or one of createAccount's types; every field's message at once. */
  create: async ({ request, locals }) => {
    const values = formValues(await request.formData());
    const accounts = locals.services.monitoringAccounts;
    const r = await runAction(
      values,
      () => (values.type === 'city' ? accounts.createCity(locals.actor, values) : accounts.createAccount(locals.actor, values)),
      {
        form: 'create',
      },
    );
    if (!r.ok) return r.failure;
    const who = values.type === 'auditor' || values.type === 'admin' ? `${TYPE_LABELS[values.type]}“${values.contactName}”` : `“${values.name}”`;
    return {
      done: {
        message: `已开通${who}的监测账号，开通短信已发送至 ${values.mobile}。对方用该手机号和短信验证码登录即可使用。`,
      },
    };
  },
};
