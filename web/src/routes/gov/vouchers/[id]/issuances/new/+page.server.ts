import { error, redirect } from '@sveltejs/kit';
import { orError } from '$lib/server/session';
import { fieldFailure, formValues, runAction } from '$lib/server/form-action';
import { shanghaiLocalInput } from '$core/shared/time';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, params, url }) => {
  const campaign = await orError(() => locals.services.voucherCampaigns.get(locals.actor, params.id));
  const editId = url.searchParams.get('edit');
  const editing = editId ? campaign.issuanceList.find((i) => i.id === editId) : undefined;
  if (editId && !editing) error(404, '发券批次不存在');
  // Editing keeps this issuance's own total available to it.
  const availableFen = campaign.unallocatedFen + (editing?.totalFen ?? 0);
  return {
    campaign,
    availableFen,
    editing: editing
      ? {
          id: editing.id,
          seq: editing.seq,
          startsAt: shanghaiLocalInput(new Date(editing.startsAt)),
          rows: editing.tiers.map((t) => ({
            categoryCode: t.categoryCode,
            tierNo: t.tierNo,
            thresholdFen: t.thresholdFen,
            discountFen: t.discountFen,
            count: t.count,
          })),
        }
      : null,
  };
};

export const actions: Actions = {
  default: async ({ request, locals, params, url }) => {
    const values = formValues(await request.formData());
    let rows: unknown;
    try {
      rows = JSON.parse(values.rows ?? '[]');
    } catch {
      return fieldFailure(values, { rows: '档次数据无法识别，请刷新页面后重试' });
    }
    const input = { startsAt: values.startsAt ?? '', rows };
    const s = locals.services.voucherCampaigns;
    const editId = url.searchParams.get('edit');
    const r = await runAction(values, () => (editId ? s.updateIssuance(locals.actor, editId, input) : s.addIssuance(locals.actor, params.id, input)));
    if (!r.ok) return r.failure;
    redirect(303, `/gov/vouchers/${params.id}`);
  },
};
