import { error, redirect } from '@sveltejs/kit';
import { fenToYuanInput } from '$core/shared/money';
import { formAction, formValues, orError } from '$lib/server/session';
import { requireUnitManager } from '../../../quotas.server';
import { ratioInput } from '../../../quotas-ui';
import type { Actions, PageServerLoad } from './$types';

/** A superior edits a unit of its subtree (the unit itself cannot: 请联系上级预算单位修改). */
export const load: PageServerLoad = async ({ locals, url, params }) => {
  const { actor, org } = requireUnitManager(locals, url);
  const unit = await orError(() => locals.services.budgetUnits.get(actor, params.id));
  if (unit.depth === 0) error(403, '本单位信息请联系上级预算单位修改');
  const initial = {
    fullName: unit.fullName,
    // The superior by full name (the acting unit's own name too): left empty, the unit stays where it is.
    superiorName: unit.superiorName ?? '',
    uscc: unit.uscc ?? '',
    contactName: unit.contactName,
    mobile: unit.contactMobile,
    budgetLevel: unit.budgetLevel,
    adminLevel: unit.adminLevel ?? '',
    annualYuan: fenToYuanInput(unit.annualFen),
    ratioPercent: ratioInput(unit.ratioBp),
  };
  return { unit: { id: unit.id, fullName: unit.fullName }, initial, ownName: org.fullName };
};

export const actions: Actions = {
  default: async ({ request, locals, params }) => {
    const values = formValues(await request.formData());
    const r = await formAction(values, () => locals.services.budgetUnits.edit(locals.actor, params.id, values));
    if (!r.ok) return r.failure;
    redirect(303, `/quotas/units/${params.id}?saved=1`);
  },
};
