import { fail } from '@sveltejs/kit';
import { can } from '$core/shared/access';
import { formatFen } from '$core/shared/money';
import { formValues } from '$lib/server/session';
import { parseYuan, requireWalletOrg, walletAction } from '$lib/server/wallet';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, url }) => {
  const { actor, org } = requireWalletOrg(locals, url);
  const [hasSecurityPassword, cards, balances] = await Promise.all([
    locals.services.withdrawals.hasSecurityPassword(actor),
    locals.services.withdrawals.listCards(actor),
    locals.services.statements.balances(actor),
  ]);
  return {
    organisation: org.fullName,
    hasSecurityPassword,
    cards: cards.filter((c) => c.status === 'verified'),
    availableFen: balances.availableFen,
    // One per page view: a double submit (or a resend after a timeout) creates one withdrawal.
    requestId: crypto.randomUUID(),
  };
};

export const actions: Actions = {
  default: async ({ request, locals }) => {
    const values = formValues(await request.formData());
    const amount = parseYuan('withdraw', values);
    if (amount.failure) return amount.failure;
    const org = locals.actor?.organisation;
    // Only for the roles that may see money; the service refuses the others with its own message.
    if (org && amount.fen !== undefined && can(locals.actor, 'wallet.view', { organisationId: org.organisationId })) {
      const { availableFen } = await locals.services.statements.balances(locals.actor);
      if (amount.fen > availableFen) {
        return fail(409, {
          error: { code: 'INSUFFICIENT_FUNDS', message: '可用余额不足', fields: { amount: `超出可用余额 ${formatFen(availableFen)}` } },
          values: { ...values, form: 'withdraw' },
        });
      }
    }
    const r = await walletAction('withdraw', values, { amountFen: 'amount' }, () =>
      locals.services.withdrawals.requestWithdrawal(locals.actor, {
        amountFen: amount.fen,
        cardId: values.cardId || undefined,
        securityPassword: values.securityPassword,
        requestId: values.requestId || undefined,
      }),
    );
    if (!r.ok) return r.failure;
    return { done: { withdrawalNo: r.data.withdrawalNo, amountFen: r.data.amountFen } };
  },
};
