import { parseYuanInput } from '$core/shared/money';
import { fieldFailure as refuse, formValues, runAction } from './form-action';

/**
 * A form action of the hall, storefront and invitation pages: like `formAction`, and the service's
 * field keys are renamed to the form's (priceFen → price …) so messages land next to the inputs.
 * `form` says which of a page's forms failed (several share one page).
 */
export const hallAction = <T>(form: string, values: Record<string, string>, rename: Record<string, string>, run: () => Promise<T>) =>
  runAction(values, run, { form, rename });

/** Fails before calling a service (a malformed amount …), in the same shape as a service's refusal. */
export const fieldFailure = (form: string, values: Record<string, string>, fields: Record<string, string>) => refuse(values, fields, { form });

/** A yuan amount typed by a person → fen. Empty → undefined (the service names what is missing). */
export function yuanField(values: Record<string, string>, field: string): { fen?: number; error?: string } {
  return parseYuanInput(values[field]);
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
    locals.services.invitations.invite(locals.actor, {
      requirementId: values.requirementId ?? '',
      providerId: values.providerId ?? '',
      note: values.note || undefined,
    }),
  );
  if (!r.ok) return r.failure;
  return { invited: { providerId: r.data.providerId, providerName: r.data.providerName, requirementTitle: r.data.requirement.title } };
}
