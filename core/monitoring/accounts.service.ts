import type { MonitoringDeps } from './monitoring.deps';

/**
 * Monitoring accounts (账号管理): departments, their administrators and auditors, the reporting channels
 * a city opens (markets, chains, e-commerce platforms), the sub-accounts a market or chain opens
 * (wholesalers, stores), and enterprises that register themselves. One mobile, one account.
 */
export function createMonitoringAccountService(deps: MonitoringDeps) {
  void deps;
  return {};
}
export type MonitoringAccountService = ReturnType<typeof createMonitoringAccountService>;
