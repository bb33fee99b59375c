import { formValues } from '$lib/server/session';
import { orError, walletAction } from '$lib/server/wallet';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals }) => {
  const items = await orError(() => locals.services.withdrawals.listPendingWithdrawals(locals.actor));
  return {
    items: items.map((w) => ({
      withdrawalNo: w.withdrawalNo,
      organisationId: w.organisationId,
      organisationName: w.organisationName,
      card: `${w.card.bankName} ${w.card.accountNoMasked}`,
      amountFen: w.amountFen,
      createdAt: w.createdAt,
    })),
  };
};

export const actions: Actions = {
  review: async ({ request, locals }) => {
    const values = formValues(await request.formData());
    const decision = values.decision === 'reject' ? { decision: 'reject', reason: values.reason } : { decision: 'approve' };
    const r = await walletAction('review', values, {}, () => locals.services.withdrawals.reviewWithdrawal(locals.actor, values.withdrawalNo ?? '', decision));
    if (!r.ok) return r.failure;
    return { reviewed: { withdrawalNo: r.data.withdrawalNo, status: r.data.status } };
  },
};
