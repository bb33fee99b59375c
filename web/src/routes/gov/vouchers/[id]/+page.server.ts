import { orError } from '$lib/server/session';
import { consoleAction } from '$lib/server/mall-console';
import { formatFen } from '$core/shared/money';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, params }) => {
  const s = locals.services.voucherCampaigns;
  const campaign = await orError(() => s.get(locals.actor, params.id));
  const figures = await orError(() => s.console(locals.actor, params.id));
  return { campaign, figures };
};

export const actions: Actions = {
  fund: ({ request, locals, params }) =>
    consoleAction(request, 'fund', async () => {
      const r = await locals.services.voucherCampaigns.fund(locals.actor, params.id);
      return r.replayed ? '资金此前已划拨' : `已划拨 ${formatFen(r.amountFen)} 至活动资金池`;
    }),
  pause: ({ request, locals }) =>
    consoleAction(request, 'pause', async (v) => {
      const i = await locals.services.voucherCampaigns.pause(locals.actor, v.id ?? '');
      return `第${i.seq}次发券已暂停`;
    }),
  resume: ({ request, locals }) =>
    consoleAction(request, 'resume', async (v) => {
      const i = await locals.services.voucherCampaigns.resume(locals.actor, v.id ?? '');
      return `第${i.seq}次发券已恢复`;
    }),
  stop: ({ request, locals }) =>
    consoleAction(request, 'stop', async (v) => {
      const i = await locals.services.voucherCampaigns.stop(locals.actor, v.id ?? '');
      return `第${i.seq}次发券已停止，未领取的 ${formatFen(i.returnedFen)} 已退回资金池`;
    }),
  delete: ({ request, locals }) =>
    consoleAction(request, 'delete', async (v) => {
      await locals.services.voucherCampaigns.deleteIssuance(locals.actor, v.id ?? '');
      return '发券批次已删除';
    }),
};
