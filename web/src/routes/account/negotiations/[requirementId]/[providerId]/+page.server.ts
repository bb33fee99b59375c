import { allValues, hallAction } from '$lib/server/hall';
import { formValues, orError } from '$lib/server/session';
import type { Actions, PageServerLoad } from './$types';
import { pageFromQuery } from '$core/shared/paging';

const PAGE_SIZE = 30;

export const load: PageServerLoad = async ({ locals, params, url }) => {
  const page = pageFromQuery(url.searchParams);
  const thread = await orError(() =>
    locals.services.invitations.listThread(locals.actor, params.requirementId, params.providerId, { page, pageSize: PAGE_SIZE }),
  );
  return {
    thread,
    myOrgId: locals.actor?.organisation?.organisationId ?? '',
    // One per page view: a resent form (double click, retry after a timeout) stores the message once.
    clientId: crypto.randomUUID(),
    backHref: thread.side === 'enterprise' ? `/account/projects/${thread.requirement.id}` : '/account/invitations',
  };
};

export const actions: Actions = {
  send: async ({ request, locals, params }) => {
    const data = await request.formData();
    const values = formValues(data);
    const r = await hallAction('send', values, {}, () =>
      locals.services.invitations.postMessage(locals.actor, params.requirementId, params.providerId, {
        body: values.body ?? '',
        attachmentIds: allValues(data, 'attachmentIds'),
        clientId: values.clientId || undefined,
      }),
    );
    if (!r.ok) return r.failure;
    return { sent: r.data };
  },
};
