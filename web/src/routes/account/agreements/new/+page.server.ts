import { redirect } from '@sveltejs/kit';
import { fenToYuanInput, shanghaiToday } from '$lib/agreements';
import { requireTrader, saveAgreement } from '$lib/server/agreements';
import { setFlash } from '$lib/server/requirements';
import { orError } from '$lib/server/session';
import type { Actions, PageServerLoad } from './$types';

/** The selected provider's first draft (`?requirement=<id>`); once one exists, its page. */
export const load: PageServerLoad = async ({ locals, url }) => {
  const { actor } = requireTrader(locals, url);
  const basis = await orError(() => locals.services.escrow.draftBasis(actor, url.searchParams.get('requirement') ?? ''));
  if (basis.agreementId) redirect(303, `/account/agreements/${basis.agreementId}`);
  const r = basis.requirement;
  const total = fenToYuanInput(basis.winningPriceFen);
  return {
    side: actor.organisation?.kind === 'provider' ? ('provider' as const) : ('enterprise' as const),
    requirement: r,
    winningPriceFen: basis.winningPriceFen,
    initial: {
      scope: '',
      total,
      startDate: shanghaiToday(),
      endDate: r.deliveryDate,
      releaseMode: 'at_completion',
      milestones: [{ title: '', deliverables: '', amount: total, dueDate: r.deliveryDate }],
    },
  };
};

async function save(event: Parameters<Actions[string]>[0], send: boolean) {
  const r = await saveAgreement(event.locals, await event.request.formData(), send);
  if (!r.ok) return r.failure;
  setFlash(event.cookies, {
    notice: send ? '协议已发送给企业。企业确认后生成正式协议书，退回的可以修改后再次发送。' : '草稿已保存，可以继续修改，确认无误后发送给企业。',
  });
  redirect(303, `/account/agreements/${r.data.id}`);
}

export const actions: Actions = {
  save: (event) => save(event, false),
  send: (event) => save(event, true),
};
