import { fail } from '@sveltejs/kit';
import { yuanToFen } from '$core/shared/money';
import { formAction, formValues } from './session';

type ErrorBody = { code: string; message: string; fields?: Record<string, string> };

/**
 * A form action of the hall, storefront and invitation pages: like `formAction`, and the service's
 * field keys are renamed to the form's (priceFen → price …) so messages land next to the inputs.
 * `form` says which of a page's forms failed (several share one page).
 */
export async function hallAction<T>(form: string, values: Record<string, string>, rename: Record<string, string>, run: () => Promise<T>) {
  const r = await formAction({ ...values, form }, run);
  if (!r.ok) {
    const data = r.failure.data as { error: ErrorBody };
    if (data.error.fields) data.error.fields = Object.fromEntries(Object.entries(data.error.fields).map(([k, v]) => [rename[k] ?? k, v]));
  }
  return r;
}

/** Fails before calling a service (a malformed amount …), in the same shape as a service's refusal. */
export const fieldFailure = (form: string, values: Record<string, string>, fields: Record<string, string>) =>
  fail(400, { error: { code: 'VALIDATION', message: '请检查填写的内容', fields } satisfies ErrorBody, values: { ...values, form } });

/** A yuan amount typed by a person → fen. Empty → undefined (the service names what is missing). */
export function yuanField(values: Record<string, string>, field: string): { fen?: number; error?: string } {
  const raw = (values[field] ?? '').trim();
  if (!raw) return {};
  const fen = yuanToFen(raw);
  return fen === undefined ? { error: '金额格式不正确，请填写数字，最多两位小数' } : { fen };
}

/** Every value of a repeated field (attachmentIds, regionsServed …), blanks dropped. */
export const allValues = (data: FormData, name: string) =>
  data
    .getAll(name)
    .filter((v): v is string => typeof v === 'string')
    .map((v) => v.trim())
    .filter(Boolean);

/** The signed-in enterprise's open invitation requirements (for 邀请), or null for anyone who cannot invite. */
export async function invitableFor(locals: App.Locals) {
  if (locals.actor?.organisation?.kind !== 'enterprise') return null;
  return locals.services.invitations.invitableRequirements(locals.actor);
}

/** 邀标 from the showcase hall or a storefront: one requirement, one provider, an optional note. */
export async function inviteAction(locals: App.Locals, request: Request) {
  const data = await request.formData();
  const values = formValues(data);
  const r = await hallAction('invite', values, {}, () =>
    locals.services.invitations.invite(locals.actor, { requirementId: values.requirementId ?? '', providerId: values.providerId ?? '', note: values.note || undefined }),
  );
  if (!r.ok) return r.failure;
  return { invited: { providerId: r.data.providerId, providerName: r.data.providerName, requirementTitle: r.data.requirement.title } };
}
