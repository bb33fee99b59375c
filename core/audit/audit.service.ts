import type { Db } from '../../db/client';
import { requireOperator, type Actor } from '../shared/actor';
import { authorizeActing } from '../shared/access';
import { AppError } from '../shared/app-error';
import { guardCell, xlsxFile } from '../shared/export';
import { formatDateTimeSeconds, shanghaiDate } from '../shared/time';
import { parseInput } from '../shared/validate';
import * as repo from './audit.repo';
import { AuditSearchQuery, auditActionLabel, type AuditRowView, type AuditSearch } from './audit.schema';

/** An export holds at most this many rows; narrow the filters for more. */
export const AUDIT_EXPORT_LIMIT = 10_000;

/** Cells that would run as formulas are guarded by the shared export module. */
export { guardCell };

const json = (v: unknown) => (v === null || v === undefined ? '' : JSON.stringify(v));

/**
 * Reading the audit trail (writing is `recordAudit` in audit.ts, called by every context inside
 * the transaction that makes the change). Operators see every row; an organisation's owner or
 * admin sees the rows of the organisation they act for, and nobody else sees any.
 */
export function createAuditService({ db }: { db: Db }) {
  /** The organisation whose rows the caller may read: null for operators (all), else their own. Errors: UNAUTHENTICATED, FORBIDDEN. */
  function scopeOf(actor: Actor | null, scope: 'platform' | 'organisation'): string | null {
    if (scope === 'platform') {
      requireOperator(actor);
      return null;
    }
    return authorizeActing(actor, 'audit.view').organisationId;
  }

  function filterOf(raw: unknown, organisationId: string | null): AuditSearch {
    const q = parseInput(AuditSearchQuery, raw ?? {});
    return organisationId ? { ...q, organisationId } : q;
  }

  async function search(actor: Actor | null, raw: unknown, scope: 'platform' | 'organisation') {
    const q = filterOf(raw, scopeOf(actor, scope));
    const [items, total] = await Promise.all([repo.searchAudit(db, q, q.pageSize, (q.page - 1) * q.pageSize), repo.countAudit(db, q)]);
    // The platform's staff addresses stay with the platform.
    const view = scope === 'platform' ? toView : (r: AuditRowView) => ({ ...toView(r), ip: null });
    return { items: items.map(view), total, page: q.page, pageSize: q.pageSize };
  }

  async function exportXlsx(actor: Actor | null, raw: unknown, scope: 'platform' | 'organisation') {
    const q = filterOf(raw, scopeOf(actor, scope));
    const total = await repo.countAudit(db, q);
    if (total > AUDIT_EXPORT_LIMIT)
      throw new AppError('VALIDATION', `一次最多导出 ${AUDIT_EXPORT_LIMIT} 条，请缩小筛选范围（当前 ${total} 条）`, { from: '请缩小时间范围或增加筛选条件' });
    const rows = await repo.searchAudit(db, q, AUDIT_EXPORT_LIMIT, 0);
    const columns = ['时间', '操作', '操作代码', '操作人', '组织', '对象类型', '对象编号', '原因', '变更前', '变更后', 'IP', '附加信息'];
    const cells = rows.map((r) => [
      formatDateTimeSeconds(r.createdAt),
      auditActionLabel(r.action),
      r.action,
      r.actorUsername ?? (r.actorUserId ? r.actorUserId : '平台'),
      r.organisationName ?? '',
      r.targetType ?? '',
      r.targetId ?? '',
      r.reason ?? '',
      json(r.before),
      json(r.after),
      scope === 'platform' ? (r.ip ?? '') : '',
      json(r.data),
    ]);
    // ids, usernames and numbers-as-codes stay text
    const sheet = { name: '操作记录', columns, rows: cells, widths: [20, 16, 28, 16, 28, 14, 38, 30, 40, 40, 16, 40], textColumns: 'all' as const };
    const stamp = shanghaiDate(new Date());
    return {
      ...(await xlsxFile(`操作记录-${stamp}.xlsx`, [sheet])),
      rows: rows.length,
    };
  }

  return {
    /** Operators: every row, filtered and paged (created_at desc, id desc). Errors: UNAUTHENTICATED, FORBIDDEN, VALIDATION. */
    search: (actor: Actor | null, raw: unknown) => search(actor, raw, 'platform'),
    /** An organisation's owner or admin: the rows of the organisation they act for. Errors: UNAUTHENTICATED, FORBIDDEN, VALIDATION. */
    searchOwn: (actor: Actor | null, raw: unknown) => search(actor, raw, 'organisation'),
    /** The same filters as an XLSX file (at most AUDIT_EXPORT_LIMIT rows; formulas guarded). */
    export: (actor: Actor | null, raw: unknown) => exportXlsx(actor, raw, 'platform'),
    exportOwn: (actor: Actor | null, raw: unknown) => exportXlsx(actor, raw, 'organisation'),
    /** The actions that occur, for the filter's choices. */
    async actions(actor: Actor | null, scope: 'platform' | 'organisation') {
      const orgId = scopeOf(actor, scope);
      return (await repo.listAuditActions(db, orgId ?? undefined)).map((action) => ({ action, label: auditActionLabel(action) }));
    },
  };
}

const toView = (r: AuditRowView) => ({ ...r, actionLabel: auditActionLabel(r.action) });
