import { fail, redirect } from '@sveltejs/kit';
import { BANKS } from '$core/wallet/payment-gateway';
import { PLATFORM_RECEIVING_ACCOUNT } from '$core/wallet/recharge.service';
import { RECHARGE_MAX_FEN, RECHARGE_MIN_FEN } from '$core/wallet/recharge.machine';
import { shanghaiLocalToIso } from '$core/shared/time';
import { safeRedirect } from '$lib/format';
import { formValues } from '$lib/server/session';
import { parseYuan, requireWalletOrg, walletAction } from '$lib/server/wallet';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, url }) => {
  const { org } = requireWalletOrg(locals, url);
  return {
    tab: url.searchParams.get('tab') === 'offline' ? ('offline' as const) : ('online' as const),
    organisation: org.fullName,
    banks: BANKS.map((b) => ({ ...b })),
    receiving: { ...PLATFORM_RECEIVING_ACCOUNT },
    minFen: RECHARGE_MIN_FEN,
    maxFen: RECHARGE_MAX_FEN,
    // Where to continue after paying (e.g. a requirement waiting for its deposit): same-site paths only.
    returnTo: safeRedirect(url.searchParams.get('returnTo'), '') || null,
  };
};

export const actions: Actions = {
  online: async ({ request, locals, url }) => {
    const values = formValues(await request.formData());
    const amount = parseYuan('online', values);
    if (amount.failure) return amount.failure;
    const r = await walletAction('online', values, { amountFen: 'amount' }, () =>
      locals.services.recharges.createOnline(
        locals.actor,
        {
          amountFen: amount.fen,
          bankCode: values.bankCode || undefined,
          returnTo: safeRedirect(values.returnTo, '') || undefined,
        },
        { origin: url.origin },
      ),
    );
    if (!r.ok) return r.failure;
    redirect(303, r.data.redirectUrl);
  },

  offline: async ({ request, locals }) => {
    const values = formValues(await request.formData());
    const amount = parseYuan('offline', values);
    if (amount.failure) return amount.failure;
    // datetime-local has no zone: the person means Beijing time.
    const at = values.transferredAt?.trim();
    if (at && !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/.test(at)) {
      return fail(400, {
        error: { code: 'VALIDATION', message: '请检查填写的内容', fields: { transferredAt: '请按 年-月-日 时:分 填写打款时间' } },
        values: { ...values, form: 'offline' },
      });
    }
    const r = await walletAction('offline', values, { amountFen: 'amount' }, () =>
      locals.services.recharges.submitOffline(locals.actor, {
        amountFen: amount.fen,
        transferredAt: shanghaiLocalToIso(at),
        payerName: values.payerName,
        payerAccount: values.payerAccount,
        payerReference: values.payerReference?.trim() || undefined,
      }),
    );
    if (!r.ok) return r.failure;
    return { form: 'offline', submitted: { orderNo: r.data.orderNo, amountFen: r.data.amountFen } };
  },
};
