import { fail, redirect } from '@sveltejs/kit';
import { BANKS, PHONE_PAY } from '$core/wallet/payment-gateway';
import { PLATFORM_RECEIVING_ACCOUNT } from '$core/wallet/recharge.service';
import { RECHARGE_MAX_FEN, RECHARGE_MIN_FEN } from '$core/wallet/recharge.machine';
import { formatFen, parseYuanInput } from '$core/shared/money';
import { shanghaiLocalToIso } from '$core/shared/time';
import { safeRedirect } from '$lib/format';
import { formValues } from '$lib/server/session';
import { fieldFailure } from '$lib/server/form-action';
import { parseYuan, requireWalletOrg, walletAction } from '$lib/server/wallet';
import type { Actions, PageServerLoad } from './$types';

/** The quick amounts offered above 其他金额, in fen (¥500, ¥1,000, ¥5,000, ¥10,000). */
const QUICK_AMOUNTS_FEN = [50_000, 100_000, 500_000, 1_000_000] as const;
/** The online methods: the phone pages first, then a bank's online banking (`BANK`, with the bank chosen below). */
const METHODS = [...PHONE_PAY.map((c) => ({ code: c.code, name: c.name })), { code: 'BANK', name: '网银' }] as const;

/**
 * The amount a shortfall link asks for (`?amount=` in yuan) and why (`?for=`): a malformed or
 * out-of-range amount is ignored (the person types one), and the reason is one of a fixed few, so the
 * words on the page never come from the link.
 */
function presetFrom(url: URL) {
  const { fen } = parseYuanInput(url.searchParams.get('amount')?.slice(0, 20));
  const presetFen = fen !== undefined && fen >= RECHARGE_MIN_FEN && fen <= RECHARGE_MAX_FEN ? fen : null;
  const why = url.searchParams.get('for');
  const amount = presetFen ? ` ${formatFen(presetFen)}` : '';
  const reason =
    why === 'deposit'
      ? `发布需求需缴纳保证金${amount}，当前余额不足`
      : why === 'escrow'
        ? presetFen
          ? `托管合同款还差${amount}，当前余额不足`
          : '托管合同款所需金额超过当前余额'
        : null;
  return { presetFen, reason, why: why === 'deposit' || why === 'escrow' ? why : null };
}

export const load: PageServerLoad = async ({ locals, url }) => {
  const { actor, org } = requireWalletOrg(locals, url);
  const balances = await locals.services.statements.balances(actor);
  return {
    tab: url.searchParams.get('tab') === 'offline' ? ('offline' as const) : ('online' as const),
    organisation: org.fullName,
    availableFen: balances.availableFen,
    methods: METHODS.map((m) => ({ ...m })),
    quickAmounts: [...QUICK_AMOUNTS_FEN] as number[],
    banks: BANKS.map((b) => ({ ...b })),
    receiving: { ...PLATFORM_RECEIVING_ACCOUNT },
    minFen: RECHARGE_MIN_FEN,
    maxFen: RECHARGE_MAX_FEN,
    ...presetFrom(url),
    // Where to continue after paying (e.g. a requirement waiting for its deposit): same-site paths only.
    returnTo: safeRedirect(url.searchParams.get('returnTo'), '') || null,
  };
};

export const actions: Actions = {
  online: async ({ request, locals, url }) => {
    const values = formValues(await request.formData());
    // A quick amount (fen, from the buttons) or 其他金额 typed in yuan.
    const quick = values.preset && values.preset !== 'other' ? Number(values.preset) : null;
    if (quick !== null && !QUICK_AMOUNTS_FEN.includes(quick as (typeof QUICK_AMOUNTS_FEN)[number])) {
      return fieldFailure(values, { amount: '请选择充值金额，或填写其他金额' }, { form: 'online' });
    }
    const amount = quick !== null ? { fen: quick } : parseYuan('online', values);
    if ('failure' in amount && amount.failure) return amount.failure;
    const method = values.method ?? '';
    if (!METHODS.some((m) => m.code === method)) return fieldFailure(values, { method: '请选择支付方式' }, { form: 'online' });
    if (method === 'BANK' && !values.bankCode) return fieldFailure(values, { bankCode: '请选择付款银行' }, { form: 'online' });
    const r = await walletAction('online', values, { amountFen: 'amount' }, () =>
      locals.services.recharges.createOnline(
        locals.actor,
        {
          amountFen: amount.fen,
          bankCode: method === 'BANK' ? values.bankCode : method,
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
