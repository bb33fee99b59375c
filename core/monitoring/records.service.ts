import type { MonitoringDeps } from './monitoring.deps';

/** Purchase records (购销记录): filing with evidence, edits and versions, the two-level review, lists and export. */
export function createMonitoringRecordService(deps: MonitoringDeps) {
  void deps;
  return {
    /** Who may read an evidence file: the reporter, the record's reviewers, and the province once approved. */
    async canReadEvidence(_actor: unknown, _recordId: string | null): Promise<boolean> {
      return false;
    },
  };
}
export type MonitoringRecordService = ReturnType<typeof createMonitoringRecordService>;
