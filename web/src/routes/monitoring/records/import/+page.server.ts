import { error } from '@sveltejs/kit';
import { loadReference, requireMonitor } from '../../monitoring.server';
import type { PageServerLoad } from './$types';

/** 批量导入购销信息: reporter accounts only; the open periods are listed (the template cannot offer them as a dropdown). */
export const load: PageServerLoad = async ({ locals, url, parent }) => {
  const { actor, me } = await requireMonitor(locals, url, parent);
  if (!me.can.report) error(403, '您的账号不填报购销记录：扶贫部门的账号负责审核');
  const { periods } = await loadReference(locals, actor);
  return {
    organisationId: me.organisationId,
    unitName: me.unitName,
    openPeriods: periods.filter((p) => p.open).map((p) => ({ name: p.name, filingTypeLabel: p.filingTypeLabel })),
  };
};
