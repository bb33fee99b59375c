import type { Actor } from '../shared/actor';
import { guangdongCityName, type MonitoringMe } from './accounts.schema';
import { accountsRepo as repo } from './accounts.repo';
import type { MonitoringDeps } from './monitoring.deps';
import { MONITORING_ROLE_LABELS, UNIT_KIND_LABELS } from './monitoring.schema';

/**
 * Monitoring accounts (账号管理): departments, their administrators and auditors, the reporting channels
 * a city opens (markets, chains, e-commerce platforms), the sub-accounts a market or chain opens
 * (wholesalers, stores), and enterprises that register themselves. One mobile, one account.
 */
export function createMonitoringAccountService(deps: MonitoringDeps) {
  const { db } = deps;
  return {
    /**
     * Who the signed-in person is in monitoring and what they may do; null when not signed in or without a
     * monitoring account. `switchTo` names the unit when the active organisation is another one.
     */
    async me(actor: Actor | null): Promise<MonitoringMe | null> {
      if (!actor) return null;
      const row = await repo.findMe(db, actor.userId);
      if (!row) return null;
      const department = row.kind === 'province' || row.kind === 'city';
      const channel = row.kind === 'market' || row.kind === 'chain';
      const staff = department && (row.role === 'admin' || row.role === 'auditor');
      const switchTo = actor.organisation?.organisationId === row.organisationId ? null : row.unitName;
      return {
        userId: row.userId,
        organisationId: row.organisationId,
        unitName: row.unitName,
        kind: row.kind,
        kindLabel: UNIT_KIND_LABELS[row.kind],
        role: row.role,
        roleLabel: department ? MONITORING_ROLE_LABELS[row.role] : '填报账号',
        cityCode: row.cityCode,
        cityName: guangdongCityName(row.cityCode),
        departmentId: row.departmentId,
        departmentName: row.departmentName,
        parentName: row.parentName,
        switchTo,
        can: {
          manageAccounts: (department && row.role === 'admin') || (channel && row.role === 'reporter'),
          review: staff || (channel && row.role === 'reporter'),
          report: !department && row.role === 'reporter',
          rollup: staff || (channel && row.role === 'reporter'),
          settings: row.kind === 'province' && row.role === 'admin',
        },
      };
    },
  };
}
export type MonitoringAccountService = ReturnType<typeof createMonitoringAccountService>;
