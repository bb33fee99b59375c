import { error } from '@sveltejs/kit';
import { isAppError } from '$core/shared/app-error';
import { requireLogin } from '$lib/server/guard';

/**
 * The budget unit (or preset finance department) the visitor acts for now; otherwise 403 with what to do.
 * `manager`: its owner or an admin (imports, lists, accounts); a purchaser (role buyer) only buys.
 */
export function requireBudgetUnit(locals: App.Locals, url: URL) {
  const actor = requireLogin(locals, url);
  const org = actor.organisation;
  if (org?.kind !== 'budget_unit') error(403, '预算单位页面仅供预算单位和财政部门使用：请在页面顶部切换到您的预算单位');
  if (org.status !== 'active') error(403, '单位账号已停用，请联系上级预算单位或平台客服');
  return { actor, org, manager: org.role === 'owner' || org.role === 'admin' };
}

/** Managers only (the lists, imports and account pages); a purchaser is sent to its home. */
export function requireUnitManager(locals: App.Locals, url: URL) {
  const r = requireBudgetUnit(locals, url);
  if (!r.manager) error(403, '只有本单位负责人或管理员可以管理预算单位和采购人；采购人请在「预算单位」首页进入商城采购');
  return r;
}

/** The list filters of /quotas/units from the address (the service's zod schema checks them). */
export function unitListQuery(url: URL) {
  const p = url.searchParams;
  return {
    keyword: p.get('keyword') ?? '',
    budgetLevel: p.get('budgetLevel') ?? '',
    superiorId: p.get('superiorId') ?? '',
    accountState: p.get('accountState') ?? '',
    page: p.get('page') ?? '1',
  };
}

/**
 * Loads a filtered list; a filter the service refuses (a hand-edited address) is dropped and named, so the
 * page still shows the list with the refusal beside the filters instead of an error page.
 */
export async function listWithFilters<Q extends Record<string, string>, T>(query: Q, load: (q: Q) => Promise<T>) {
  try {
    return { list: await load(query), query, filterError: null as string | null };
  } catch (e) {
    if (!isAppError(e) || e.code !== 'VALIDATION' || !e.fields) throw e;
    const clean = { ...query };
    for (const key of Object.keys(e.fields)) if (key in clean) (clean as Record<string, string>)[key] = key === 'page' ? '1' : '';
    return { list: await load(clean), query: clean, filterError: Object.values(e.fields).join('；') };
  }
}
