import { z } from 'zod';
import { formValues, orError } from '$lib/server/session';
import { runAction } from '$lib/server/form-action';
import { CONSULTATION_MESSAGE_MAX } from '$core/tenders/consultations.schema';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, params, url }) => {
  const thread = await orError(() => locals.services.consultations.thread(locals.actor, params.id, { pageSize: 50 }));
  const c = thread.consultation;
  // 转为邀请: the enterprise's open invitation requirements; a service item the enterprise came from prefills the first message.
  const [invitable, storefront] = await Promise.all([
    c.side === 'enterprise' ? locals.services.invitations.invitableRequirements(locals.actor) : null,
    z.uuid().safeParse(url.searchParams.get('item')).success ? locals.services.storefronts.get(locals.actor, c.provider.id).catch(() => null) : null,
  ]);
  const item = storefront?.items.find((i) => i.id === url.searchParams.get('item') && i.status === 'listed');
  return {
    thread,
    invitable,
    myOrgId: locals.actor?.organisation?.organisationId ?? '',
    draft: item && thread.total === 0 ? `您好，我想咨询服务项目「${item.title}」：` : '',
    clientId: crypto.randomUUID(),
    maxLength: CONSULTATION_MESSAGE_MAX,
  };
};

export const actions: Actions = {
  /** Without a live connection (no script, or offline): the form posts the message. */
  send: async ({ request, locals, params }) => {
    const values = formValues(await request.formData());
    const r = await runAction(
      values,
      () => locals.services.consultations.postMessage(locals.actor, params.id, { body: values.body ?? '', clientId: values.clientId || undefined }),
      {
        form: 'send',
      },
    );
    if (!r.ok) return r.failure;
    return { sent: true };
  },
  /** 转为邀请 (InviteDialog posts requirementId, providerId and note; the provider is the conversation's own). */
  invite: async ({ request, locals, params }) => {
    const values = formValues(await request.formData());
    const r = await runAction(
      values,
      () => locals.services.consultations.invite(locals.actor, params.id, { requirementId: values.requirementId ?? '', note: values.note || undefined }),
      { form: 'invite' },
    );
    if (!r.ok) return r.failure;
    return { invited: r.data.message };
  },
};
