import type { ApiRouter } from './context';

/** Monitoring: reference routes (/api/v1/monitoring/...). */
export function registerMonitoringReferenceRoutes(api: ApiRouter) {
  void api;
}
