import {
  monitoringCounties,
  monitoringEvidence,
  monitoringMembers,
  monitoringPeriods,
  monitoringRecordEvents,
  monitoringRecords,
  monitoringRecordVersions,
  monitoringUnits,
} from '../../db/schema';
import { defineContext } from '../platform/context';
import { createMonitoringAccountService } from './accounts.service';
import type { MonitoringNeeds } from './monitoring.deps';
import { seedDemoMonitoring } from './monitoring.seed';
import { createRecordImport } from './records.import';
import { createMonitoringMallOrderService } from './records.mall';
import { createMonitoringRecordService } from './records.service';
import { createMonitoringReferenceService } from './reference.service';
import { createMonitoringRollupService } from './rollup.service';

/**
 * Purchase-record monitoring (消费扶贫监测, manual 002): city departments open accounts for auditors and
 * reporting channels; reporters file purchase records of assisted-area produce with evidence; records pass a
 * two-level review and roll up to the province.
 */
export const monitoringContext = defineContext({
  name: 'monitoring',
  needs: ['organisations', 'accounts', 'audit', 'notifications', 'files', 'mall', 'imports'],
  tables: {
    monitoringUnits,
    monitoringMembers,
    monitoringPeriods,
    monitoringCounties,
    monitoringRecords,
    monitoringRecordEvents,
    monitoringRecordVersions,
    monitoringEvidence,
  },
  create: ({ db, clock, jobs, notifier, rateLimiter, publisher, publicOrigin }, n: MonitoringNeeds) => {
    const deps = { db, clock, jobs, notifier, rateLimiter, publisher, publicOrigin, ...n };
    n.imports.register(createRecordImport(deps));
    return {
      monitoringAccounts: createMonitoringAccountService(deps),
      monitoringRecords: createMonitoringRecordService(deps),
      monitoringRollup: createMonitoringRollupService(deps),
      monitoringReference: createMonitoringReferenceService(deps),
      monitoringMallOrders: createMonitoringMallOrderService(deps),
    };
  },
  fileAccess: {
    // Evidence (发票、合同、运单…): the reporter, the record's reviewers, the province once approved.
    monitoring_evidence: (s, actor, f) => s.monitoringRecords.canReadEvidence(actor, f.subjectId),
  },
  seed: seedDemoMonitoring,
});
