import { redirect } from '@sveltejs/kit';
import { fieldFailure, runAction, formValues } from '$lib/server/form-action';
import { yuanToFen } from '$core/shared/money';
import type { Actions } from './$types';

export const actions: Actions = {
  default: async ({ request, locals }) => {
    const values = formValues(await request.formData());
    const budgetFen = yuanToFen(values.budget ?? '');
    if (budgetFen === undefined) return fieldFailure(values, { budget: '资金总额格式不正确，请填写数字，最多两位小数' });
    const regionCodes = (values.regionCodes ?? '')
      .split(/[\s,，、]+/)
      .map((s) => s.trim())
      .filter(Boolean);
    const cap = values.perIssuanceCap?.trim();
    const r = await runAction(
      values,
      () =>
        locals.services.voucherCampaigns.create(locals.actor, {
          name: values.name ?? '',
          documentNo: values.documentNo ?? '',
          budgetFen,
          validUntil: values.validUntil ?? '',
          regionCodes,
          perIssuanceCap: cap ? Number(cap) : null,
        }),
      { rename: { budgetFen: 'budget', 'regionCodes.0': 'regionCodes' } },
    );
    if (!r.ok) return r.failure;
    redirect(303, `/gov/vouchers/${r.data.id}`);
  },
};
