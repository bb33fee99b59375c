import { requireLogin } from '$lib/server/guard';
import { formAction, formValues } from '$lib/server/session';
import { MAX_ADDRESSES } from '$core/mall/addresses.service';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, url }) => {
  const actor = requireLogin(locals, url);
  return { addresses: await locals.services.addresses.list(actor), max: MAX_ADDRESSES };
};

const input = (v: Record<string, string>) => ({
  recipient: v.recipient,
  mobile: v.mobile,
  regionCode: v.regionCode,
  detail: v.detail,
  isDefault: v.isDefault === 'on',
});

export const actions: Actions = {
  create: async ({ request, locals }) => {
    const values = formValues(await request.formData());
    const r = await formAction({ ...values, form: 'create' }, () => locals.services.addresses.create(locals.actor, input(values)));
    return r.ok ? { form: 'create', saved: r.data.id } : r.failure;
  },
  update: async ({ request, locals }) => {
    const values = formValues(await request.formData());
    const r = await formAction({ ...values, form: `edit:${values.id}` }, () => locals.services.addresses.update(locals.actor, values.id ?? '', input(values)));
    return r.ok ? { form: `edit:${values.id}`, saved: r.data.id } : r.failure;
  },
  setDefault: async ({ request, locals }) => {
    const values = formValues(await request.formData());
    const r = await formAction(values, () => locals.services.addresses.setDefault(locals.actor, values.id ?? ''));
    return r.ok ? { form: 'default', saved: r.data.id } : r.failure;
  },
  remove: async ({ request, locals }) => {
    const values = formValues(await request.formData());
    const r = await formAction(values, () => locals.services.addresses.remove(locals.actor, values.id ?? ''));
    return r.ok ? { form: 'remove', removed: true } : r.failure;
  },
};
