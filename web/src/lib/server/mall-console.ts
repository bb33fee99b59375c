import { error, fail } from '@sveltejs/kit';
import { requireLogin } from './guard';
import { formAction, formValues } from './session';
import { runAction } from './form-action';
import { parseYuan } from './wallet';
import { isAppError } from '$core/shared/app-error';

/** Guards and small helpers of the mall's consoles (merchant, unit admin, department). */

/** An active merchant organisation acting now; otherwise 403 with what to do. */
export function requireMerchantConsole(locals: App.Locals, url: URL) {
  const actor = requireLogin(locals, url);
  const org = actor.organisation;
  if (org?.kind !== 'merchant') error(403, '商家后台仅供商家使用：请在页面顶部切换到您的商家组织');
  if (org.status !== 'active') error(403, '商家账号已停用，请联系平台客服');
  return { actor, org };
}

/** The owner or an admin of a unit acting now. */
export function requireUnitAdmin(locals: App.Locals, url: URL) {
  const actor = requireLogin(locals, url);
  const org = actor.organisation;
  if (org?.kind !== 'unit') error(403, '单位统计仅供单位账号使用：请在页面顶部切换到您的单位');
  if (org.role !== 'owner' && org.role !== 'admin') error(403, '只有单位管理员可以查看单位员工消费统计和报销清单');
  if (org.status !== 'active') error(403, '单位账号已停用，请联系平台客服');
  return { actor, org };
}

/** A government department acting now, or an operator (who chooses the region). */
export function requireRegionViewer(locals: App.Locals, url: URL) {
  const actor = requireLogin(locals, url);
  if (actor.isOperator) return { actor, org: actor.organisation, operator: true as const };
  const org = actor.organisation;
  if (org?.kind !== 'government') error(403, '区域统计仅供政府部门使用：请在页面顶部切换到您的部门');
  if (org.status !== 'active') error(403, '部门账号已停用，请联系平台客服');
  return { actor, org, operator: false as const };
}

/**
 * Runs one console action from a dialog or a row: the page shows `done.message`, or the refusal
 * next to the action (and, for a row, the item) that failed.
 */
export async function consoleAction(request: Request, name: string, run: (values: Record<string, string>) => Promise<string>) {
  const values = formValues(await request.formData());
  const r = await runAction(values, () => run(values), { action: name });
  if (!r.ok) return r.failure;
  return { done: { action: name, id: values.id ?? null, message: r.data } };
}

/**
 * The merchant's product form (new and edit): yuan → fen, the images in order, the service's field
 * keys renamed to the form's (priceFen → price, imageIds.0 → imageIds). Returns the saved product or
 * a failure that keeps what was typed (with the image ids).
 */
export async function saveProductForm<T>(request: Request, save: (input: Record<string, unknown>) => Promise<T>) {
  const data = await request.formData();
  const values = formValues(data);
  const imageIds = data.getAll('imageIds').filter((v): v is string => typeof v === 'string' && v !== '');
  const keep = { ...values, imageIds: imageIds.join(',') };
  const price = parseYuan('product', values, 'price');
  if (price.failure) return { ok: false as const, failure: fail(400, { error: price.failure.data.error, values: keep }), values };
  const r = await formAction(keep, () =>
    save({
      name: values.name ?? '',
      categoryCode: values.categoryCode ?? '',
      originCode: values.originCode ?? '',
      priceFen: price.fen,
      unit: values.unit ?? '',
      stock: values.stock?.trim() ? values.stock.trim() : undefined,
      imageIds,
      description: values.description ?? '',
      contactPhone: values.contactPhone ?? '',
    }),
  );
  if (!r.ok) {
    const body = r.failure.data as { error: { fields?: Record<string, string> } };
    if (body.error.fields) {
      const renamed: Record<string, string> = {};
      for (const [k, v] of Object.entries(body.error.fields)) {
        const key = k === 'priceFen' ? 'price' : k.startsWith('imageIds') ? 'imageIds' : k;
        renamed[key] ??= v;
      }
      body.error.fields = renamed;
    }
  }
  return { ...r, values };
}

/** Runs a follow-up step (上架 after saving); the refusal's message, or null when it went through. */
export async function publishRefusal(run: () => Promise<unknown>): Promise<string | null> {
  try {
    await run();
    return null;
  } catch (e) {
    if (!isAppError(e)) throw e;
    return Object.values(e.fields ?? {})[0] ?? e.message;
  }
}

/** The reimbursement list's filters from the URL (invalid dates are dropped, a reversed range is turned round). */
export function reimbursementFilters(url: URL) {
  const iso = (v: string | null) => (v && /^\d{4}-\d{2}-\d{2}$/.test(v) && !Number.isNaN(Date.parse(v)) ? v : '');
  let from = iso(url.searchParams.get('from'));
  let to = iso(url.searchParams.get('to'));
  if (from && to && from > to) [from, to] = [to, from];
  const q = url.searchParams.get('q')?.trim().slice(0, 60) ?? '';
  return { from, to, q };
}

const filterQuery = (f: { from: string; to: string; q: string }) => ({
  ...(f.from ? { from: f.from } : {}),
  ...(f.to ? { to: f.to } : {}),
  ...(f.q ? { q: f.q } : {}),
});

/** One page of the unit's reimbursement list. */
export function reimbursementPage(locals: App.Locals, f: { from: string; to: string; q: string }, page: number, pageSize = 20) {
  return locals.services.orders.reimbursements(locals.actor, { ...filterQuery(f), page, pageSize });
}

/** Every reimbursable order matching the filters (the export and the list's total), page by page. */
export async function allReimbursements(locals: App.Locals, f: { from: string; to: string; q: string }) {
  const first = await reimbursementPage(locals, f, 1, 50);
  const items = [...first.items];
  for (let page = 2; items.length < first.total && page <= 200; page++) items.push(...(await reimbursementPage(locals, f, page, 50)).items);
  return items;
}
