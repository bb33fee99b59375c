import ExcelJS from 'exceljs';
import type { Db } from '../../db/client';
import { requireOperator, type Actor } from '../shared/actor';
import { authorizeActing } from '../shared/access';
import { AppError } from '../shared/app-error';
import { parseInput } from '../shared/validate';
import * as repo from './audit.repo';
import { AuditSearchQuery, auditActionLabel, type AuditRowView, type AuditSearch } from './audit.schema';

/** An export holds at most this many rows; narrow the filters for more. */
export const AUDIT_EXPORT_LIMIT = 10_000;

/** A spreadsheet would run a cell starting with = + - @ (or a tab / carriage return) as a formula. */
export const guardCell = (v: string) => (/^[=+\-@\t\r]/.test(v) ? `'${v}` : v);

const json = (v: unknown) => (v === null || v === undefined ? '' : JSON.stringify(v));
const shanghaiTime = (d: Date) =>
  new Intl.DateTimeFormat('zh-CN', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false })
    .format(d)
    .replace(/\//g, '-');

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
    if (total > AUDIT_EXPORT_LIMIT) throw new AppError('VALIDATION', `一次最多导出 ${AUDIT_EXPORT_LIMIT} 条，请缩小筛选范围（当前 ${total} 条）`, { from: '请缩小时间范围或增加筛选条件' });
    const rows = await repo.searchAudit(db, q, AUDIT_EXPORT_LIMIT, 0);
    const wb = new ExcelJS.Workbook();
    wb.creator = '帮扶平台';
    const ws = wb.addWorksheet('操作记录');
    const columns = ['时间', '操作', '操作代码', '操作人', '组织', '对象类型', '对象编号', '原因', '变更前', '变更后', 'IP', '附加信息'];
    ws.addRow(columns).font = { bold: true };
    for (const r of rows) {
      ws.addRow(
        [
          shanghaiTime(r.createdAt),
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
        ].map(guardCell),
      );
    }
    const widths = [20, 16, 28, 16, 28, 14, 38, 30, 40, 40, 16, 40];
    ws.columns.forEach((c, i) => {
      c.width = widths[i];
      c.numFmt = '@'; // ids, usernames and numbers-as-codes stay text
    });
    const stamp = new Date().toISOString().slice(0, 10);
    return {
      filename: `操作记录-${stamp}.xlsx`,
      contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      bytes: new Uint8Array(await wb.xlsx.writeBuffer()),
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
export type AuditService = ReturnType<typeof createAuditService>;

const toView = (r: AuditRowView) => ({ ...r, actionLabel: auditActionLabel(r.action) });
