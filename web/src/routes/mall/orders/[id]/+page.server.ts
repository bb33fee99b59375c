import { error } from '@sveltejs/kit';
import { requireLogin } from '$lib/server/guard';
import { formAction, formValues, orError } from '$lib/server/session';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, url, params }) => {
  const actor = requireLogin(locals, url);
  const order = await orError(() => locals.services.orders.get(actor, params.id));
  if (order.role !== 'buyer') error(404, '订单不存在');
  return { order, receiving: locals.services.orders.receivingAccount() };
};

const act =
  (name: string, run: (locals: App.Locals, id: string, values: Record<string, string>) => Promise<unknown>): Actions[string] =>
  async ({ request, locals, params }) => {
    const values = formValues(await request.formData());
    const r = await formAction({ ...values, form: name }, () => run(locals, params.id, values));
    if (!r.ok) return r.failure;
    return { form: name, done: true };
  };

export const actions: Actions = {
  cancel: act('cancel', (l, id, v) => l.services.orders.cancel(l.actor, id, { reason: v.reason })),
  receive: act('receive', (l, id) => l.services.orders.receive(l.actor, id)),
  refund: act('refund', (l, id, v) => l.services.orders.requestRefund(l.actor, id, { reason: v.reason })),
};
