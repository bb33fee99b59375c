import { error, fail, redirect } from '@sveltejs/kit';
import { can, refusal } from '$core/shared/access';
import { yuanToFen } from '$core/shared/money';
import { formAction } from './session';
import { requireLogin } from './guard';

/**
 * A wallet form action: runs the service call like `formAction`, and renames the service's field
 * keys to the form's (amountFen → amount …) so the messages land next to the right inputs.
 * `form` says which of a page's forms failed (several share one page).
 */
export async function walletAction<T>(form: string, values: Record<string, string>, rename: Record<string, string>, run: () => Promise<T>) {
  const r = await formAction({ ...values, form }, run);
  if (!r.ok) {
    const data = r.failure.data as { error: { code: string; message: string; fields?: Record<string, string> } };
    if (data.error.fields) data.error.fields = Object.fromEntries(Object.entries(data.error.fields).map(([k, v]) => [rename[k] ?? k, v]));
    if (data.error.code === 'INSUFFICIENT_FUNDS') data.error.fields = { ...data.error.fields, amount: '可用余额不足' };
  }
  return r;
}

/** Yuan typed by a person → fen; a malformed amount is a field error (an empty one is left to the service). */
export function parseYuan(form: string, values: Record<string, string>, field = 'amount') {
  const raw = (values[field] ?? '').trim();
  if (!raw) return { fen: undefined };
  const fen = yuanToFen(raw);
  if (fen === undefined) {
    return {
      fen: undefined,
      failure: fail(400, { error: { code: 'VALIDATION', message: '请检查填写的内容', fields: { [field]: '金额格式不正确，请填写数字，最多两位小数' } }, values: { ...values, form } }),
    };
  }
  return { fen };
}

/** Login and an active organisation (the wallet belongs to it); otherwise to the organisations page. */
export function requireWalletOrg(locals: App.Locals, url: URL) {
  const actor = requireLogin(locals, url);
  if (!actor.organisation) redirect(303, '/account/organisations');
  // The wallet's pages are for the roles that may see money; the services refuse the rest anyway.
  if (!can(actor, 'wallet.view', { organisationId: actor.organisation.organisationId })) error(403, refusal(actor, 'wallet.view', actor.organisation.organisationId).message);
  return { actor, org: actor.organisation };
}

export { orError } from './session';

