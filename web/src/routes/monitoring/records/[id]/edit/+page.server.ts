import { redirect } from '@sveltejs/kit';
import type { RecordContentInput } from '$core/monitoring/records.schema';
import { fenToYuan } from '$core/shared/money';
import { formAction, formValues, orError } from '$lib/server/session';
import { evidenceMissing, loadReference, recordFormInput, requireMonitor, unsubmittedMessage, type FormEvidence } from '../../../monitoring.server';
import type { Actions, PageServerLoad } from './$types';

/** 修改: a draft or returned record, by its reporter; anything else goes to the record's page. */
export const load: PageServerLoad = async ({ locals, url, params, parent }) => {
  const { actor } = await requireMonitor(locals, url, parent);
  const [record, reference] = await Promise.all([orError(() => locals.services.monitoringRecords.detail(actor, params.id)), loadReference(locals, actor)]);
  if (!record.actions.includes('edit')) redirect(303, `/monitoring/records/${record.id}`);
  const initial: Record<string, string> = {
    filingType: record.filingType,
    periodId: record.periodId,
    directFromOrigin: String(record.directFromOrigin),
    originProvinceCode: record.originProvinceCode,
    originCityCode: record.originCityCode,
    originCountyCode: record.originCountyCode,
    category: record.category,
    productName: record.productName,
    unit: record.unit,
    quantity: record.quantity,
    amountYuan: fenToYuan(record.amountFen), // "3600.50", as typed (two decimals)
  };
  const evidence: FormEvidence[] = record.evidence.flatMap((e) =>
    e.file && e.kind !== 'mall_order'
      ? [{ fileId: e.file.id, kind: e.kind, filename: e.file.filename, contentType: e.file.contentType, sizeBytes: e.file.sizeBytes, url: e.file.url }]
      : [],
  );
  return { record, initial, evidence, unsubmitted: unsubmittedMessage(url.searchParams.get('unsubmitted')), ...reference };
};

export const actions: Actions = {
  /** 保存草稿 saves the changes; 提交 saves and submits them. A stale seq (someone else acted) answers 409. */
  default: async ({ request, locals, params }) => {
    const values = formValues(await request.formData());
    const parsed = recordFormInput(values);
    const records = locals.services.monitoringRecords;
    const missing = evidenceMissing(values, parsed);
    // A record made from a mall order has the order as evidence (the form lists only files).
    const hasOrder = async () => (await records.detail(locals.actor, params.id).catch(() => null))?.evidence.some((e) => e.kind === 'mall_order') ?? false;
    if (missing && !(await hasOrder())) return missing;
    // The service reads the seq strictly (a blank is refused, not read as 0).
    const seq = values.seq as unknown as number;
    const saved = await formAction(values, () =>
      records.update(locals.actor, params.id, { ...(parsed.input as unknown as RecordContentInput & { evidence: typeof parsed.input.evidence }), seq }),
    );
    if (!saved.ok) return saved.failure;
    if (!parsed.submit) redirect(303, `/monitoring/records/${params.id}?saved=draft`);
    const submitted = await formAction(values, () => records.submit(locals.actor, params.id, { seq: saved.data.seq }));
    if (!submitted.ok) redirect(303, `/monitoring/records/${params.id}/edit?unsubmitted=${submitted.failure.data.error.code}`);
    redirect(303, `/monitoring/records/${params.id}?saved=submitted`);
  },
};
