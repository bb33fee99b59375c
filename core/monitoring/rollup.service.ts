import type { MonitoringDeps } from './monitoring.deps';

/** The roll-up (汇总): approved amounts and quantities by city, category, origin and period, for each viewer's scope. */
export function createMonitoringRollupService(deps: MonitoringDeps) {
  void deps;
  return {};
}
export type MonitoringRollupService = ReturnType<typeof createMonitoringRollupService>;
