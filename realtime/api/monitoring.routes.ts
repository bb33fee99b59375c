import type { ApiRouter } from './context';
import { registerMonitoringAccountRoutes } from './monitoring-accounts.routes';
import { registerMonitoringRecordRoutes } from './monitoring-records.routes';
import { registerMonitoringReferenceRoutes } from './monitoring-reference.routes';
import { registerMonitoringRollupRoutes } from './monitoring-rollup.routes';

/** Purchase-record monitoring (消费扶贫监测): accounts, records and their review, the roll-up, reference lists. */
export function registerMonitoringRoutes(api: ApiRouter) {
  registerMonitoringAccountRoutes(api);
  registerMonitoringRecordRoutes(api);
  registerMonitoringRollupRoutes(api);
  registerMonitoringReferenceRoutes(api);
}
