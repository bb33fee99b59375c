import { redirect } from '@sveltejs/kit';
import { isAppError } from '$core/shared/app-error';
import type { MonitoringMe } from '$core/monitoring/accounts.schema';
import type { CountyTreeView, PeriodView } from '$core/monitoring/reference.schema';
import type { Actor } from '$core/shared/actor';
import { requireLogin } from '$lib/server/guard';
import { recordContentSchema } from '$core/monitoring/records.schema';
import { fieldFailure } from '$lib/server/form-action';
import { orError } from '$lib/server/session';

/**
 * The pages that need a monitoring account: visitors go to sign in, people without an account (or acting for
 * another organisation) go to /monitoring, which says what to do. `me` comes from the layout (no second query).
 */
export async function requireMonitor(locals: App.Locals, url: URL, parent: () => Promise<{ me: MonitoringMe | null }>) {
  const actor = requireLogin(locals, url);
  const { me } = await parent();
  if (!me || me.switchTo) redirect(303, '/monitoring');
  return { actor, me };
}

/** A county, city and province tree for the cascading selects (origin 省 / 市 / 县). */
export type OriginTree = CountyTreeView['provinces'][number];
export type PeriodOption = PeriodView;

/** The reference lists the form and the filters need (the province maintains them): active counties, every period. */
export async function loadReference(locals: App.Locals, actor: Actor): Promise<{ origins: OriginTree[]; periods: PeriodOption[] }> {
  const ref = locals.services.monitoringReference;
  const [tree, periods] = await Promise.all([orError(() => ref.counties()), orError(() => ref.periods(actor))]);
  return { origins: tree.provinces, periods: periods.items };
}

/**
 * Loads a filtered list; a filter the service refuses (a hand-edited address) is dropped and named, so the
 * page still shows the list with the refusal beside the filters instead of an error page.
 */
export async function listWithFilters<Q extends Record<string, string | undefined>, T>(query: Q, load: (q: Q) => Promise<T>) {
  try {
    return { list: await load(query), query, filterError: null as string | null };
  } catch (e) {
    if (!isAppError(e) || e.code !== 'VALIDATION' || !e.fields) throw e;
    const clean: Record<string, string | undefined> = { ...query };
    for (const key of Object.keys(e.fields)) if (key in clean) delete clean[key];
    return { list: await load(clean as Q), query: clean as Q, filterError: Object.values(e.fields).join('；') };
  }
}

/** One evidence line as the form keeps it (the file's view, for showing it again after a refusal). */
export interface FormEvidence {
  fileId: string;
  kind: 'invoice' | 'contract' | 'waybill' | 'other';
  filename: string;
  contentType: string;
  sizeBytes: number;
  url: string;
}

/** The form's `evidence` field (JSON written by EvidenceUpload); anything malformed reads as no evidence. */
export function parseFormEvidence(raw: string | undefined): FormEvidence[] {
  if (!raw || raw.length > 20_000) return [];
  try {
    const list: unknown = JSON.parse(raw);
    if (!Array.isArray(list)) return [];
    return list
      .slice(0, 50)
      .filter((x): x is Record<string, unknown> => !!x && typeof x === 'object')
      .map((x) => ({
        fileId: String(x.fileId ?? ''),
        kind: String(x.kind ?? 'other') as FormEvidence['kind'],
        filename: String(x.filename ?? ''),
        contentType: String(x.contentType ?? ''),
        sizeBytes: Number(x.sizeBytes) || 0,
        url: String(x.url ?? ''),
      }));
  } catch {
    return [];
  }
}

/** The record form's fields as the service's input (the service's zod schema checks every one). */
export function recordFormInput(values: Record<string, string>) {
  const evidence = parseFormEvidence(values.evidence);
  return {
    input: {
      filingType: values.filingType ?? '',
      periodId: values.periodId ?? '',
      directFromOrigin: values.directFromOrigin ?? '',
      originCountyCode: values.originCountyCode ?? '',
      category: values.category ?? '',
      productName: values.productName ?? '',
      unit: values.unit ?? '',
      quantity: values.quantity ?? '',
      amountYuan: values.amountYuan ?? '',
      evidence: evidence.map((e) => ({ fileId: e.fileId, kind: e.kind })),
    },
    evidence,
    submit: values.intent === 'submit',
  };
}

/**
 * 提交 without any evidence: refused on the page before anything is saved, together with the content's own
 * field messages (the service says the same when submitting; this keeps every message in one answer).
 */
export function evidenceMissing(values: Record<string, string>, form: ReturnType<typeof recordFormInput>) {
  if (!form.submit || form.input.evidence.length) return null;
  const fields: Record<string, string> = {};
  const r = recordContentSchema.safeParse(form.input);
  if (!r.success) for (const issue of r.error.issues) fields[String(issue.path[0] ?? 'form')] ??= issue.message;
  fields.evidence = '请至少上传一份采购凭证（发票、合同、运单或其他佐证材料）再提交';
  return fieldFailure(values, fields, { message: fields.evidence });
}

/** Why a save-and-submit stopped after saving (the code travels in the address; the words are ours). */
export const UNSUBMITTED_MESSAGES: Record<string, string> = {
  MONITORING_EVIDENCE_REQUIRED: '已保存，但未能提交：请至少上传一份采购凭证再提交',
  MONITORING_PERIOD_CLOSED: '已保存，但未能提交：填报期已关闭，请选择开放的填报期',
  MONITORING_RECORD_CHANGED: '已保存，但未能提交：记录已被他人处理或修改，请核对后再提交',
};
export const unsubmittedMessage = (code: string | null) => (code ? (UNSUBMITTED_MESSAGES[code] ?? '已保存为草稿，但未能提交，请核对后再提交') : null);
