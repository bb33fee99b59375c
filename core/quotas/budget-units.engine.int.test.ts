import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import { eq } from 'drizzle-orm';
import { budgetUnits } from '../../db/schema';
import { createTestPlatform } from '../testing/test-platform';
import { buildMobile, buildUscc, registerUser } from '../testing/factories';
import type { Platform } from '../platform/platform';
import type { Actor } from '../shared/actor';
import { BUDGET_UNIT_SHEET } from './budget-units.schema';

let p: Platform;
let bureau: Actor;

beforeAll(async () => {
  p = await createTestPlatform();
  const op = await registerUser(p);
  const unit = await p.services.budgetUnits.createPreset(
    { ...op.actor, isOperator: true },
    { fullName: '引擎测试财政局', uscc: buildUscc(), role: 'finance_dept', budgetLevel: '县', contactName: '经办人', mobile: buildMobile() },
  );
  const [row] = await p.db.select().from(budgetUnits).where(eq(budgetUnits.organisationId, unit.id));
  const a = await p.services.accounts.actorForUser(row!.accountUserId!);
  bureau = { ...a, organisation: a.memberships.find((m) => m.organisationId === unit.id) };
});
afterAll(() => p?.close());

async function sheet(rows: string[][]) {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('预算单位情况表');
  ws.addRow(BUDGET_UNIT_SHEET.columns.map((c) => c.header));
  for (const r of rows) ws.addRow(r);
  return new Uint8Array(await wb.xlsx.writeBuffer());
}

describe('the budget-unit sheet through the import engine', () => {
  it('uploads, previews (a forward reference and a bad row), confirms, and the units are in the tree', async () => {
    const [a, b] = [buildUscc(), buildUscc()];
    const bytes = await sheet([
      ['引擎测试下级单位', '引擎测试上级单位', b, '王主任', buildMobile(), '县', '乡科级', '12000.5', '10'],
      ['引擎测试上级单位', '', a, '李科长', buildMobile(), '县', '', '300000', '5.5'],
      ['引擎测试错误单位', '', '123', '赵', '1', '国', '', '-1', '101'],
    ]);
    const batch = await p.services.imports.upload(bureau, {
      kind: 'quotas.budget_units',
      organisationId: bureau.organisation!.organisationId,
      filename: 'units.xlsx',
      bytes,
    });
    await p.jobs.runDue();
    const ready = await p.services.imports.get(bureau, batch.id);
    expect(ready).toMatchObject({ status: 'ready', counts: { total: 3, new: 2, error: 1 } });
    await p.services.imports.confirm(bureau, batch.id);
    await p.jobs.runDue();
    expect(await p.services.imports.get(bureau, batch.id)).toMatchObject({ status: 'done', counts: { written: 2 } });
    const list = await p.services.budgetUnits.list(bureau, { keyword: '引擎测试' });
    expect(list.items.map((u) => [u.fullName, u.superiorName, u.annualFen, u.ratioBp])).toEqual(
      expect.arrayContaining([
        ['引擎测试上级单位', '引擎测试财政局', 30_000_000, 550],
        ['引擎测试下级单位', '引擎测试上级单位', 1_200_050, 1_000],
      ]),
    );
  });
});
