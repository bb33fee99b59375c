import { yuanOf } from '$lib/server/agreements';
import { formAction, formValues, orError } from '$lib/server/session';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, params }) => {
  const c = await orError(() => locals.services.escrow.getCase(locals.actor, params.id));
  const ag = await orError(() => locals.services.escrow.get(locals.actor, c.agreement.id));
  return {
    case: c,
    agreement: {
      id: ag.id,
      agreementNo: ag.agreementNo,
      title: ag.requirement.title,
      requirementNo: ag.requirement.requirementNo,
      enterprise: ag.enterprise,
      provider: ag.provider,
      totalFen: ag.totalFen,
      status: ag.status,
      statusLabel: ag.statusLabel,
      releaseMode: ag.releaseMode,
      escrow: ag.escrow,
      milestones: ag.milestones.map((m) => ({
        id: m.id,
        seq: m.seq,
        title: m.title,
        amountFen: m.amountFen,
        status: m.status,
        statusLabel: m.statusLabel,
        fundedFen: m.fundedFen,
        releasedFen: m.releasedFen,
        refundedFen: m.refundedFen,
      })),
    },
  };
};

export const actions: Actions = {
  decide: async ({ request, locals, params }) => {
    const values = formValues(await request.formData());
    const refund = yuanOf(values, 'refund', 'refundFen', 'decide');
    if (refund.failure) return refund.failure;
    const pay = yuanOf(values, 'pay', 'payFen', 'decide');
    if (pay.failure) return pay.failure;
    const r = await formAction({ ...values, action: 'decide' }, () =>
      locals.services.escrow.decideCase(locals.actor, params.id, {
        refundFen: refund.fen,
        payFen: pay.fen,
        reason: values.reason ?? '',
        outcome: values.outcome || undefined,
      }),
    );
    if (!r.ok) return r.failure;
    return { done: { action: 'decide', message: '处理结果已生效，托管款已按结果结算，双方会收到站内信。' } };
  },
};
