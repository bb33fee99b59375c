import { fail } from '@sveltejs/kit';
import { yuanToFen } from '$core/shared/money';
import { formAction, formValues, orError } from '$lib/server/session';
import { DEFAULT_CALENDAR } from '$core/escrow/working-days';
import { DEFAULT_ROOM_TIMING } from '$core/rooms/rooms.machine';
import type { Actions, PageServerLoad } from './$types';

const FIELDS = { deposit: 'depositFen', forfeitEarly: 'forfeitEarlyFen', forfeitLate: 'forfeitLateFen' } as const;

export const load: PageServerLoad = async ({ locals }) => {
  const settings = locals.services.settings;
  const [deposit, fee, calendar, timing, siteFooter] = await orError(() =>
    Promise.all([settings.depositSettings(), settings.get('escrow.fee'), settings.get('calendar'), settings.get('rooms.timing'), settings.get('site.footer')]),
  );
  return { deposit, fee, calendar, timing, siteFooter, defaults: { calendar: DEFAULT_CALENDAR, timing: DEFAULT_ROOM_TIMING } };
};

/** A refusal of one of the sections below (`form` says which), with messages under its fields. */
const refuse = (form: string, values: Record<string, string>, fields: Record<string, string>) =>
  fail(400, { error: { code: 'VALIDATION', message: Object.values(fields)[0] ?? '请检查填写的内容', fields }, values: { ...values, form } });

/** "2026-01-01 2026-01-02\n2026-02-16, …" → sorted unique dates (format checked by the service's schema). */
const dateList = (raw: string | undefined) => [...new Set((raw ?? '').split(/[\s,，、;；]+/).filter(Boolean))].sort();

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

  fee: async ({ request, locals }) => {
    const values = formValues(await request.formData());
    const raw = (values.feePercent ?? '').trim().replace(/[%％]$/, '');
    if (!/^\d{1,2}(\.\d{1,2})?$/.test(raw)) return refuse('fee', values, { feeBp: '请填写 0–20 之间的百分比，最多两位小数' });
    const r = await formAction({ ...values, form: 'fee' }, () =>
      locals.services.settings.update(locals.actor, 'escrow.fee', { feeBp: Math.round(Number(raw) * 100) }),
    );
    if (!r.ok) return r.failure;
    return { savedSection: 'fee' };
  },

  calendar: async ({ request, locals }) => {
    const values = formValues(await request.formData());
    const input = { holidays: dateList(values.holidays), workdays: dateList(values.workdays) };
    const r = await formAction({ ...values, form: 'calendar' }, () => locals.services.settings.update(locals.actor, 'calendar', input));
    if (!r.ok) {
      // holidays.3 → the list's field, naming the date that was refused.
      const data = r.failure.data as { error: { fields?: Record<string, string> } };
      const fields: Record<string, string> = {};
      for (const [k, msg] of Object.entries(data.error.fields ?? {})) {
        const [list, i] = k.split('.') as ['holidays' | 'workdays', string | undefined];
        if (!fields[list]) fields[list] = i === undefined ? msg : `「${input[list]?.[Number(i)] ?? ''}」：${msg}`;
      }
      return refuse('calendar', values, fields);
    }
    return { savedSection: 'calendar' };
  },

  timing: async ({ request, locals }) => {
    const values = formValues(await request.formData());
    const fields: Record<string, string> = {};
    const int = (k: string) => {
      const raw = (values[k] ?? '').trim();
      if (!/^\d{1,4}$/.test(raw)) fields[k] = '请填写整数分钟';
      return Number(raw);
    };
    const input = { waitingRoomMinutes: int('waitingRoomMinutes'), enterPromptMinutes: int('enterPromptMinutes') };
    if (Object.keys(fields).length) return refuse('timing', values, fields);
    const r = await formAction({ ...values, form: 'timing' }, () => locals.services.settings.update(locals.actor, 'rooms.timing', input));
    if (!r.ok) return r.failure;
    return { savedSection: 'timing' };
  },

  footer: async ({ request, locals }) => {
    const values = formValues(await request.formData());
    const input = {
      servicePhone: values.servicePhone ?? '',
      serviceEmail: values.serviceEmail ?? '',
      serviceHours: values.serviceHours ?? '',
      icp: values.icp ?? '',
    };
    const r = await formAction({ ...values, form: 'footer' }, () => locals.services.settings.update(locals.actor, 'site.footer', input));
    if (!r.ok) return r.failure;
    return { savedSection: 'footer' };
  },
};
