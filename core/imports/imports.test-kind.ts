import ExcelJS from 'exceljs';
import { and, eq, inArray, sql } from 'drizzle-orm';
import { z } from 'zod';
import { organisations } from '../../db/schema';
import { requireActor } from '../shared/actor';
import { AppError } from '../shared/app-error';
import { Uscc } from '../shared/validators';
import type { ImportKind, RowCheck, RowWrite } from './imports.kinds';

/**
 * A tiny import kind for the engine's tests: units (organisations of kind 'unit') by USCC under the
 * uploader's organisation; the same code updates the name. `failNextWrite` makes the next write throw
 * (a crash mid-confirmation).
 */
export function testUnitsKind(key = 'test.units') {
  const state = { failNextWrite: false, writes: 0 };
  const kind: ImportKind<{ fullName: string; uscc: string }> = {
    key,
    label: '测试单位',
    spec: {
      name: '单位',
      filename: '单位导入模板.xlsx',
      maxRows: 50,
      instructions: ['每行一个单位。'],
      columns: [
        { key: 'fullName', header: '单位全称', required: true, schema: z.string().max(60, '单位全称不超过 60 字') },
        { key: 'uscc', header: '统一社会信用代码', required: true, text: true, schema: Uscc },
      ],
    },
    authorize(actor, organisationId) {
      const a = requireActor(actor);
      if (!a.memberships.some((m) => m.organisationId === organisationId)) throw new AppError('FORBIDDEN', '无权为该单位导入');
    },
    async check(q, _scope, rows) {
      const codes = rows.map((r) => r.value.uscc);
      const existing = codes.length
        ? new Set(
            (
              await q
                .select({ uscc: organisations.uscc })
                .from(organisations)
                .where(and(eq(organisations.kind, 'unit'), inArray(organisations.uscc, codes)))
            ).map((r) => r.uscc),
          )
        : new Set();
      const seen = new Map<string, number>();
      return rows.map((r): RowCheck => {
        const first = seen.get(r.value.uscc);
        if (first !== undefined) return { status: 'error', errors: [{ column: 'uscc', message: `与第 ${first} 行的统一社会信用代码重复` }] };
        seen.set(r.value.uscc, r.row);
        return { status: existing.has(r.value.uscc) ? 'update' : 'new' };
      });
    },
    async write(tx, scope, rows) {
      state.writes++;
      const out: RowWrite[] = [];
      for (const r of rows) {
        const [row] = await tx
          .insert(organisations)
          .values({ kind: 'unit', fullName: r.value.fullName, uscc: r.value.uscc, parentId: scope.organisationId })
          .onConflictDoUpdate({
            target: [organisations.kind, organisations.uscc],
            targetWhere: sql`${organisations.uscc} is not null`,
            set: { fullName: r.value.fullName },
          })
          .returning({ id: organisations.id });
        out.push({ targetId: row!.id });
      }
      if (state.failNextWrite) {
        state.failNextWrite = false;
        throw new Error('simulated crash while writing');
      }
      return out;
    },
  };
  return { kind, state };
}

/** A workbook with the given header row and rows, as bytes. */
export async function sheetBytes(rows: string[][], headers = ['单位全称*', '统一社会信用代码*']) {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('单位');
  ws.addRow(headers);
  for (const r of rows) ws.addRow(r);
  return new Uint8Array(await wb.xlsx.writeBuffer());
}
