import { error, json } from '@sveltejs/kit';
import { createTimeTravel, timeTravelEnabled } from '$core/dev/time-travel';
import { toErrorBody } from '$core/shared/app-error';
import type { RequestHandler } from './$types';

/**
 * Development only, beside the outbox: moves a requirement's opening time or its open round's
 * deadline (see core/dev/time-travel.ts). Absent unless DEV_TOOLS is on, and never in production.
 * The caller must be signed in as the requirement's enterprise or an operator.
 */
export const POST: RequestHandler = async ({ locals, request }) => {
  const { config, db, clock, timer, services } = locals.platform;
  if (!timeTravelEnabled(config)) error(404, '页面不存在');
  try {
    const body = await request.json().catch(() => null);
    const travel = createTimeTravel({
      db,
      clock,
      timer,
      requirements: services.requirements,
      voucherGrabs: services.voucherGrabs,
      mallOrders: services.orders,
    });
    // A voucher campaign's validity end ({ campaignId, endsInSeconds }), else a requirement's times.
    if (body && typeof body === 'object' && 'campaignId' in body) return json(await travel.moveCampaign(locals.actor, body));
    // A received mall order's completion, now ({ orderId, completeNow: true }).
    if (body && typeof body === 'object' && 'orderId' in body) return json(await travel.completeOrder(locals.actor, body));
    return json(await travel.move(locals.actor, body));
  } catch (e) {
    const { status, body } = toErrorBody(e);
    return json({ error: body }, { status });
  }
};
