import { error, redirect } from '@sveltejs/kit';
import type { RecordContentInput } from '$core/monitoring/records.schema';
import { formAction, formValues } from '$lib/server/session';
import { evidenceMissing, loadReference, recordFormInput, requireMonitor } from '../../monitoring.server';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, url, parent }) => {
  const { actor, me } = await requireMonitor(locals, url, parent);
  if (!me.can.report) error(403, '您的账号不填报购销记录：扶贫部门的账号负责审核');
  return loadReference(locals, actor);
};

export const actions: Actions = {
  /** 保存草稿 creates a draft; 提交 creates it and submits it (a refused submission leaves the draft to finish). */
  default: async ({ request, locals }) => {
    const values = formValues(await request.formData());
    const parsed = recordFormInput(values);
    const { input, submit } = parsed;
    const missing = evidenceMissing(values, parsed);
    if (missing) return missing;
    const records = locals.services.monitoringRecords;
    const created = await formAction(values, () => records.create(locals.actor, input as unknown as RecordContentInput & { evidence: typeof input.evidence }));
    if (!created.ok) return created.failure;
    const id = created.data.id;
    if (!submit) redirect(303, `/monitoring/records/${id}?saved=draft`);
    const submitted = await formAction(values, () => records.submit(locals.actor, id, { seq: created.data.seq }));
    if (!submitted.ok) redirect(303, `/monitoring/records/${id}/edit?unsubmitted=${submitted.failure.data.error.code}`);
    redirect(303, `/monitoring/records/${id}?saved=submitted`);
  },
};
