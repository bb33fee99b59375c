import type { ApiRouter } from './context';

/** Monitoring: accounts routes (/api/v1/monitoring/...). */
export function registerMonitoringAccountRoutes(api: ApiRouter) {
  void api;
}
