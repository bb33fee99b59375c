import { BANKS } from '$core/wallet/payment-gateway';
import { formValues } from '$lib/server/session';
import { parseYuan, requireWalletOrg, walletAction } from '$lib/server/wallet';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, url }) => {
  const { actor, org } = requireWalletOrg(locals, url);
  return {
    organisation: org.fullName,
    cards: await locals.services.withdrawals.listCards(actor),
    banks: BANKS.map((b) => ({ value: b.code, label: b.name })),
  };
};

export const actions: Actions = {
  add: async ({ request, locals }) => {
    const values = formValues(await request.formData());
    const r = await walletAction('add', values, {}, () =>
      locals.services.withdrawals.addCard(locals.actor, {
        accountType: values.accountType || undefined,
        holderName: values.holderName,
        bankCode: values.bankCode || undefined,
        branch: values.branch,
        accountNo: values.accountNo,
      }),
    );
    if (!r.ok) return r.failure;
    return { form: 'add', added: { id: r.data.id, bankName: r.data.bankName, accountNoMasked: r.data.accountNoMasked } };
  },

  verify: async ({ request, locals }) => {
    const values = formValues(await request.formData());
    const amount = parseYuan('verify', values);
    if (amount.failure) return amount.failure;
    const r = await walletAction('verify', values, { amountFen: 'amount' }, () =>
      locals.services.withdrawals.verifyCard(locals.actor, values.cardId ?? '', { amountFen: amount.fen }),
    );
    if (!r.ok) return r.failure;
    return { form: 'verify', verified: { id: r.data.id, bankName: r.data.bankName, accountNoMasked: r.data.accountNoMasked } };
  },

  remove: async ({ request, locals }) => {
    const values = formValues(await request.formData());
    const r = await walletAction('remove', values, {}, () => locals.services.withdrawals.removeCard(locals.actor, values.cardId ?? ''));
    if (!r.ok) return r.failure;
    return { form: 'remove', removed: true };
  },
};
