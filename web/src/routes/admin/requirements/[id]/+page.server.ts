import { formAction, formValues, orError } from '$lib/server/session';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, params }) => {
  const r = await orError(() => locals.services.requirements.get(locals.actor, params.id));
  const events = await locals.services.requirements.events(locals.actor, r.id);
  return { requirement: r, events: events.map((e) => ({ id: e.id, event: e.event, detail: e.detail, createdAt: e.createdAt })), serverNow: Date.now() };
};

export const actions: Actions = {
  review: async ({ request, locals, params }) => {
    const values = formValues(await request.formData());
    const input = values.decision === 'reject' ? { decision: 'reject', reason: values.reason } : { decision: 'approve' };
    const r = await formAction(values, () => locals.services.requirements.review(locals.actor, params.id, input));
    if (!r.ok) return r.failure;
    return {
      reviewed: r.data.state === 'open' ? '已通过审核，需求已在项目大厅公布，企业会收到站内信。' : '已驳回，保证金已全额退回企业钱包，企业会收到站内信。',
    };
  },
};
