import { safeRedirect } from '$lib/format';
import { formValues } from '$lib/server/session';
import { requireWalletOrg, walletAction } from '$lib/server/wallet';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, url }) => {
  const { actor } = requireWalletOrg(locals, url);
  const back = url.searchParams.get('redirectTo');
  return { hasSecurityPassword: await locals.services.withdrawals.hasSecurityPassword(actor), back: back ? safeRedirect(back, '/wallet') : null };
};

export const actions: Actions = {
  default: async ({ request, locals }) => {
    const values = formValues(await request.formData());
    const r = await walletAction('set', values, {}, () => locals.services.withdrawals.setSecurityPassword(locals.actor, values));
    if (!r.ok) return r.failure;
    return { message: r.data.message };
  },
};
