import { fail } from '@sveltejs/kit';
import { isAppError, toErrorBody } from '$core/shared/app-error';

/**
 * The one way a page's form action reads its form and reports a refusal. Every failure has the same
 * shape, `fail(status, { error: { code, message, fields }, values, ...extra })`: the page shows the
 * Chinese field messages next to its inputs and refills what the person typed (never a password).
 * The rules live in core: the service's zod schema decides, the page only carries its answer.
 */
export type ErrorBody = { code: string; message: string; fields?: Record<string, string>; retryAfterSeconds?: number };

export interface ActionOptions {
  /** Which of a page's forms failed (several share a page): added to `values.form`. */
  form?: string;
  /** Which control failed: added to `values.action`. */
  action?: string;
  /** The service's field keys → the form's input names (amountFen → amount …). */
  rename?: Record<string, string>;
  /** More data for the failed page (the typed draft …). */
  extra?: Record<string, unknown>;
}

/** The string fields of a form (files and repeated fields are read with `data.getAll`). */
export const formValues = (data: FormData) => Object.fromEntries([...data.entries()].filter(([, v]) => typeof v === 'string')) as Record<string, string>;

const withoutPasswords = (values: Record<string, unknown>) => Object.fromEntries(Object.entries(values).filter(([k]) => !/password/i.test(k)));

const keep = (values: Record<string, unknown>, opts: ActionOptions) =>
  withoutPasswords({ ...values, ...(opts.form !== undefined ? { form: opts.form } : {}), ...(opts.action !== undefined ? { action: opts.action } : {}) });

const renamed = (fields: Record<string, string> | undefined, rename: Record<string, string> | undefined) =>
  fields && rename ? Object.fromEntries(Object.entries(fields).map(([k, v]) => [rename[k] ?? k, v])) : fields;

/** A refusal made on the page before any service is called, in the same shape as a service's. */
export function fieldFailure(values: Record<string, unknown>, fields: Record<string, string>, opts: ActionOptions & { message?: string } = {}) {
  const error: ErrorBody = { code: 'VALIDATION', message: opts.message ?? '请检查填写的内容', fields: renamed(fields, opts.rename) };
  return fail(400, { error, values: keep(values, opts), ...opts.extra });
}

/**
 * Runs a form action's service call. An AppError becomes the page's failure (its status, its field
 * messages under the form's names, what was typed); anything else is a bug and is thrown.
 */
export async function runAction<T>(values: Record<string, unknown>, run: () => Promise<T>, opts: ActionOptions = {}) {
  try {
    return { ok: true as const, data: await run() };
  } catch (e) {
    if (!isAppError(e)) throw e;
    const { status, body } = toErrorBody(e);
    const error: ErrorBody = { ...body, fields: renamed(body.fields, opts.rename) };
    if (!error.fields) delete error.fields;
    return { ok: false as const, failure: fail(status, { error, values: keep(values, opts), ...opts.extra }) };
  }
}
