import { toFileView } from '$core/files/files.service';
import { allValues, fieldFailure, hallAction, yuanField } from '$lib/server/hall';
import { formValues, orError } from '$lib/server/session';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals }) => {
  const org = locals.actor?.organisation;
  if (org?.kind !== 'provider') return { notProvider: true as const };
  const [storefront, tree, images] = await orError(() =>
    Promise.all([
      locals.services.storefronts.get(locals.actor, org.organisationId),
      locals.services.requirements.categoryTree(),
      locals.services.files.listAttached(locals.platform.db, 'storefront', [org.organisationId]),
    ]),
  );
  const logo = images.find((f) => f.id === storefront.logoFileId);
  return { notProvider: false as const, storefront, tree, logo: logo ? toFileView(logo) : null };
};

/** The service item form: a fixed price (最高价 left empty) or a range, in yuan. */
function itemInput(values: Record<string, string>, form: string) {
  const min = yuanField(values, 'priceMin');
  const max = yuanField(values, 'priceMax');
  if (min.error || max.error)
    return { values, failure: fieldFailure(form, values, { ...(min.error ? { priceMin: min.error } : {}), ...(max.error ? { priceMax: max.error } : {}) }) };
  return {
    values,
    failure: undefined,
    input: {
      title: values.title ?? '',
      categoryCode: values.categoryCode ?? '',
      priceMinFen: min.fen,
      priceMaxFen: max.fen ?? min.fen,
      priceUnit: values.priceUnit?.trim() || '次',
      description: values.description ?? '',
      status: values.status === 'unlisted' ? ('unlisted' as const) : ('listed' as const),
    },
  };
}
const itemRename = { priceMinFen: 'priceMin', priceMaxFen: 'priceMax' };

export const actions: Actions = {
  profile: async ({ request, locals }) => {
    const data = await request.formData();
    const values = formValues(data);
    const r = await hallAction('profile', values, {}, () =>
      locals.services.storefronts.update(locals.actor, {
        introduction: values.introduction ?? '',
        qualifications: values.qualifications ?? '',
        contactPhone: values.contactPhone || null,
        logoFileId: values.logoFileId || null,
        regionsServed: [...new Set(allValues(data, 'regionsServed'))],
        categoryCodes: allValues(data, 'categoryCodes'),
      }),
    );
    if (!r.ok) return r.failure;
    return { done: 'profile' as const };
  },
  addItem: async ({ request, locals }) => {
    const p = itemInput(formValues(await request.formData()), 'item:new');
    if (p.failure) return p.failure;
    const r = await hallAction('item:new', p.values, itemRename, () => locals.services.storefronts.addItem(locals.actor, p.input));
    if (!r.ok) return r.failure;
    return { done: 'itemAdded' as const };
  },
  updateItem: async ({ request, locals }) => {
    const values = formValues(await request.formData());
    const id = values.id ?? '';
    const p = itemInput(values, `item:${id}`);
    if (p.failure) return p.failure;
    const r = await hallAction(`item:${id}`, p.values, itemRename, () => locals.services.storefronts.updateItem(locals.actor, id, p.input));
    if (!r.ok) return r.failure;
    return { done: 'itemSaved' as const };
  },
  deleteItem: async ({ request, locals }) => {
    const values = formValues(await request.formData());
    const r = await hallAction('deleteItem', values, {}, () => locals.services.storefronts.deleteItem(locals.actor, values.id ?? ''));
    if (!r.ok) return r.failure;
    return { done: 'itemDeleted' as const };
  },
  addCase: async ({ request, locals }) => {
    const values = formValues(await request.formData());
    const year = values.year?.trim();
    if (year && !/^\d{4}$/.test(year)) return fieldFailure('case', values, { year: '请填写四位数年份，如 2024' });
    const r = await hallAction('case', values, {}, () =>
      locals.services.storefronts.addCase(locals.actor, {
        title: values.title ?? '',
        clientName: values.clientName || null,
        year: year ? Number(year) : null,
        description: values.description ?? '',
        imageFileId: values.imageFileId || null,
      }),
    );
    if (!r.ok) return r.failure;
    return { done: 'caseAdded' as const };
  },
  deleteCase: async ({ request, locals }) => {
    const values = formValues(await request.formData());
    const r = await hallAction('deleteCase', values, {}, () => locals.services.storefronts.deleteCase(locals.actor, values.id ?? ''));
    if (!r.ok) return r.failure;
    return { done: 'caseDeleted' as const };
  },
};
