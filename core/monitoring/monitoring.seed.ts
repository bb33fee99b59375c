import type { Db } from '../../db/client';
import type { SeedSteps } from '../platform/seed-steps';
import { seedDemoMonitoringAccounts, type MonitoringAccountsSeedHost } from './accounts.seed';
import { seedDemoMonitoringRecords, type MonitoringRecordsSeedHost } from './records.seed';

/** What the monitoring seed uses of the platform. */
export interface MonitoringSeedHost {
  db: Db;
  services: MonitoringAccountsSeedHost['services'] & MonitoringRecordsSeedHost['services'];
}

/**
 * Demo monitoring data: the province, cities with administrators and auditors, channels, sub-accounts, records in
 * every state. Each part is made of recorded steps (an interrupted seed resumes with what is missing); a part's
 * own marker (also what databases seeded before the finer steps have) skips it as a whole.
 */
export async function seedDemoMonitoring(p: MonitoringSeedHost, log: (line: string) => void, steps: SeedSteps): Promise<void> {
  await steps.step('monitoring.accounts', () => seedDemoMonitoringAccounts(p, log, steps).then(() => null));
  await steps.step('monitoring.records', () => seedDemoMonitoringRecords(p, log, steps).then(() => null));
}
