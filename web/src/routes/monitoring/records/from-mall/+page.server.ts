import { error } from '@sveltejs/kit';
import { runAction } from '$lib/server/form-action';
import { orError } from '$lib/server/session';
import { requireMonitor } from '../../monitoring.server';
import type { Actions, PageServerLoad } from './$types';

/**
 * 商城订单转记录 (reporters): the unit's completed mall orders whose main product comes from an assisted
 * county and that are not records yet; the checked ones become draft records in one step (per-order answers).
 */
export const load: PageServerLoad = async ({ locals, url, parent }) => {
  const { actor, me } = await requireMonitor(locals, url, parent);
  if (!me.can.report) error(403, '只有填报单位的账号可以把商城订单生成购销记录');
  const page = url.searchParams.get('page') ?? '1';
  const orders = await orError(() =>
    locals.services.monitoringMallOrders.eligibleMallOrders(actor, { page: /^\d{1,4}$/.test(page) ? page : '1', pageSize: 50 }),
  );
  return { orders, unitName: me.unitName };
};

export const actions: Actions = {
  /** 一键生成购销记录: one draft per checked order. */
  generate: async ({ request, locals }) => {
    const data = await request.formData();
    const orderIds = data.getAll('orderIds').filter((v): v is string => typeof v === 'string');
    const r = await runAction({}, () => locals.services.monitoringMallOrders.fromMallOrders(locals.actor, { orderIds }), { form: 'generate' });
    if (!r.ok) return r.failure;
    return { result: r.data };
  },
};
