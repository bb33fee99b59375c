import { act, fileIds } from '$lib/server/agreements';
import { requireLogin } from '$lib/server/guard';
import { takeFlash } from '$lib/server/requirements';
import { orError } from '$lib/server/session';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, url, params, cookies }) => {
  const actor = requireLogin(locals, url);
  const c = await orError(() => locals.services.escrow.getCase(actor, params.id));
  const ag = await orError(() => locals.services.escrow.get(actor, c.agreement.id));
  return {
    case: c,
    agreement: { id: ag.id, agreementNo: ag.agreementNo, title: ag.requirement.title, enterprise: ag.enterprise, provider: ag.provider, totalFen: ag.totalFen },
    flash: takeFlash(cookies),
  };
};

const message = (event: 'respond' | 'comment' | 'escalate' | 'withdraw', done: string) =>
  (({ request, locals, params }) =>
    act(request, event, async (v, data) => {
      await locals.services.escrow.caseMessage(locals.actor, params.id, { body: v.body ?? '', attachmentIds: fileIds(data) }, event);
      return done;
    })) satisfies Actions[string];

export const actions: Actions = {
  respond: message('respond', '回应已发送，企业会收到通知。'),
  comment: message('comment', '留言已发送，对方会收到通知。'),
  escalate: message('escalate', '已提交平台处理。平台客服会根据双方材料作出处理，结果以站内信通知。'),
  withdraw: message('withdraw', '售后已撤回，暂停的托管款按协议恢复支付。'),
};
