import type { DbOrTx } from '../../db/client';
import type { Actor } from '../shared/actor';
import type { ActingMonitor } from './monitoring.acting';
import type { MonitoringDeps } from './monitoring.deps';
import type {
  BulkApproveInput,
  BulkApproveResult,
  CheckedContent,
  DecideInput,
  EvidenceInput,
  PendingCounts,
  RecordContentInput,
  RecordDetailView,
  RecordListQuery,
  RecordPage,
  RecordView,
} from './records.schema';

/** A draft the sheet import or the mall-orders step files: checked content, optionally the mall order it comes from. */
export type DraftContent = CheckedContent & { mallOrderId?: string | null };

const notYet = (): never => {
  throw new Error('not yet');
};

/** Purchase records (购销记录): filing with evidence, edits and versions, the two-level review, lists and export. */
export function createMonitoringRecordService(deps: MonitoringDeps) {
  void deps;
  return {
    /** A draft record of the actor's unit (reporter accounts only). */
    async create(_actor: Actor | null, _input: RecordContentInput & { evidence?: EvidenceInput }): Promise<RecordView> {
      return notYet();
    },
    /** Edits a draft or returned record; a returned record's earlier content is kept as a version (version + 1). */
    async update(_actor: Actor | null, _id: string, _input: RecordContentInput & { seq: number; evidence?: EvidenceInput }): Promise<RecordView> {
      return notYet();
    },
    /** Deletes a draft. */
    async remove(_actor: Actor | null, _id: string, _input: { seq: number }): Promise<void> {
      return notYet();
    },
    async submit(_actor: Actor | null, _id: string, _input: { seq: number }): Promise<RecordView> {
      return notYet();
    },
    async decide(_actor: Actor | null, _id: string, _input: DecideInput): Promise<RecordView> {
      return notYet();
    },
    async bulkApprove(_actor: Actor | null, _input: BulkApproveInput): Promise<BulkApproveResult> {
      return notYet();
    },
    async list(_actor: Actor | null, _query: RecordListQuery): Promise<RecordPage> {
      return notYet();
    },
    async detail(_actor: Actor | null, _id: string): Promise<RecordDetailView> {
      return notYet();
    },
    async exportXlsx(_actor: Actor | null, _query: RecordListQuery): Promise<{ filename: string; bytes: Uint8Array }> {
      return notYet();
    },
    async pendingCounts(_actor: Actor | null): Promise<PendingCounts> {
      return notYet();
    },
    /** Who may read an evidence file: the reporter, the record's reviewers, and the province once approved. */
    async canReadEvidence(_actor: Actor | null, _recordId: string | null): Promise<boolean> {
      return false;
    },
    /** Drafts filed in the caller's transaction (sheet import, mall orders); a mall order also becomes evidence. Returns the ids in order. */
    async insertDrafts(_tx: DbOrTx, _acting: ActingMonitor, _contents: DraftContent[]): Promise<string[]> {
      return notYet();
    },
  };
}
export type MonitoringRecordService = ReturnType<typeof createMonitoringRecordService>;
