import { error, fail } from '@sveltejs/kit';
import { formatFen, yuanToFen } from '$core/shared/money';
import { consoleAction, requireMerchantConsole } from '$lib/server/mall-console';
import { formAction, formValues, orError } from '$lib/server/session';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, url, params }) => {
  const { actor } = requireMerchantConsole(locals, url);
  const order = await orError(() => locals.services.orders.get(actor, params.id));
  if (order.role !== 'merchant') error(404, '订单不存在');
  return {
    reviews: order.status === 'completed' ? await locals.services.reviews.orderReviews(actor, order.id) : null,
    order: {
      ...order,
      history: order.history.map((h) => ({ id: h.id, type: h.type, detail: h.detail as Record<string, unknown> | null, createdAt: h.createdAt })),
    },
  };
};

export const actions: Actions = {
  /** 改价: new unit prices in yuan per line (only the changed ones are sent) and a reason. */
  reprice: async ({ request, locals, params }) => {
    const values = formValues(await request.formData());
    const order = await orError(() => locals.services.orders.get(locals.actor, params.id));
    const fields: Record<string, string> = {};
    const changes: { lineId: string; priceFen: number }[] = [];
    for (const l of order.lines) {
      const raw = (values[`price.${l.id}`] ?? '').trim();
      if (!raw) {
        fields[`price.${l.id}`] = '请填写单价';
        continue;
      }
      const fen = yuanToFen(raw);
      if (fen === undefined || fen <= 0) fields[`price.${l.id}`] = '单价须大于 0，最多两位小数';
      else if (fen !== l.priceFen) changes.push({ lineId: l.id, priceFen: fen });
    }
    if (Object.keys(fields).length)
      return fail(400, { error: { code: 'VALIDATION', message: '请检查填写的单价', fields }, values: { ...values, action: 'reprice' } });
    if (!changes.length)
      return fail(400, {
        error: { code: 'VALIDATION', message: '价格没有变化：请至少修改一个商品的单价', fields: { changes: '价格没有变化：请至少修改一个商品的单价' } },
        values: { ...values, action: 'reprice' },
      });
    const r = await formAction({ ...values, action: 'reprice' }, async () => {
      const next = await locals.services.orders.reprice(locals.actor, params.id, { changes, reason: values.reason ?? '' });
      return `价格已由 ${formatFen(order.totalFen)} 改为 ${formatFen(next.totalFen)}，买家会收到站内信，确认后即可付款`;
    });
    if (!r.ok) return r.failure;
    return { done: { action: 'reprice', id: null, message: r.data } };
  },

  ship: ({ request, locals, params }) =>
    consoleAction(request, 'ship', async (v) => {
      await locals.services.orders.ship(locals.actor, params.id, { carrier: v.carrier ?? '', trackingNo: v.trackingNo ?? '' });
      return `已发货（${v.carrier?.trim()} ${v.trackingNo?.trim()}），买家会收到站内信`;
    }),

  /** 回复评价: once per review. */
  reply: ({ request, locals }) =>
    consoleAction(request, 'reply', async (v) => {
      await locals.services.reviews.replyToReview(locals.actor, v.id ?? '', { reply: v.reply ?? '' });
      return '回复已发布，买家和其他顾客会在商品页看到';
    }),

  approveRefund: ({ request, locals, params }) =>
    consoleAction(request, 'approveRefund', async () => {
      const o = await locals.services.orders.decideRefund(locals.actor, params.id, { decision: 'approve' });
      return `已同意退款，${formatFen(o.totalFen)} 原路退回买家`;
    }),

  declineRefund: ({ request, locals, params }) =>
    consoleAction(request, 'declineRefund', async (v) => {
      await locals.services.orders.decideRefund(locals.actor, params.id, { decision: 'decline', reason: v.reason ?? '' });
      return '已拒绝退款申请，买家会收到您填写的原因';
    }),
};
