import { error } from '@sveltejs/kit';
import { requireLogin } from '$lib/server/guard';
import { formAction, formValues, orError } from '$lib/server/session';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, url, params }) => {
  const actor = requireLogin(locals, url);
  const order = await orError(() => locals.services.orders.get(actor, params.id));
  if (order.role !== 'buyer') error(404, '订单不存在');
  const reviews = order.status === 'completed' ? await locals.services.reviews.orderReviews(actor, order.id) : null;
  return { order, reviews, receiving: locals.services.orders.receivingAccount() };
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
  /** 评价: one order line's product and merchant stars, text and up to three photos. */
  review: async ({ request, locals, params }) => {
    const data = await request.formData();
    const values = formValues(data);
    const r = await formAction({ ...values, form: 'review' }, () =>
      locals.services.reviews.submitReview(locals.actor, params.id, {
        orderLineId: values.orderLineId ?? '',
        productStars: values.productStars ? Number(values.productStars) : undefined,
        merchantStars: values.merchantStars ? Number(values.merchantStars) : undefined,
        body: values.body ?? '',
        photoIds: data.getAll('photoIds').filter((v) => typeof v === 'string'),
      }),
    );
    if (!r.ok) return r.failure;
    return { form: 'review', done: true };
  },
};
