import { allValues, fieldFailure, hallAction, yuanField } from '$lib/server/hall';
import { formValues, orError } from '$lib/server/session';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, params }) => {
  const actor = locals.actor;
  const requirement = await orError(() => locals.services.requirements.get(actor, params.id));
  const kind = actor?.organisation?.kind ?? null;
  // The provider's own latest proposal (live, withdrawn or decided); nobody else's ever reaches the page.
  const mine = kind === 'provider' && requirement.mode === 'competitive' ? await locals.services.proposals.findMine(actor, requirement.id) : null;
  // The selected provider's next step: its agreement (drafted already, or still to draft).
  const agreementId =
    mine?.status === 'selected' && ['awarded', 'in_progress', 'completed'].includes(requirement.state)
      ? await locals.services.escrow.draftBasis(actor, requirement.id).then(
          (b) => b.agreementId,
          () => undefined,
        )
      : undefined;
  // The room's rules, shown before anyone proposes (and fixed from the first proposal on).
  const roomRules = requirement.mode === 'competitive' ? await locals.services.rooms.publicRules(requirement.id) : null;
  return {
    requirement,
    roomRules,
    mine,
    agreementId,
    viewer: {
      signedIn: !!actor,
      kind,
      isOwner: !!actor?.organisation && actor.organisation.organisationId === requirement.organisation.id,
      hasProviderOrg: !!actor?.memberships.some((m) => m.kind === 'provider' && m.status === 'active'),
    },
    /** Proposals may be submitted, revised or withdrawn now. */
    windowOpen: requirement.mode === 'competitive' && requirement.state === 'open' && !requirement.opened,
    now: Date.now(),
  };
};

/** The proposal form (投标 and 修改): price in yuan → priceFen. */
async function proposalInput(request: Request, form: string) {
  const data = await request.formData();
  const values = formValues(data);
  const price = yuanField(values, 'price');
  if (price.error) return { failure: fieldFailure(form, values, { price: price.error }) };
  return {
    failure: undefined,
    values,
    input: { priceFen: price.fen, plan: values.plan ?? '', timeline: values.timeline ?? '', attachmentIds: allValues(data, 'attachmentIds') },
  };
}

const rename = { priceFen: 'price' };

export const actions: Actions = {
  submit: async ({ request, locals, params }) => {
    const p = await proposalInput(request, 'submit');
    if (p.failure) return p.failure;
    const r = await hallAction('submit', p.values, rename, () => locals.services.proposals.submit(locals.actor, params.id, p.input));
    if (!r.ok) return r.failure;
    return { saved: 'submitted' as const };
  },
  revise: async ({ request, locals, params }) => {
    const p = await proposalInput(request, 'revise');
    if (p.failure) return p.failure;
    const r = await hallAction('revise', p.values, rename, () => locals.services.proposals.revise(locals.actor, params.id, p.input));
    if (!r.ok) return r.failure;
    return { saved: 'revised' as const };
  },
  withdraw: async ({ locals, params }) => {
    const r = await hallAction('withdraw', {}, {}, () => locals.services.proposals.withdraw(locals.actor, params.id));
    if (!r.ok) return r.failure;
    return { saved: 'withdrawn' as const };
  },
};
