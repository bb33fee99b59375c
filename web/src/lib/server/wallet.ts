import { error, redirect } from '@sveltejs/kit';
import { can, refusal } from '$core/shared/access';
import { parseYuanInput } from '$core/shared/money';
import { fieldFailure, runAction, type ErrorBody } from './form-action';
import { requireLogin } from './guard';

/**
 * A wallet form action: runs the service call like `formAction`, and renames the service's field
 * keys to the form's (amountFen → amount …) so the messages land next to the right inputs.
 * `form` says which of a page's forms failed (several share one page).
 */
export async function walletAction<T>(form: string, values: Record<string, string>, rename: Record<string, string>, run: () => Promise<T>) {
  const r = await runAction(values, run, { form, rename });
  if (!r.ok) {
    const data = r.failure.data as { error: ErrorBody };
    if (data.error.code === 'INSUFFICIENT_FUNDS') data.error.fields = { ...data.error.fields, amount: '可用余额不足' };
  }
  return r;
}

/** Yuan typed by a person → fen; a malformed amount is a field error (an empty one is left to the service). */
export function parseYuan(form: string, values: Record<string, string>, field = 'amount') {
  const { fen, error: message } = parseYuanInput(values[field]);
  if (message) return { fen: undefined, failure: fieldFailure(values, { [field]: message }, { form }) };
  return { fen };
}

/** Login and an active organisation (the wallet belongs to it); otherwise to the organisations page. */
export function requireWalletOrg(locals: App.Locals, url: URL) {
  const actor = requireLogin(locals, url);
  if (!actor.organisation) redirect(303, '/account/organisations');
  // The wallet's pages are for the roles that may see money; the services refuse the rest anyway.
  if (!can(actor, 'wallet.view', { organisationId: actor.organisation.organisationId }))
    error(403, refusal(actor, 'wallet.view', actor.organisation.organisationId).message);
  return { actor, org: actor.organisation };
}

export { orError } from './session';
