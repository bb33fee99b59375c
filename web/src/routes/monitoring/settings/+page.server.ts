import { error } from '@sveltejs/kit';
import { runAction } from '$lib/server/form-action';
import { formValues, orError } from '$lib/server/session';
import { requireMonitor } from '../monitoring.server';
import type { Actions, PageServerLoad } from './$types';

/**
 * 设置 (province administrator): the filing periods (add, rename, open or close) and the assisted-county
 * list (one province at a time, grouped by city, switched on or off; any GB/T 2260 county added by code).
 */
export const load: PageServerLoad = async ({ locals, url, parent }) => {
  const { actor, me } = await requireMonitor(locals, url, parent);
  if (!me.can.settings) error(403, '只有省级扶贫部门管理员可以维护填报期间和帮扶县名单');
  const ref = locals.services.monitoringReference;
  const [periods, provinces] = await Promise.all([orError(() => ref.periods(actor)), orError(() => ref.provinces())]);
  const asked = url.searchParams.get('province') ?? '';
  const provinceCode = provinces.items.some((p) => p.code === asked) ? asked : (provinces.items[0]?.code ?? '');
  const counties = provinceCode ? (await orError(() => ref.adminCounties(actor, { provinceCode }))).items : [];
  // Grouped by city (the list comes ordered by code).
  const cities: { code: string; name: string; counties: typeof counties }[] = [];
  for (const c of counties) {
    const last = cities.at(-1);
    if (last?.code === c.cityCode) last.counties.push(c);
    else cities.push({ code: c.cityCode, name: c.cityName, counties: [c] });
  }
  return { periods: periods.items, provinces: provinces.items, provinceCode, cities };
};

const bool = (v: string | undefined) => (v === 'true' ? true : v === 'false' ? false : undefined);

export const actions: Actions = {
  /** 新增填报期间. */
  createPeriod: async ({ request, locals }) => {
    const values = formValues(await request.formData());
    const ref = locals.services.monitoringReference;
    const r = await runAction(
      values,
      () =>
        ref.createPeriod(locals.actor, {
          name: values.name ?? '',
          filingType: (values.filingType ?? '') as never,
          startsOn: values.startsOn ?? '',
          endsOn: values.endsOn ?? '',
          open: true,
        }),
      { form: 'createPeriod' },
    );
    if (!r.ok) return r.failure;
    return { done: { message: `已新增填报期间“${r.data.name}”，已开放填报。` } };
  },

  /** 改名 (name) or 关闭/开放 (open) of one period. */
  updatePeriod: async ({ request, locals }) => {
    const values = formValues(await request.formData());
    const ref = locals.services.monitoringReference;
    const input = values.name !== undefined ? { name: values.name } : { open: bool(values.open) };
    const r = await runAction(values, () => ref.updatePeriod(locals.actor, values.id ?? '', input), {
      form: values.name !== undefined ? `rename:${values.id}` : `open:${values.id}`,
    });
    if (!r.ok) return r.failure;
    const p = r.data;
    return {
      done: { message: values.name !== undefined ? `已改名为“${p.name}”。` : p.open ? `“${p.name}”已开放填报。` : `“${p.name}”已关闭，不再接受填报。` },
    };
  },

  /** 启用/停用 one county. */
  setCounty: async ({ request, locals }) => {
    const values = formValues(await request.formData());
    const ref = locals.services.monitoringReference;
    const r = await runAction(values, () => ref.setCountyActive(locals.actor, values.code ?? '', { active: bool(values.active) as boolean }), {
      form: `county:${values.code}`,
    });
    if (!r.ok) return r.failure;
    const c = r.data;
    return { done: { message: `${c.cityName}${c.name}已${c.active ? '启用' : '停用'}。` } };
  },

  /** 按代码添加县 (GB/T 2260). */
  addCounty: async ({ request, locals }) => {
    const values = formValues(await request.formData());
    const ref = locals.services.monitoringReference;
    const r = await runAction(values, () => ref.addCounty(locals.actor, { code: values.code ?? '' }), { form: 'addCounty' });
    if (!r.ok) return r.failure;
    const c = r.data;
    return { done: { message: `已将 ${c.provinceName}${c.cityName}${c.name}（${c.code}）加入帮扶县名单。`, provinceCode: c.provinceCode } };
  },
};
