import { formAction, formValues, orError } from '$lib/server/session';
import { redirect } from '@sveltejs/kit';
import { requireBudgetUnit } from './quotas.server';
import type { Actions, PageServerLoad } from './$types';

/** 预算单位首页: a purchaser's phone page, or a manager's unit card with counts (after confirming the profile). */
export const load: PageServerLoad = async ({ locals, url }) => {
  const { actor, manager } = requireBudgetUnit(locals, url);
  const unit = await orError(() => locals.services.budgetUnits.myUnit(actor));
  if (!manager) {
    const orders = await orError(() => locals.services.orders.listMine(actor, { page: 1, pageSize: 5 }));
    return { view: 'buyer' as const, unit, orders };
  }
  // A unit (not a preset department) confirms its levels at its first sign-in (完善资料).
  const confirming = unit.role === 'unit' && !unit.confirmedAt;
  if (confirming) return { view: 'confirm' as const, unit, activated: url.searchParams.has('activated') };
  const s = locals.services.budgetUnits;
  const count = (accountState?: 'none' | 'pending' | 'active') => orError(async () => (await s.list(actor, { accountState, pageSize: 1 })).total);
  const [units, withoutAccount, pending, purchasers] = await Promise.all([
    count(),
    count('none'),
    count('pending'),
    orError(async () => (await locals.services.quotaPurchasers.list(actor, { pageSize: 1 })).total),
  ]);
  return { view: 'manager' as const, unit, counts: { units, withoutAccount, pending, purchasers } };
};

export const actions: Actions = {
  confirm: async ({ request, locals }) => {
    const values = formValues(await request.formData());
    const r = await formAction(values, () =>
      locals.services.budgetUnits.confirmProfile(locals.actor, { budgetLevel: values.budgetLevel, adminLevel: values.adminLevel }),
    );
    if (!r.ok) return r.failure;
    redirect(303, '/quotas?confirmed=1');
  },
};
