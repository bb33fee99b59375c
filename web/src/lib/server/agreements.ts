import { fail } from '@sveltejs/kit';
import { parseYuanInput } from '$core/shared/money';
import { fieldFailure, runAction } from './form-action';
import { requireLogin } from './guard';
import { formAction, formValues } from './session';
import type { DraftValues } from '$lib/agreements';

/** Login and an organisation that trades (enterprise or provider); others see the page's explanation. */
export function requireTrader(locals: App.Locals, url: URL) {
  const actor = requireLogin(locals, url);
  const kind = actor.organisation?.kind;
  return { actor, trades: kind === 'enterprise' || kind === 'provider' };
}

/**
 * The agreement form → the service's AgreementInput. Milestones come as repeated fields in the order
 * shown (msTitle, msDeliverables, msAmount, msDueDate). Yuan become fen here; a malformed amount is a
 * field error under the service's key (totalFen, milestones.<i>.amountFen).
 */
export function readAgreementForm(data: FormData, action: string) {
  const values = formValues(data);
  const all = (k: string) => data.getAll(k).map((v) => (typeof v === 'string' ? v : ''));
  const titles = all('msTitle');
  const deliverables = all('msDeliverables');
  const amounts = all('msAmount');
  const dues = all('msDueDate');
  const draft: DraftValues = {
    scope: values.scope ?? '',
    total: values.total ?? '',
    startDate: values.startDate ?? '',
    endDate: values.endDate ?? '',
    releaseMode: values.releaseMode ?? '',
    milestones: titles.map((title, i) => ({ title, deliverables: deliverables[i] ?? '', amount: amounts[i] ?? '', dueDate: dues[i] ?? '' })),
  };
  const fields: Record<string, string> = {};
  const fen = (raw: string, key: string) => {
    const r = parseYuanInput(raw);
    if (r.error) fields[key] = r.error;
    return r.fen;
  };
  const input = {
    scope: draft.scope,
    totalFen: fen(draft.total, 'totalFen'),
    startDate: draft.startDate || undefined,
    endDate: draft.endDate || undefined,
    releaseMode: draft.releaseMode || undefined,
    milestones: draft.milestones.map((m, i) => ({
      title: m.title,
      deliverables: m.deliverables,
      amountFen: fen(m.amount, `milestones.${i}.amountFen`),
      dueDate: m.dueDate || undefined,
    })),
  };
  const failure = Object.keys(fields).length
    ? fail(400, { error: { code: 'VALIDATION', message: '请检查填写的内容', fields }, values: { action }, draft })
    : undefined;
  return { input, draft, values, failure };
}

/**
 * Runs one page action; the page shows `done.message`, or the refusal next to the control that failed
 * (`values.action` names it, plus any ids posted with it).
 */
export async function act(request: Request, name: string, run: (values: Record<string, string>, data: FormData) => Promise<string>) {
  const data = await request.formData();
  const values = formValues(data);
  const r = await runAction(values, () => run(values, data), { action: name });
  if (!r.ok) return r.failure;
  return { done: { action: name, message: r.data } };
}

/** A yuan field of an action: fen, or a field-level refusal under `key`. Empty is left to the service. */
export function yuanOf(values: Record<string, string>, form: string, key: string, action: string) {
  const { fen, error: message } = parseYuanInput(values[form]);
  if (message) return { fen: undefined, failure: fieldFailure(values, { [key]: message }, { action, message }) };
  return { fen };
}

/** Posted file ids (AttachmentInput posts one hidden input per kept file). */
export const fileIds = (data: FormData, name = 'attachmentIds') => data.getAll(name).filter((v): v is string => typeof v === 'string' && v.length > 0);

/**
 * 保存草稿 / 发送给企业: the provider's form saved as the draft (created the first time), and sent when
 * `send`. A refusal keeps what was typed (`draft`) so the form comes back as it was.
 */
export async function saveAgreement(locals: App.Locals, data: FormData, send: boolean) {
  const name = send ? 'send' : 'save';
  const { input, draft, values, failure } = readAgreementForm(data, name);
  if (failure) return { ok: false as const, failure };
  return formAction({ action: name, draft }, async () => {
    const saved = await locals.services.escrow.saveDraft(locals.actor, values.requirementId ?? '', input);
    return send ? locals.services.escrow.send(locals.actor, saved.id) : saved;
  });
}
