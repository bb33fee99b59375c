import { redirect } from '@sveltejs/kit';
import { fieldFailure, runAction } from '$lib/server/form-action';
import { formValues, orError } from '$lib/server/session';
import { loadReference, requireMonitor } from '../../monitoring.server';
import type { Actions, PageServerLoad } from './$types';

/** 查看详细信息: the record, its evidence, return reason, changes, versions, timeline and what the viewer may do. */
export const load: PageServerLoad = async ({ locals, url, params, parent }) => {
  const { actor } = await requireMonitor(locals, url, parent);
  const [record, reference] = await Promise.all([orError(() => locals.services.monitoringRecords.detail(actor, params.id)), loadReference(locals, actor)]);
  return { record, ...reference };
};

/** Every action names the seq the page showed: someone else's change in between answers 409 and the page reloads. */
export const actions: Actions = {
  submit: async ({ request, locals, params }) => {
    const values = formValues(await request.formData());
    const r = await runAction(values, () => locals.services.monitoringRecords.submit(locals.actor, params.id, { seq: Number(values.seq) }), {
      form: 'submit',
    });
    if (!r.ok) return r.failure;
    return { done: 'submitted' as const };
  },
  remove: async ({ request, locals, params }) => {
    const values = formValues(await request.formData());
    const r = await runAction(values, () => locals.services.monitoringRecords.remove(locals.actor, params.id, { seq: Number(values.seq) }), {
      form: 'remove',
    });
    if (!r.ok) return r.failure;
    redirect(303, '/monitoring/records?deleted=1');
  },
  /** 审核通过 or 退回修改 (a reason is required to return). */
  decide: async ({ request, locals, params }) => {
    const values = formValues(await request.formData());
    const decision = values.decision === 'return' ? 'return' : values.decision === 'approve' ? 'approve' : values.decision;
    if (decision === 'return' && !(values.comment ?? '').trim())
      return fieldFailure(values, { comment: '请填写退回原因' }, { form: 'decide', message: '请填写退回原因' });
    const r = await runAction(
      values,
      () =>
        locals.services.monitoringRecords.decide(locals.actor, params.id, {
          seq: Number(values.seq),
          decision: decision as 'approve' | 'return',
          comment: values.comment,
        }),
      { form: 'decide' },
    );
    if (!r.ok) return r.failure;
    return { done: decision === 'approve' ? ('approved' as const) : ('returned' as const) };
  },
};
