import type { Cookies } from '@sveltejs/kit';
import { error, fail, redirect } from '@sveltejs/kit';
import { parseYuanInput } from '$core/shared/money';
import { richTextToPlain, sanitizeRichText } from '$core/shared/rich-text';
import { shanghaiLocalToIso } from '$core/shared/time';
import { requirementFormIssues } from '$core/tenders/tenders.schema';
import { requireLogin } from './guard';
import { formAction, formValues } from './session';

/** Login and an enterprise acting now (only enterprises publish requirements). */
export function requireEnterprise(locals: App.Locals, url: URL) {
  const actor = requireLogin(locals, url);
  if (!actor.organisation) redirect(303, '/account/organisations');
  if (actor.organisation.kind !== 'enterprise') error(403, '只有企业会员可以发布和管理需求，请在页头切换到企业组织');
  return { actor, org: actor.organisation };
}

/** "2026-03-01T14:05" typed in Beijing time → ISO 8601 with its offset; anything else is left for the schema to refuse. */
export { shanghaiLocalToIso };

type Fail = ReturnType<typeof fail>;

/**
 * The requirement form → the service's RequirementInput. Yuan become fen here; a malformed amount
 * is a field error under the service's key, so the page shows every message the same way.
 */
export function readRequirementForm(data: FormData): { input: Record<string, unknown>; values: Record<string, string>; failure?: Fail } {
  const values = formValues(data);
  const fields: Record<string, string> = {};
  const money = (key: string, label: string) => {
    const r = parseYuanInput(values[key]);
    if (r.error) fields[`${key}Fen`] = `${label}${r.error.replace(/^金额/, '')}`;
    return r.fen;
  };
  const budgetMinFen = money('budgetMin', '预算下限');
  const budgetMaxFen = money('budgetMax', '预算上限');
  const mode = values.mode || undefined;
  const input = {
    invoiceName: values.invoiceName ?? '',
    title: values.title ?? '',
    categoryCode: values.categoryCode ?? '',
    descriptionHtml: values.descriptionHtml ?? '',
    // An empty minimum means "up to the maximum".
    budgetMinFen: budgetMinFen ?? (values.budgetMax?.trim() ? 0 : undefined),
    budgetMaxFen,
    deliveryDate: values.deliveryDate || undefined,
    regionCode: values.regionCode || undefined,
    mode,
    paymentMode: values.paymentMode || undefined,
    openingAt: mode === 'competitive' ? shanghaiLocalToIso(values.openingAt) : undefined,
    minBidders: mode === 'competitive' && values.minBidders ? Number(values.minBidders) : undefined,
    attachmentIds: data.getAll('attachmentIds').filter((v): v is string => typeof v === 'string' && v.length > 0),
  };
  if (Object.keys(fields).length) {
    return { input, values, failure: fail(400, { error: { code: 'VALIDATION', message: '请检查填写的内容', fields }, values }) };
  }
  return { input, values };
}

const FLASH = 'bangfu_flash';

/** Carries one action's outcome across a redirect (read once by the next page load). */
export function setFlash(cookies: Cookies, value: { error?: { code: string; message: string; fields?: Record<string, string> }; notice?: string }) {
  cookies.set(FLASH, JSON.stringify(value), { path: '/', httpOnly: true, sameSite: 'lax', maxAge: 60 });
}

export function takeFlash(cookies: Cookies): { error?: { code: string; message: string; fields?: Record<string, string> }; notice?: string } | null {
  const raw = cookies.get(FLASH);
  if (!raw) return null;
  cookies.delete(FLASH, { path: '/' });
  try {
    return JSON.parse(raw);
  } catch {
    return null;
  }
}

/** What the requirement form needs besides the requirement: categories, the deposit and the wallet. */
export async function requirementFormContext(locals: App.Locals, orgId: string) {
  const [categories, deposit, balances] = await Promise.all([
    locals.services.requirements.categoryTree(),
    locals.services.settings.depositSettings(),
    locals.services.ledger.walletBalances(locals.platform.db, orgId),
  ]);
  return { categories, depositFen: deposit.depositFen, availableFen: balances.availableFen, serverNow: Date.now() };
}

type ErrorBody = { code: string; message: string; fields?: Record<string, string> };

/**
 * A failed save: the typed values come back (the description sanitised, since the page may render it).
 * The schema checks the description's length and the opening time only once every other field is
 * valid; the same core rules are added here so the person sees every message at once.
 */
function failWith(failure: Fail, values: Record<string, string>, extra: Record<string, unknown> = {}) {
  const data = failure.data as { error: ErrorBody };
  const descriptionHtml = sanitizeRichText(values.descriptionHtml ?? '');
  let error = data.error;
  if (error.code === 'VALIDATION' && error.fields) {
    const more = requirementFormIssues({ mode: values.mode, openingAt: values.openingAt?.trim(), descriptionText: richTextToPlain(descriptionHtml) });
    error = { ...error, fields: { ...more, ...error.fields } };
  }
  return fail(failure.status, { error, values: { ...values, descriptionHtml }, ...extra });
}

/**
 * 保存草稿 and 发布 for the new and the edit page. Publishing saves the draft first, then pays the
 * deposit: when paying fails (INSUFFICIENT_FUNDS, an opening time no longer 24 h ahead) the draft
 * stays saved and the person lands on its edit page with the message.
 */
export function requirementFormActions(idOf: (params: Record<string, string>) => string | undefined) {
  async function save(event: { request: Request; locals: App.Locals; params: Record<string, string>; cookies: Cookies }, publish: boolean) {
    const { request, locals, params, cookies } = event;
    const id = idOf(params);
    const { input, values, failure } = readRequirementForm(await request.formData());
    if (failure) return failWith(failure, values);
    const saved = await formAction(values, () => locals.services.requirements.saveDraft(locals.actor, input, id));
    if (!saved.ok) return failWith(saved.failure, values);
    const rid = saved.data.id;
    if (!publish) {
      setFlash(cookies, { notice: '草稿已保存。确认无误后可以发布（缴纳保证金后提交平台审核）。' });
      redirect(303, `/account/projects/${rid}`);
    }
    const submitted = await formAction(values, () => locals.services.requirements.submit(locals.actor, rid));
    if (!submitted.ok) {
      const err = (submitted.failure.data as { error: ErrorBody }).error;
      if (id) return failWith(submitted.failure, values, { draftSaved: true });
      // A new draft now exists: continue on its edit page so a second try does not create another.
      setFlash(cookies, { error: err });
      redirect(303, `/account/projects/${rid}/edit`);
    }
    setFlash(cookies, { notice: '需求已发布，保证金已缴纳，等待平台审核。审核结果会以站内信通知您。' });
    redirect(303, `/account/projects/${rid}`);
  }
  return {
    save: (event: Parameters<typeof save>[0]) => save(event, false),
    publish: (event: Parameters<typeof save>[0]) => save(event, true),
  };
}
