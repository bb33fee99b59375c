import type { ApiRouter } from './context';

/** Monitoring: rollup routes (/api/v1/monitoring/...). */
export function registerMonitoringRollupRoutes(api: ApiRouter) {
  void api;
}
