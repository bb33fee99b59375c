import { formAction, formValues } from '$lib/server/session';
import { requireLogin } from '$lib/server/guard';
import { buyerOf } from '../mall.server';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, url }) => {
  const actor = locals.actor;
  if (!actor) return { signedIn: false as const };
  const buyer = await buyerOf(locals, actor);
  const orders = locals.services.orders;
  const count = async (q: Record<string, string>) => (await orders.listMine(actor, { ...q, pageSize: 1 })).total;
  const [profile, unit, pending, paid, shipped, refund] = await Promise.all([
    buyer.isIndividual ? locals.services.units.getIndividual(actor) : null,
    // A mall unit's registration details; a budget unit's purchasers see their unit's name only.
    buyer.kind === 'unit' && actor.organisation?.kind === 'unit' ? locals.services.units.getUnit(actor) : null,
    count({ status: 'pending_payment' }),
    count({ status: 'paid' }),
    count({ status: 'shipped' }),
    count({ refund: 'requested' }),
  ]);
  return {
    signedIn: true as const,
    buyer,
    profile,
    unit,
    counts: { pending_payment: pending, paid, shipped, refund },
    welcome: url.searchParams.get('welcome'),
    isMerchant: actor.organisation?.kind === 'merchant',
    user: { username: actor.username, displayName: locals.user?.displayName ?? null, mobile: locals.user?.mobile ?? '' },
  };
};

export const actions: Actions = {
  profile: async ({ request, locals, url }) => {
    const actor = requireLogin(locals, url);
    const values = formValues(await request.formData());
    const before = await locals.services.units.getIndividual(actor).catch(() => null);
    const r = await formAction(values, () =>
      locals.services.units.updateIndividual(actor, {
        username: values.username || undefined,
        realName: values.realName || undefined,
        regionCode: values.regionCode || undefined,
        note: values.note ?? '',
        unitId: values.unitId || undefined,
      }),
    );
    if (!r.ok) return r.failure;
    return { saved: true, unitChanged: Boolean(before?.unit && r.data.unit && before.unit.id !== r.data.unit.id), oldUnit: before?.unit?.fullName ?? null };
  },
};
