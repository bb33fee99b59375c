import type { ApiRouter } from './context';

/** Monitoring: records routes (/api/v1/monitoring/...). */
export function registerMonitoringRecordRoutes(api: ApiRouter) {
  void api;
}
