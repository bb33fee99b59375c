import { formAction, formValues, orError } from '$lib/server/session';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals }) => {
  const legal = locals.services.legal;
  const [terms, privacy, termsVersions, privacyVersions] = await orError(() =>
    Promise.all([legal.latest('terms'), legal.latest('privacy'), legal.versions('terms'), legal.versions('privacy')]),
  );
  return { docs: { terms: { latest: terms, versions: termsVersions }, privacy: { latest: privacy, versions: privacyVersions } } };
};

export const actions: Actions = {
  /** 发布新版本: the form's `kind` says which document. */
  publish: async ({ request, locals }) => {
    const values = formValues(await request.formData());
    const r = await formAction(values, () => locals.services.legal.publish(locals.actor, values));
    if (!r.ok) return r.failure;
    return { published: { kind: r.data.kind, version: r.data.version } };
  },
};
