import { formAction, formValues } from '$lib/server/session';
import type { Actions } from './$types';

const keep = (values: Record<string, string>) => Object.fromEntries(Object.entries(values).filter(([k]) => !/password/i.test(k)));

export const actions: Actions = {
  request: async ({ request, locals }) => {
    const values = formValues(await request.formData());
    const r = await formAction(values, () =>
      locals.services.accounts.requestPasswordReset(
        { channel: values.channel, target: values.target },
        { ip: locals.ip, userAgent: request.headers.get('user-agent') ?? undefined },
      ),
    );
    if (!r.ok) return r.failure;
    return { codeSent: true as const, message: r.data.message, values: keep(values) };
  },
  confirm: async ({ request, locals }) => {
    const values = formValues(await request.formData());
    const r = await formAction(values, () =>
      locals.services.accounts.confirmPasswordReset(
        { channel: values.channel, target: values.target, code: values.code, newPassword: values.newPassword, confirmPassword: values.confirmPassword },
        { ip: locals.ip, userAgent: request.headers.get('user-agent') ?? undefined },
      ),
    );
    if (!r.ok) return r.failure;
    return { done: true as const, message: r.data.message };
  },
};
