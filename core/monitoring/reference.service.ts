import type { MonitoringDeps } from './monitoring.deps';

/** Reference lists the province maintains: the assisted counties (GB/T 2260) and the filing periods. */
export function createMonitoringReferenceService(deps: MonitoringDeps) {
  void deps;
  return {};
}
export type MonitoringReferenceService = ReturnType<typeof createMonitoringReferenceService>;
