import { and, eq, inArray, ne, or, sql, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import type { DbOrTx } from '../../db/client';
import { monitoringRecords as r } from '../../db/schema';
import { recordAudit } from '../audit/audit';
import { toFileView } from '../files/files.service';
import { requireActor, type Actor } from '../shared/actor';
import { AppError } from '../shared/app-error';
import { toXlsx, type ExportFile } from '../shared/export';
import { fenToYuan } from '../shared/money';
import { pageOffset } from '../shared/paging';
import { regionName } from '../shared/regions';
import { formatDate, shanghaiDate } from '../shared/time';
import { parseInput } from '../shared/validate';
import { actingMonitor, isDepartment, isParentChannel, levelOn, type ActingMonitor } from './monitoring.acting';
import type { MonitoringDeps } from './monitoring.deps';
import {
  EVIDENCE_CONTENT_TYPES,
  EVIDENCE_KIND_LABELS,
  EVIDENCE_MAX_BYTES,
  FILING_TYPE_LABELS,
  RECORD_STATUS_LABELS,
  UNIT_KIND_LABELS,
  type Level,
  type RecordStatus,
} from './monitoring.schema';
import { recordsRepo as repo, filterSql, type RecordRow, type RecordViewRow } from './records.repo';
import {
  BULK_APPROVE_MAX,
  BulkApproveInput,
  checkRefs,
  CONTENT_FIELD_LABELS,
  CreateRecordInput,
  DecideInput,
  makeRecordRefs,
  RECORD_COUNT_CAP,
  RecordListQuery,
  SeqInput,
  UpdateRecordInput,
  type BulkApproveResult,
  type CheckedContent,
  type EvidenceInput,
  type PendingCounts,
  type RecordContent,
  type RecordContentInput,
  type RecordDetailView,
  type RecordListFilter,
  type RecordPage,
  type RecordView,
} from './records.schema';
import { ACTION_LABELS, decideRecord, PENDING_AT, type RecordAction } from './review.machine';

/** A draft the sheet import or the mall-orders step files: checked content, optionally the mall order it comes from. */
export type DraftContent = CheckedContent & { mallOrderId?: string | null };
/** What forms and the API send: RecordContentInput's fields (as typed: strings, or numbers and booleans) and the evidence list. */
export type CreateRecordBody = { [K in keyof RecordContentInput]?: unknown } & { evidence?: EvidenceInput | unknown };
export type UpdateRecordBody = CreateRecordBody & { seq: unknown };

const NOT_FOUND = () => new AppError('NOT_FOUND', '记录不存在');
const CHANGED = () => new AppError('MONITORING_RECORD_CHANGED', '记录已被他人处理或修改，请刷新后再操作');
const isId = (s: string) => z.uuid().safeParse(s).success;
const iso = (d: Date | null) => (d ? d.toISOString() : null);
/** "广东省 广州市" → "广州市". */
const cityNameOf = (code: string | null) => (code ? (regionName(code) || regionName(code.replace(/00$/, ''))).split(' ').pop() || null : null);

const contentOf = (row: RecordRow): RecordContent => ({
  filingType: row.filingType,
  periodId: row.periodId,
  directFromOrigin: row.directFromOrigin,
  originProvinceCode: row.originProvinceCode,
  originCityCode: row.originCityCode,
  originCountyCode: row.originCountyCode,
  category: row.category as RecordContent['category'],
  productName: row.productName,
  unit: row.unit,
  quantity: normaliseQuantity(row.quantity),
  amountFen: row.amountFen,
});
/** numeric(16,3) comes back as "12.500": shown as typed ("12.5"). */
function normaliseQuantity(q: string) {
  if (!q.includes('.')) return q;
  return q.replace(/0+$/, '').replace(/\.$/, '');
}

/**
 * Which records the acting person sees (the shared design's visibility rules): a reporter its own; a market
 * or chain also its sub-accounts' filed ones; a city department the non-drafts it reviews; the province
 * every approved record and the non-drafts of units listed under it (单列). Null: nothing.
 */
function scopeSql(m: ActingMonitor): SQL | undefined {
  const org = m.unit.organisationId;
  if (isDepartment(m)) {
    if (m.role !== 'admin' && m.role !== 'auditor') return undefined;
    const own = and(eq(r.departmentId, org), ne(r.status, 'draft'));
    return m.unit.kind === 'province' ? or(eq(r.status, 'approved'), own) : own;
  }
  if (m.role !== 'reporter') return undefined;
  if (isParentChannel(m)) return or(eq(r.reporterId, org), and(eq(r.parentId, org), ne(r.status, 'draft')));
  return eq(r.reporterId, org);
}

/** The records waiting for the acting person (the states each of their levels acts on). */
function pendingSql(m: ActingMonitor): SQL | undefined {
  const org = m.unit.organisationId;
  if (isDepartment(m))
    return m.role === 'admin' || m.role === 'auditor' ? and(eq(r.departmentId, org), inArray(r.status, [...PENDING_AT.department])) : undefined;
  if (m.role !== 'reporter') return undefined;
  const own = and(eq(r.reporterId, org), inArray(r.status, [...PENDING_AT.reporter]));
  return isParentChannel(m) ? or(own, and(eq(r.parentId, org), inArray(r.status, [...PENDING_AT.parent]))) : own;
}

const NOTHING = sql`false`;
const RECENT_PARTS = 1000;
/** Two parts that see the same records: scopeSql and pendingSql read only the unit, its kind and the role. */
const sameScope = (a: ActingMonitor, b: ActingMonitor) => a.unit.organisationId === b.unit.organisationId && a.unit.kind === b.unit.kind && a.role === b.role;

/** Purchase records (购销记录): filing with evidence, edits and versions, the two-level review, lists and export. */
export function createMonitoringRecordService(deps: MonitoringDeps) {
  const { db, clock, files, messages } = deps;

  function toView(v: RecordViewRow): RecordView {
    const row = v.record;
    return {
      id: row.id,
      reporterId: row.reporterId,
      reporterName: v.reporterName,
      reporterKind: row.reporterKind,
      reporterKindLabel: UNIT_KIND_LABELS[row.reporterKind],
      parentName: v.parentName,
      departmentName: v.departmentName,
      cityCode: row.cityCode,
      cityName: cityNameOf(row.cityCode),
      filingType: row.filingType,
      filingTypeLabel: FILING_TYPE_LABELS[row.filingType],
      periodId: row.periodId,
      periodName: v.periodName,
      directFromOrigin: row.directFromOrigin,
      originProvinceCode: row.originProvinceCode,
      originProvinceName: v.originProvinceName,
      originCityCode: row.originCityCode,
      originCityName: v.originCityName,
      originCountyCode: row.originCountyCode,
      originCountyName: v.originCountyName,
      category: row.category,
      productName: row.productName,
      unit: row.unit,
      quantity: normaliseQuantity(row.quantity),
      amountFen: row.amountFen,
      status: row.status,
      statusLabel: RECORD_STATUS_LABELS[row.status],
      version: row.version,
      seq: row.seq,
      returnReason: row.returnReason,
      returnedBy: row.returnedBy === 'parent' || row.returnedBy === 'department' ? row.returnedBy : null,
      mallOrderId: row.mallOrderId,
      evidenceCount: Number(v.evidenceCount),
      createdAt: row.createdAt.toISOString(),
      updatedAt: row.updatedAt.toISOString(),
      submittedAt: iso(row.submittedAt),
      approvedAt: iso(row.approvedAt),
    };
  }

  async function viewOf(q: DbOrTx, id: string) {
    const v = await repo.findView(q, eq(r.id, id));
    if (!v) throw NOT_FOUND();
    return toView(v);
  }

  /** The record if the acting person sees it; NOT_FOUND otherwise (never tell apart). */
  async function visible(q: DbOrTx, m: ActingMonitor, id: string): Promise<RecordRow> {
    if (!isId(id)) throw NOT_FOUND();
    const scope = scopeSql(m);
    if (!scope) throw NOT_FOUND();
    const v = await repo.findView(q, and(eq(r.id, id), scope)!);
    if (!v) throw NOT_FOUND();
    return v.record;
  }

  /** Content checked against the periods and counties (field messages keyed as the form's fields). */
  async function checkContent(q: DbOrTx, parsed: z.output<typeof CreateRecordInput>): Promise<CheckedContent> {
    const refs = await repo.refsFor(q, [parsed.periodId], [parsed.originCountyCode]);
    const c = checkRefs(parsed, makeRecordRefs(refs.periods, refs.counties));
    if (!c.ok) {
      const first = Object.values(c.errors)[0]!;
      throw new AppError(c.errors.periodId ? 'MONITORING_PERIOD_CLOSED' : 'VALIDATION', first, c.errors);
    }
    return c.content;
  }

  /** Attaches the listed files to the record (replacing the earlier list): PDF or images, each ≤ 10 MB. */
  async function putEvidence(tx: DbOrTx, m: ActingMonitor, recordId: string, evidence: z.output<typeof CreateRecordInput>['evidence']) {
    const ids = evidence.map((e) => e.fileId);
    await files.detachExcept(tx, 'monitoring_evidence', recordId, ids);
    if (ids.length) {
      await files.attach(tx, { fileIds: ids, organisationId: m.unit.organisationId, purpose: 'monitoring_evidence', subjectId: recordId, field: 'evidence' });
      const attached = await files.listAttached(tx, 'monitoring_evidence', [recordId]);
      for (const f of attached) {
        if (!(EVIDENCE_CONTENT_TYPES as readonly string[]).includes(f.contentType))
          throw new AppError('VALIDATION', `凭证只能是 PDF 或图片：${f.filename}`, { evidence: `凭证只能是 PDF 或图片（${f.filename}）` });
        if (f.sizeBytes > EVIDENCE_MAX_BYTES)
          throw new AppError('VALIDATION', `凭证不能超过 10 MB：${f.filename}`, { evidence: `凭证不能超过 10 MB（${f.filename}）` });
      }
    }
    await repo.replaceFileEvidence(tx, recordId, evidence);
  }

  const event = (
    m: ActingMonitor,
    recordId: string,
    seq: number,
    action: RecordAction | 'create',
    from: RecordStatus | null,
    to: RecordStatus,
    level: Level,
    comment?: string | null,
  ) => ({
    recordId,
    seq,
    action,
    fromStatus: from,
    toStatus: to,
    level,
    actorUserId: m.actor.userId,
    actorOrganisationId: m.unit.organisationId,
    comment: comment ?? null,
    at: clock.now(),
  });

  /** Loads, checks the seq the caller saw, asks the machine; the refusal as an AppError. */
  function decideOn(row: RecordRow, level: Level | null, action: RecordAction, seq: number, comment?: string | null) {
    if (!level) throw new AppError('MONITORING_ROLE_REQUIRED', '您不能处理这条记录');
    if (row.seq !== seq) throw CHANGED();
    const d = decideRecord({ status: row.status, hasParent: row.parentId !== null, evidenceCount: 0 }, action, level, comment);
    return d;
  }

  async function evidenceCount(q: DbOrTx, id: string) {
    return (await repo.listEvidence(q, id)).length;
  }

  function refuse(d: ReturnType<typeof decideRecord>): asserts d is { ok: true; to: RecordStatus } {
    if (!d.ok) throw new AppError(d.code, d.message, d.code === 'VALIDATION' ? { comment: d.message } : undefined);
  }

  /** The list's where clause: scope, tab and filters. */
  /**
   * The last monitoring part of the people who listed records here (at most RECENT_PARTS, oldest forgotten
   * first): only a head start for listPage, never an answer to who may see what.
   */
  const recentParts = new Map<string, ActingMonitor>();
  const remember = (m: ActingMonitor) => {
    recentParts.delete(m.actor.userId);
    recentParts.set(m.actor.userId, m);
    if (recentParts.size > RECENT_PARTS) recentParts.delete(recentParts.keys().next().value!);
  };

  function listWhere(m: ActingMonitor, f: RecordListFilter): SQL {
    const scope = scopeSql(m);
    if (!scope) return NOTHING;
    const tab = f.tab ?? (isDepartment(m) || isParentChannel(m) ? 'pending' : 'all');
    const parts: SQL[] = [scope];
    const pending = pendingSql(m) ?? NOTHING;
    if (tab === 'pending') parts.push(pending);
    if (tab === 'reviewed') parts.push(sql`not (${pending})`);
    if (f.mine) parts.push(eq(r.reporterId, m.unit.organisationId));
    parts.push(...filterSql(f));
    return and(...parts)!;
  }

  const service = {
    /** A draft record of the actor's unit (reporter accounts only). */
    async create(actor: Actor | null, input: CreateRecordBody): Promise<RecordView> {
      const m = await actingMonitor(db, actor, ['reporter']);
      const parsed = parseInput(CreateRecordInput, input);
      if (isDepartment(m) || !m.unit.departmentId) throw new AppError('MONITORING_ROLE_REQUIRED', '扶贫部门账号不能填报购销记录');
      return db.transaction(async (tx) => {
        const content = await checkContent(tx, parsed);
        const [id] = await insertDraftRows(tx, m, [content]);
        await putEvidence(tx, m, id!, parsed.evidence);
        return viewOf(tx, id!);
      });
    },

    /** Edits a draft or returned record; a returned record's earlier content is kept as a version (version + 1). */
    async update(actor: Actor | null, id: string, input: UpdateRecordBody): Promise<RecordView> {
      const m = await actingMonitor(db, actor);
      const parsed = parseInput(UpdateRecordInput, input);
      return db.transaction(async (tx) => {
        const row = await visible(tx, m, id);
        const d = decideOn(row, levelOn(m, row), 'edit', parsed.seq);
        refuse(d);
        const content = await checkContent(tx, parsed);
        const now = clock.now();
        // The first edit after a return starts a new version; the content the reviewer returned is kept.
        let version = row.version;
        if (row.status === 'returned' && (await repo.lastEvent(tx, row.id, row.seq))?.action === 'return') {
          await repo.insertVersion(tx, row.id, row.version, contentOf(row), row.updatedAt);
          version = row.version + 1;
        }
        const updated = await repo.updateAt(tx, row.id, parsed.seq, row.status, { ...content, version, updatedAt: now });
        if (!updated) throw CHANGED();
        await putEvidence(tx, m, row.id, parsed.evidence);
        await repo.insertEvents(tx, [event(m, row.id, updated.seq, 'edit', row.status, row.status, 'reporter')]);
        return viewOf(tx, row.id);
      });
    },

    /** Deletes a draft. */
    async remove(actor: Actor | null, id: string, input: { seq: unknown }): Promise<void> {
      const m = await actingMonitor(db, actor);
      const { seq } = parseInput(SeqInput, input);
      await db.transaction(async (tx) => {
        const row = await visible(tx, m, id);
        refuse(decideOn(row, levelOn(m, row), 'delete', seq));
        await files.detachExcept(tx, 'monitoring_evidence', row.id, []);
        if (!(await repo.deleteDraft(tx, row.id, seq))) throw CHANGED();
      });
    },

    /** Submits a draft or returned record: to the market or chain when there is one (已填报), else to the department (已提交). */
    async submit(actor: Actor | null, id: string, input: { seq: unknown }): Promise<RecordView> {
      const m = await actingMonitor(db, actor);
      const { seq } = parseInput(SeqInput, input);
      return db.transaction(async (tx) => {
        const row = await visible(tx, m, id);
        const level = levelOn(m, row);
        if (!level) throw new AppError('MONITORING_ROLE_REQUIRED', '您不能处理这条记录');
        if (row.seq !== seq) throw CHANGED();
        const d = decideRecord({ status: row.status, hasParent: row.parentId !== null, evidenceCount: await evidenceCount(tx, row.id) }, 'submit', level);
        refuse(d);
        const now = clock.now();
        const updated = await repo.updateAt(tx, row.id, seq, row.status, {
          status: d.to,
          returnReason: null,
          returnedBy: null,
          filedAt: d.to === 'filed' ? now : row.filedAt,
          submittedAt: d.to === 'submitted' ? now : null,
          updatedAt: now,
        });
        if (!updated) throw CHANGED();
        await repo.insertEvents(tx, [event(m, row.id, updated.seq, 'submit', row.status, d.to, level)]);
        return viewOf(tx, row.id);
      });
    },

    /** A reviewer's decision (the market or chain first when there is one, then the department): approve, or return with a reason. */
    async decide(actor: Actor | null, id: string, input: { seq: unknown; decision: unknown; comment?: unknown }): Promise<RecordView> {
      const m = await actingMonitor(db, actor);
      const p = parseInput(DecideInput, input);
      const { view, push } = await db.transaction(async (tx) => {
        const row = await visible(tx, m, id);
        const level = levelOn(m, row);
        const d = decideOn(row, level, p.decision, p.seq, p.comment);
        refuse(d);
        const now = clock.now();
        const set =
          p.decision === 'return'
            ? { status: d.to, returnReason: p.comment!, returnedBy: level!, updatedAt: now }
            : d.to === 'approved'
              ? { status: d.to, approvedAt: now, updatedAt: now }
              : { status: d.to, submittedAt: now, updatedAt: now };
        const updated = await repo.updateAt(tx, row.id, p.seq, row.status, set);
        if (!updated) throw CHANGED();
        await repo.insertEvents(tx, [event(m, row.id, updated.seq, p.decision, row.status, d.to, level!, p.comment)]);
        await recordAudit(tx, {
          actorUserId: m.actor.userId,
          action: `monitoring.${p.decision}`,
          targetType: 'monitoring_record',
          targetId: row.id,
          organisationId: m.unit.organisationId,
          before: { status: row.status, seq: row.seq },
          after: { status: d.to, seq: updated.seq },
          reason: p.comment ?? null,
        });
        let sent: { push: () => Promise<void> } | undefined;
        if (p.decision === 'return' || d.to === 'approved') {
          const title = p.decision === 'return' ? '购销记录被退回修改' : '购销记录审核通过';
          const body =
            p.decision === 'return'
              ? `您填报的“${row.productName}”购销记录被${m.unit.fullName}退回：${p.comment}`
              : `您填报的“${row.productName}”购销记录已审核通过。`;
          sent = await messages.sendToOrganisation(row.reporterId, { title, body, link: `/monitoring/records/${row.id}`, category: 'monitoring' }, tx);
        }
        return { view: await viewOf(tx, row.id), push: sent?.push };
      });
      await push?.().catch(() => undefined);
      return view;
    },

    /**
     * Approves many records at once (a department's 已提交, or a market's or chain's 已填报), set-based: one
     * statement updates the records still in the state and scope and inserts their events; every other id
     * gets its reason (not found, already decided, not the actor's to approve).
     */
    async bulkApprove(actor: Actor | null, input: { ids?: unknown; filter?: unknown }): Promise<BulkApproveResult> {
      const m = await actingMonitor(db, actor);
      const p = parseInput(BulkApproveInput, input);
      const level: 'parent' | 'department' | null = isDepartment(m)
        ? m.role === 'reporter'
          ? null
          : 'department'
        : isParentChannel(m) && m.role === 'reporter'
          ? 'parent'
          : null;
      if (!level) throw new AppError('MONITORING_ROLE_REQUIRED', '只有扶贫部门或市场、商超账号可以审核');
      const from = PENDING_AT[level][0]!;
      const d = decideRecord({ status: from, hasParent: level === 'parent', evidenceCount: 1 }, 'approve', level);
      refuse(d);
      const ids = p.ids
        ? [...new Set(p.ids)]
        : await repo.ids(db, and(listWhere(m, { ...p.filter!, tab: 'pending' } as RecordListFilter), eq(r.status, from)), BULK_APPROVE_MAX);
      const { approved, pushes } = await db.transaction(async (tx) => {
        const done = await repo.bulkApprove(tx, {
          ids,
          from,
          to: d.to,
          level,
          organisationId: m.unit.organisationId,
          actorUserId: m.actor.userId,
          at: clock.now(),
        });
        if (done.length)
          await recordAudit(tx, {
            actorUserId: m.actor.userId,
            action: 'monitoring.bulk_approve',
            targetType: 'monitoring_record',
            targetId: done[0]!.id,
            organisationId: m.unit.organisationId,
            data: { count: done.length, ids: done.map((x) => x.id), to: d.to },
          });
        const pushes: (() => Promise<void>)[] = [];
        if (d.to === 'approved') {
          const byReporter = new Map<string, number>();
          for (const x of done) byReporter.set(x.reporterId, (byReporter.get(x.reporterId) ?? 0) + 1);
          for (const [reporterId, n] of byReporter) {
            const s = await messages.sendToOrganisation(
              reporterId,
              {
                title: '购销记录审核通过',
                body: `您填报的 ${n} 条购销记录已审核通过。`,
                link: '/monitoring/records?tab=all&status=approved',
                category: 'monitoring',
              },
              tx,
            );
            pushes.push(s.push);
          }
        }
        return { approved: done, pushes };
      });
      for (const push of pushes) await push().catch(() => undefined);
      const ok = new Set(approved.map((x) => x.id));
      const rest = ids.filter((id) => !ok.has(id));
      const scope = scopeSql(m);
      const rows = new Map((await repo.findMany(db, rest.filter(isId))).map((x) => [x.id, x]));
      const results: BulkApproveResult['results'] = ids.map((id) => {
        if (ok.has(id)) return { id, ok: true };
        const row = rows.get(id);
        const seen =
          row && scope && (row.reporterId === m.unit.organisationId || row.parentId === m.unit.organisationId || row.departmentId === m.unit.organisationId);
        if (!row || !seen) return { id, ok: false, code: 'NOT_FOUND', message: '记录不存在' };
        if ((level === 'parent' ? row.parentId : row.departmentId) !== m.unit.organisationId)
          return { id, ok: false, code: 'MONITORING_ROLE_REQUIRED', message: '这条记录不由您审核' };
        const why = decideRecord({ status: row.status, hasParent: row.parentId !== null, evidenceCount: 1 }, 'approve', level);
        return why.ok
          ? { id, ok: false, code: 'MONITORING_RECORD_CHANGED', message: '记录已被他人处理或修改，请刷新后再操作' }
          : { id, ok: false, code: why.code, message: why.message };
      });
      return { results, approved: approved.length, refused: results.length - approved.length };
    },

    /** One page of the records the actor sees (tab pending: what waits for them; reviewed: the rest). */
    async list(actor: Actor | null, query: Partial<Record<keyof RecordListQuery, unknown>>): Promise<RecordPage> {
      const m = await actingMonitor(db, actor);
      const f = parseInput(RecordListQuery, query);
      const { items, total, capped } = await repo.page(db, listWhere(m, f), f.pageSize, pageOffset(f), RECORD_COUNT_CAP);
      return { items: items.map(toView), total, totalCapped: capped, page: f.page, pageSize: f.pageSize };
    },

    /**
     * One page without its total: the items and whether another page follows (one indexed query, the cost of
     * the page itself). The list page renders with it at once and gets the total from `count` afterwards: an
     * exact count of a selective filter over a city's records costs many times the page (issue 17's bench).
     */
    async listPage(actor: Actor | null, query: Partial<Record<keyof RecordListQuery, unknown>>) {
      const userId = requireActor(actor).userId;
      const f = parseInput(RecordListQuery, query);
      const read = (m: ActingMonitor) => repo.pageItems(db, listWhere(m, f), f.pageSize + 1, pageOffset(f));
      // The page is read with the person's last part while their part is looked up again (one round trip's
      // wait instead of two); the lookup decides: the page is kept only when the part is still the same.
      const guess = recentParts.get(userId);
      const [m, early] = await Promise.all([actingMonitor(db, actor), guess ? read(guess).catch(() => null) : null]);
      remember(m);
      const rows = early && guess && sameScope(guess, m) ? early : await read(m);
      return { items: rows.slice(0, f.pageSize).map(toView), hasMore: rows.length > f.pageSize, page: f.page, pageSize: f.pageSize };
    },

    /** How many records a list query matches, stopping at RECORD_COUNT_CAP (`capped`: more than that). */
    async count(actor: Actor | null, query: Partial<Record<keyof RecordListQuery, unknown>>): Promise<{ total: number; capped: boolean }> {
      const m = await actingMonitor(db, actor);
      const f = parseInput(RecordListQuery, query);
      const { total, capped } = await repo.page(db, listWhere(m, f), 0, 0, RECORD_COUNT_CAP);
      return { total, capped };
    },

    /** A record with its evidence, timeline, versions, the changes of its last version and what the actor may do. */
    async detail(actor: Actor | null, id: string): Promise<RecordDetailView> {
      const m = await actingMonitor(db, actor);
      const row = await visible(db, m, id);
      const view = await viewOf(db, row.id);
      const level = levelOn(m, row);
      const [evidence, timeline, versions] = await Promise.all([repo.listEvidence(db, row.id), repo.timeline(db, row.id), repo.listVersions(db, row.id)]);
      const attached = await files.listAttached(db, 'monitoring_evidence', [row.id]);
      const orderNos = await repo.orderNumbers(
        db,
        evidence.map((e) => e.mallOrderId).filter((x): x is string => !!x),
      );
      const current = contentOf(row);
      const previous = versions.find((v) => v.version === row.version - 1)?.content as RecordContent | undefined;
      const show = (k: keyof RecordContent, c: RecordContent) =>
        k === 'amountFen' ? fenToYuan(c.amountFen) : k === 'directFromOrigin' ? (c.directFromOrigin ? '是' : '否') : String(c[k] ?? '');
      const changes = previous
        ? (Object.keys(CONTENT_FIELD_LABELS) as (keyof RecordContent)[])
            .filter((k) => show(k, previous) !== show(k, current))
            .map((k) => ({ field: k, label: CONTENT_FIELD_LABELS[k], before: show(k, previous), after: show(k, current) }))
        : [];
      const facts = { status: row.status, hasParent: row.parentId !== null, evidenceCount: evidence.length };
      const actions = level ? (['edit', 'submit', 'approve', 'return', 'delete'] as const).filter((a) => decideRecord(facts, a, level, '理由').ok) : [];
      return {
        ...view,
        evidence: evidence.map((e) => {
          const f = e.fileId ? attached.find((x) => x.id === e.fileId) : undefined;
          return {
            id: e.id,
            kind: e.kind,
            kindLabel: EVIDENCE_KIND_LABELS[e.kind],
            file: f ? toFileView(f) : null,
            mallOrder: e.mallOrderId ? { id: e.mallOrderId, orderNo: orderNos.get(e.mallOrderId) ?? '' } : null,
          };
        }),
        timeline: timeline.map((t) => ({
          ...t,
          actionLabel: ACTION_LABELS[t.action as RecordAction | 'create'] ?? t.action,
          at: t.at.toISOString(),
        })),
        versions: [
          ...versions.map((v) => ({ version: v.version, content: v.content as unknown as RecordContent, createdAt: v.createdAt.toISOString() })),
          { version: row.version, content: current, createdAt: row.updatedAt.toISOString() },
        ],
        changes,
        level: level ?? 'viewer',
        actions: [...actions],
      };
    },

    /** The list (same scope and filters, every page up to 50,000 rows) as an XLSX workbook. */
    async exportXlsx(actor: Actor | null, query: Partial<Record<keyof RecordListQuery, unknown>>): Promise<ExportFile> {
      const m = await actingMonitor(db, actor);
      const f = parseInput(RecordListQuery, { ...query, page: 1, pageSize: 100 });
      const where = listWhere(m, { ...f, tab: f.tab ?? 'all' });
      const rows: RecordView[] = [];
      for (let offset = 0; offset < 50_000; offset += 1000) {
        const items = await repo.pageItems(db, where, 1000, offset);
        rows.push(...items.map(toView));
        if (items.length < 1000) break;
      }
      const columns = [
        '填报单位',
        '单位类型',
        '上级市场/商超',
        '所属地市',
        '填报类型',
        '填报期',
        '直接向原产地采购',
        '原产地（省）',
        '原产地（市）',
        '原产地（县）',
        '产品类别',
        '产品名称',
        '计量单位',
        '采购数量',
        '采购金额（元）',
        '状态',
        '提交时间',
        '审核通过时间',
      ];
      const bytes = await toXlsx([
        {
          name: '购销记录',
          columns,
          rows: rows.map((v) => [
            v.reporterName,
            v.reporterKindLabel,
            v.parentName ?? '',
            v.cityName ?? '省直',
            v.filingTypeLabel,
            v.periodName,
            v.directFromOrigin ? '是' : '否',
            v.originProvinceName,
            v.originCityName,
            v.originCountyName,
            v.category,
            v.productName,
            v.unit,
            Number(v.quantity),
            Number(fenToYuan(v.amountFen)),
            v.statusLabel,
            v.submittedAt ? formatDate(v.submittedAt) : '',
            v.approvedAt ? formatDate(v.approvedAt) : '',
          ]),
        },
      ]);
      const day = shanghaiDate(clock.now());
      return { filename: `购销记录-${day}.xlsx`, contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', bytes };
    },

    /** The home page's figures: records waiting for the actor's review, their own returned records and drafts. */
    async pendingCounts(actor: Actor | null): Promise<PendingCounts> {
      const m = await actingMonitor(db, actor);
      const org = m.unit.organisationId;
      const review: SQL =
        isDepartment(m) && m.role !== 'reporter'
          ? and(eq(r.departmentId, org), eq(r.status, 'submitted'))!
          : isParentChannel(m) && m.role === 'reporter'
            ? and(eq(r.parentId, org), eq(r.status, 'filed'))!
            : NOTHING;
      const own = m.role === 'reporter' && !isDepartment(m);
      return repo.counts(db, {
        pending: review,
        returned: own ? and(eq(r.reporterId, org), eq(r.status, 'returned'))! : NOTHING,
        drafts: own ? and(eq(r.reporterId, org), eq(r.status, 'draft'))! : NOTHING,
      });
    },

    /** Who may read an evidence file: whoever sees the record (the reporter, its reviewers, the province once approved). */
    async canReadEvidence(actor: Actor | null, recordId: string | null): Promise<boolean> {
      if (!actor || !recordId || !isId(recordId)) return false;
      try {
        const m = await actingMonitor(db, actor);
        await visible(db, m, recordId);
        return true;
      } catch {
        return false;
      }
    },

    /** Drafts filed in the caller's transaction (sheet import, mall orders); a mall order also becomes evidence. Returns the ids in order. */
    insertDrafts: (tx: DbOrTx, acting: ActingMonitor, contents: DraftContent[]) => insertDraftRows(tx, acting, contents),
  };

  /** Set-based insert of drafts with their 'create' events (and mall-order evidence). */
  async function insertDraftRows(tx: DbOrTx, m: ActingMonitor, contents: DraftContent[]): Promise<string[]> {
    if (!contents.length) return [];
    const unit = m.unit;
    if (!unit.departmentId) throw new AppError('MONITORING_ROLE_REQUIRED', '扶贫部门账号不能填报购销记录');
    const hasParent = unit.kind === 'wholesaler' || unit.kind === 'store';
    const now = clock.now();
    const ids = await repo.insertRecords(
      tx,
      contents.map((c) => ({
        reporterId: unit.organisationId,
        reporterKind: unit.kind,
        parentId: hasParent ? unit.parentId : null,
        departmentId: unit.departmentId!,
        cityCode: unit.cityCode,
        filingType: c.filingType,
        periodId: c.periodId,
        directFromOrigin: c.directFromOrigin,
        originProvinceCode: c.originProvinceCode,
        originCityCode: c.originCityCode,
        originCountyCode: c.originCountyCode,
        category: c.category,
        productName: c.productName,
        unit: c.unit,
        quantity: c.quantity,
        amountFen: c.amountFen,
        status: 'draft' as const,
        seq: 1,
        mallOrderId: c.mallOrderId ?? null,
        createdBy: m.actor.userId,
        createdAt: now,
        updatedAt: now,
      })),
    );
    await repo.insertEvents(
      tx,
      ids.map((id) => event(m, id, 1, 'create', null, 'draft', 'reporter')),
    );
    const orders = ids.flatMap((id, i) => (contents[i]!.mallOrderId ? [{ recordId: id, mallOrderId: contents[i]!.mallOrderId! }] : []));
    if (orders.length) await repo.insertOrderEvidence(tx, orders);
    return ids;
  }

  return service;
}
export type MonitoringRecordService = ReturnType<typeof createMonitoringRecordService>;
