import { redirect } from '@sveltejs/kit';
import { requireEnterprise, requirementFormActions, requirementFormContext, takeFlash } from '$lib/server/requirements';
import { orError } from '$lib/server/session';
import { toShanghaiLocal } from '$lib/requirements';
import type { Actions, PageServerLoad } from './$types';

const yuan = (fen: number) => (fen / 100).toFixed(2).replace(/\.00$/, '');

export const load: PageServerLoad = async ({ locals, url, params, cookies }) => {
  const { actor, org } = requireEnterprise(locals, url);
  const r = await orError(() => locals.services.requirements.getOwn(actor, params.id));
  if (!r.actions?.includes('edit')) redirect(303, `/account/projects/${r.id}`);
  return {
    ...(await requirementFormContext(locals, org.organisationId)),
    requirement: { id: r.id, requirementNo: r.requirementNo, state: r.state, stateLabel: r.stateLabel, rejectReason: r.rejectReason ?? null },
    initial: {
      invoiceName: r.invoiceName ?? org.fullName,
      title: r.title,
      categoryCode: r.categoryCode,
      descriptionHtml: r.descriptionHtml,
      budgetMin: yuan(r.budgetMinFen),
      budgetMax: yuan(r.budgetMaxFen),
      deliveryDate: r.deliveryDate,
      regionCode: r.regionCode,
      mode: r.mode,
      paymentMode: r.paymentMode,
      openingAt: toShanghaiLocal(r.openingAt),
      minBidders: String(r.minBidders ?? 3),
    } as Record<string, string>,
    attachments: r.attachments ?? [],
    flash: takeFlash(cookies),
  };
};

export const actions: Actions = requirementFormActions((p) => p.id);
