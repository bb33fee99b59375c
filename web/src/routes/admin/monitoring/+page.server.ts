import { runAction } from '$lib/server/form-action';
import { formValues, orError } from '$lib/server/session';
import type { Actions, PageServerLoad } from './$types';

/** 消费扶贫监测 for operators: the departments opened so far and, until it exists, the form that opens the province. */
export const load: PageServerLoad = async ({ locals }) => {
  const departments = await orError(() => locals.services.monitoringAccounts.listDepartments(locals.actor));
  return { departments, hasProvince: departments.some((d) => d.cityCode === null) };
};

export const actions: Actions = {
  /** 开通省级扶贫部门 and its first administrator (SMS to the mobile); every field's message at once. */
  province: async ({ request, locals }) => {
    const values = formValues(await request.formData());
    const r = await runAction(values, () => locals.services.monitoringAccounts.createDepartment(locals.actor, { ...values, kind: 'province' }));
    if (!r.ok) return r.failure;
    return {
      done: {
        message: `已开通“${values.name}”及其管理员账号，开通短信已发送至 ${values.mobile}。管理员用该手机号和短信验证码登录后，可开通各地级市扶贫部门。`,
      },
    };
  },
};
