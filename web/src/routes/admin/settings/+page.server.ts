import { fail } from '@sveltejs/kit';
import { yuanToFen } from '$core/shared/money';
import { formAction, formValues, orError } from '$lib/server/session';
import type { Actions, PageServerLoad } from './$types';

const FIELDS = { deposit: 'depositFen', forfeitEarly: 'forfeitEarlyFen', forfeitLate: 'forfeitLateFen' } as const;

export const load: PageServerLoad = async ({ locals }) => {
  const deposit = await orError(() => locals.services.settings.depositSettings());
  return { deposit };
};

export const actions: Actions = {
  deposit: async ({ request, locals }) => {
    const values = formValues(await request.formData());
    const input: Record<string, number | undefined> = {};
    const fields: Record<string, string> = {};
    for (const [form, key] of Object.entries(FIELDS)) {
      const raw = (values[form] ?? '').trim();
      const fen = raw ? yuanToFen(raw) : undefined;
      if (raw && fen === undefined) fields[key] = '金额格式不正确，请填写数字，最多两位小数';
      input[key] = fen;
    }
    if (Object.keys(fields).length) return fail(400, { error: { code: 'VALIDATION', message: '请检查填写的内容', fields }, values });
    const r = await formAction(values, () => locals.services.settings.update(locals.actor, 'tenders.deposit', input));
    if (!r.ok) return r.failure;
    return { saved: r.data };
  },
};
