import { parseYuanInput } from '$core/shared/money';
import { fieldFailure, runAction, formValues } from '$lib/server/form-action';
import { orError } from '$lib/server/session';
import { requireUnitManager } from '../../quotas.server';
import type { Actions, PageServerLoad } from './$types';

/** A unit of the subtree (or the acting unit itself): its figures, account, history. */
export const load: PageServerLoad = async ({ locals, url, params }) => {
  const { actor, org } = requireUnitManager(locals, url);
  const unit = await orError(() => locals.services.budgetUnits.get(actor, params.id));
  return { unit, ownName: org.fullName, self: unit.depth === 0 };
};

/** 拟预留比例 typed in percent (up to two decimals) → basis points; the service checks the range. */
function ratioBp(raw: string | undefined): { bp?: number; error?: string } {
  const s = (raw ?? '').trim().replace(/%$/, '');
  if (!/^\d{1,3}(\.\d{1,2})?$/.test(s)) return { error: '拟预留比例填 0–100 的数字，最多两位小数' };
  return { bp: Math.round(Number(s) * 100) };
}

export const actions: Actions = {
  /** A superior's change of the annual amount and ratio (audit row with before and after). */
  figures: async ({ request, locals, params }) => {
    const values = formValues(await request.formData());
    const parsed = parseYuanInput(values.annualYuan);
    const annual = parsed.fen === undefined && !parsed.error ? { error: '请填写年度农副产品采购额（元）' } : parsed;
    const ratio = ratioBp(values.ratioPercent);
    const fields = { ...(annual.error ? { annualYuan: annual.error } : {}), ...(ratio.error ? { ratioPercent: ratio.error } : {}) };
    if (Object.keys(fields).length) return fieldFailure(values, fields, { form: 'figures' });
    const r = await runAction(values, () => locals.services.budgetUnits.setFigures(locals.actor, params.id, { annualFen: annual.fen, ratioBp: ratio.bp }), {
      form: 'figures',
      rename: { annualFen: 'annualYuan', ratioBp: 'ratioPercent' },
    });
    if (!r.ok) return r.failure;
    return { done: { action: 'figures', message: '年度采购额和预留比例已保存' } };
  },
  resend: async ({ request, locals, params }) => {
    const values = formValues(await request.formData());
    const r = await runAction(values, () => locals.services.budgetUnits.resendActivation(locals.actor, params.id), { action: 'resend' });
    if (!r.ok) return r.failure;
    return { done: { action: 'resend', message: r.data.message } };
  },
  reset: async ({ request, locals, params }) => {
    const values = formValues(await request.formData());
    const r = await runAction(values, () => locals.services.budgetUnits.resetPassword(locals.actor, params.id), { action: 'reset' });
    if (!r.ok) return r.failure;
    return { done: { action: 'reset', message: r.data.message } };
  },
};
