import type { Db } from '../../db/client';
import type { SeedSteps } from '../platform/seed-steps';

/** What the monitoring seed uses of the platform. */
export interface MonitoringSeedHost {
  db: Db;
  services: object;
}

/** Demo monitoring data: the province, cities with administrators and auditors, channels, sub-accounts, records in every state. */
export async function seedDemoMonitoring(p: MonitoringSeedHost, log: (line: string) => void, steps: SeedSteps): Promise<void> {
  void p;
  void log;
  void steps;
}
